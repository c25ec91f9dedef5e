/// Text input and dialogs: what Enter, Esc and typed text mean depends on the overlay and the focus.
extension AppState {
    mutating func edit(_ command: EditCommand) -> [Effect] {
        if case .search(var search) = overlay {
            let before = search.query.text
            search.query.apply(command, multiline: false)
            let query = search.query.text
            var effects: [Effect] = []
            if query != before {
                if search.hasSearchableQuery {
                    search.isSearching = true
                    effects.append(.search(query))
                } else {
                    search.hits = []
                    search.selection = 0
                    search.answeredQuery = nil
                    search.isSearching = false
                }
            }
            overlay = .search(search)
            return effects
        }
        if case .templates = overlay {
            editTemplateParameter(command)
            return []
        }
        if case .attach(var prompt) = overlay {
            prompt.path.apply(command, multiline: false)
            overlay = .attach(prompt)
            return []
        }
        if case .note(var editor) = overlay {
            editor.text.apply(command, multiline: false)
            overlay = .note(editor)
            return []
        }
        if case .canned = overlay { return editCannedQuery(command) }
        if case .palette = overlay { editPalette(command); return [] }
        if openCannedPickerIfAsked(command) { return [] }
        switch overlay {
        case .snooze(let picker): editSnoozeCustom(picker, command); return []
        case .profile(let editor): editProfileField(editor, command); return []
        case .tagFilter(let prompt): editTagFilter(prompt, command); return []
        default: break
        }
        guard overlay == nil, focus == .composer, composerLock == nil, var open = conversation else { return [] }
        let before = open.composer.text
        open.composer.apply(command)
        if open.composer.text != before {
            open.draftDirty = true
            open.draftEditedAt = now
        }
        conversation = open
        return []
    }

    /// A paste goes into the composer in one step, line breaks and all, and never sends: only Enter typed on its
    /// own sends. Pasting while reading the open conversation moves into its composer when a free-text reply is
    /// possible; anywhere else the paste is refused, never read as keys (a pasted "x" must not close anything).
    mutating func paste(_ text: String) -> [Effect] {
        guard overlay == nil else { return [] }
        if focus == .conversation || focus == .sidebar, composerLock == nil,
           let detail = conversation?.detail, ReplyWindow(conversation: detail.conversation, now: now).allowsFreeText {
            focus = .composer
        }
        guard focus == .composer, composerLock == nil else {
            fail("Pasted text goes into a reply: open a conversation you hold, press r, then paste")
            return []
        }
        return edit(.insert(text))
    }

    mutating func searchResults(query: String, hits: [SearchHit]) {
        // Answers to a query the agent has since changed are dropped: only the latest may show.
        guard case .search(var search) = overlay, search.query.text == query else { return }
        search.hits = hits
        search.selection = 0
        search.answeredQuery = query
        search.isSearching = false
        overlay = .search(search)
    }

    mutating func submit() -> [Effect] {
        switch overlay {
        case .transfer(let picker):
            overlay = nil
            guard picker.candidates.indices.contains(picker.selection) else { return [] }
            let agent = picker.candidates[picker.selection]
            inform("Transferring \(picker.patientName) to \(agent.name)…", about: picker.conversationId,
                   pending: PendingCommand(action: "transfer", conversationId: picker.conversationId,
                                           doneText: "\(picker.patientName) is with \(agent.name) now",
                                           failedText: "\(picker.patientName) was not transferred"))
            return saveDraftIfDirty() + [.send(.transfer(toAgentId: agent.id), conversationId: picker.conversationId)]
        case .search(let search):
            guard search.hits.indices.contains(search.selection) else {
                let query = search.query.text
                if search.hasSearchableQuery, search.answeredQuery != query {
                    return [.search(query)]
                }
                return []
            }
            let hit = search.hits[search.selection]
            overlay = nil
            focus = .conversation
            let effects = openConversation(hit.conversationId, unreadAtOpen: nil)
            // A patient hit opens their conversation at its newest message; a message hit jumps to the message.
            if let messageId = hit.messageId {
                conversation?.highlightMessageId = messageId
                conversation?.scroll = .message(messageId)
            }
            return effects
        case .templates(let picker):
            return submitTemplatePicker(picker)
        case .attachments(let picker):
            return submitAttachmentPicker(picker)
        case .attach(let prompt):
            return submitAttachPrompt(prompt)
        case .note(let editor):
            return submitNote(editor)
        case .canned(let picker):
            return submitCannedPicker(picker)
        case .palette(let palette):
            return submitPalette(palette)
        case .snooze(let picker):
            return submitSnoozePicker(picker)
        case .profile(let editor):
            return submitProfileEditor(editor)
        case .tagFilter(let prompt):
            return submitTagFilter(prompt)
        case .help:
            overlay = nil
            return []
        case .confirmQuit, .confirm:
            return confirm(false)  // Enter takes the safe answer
        case nil:
            switch focus {
            case .composer: return sendComposer()
            case .queue: return openSelectedRow()
            case .conversation, .sidebar: return focusComposer()
            }
        }
    }

    mutating func cancel() -> [Effect] {
        if case .canned(let picker) = overlay { return cancelCannedPicker(picker) }
        if overlay != nil {
            overlay = nil
            return []
        }
        switch focus {
        case .composer:
            focus = .conversation
            return saveDraftIfDirty()
        case .conversation, .sidebar:
            // Back to the list in one press, whatever else is on screen: j/k move the queue again.
            focus = .queue
            dismissStatus()
            conversation?.highlightMessageId = nil
            return []
        case .queue:
            if visibleStatus != nil {
                dismissStatus()
            } else if conversation?.highlightMessageId != nil {
                conversation?.highlightMessageId = nil
            }
            return []
        }
    }

    mutating func confirm(_ yes: Bool) -> [Effect] {
        switch overlay {
        case .confirm(let confirmation):
            overlay = nil
            return yes ? perform(confirmation) : []
        case .confirmQuit:
            let warning = quitWarning
            overlay = nil
            guard yes else { return [] }
            // A draft that can still be sent is kept in the mirror, so quitting loses nothing; one that can no
            // longer be sent (a colleague took the conversation) is dropped, as the dialog said.
            var effects: [Effect] = []
            if let open = conversation, warning?.dropsDraft != true, !open.composer.isBlank {
                effects.append(.saveDraft(conversationId: open.id, text: open.composer.text))
            }
            effects += (warning?.droppedDrafts ?? []).map { .saveDraft(conversationId: $0, text: "") }
            return effects + [.quit]
        default:
            return []
        }
    }
}
