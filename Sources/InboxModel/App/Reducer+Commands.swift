/// Commands on a conversation (take over, hand back, close, transfer, retry) and the composer's send.
/// The reducer checks what it can see locally so the agent gets an immediate, specific answer; the server
/// still decides, and its refusals come back as `.commandFailed`.
extension AppState {
    /// The conversation a command applies to: the selected row while the queue has focus, else the open one.
    public struct CommandTarget: Sendable {
        public var conversation: Conversation
        public var name: String
    }

    public var commandTarget: CommandTarget? {
        if focus == .queue, let row = queue.selectedRow {
            if let detail = conversation?.detail, detail.conversation.id == row.id {
                return CommandTarget(conversation: detail.conversation, name: detail.patientLabel)
            }
            return CommandTarget(conversation: row.conversation, name: row.patientLabel)
        }
        guard let detail = conversation?.detail else { return nil }
        return CommandTarget(conversation: detail.conversation, name: detail.patientLabel)
    }

    /// An admin may take over, transfer, hand back or close a colleague's conversation; an agent may not.
    var isAdmin: Bool { me.role == .admin }

    /// The colleague holding `conversation`, or nil when nobody or I hold it.
    func colleagueHolding(_ conversation: Conversation) -> Int64? {
        guard conversation.status == .assigned, let holder = conversation.assignedAgentId, holder != me.id else { return nil }
        return holder
    }

    mutating func takeOver() -> [Effect] {
        guard let target = commandTarget else { fail("Select a conversation first"); return [] }
        let conversation = target.conversation
        let id = conversation.id
        switch conversation.status {
        case .closed:
            fail("\(target.name)'s conversation is closed: O reopens it", about: id)
            return []
        case .assigned:
            guard let holder = colleagueHolding(conversation) else {
                inform("\(target.name) is already yours", about: id)
                return []
            }
            guard isAdmin else {
                fail("Taken by \(agentName(holder)); only they or an admin can transfer it", about: id)
                return []
            }
            return sendTakeOver(target, text: "Taking \(target.name) over from \(agentName(holder))…")
        case .waiting, .bot:
            return sendTakeOver(target, text: "Taking over \(target.name)…")
        }
    }

    private mutating func sendTakeOver(_ target: CommandTarget, text: String) -> [Effect] {
        let id = target.conversation.id
        var effects = openConversation(id, unreadAtOpen: nil)
        focus = .conversation
        inform(text, about: id, pending: PendingCommand(action: Command.takeOver.action, conversationId: id,
                                                        doneText: "\(target.name) is yours",
                                                        failedText: "\(target.name) was not taken over"))
        effects.append(.send(.takeOver, conversationId: id))
        return effects
    }

    mutating func handBack() -> [Effect] {
        guard let target = commandTarget else { fail("Select a conversation first"); return [] }
        let conversation = target.conversation
        let id = conversation.id
        switch conversation.status {
        case .closed: fail("\(target.name)'s conversation is closed", about: id); return []
        case .bot: inform("\(target.name) is already with the AI", about: id); return []
        case .assigned, .waiting:
            if let holder = colleagueHolding(conversation), !isAdmin {
                fail("Taken by \(agentName(holder)); only they or an admin can hand it back", about: id)
                return []
            }
            return ask(Confirmation(kind: .handBack, conversationId: id, patientName: target.name,
                                    heldBy: colleagueHolding(conversation).map(agentName)))
        }
    }

    mutating func closeConversation() -> [Effect] {
        guard let target = commandTarget else { fail("Select a conversation first"); return [] }
        let conversation = target.conversation
        let id = conversation.id
        switch conversation.status {
        case .closed: inform("\(target.name)'s conversation is already closed", about: id); return []
        case .assigned, .waiting, .bot:
            if let holder = colleagueHolding(conversation), !isAdmin {
                fail("Taken by \(agentName(holder)); only they or an admin can close it", about: id)
                return []
            }
            return ask(Confirmation(kind: .close, conversationId: id, patientName: target.name,
                                    heldBy: colleagueHolding(conversation).map(agentName)))
        }
    }

    /// Close and hand back are hard to undo from the keyboard by mistake: ask first, unless configured off.
    private mutating func ask(_ confirmation: Confirmation) -> [Effect] {
        if settings.confirmCommands {
            overlay = .confirm(confirmation)
            return []
        }
        return perform(confirmation)
    }

    /// The confirmed command.
    mutating func perform(_ confirmation: Confirmation) -> [Effect] {
        let id = confirmation.conversationId
        let name = confirmation.patientName
        let command: Command
        switch confirmation.kind {
        case .close:
            command = .close
            inform("Closing \(name)'s conversation…", about: id,
                   pending: PendingCommand(action: command.action, conversationId: id,
                                           doneText: "Closed \(name)'s conversation",
                                           failedText: "\(name)'s conversation was not closed"))
        case .handBack:
            command = .handBack
            inform("Handing \(name) back to the AI…", about: id,
                   pending: PendingCommand(action: command.action, conversationId: id,
                                           doneText: "\(name) is with the AI again",
                                           failedText: "\(name) was not handed back"))
        }
        return saveDraftIfDirty() + [.send(command, conversationId: id)]
    }

    /// A closed conversation comes back to the agent who reopens it; the reply rules then apply as usual
    /// (free text inside the 24-hour window, a template outside it).
    mutating func reopen() -> [Effect] {
        guard let target = commandTarget else { fail("Select a conversation first"); return [] }
        let conversation = target.conversation
        let id = conversation.id
        guard conversation.status == .closed else {
            inform("\(target.name)'s conversation is open", about: id)
            return []
        }
        let next = ReplyWindow(conversation: conversation, now: now).allowsFreeText
            ? "reply as usual"
            : "the patient last wrote over 24 hours ago, so only a template can go out"
        var effects = openConversation(id, unreadAtOpen: nil)
        focus = .conversation
        inform("Reopening \(target.name)'s conversation…", about: id,
               pending: PendingCommand(action: Command.reopen.action, conversationId: id,
                                       doneText: "Reopened \(target.name)'s conversation: \(next)",
                                       failedText: "\(target.name)'s conversation was not reopened"))
        effects.append(.send(.reopen, conversationId: id))
        return effects
    }

    mutating func openTransferPicker() -> [Effect] {
        guard let target = commandTarget else { fail("Select a conversation first"); return [] }
        let conversation = target.conversation
        if conversation.status == .closed { fail("\(target.name)'s conversation is closed", about: conversation.id); return [] }
        if let holder = colleagueHolding(conversation), !isAdmin {
            fail("Taken by \(agentName(holder)); only they or an admin can transfer it", about: conversation.id)
            return []
        }
        let candidates = transferTargets(for: conversation)
        guard !candidates.isEmpty else { fail("There is no other agent to transfer to"); return [] }
        overlay = .transfer(TransferPicker(conversationId: conversation.id, patientName: target.name,
                                           candidates: candidates))
        return []
    }

    mutating func retryFailed() -> [Effect] {
        guard let detail = conversation?.detail else { fail("Open a conversation first"); return [] }
        let failedCommands = detail.outbox.filter { $0.state == .failed }
        if !failedCommands.isEmpty {
            inform(failedCommands.count == 1 ? "Retrying…" : "Retrying \(failedCommands.count) commands…")
            return failedCommands.map { .retry(key: $0.key) }
        }
        // A message the provider refused is re-sent as a new reply (the old one stays, marked failed).
        guard let failed = detail.messages.last(where: { $0.direction == .outbound && $0.status == .failed }),
              !failed.body.isEmpty else {
            inform("Nothing to retry")
            return []
        }
        if let lock = composerLock { fail(describe(lock), about: detail.conversation.id); return [] }
        if let block = ReplyPolicy.sendBlock(body: failed.body, detail: detail, now: now) {
            fail("Not re-sent: \(block)", about: detail.conversation.id)
            return []
        }
        inform("Sending the failed message again…")
        return [.send(.reply(body: failed.body), conversationId: detail.conversation.id)]
    }

    // MARK: Composer

    mutating func focusComposer() -> [Effect] {
        if focus == .queue, let row = queue.selectedRow, row.id != conversation?.id {
            let effects = openConversation(row.id, unreadAtOpen: row.unread)
            conversation?.focusComposerWhenLoaded = true
            focus = .conversation
            return effects
        }
        switch composerLock {
        case nil:
            if let detail = conversation?.detail, !ReplyWindow(conversation: detail.conversation, now: now).allowsFreeText {
                return openTemplatePicker(windowClosed: true)
            }
            focus = .composer
        case .loading: conversation?.focusComposerWhenLoaded = true
        case let lock?: fail(describe(lock), about: conversation?.id)
        }
        return []
    }

    mutating func composeInEditor() -> [Effect] {
        guard let open = conversation else { fail(describe(.noConversation)); return [] }
        if let lock = composerLock { fail(describe(lock), about: open.id); return [] }
        return [.runEditor(conversationId: open.id, initialText: open.composer.text)]
    }

    mutating func sendComposer() -> [Effect] {
        guard var open = conversation, let detail = open.detail else { return [] }
        if let lock = composerLock { fail(describe(lock), about: open.id); return [] }
        let body = open.composer.text.trimmingWhitespace()
        if let block = ReplyPolicy.sendBlock(body: body, detail: detail, now: now) {
            if block == .windowClosed {
                // The text stays as the draft; a template is what can go out now.
                let effects = openTemplatePicker(windowClosed: true)
                if overlay != nil { fail("Not sent: \(block). Pick a template, or Esc to keep the draft", about: open.id) }
                return effects
            }
            if block != .empty { fail("Not sent: \(block)", about: open.id) }
            return []
        }
        open.composer.apply(.clear)
        open.draftDirty = false
        open.scroll = .latest
        open.highlightMessageId = nil
        conversation = open
        return [.send(.reply(body: body), conversationId: open.id), .saveDraft(conversationId: open.id, text: "")]
    }

    // MARK: Quitting

    mutating func requestQuit() -> [Effect] {
        if quitWarning != nil {
            overlay = .confirmQuit
            return []
        }
        return saveDraftIfDirty() + [.quit]
    }

    /// What the quit dialog says about unsent text: which patient, and whether the draft survives. A draft in a
    /// conversation a colleague has taken can no longer be sent, so quitting drops it (after this says so), the
    /// open one and any saved elsewhere; any other draft stays saved. Nil when there is nothing to say.
    public var quitWarning: QuitWarning? {
        let others = strandedDrafts.filter { $0.conversationId != conversation?.id }
        let stranded = others.isEmpty ? nil : (others.count == 1 ? "Your draft to " : "Your drafts to ")
            + others.map { "\($0.patientName) (\(agentName($0.holderId)) took it)" }.joined(separator: ", ")
            + " can no longer be sent. Quitting discards \(others.count == 1 ? "it" : "them")."
        let strandedIds = others.map(\.conversationId)
        guard hasUnsentDraft, let open = conversation else {
            return stranded.map { QuitWarning(headline: $0, detail: "", dropsDraft: false, droppedDrafts: strandedIds) }
        }
        let name = open.detail?.patientLabel ?? "conversation #\(open.id)"
        let also = stranded.map { " " + $0 } ?? ""
        if case .takenBy(let holder) = composerLock {
            return QuitWarning(headline: "Your draft to \(name) can no longer be sent:",
                               detail: "\(agentName(holder)) has taken the conversation. Quitting discards the draft." + also,
                               dropsDraft: true, droppedDrafts: [open.id] + strandedIds)
        }
        return QuitWarning(headline: "Your reply to \(name) is not sent.", detail: "It stays saved as a draft." + also,
                           dropsDraft: false, droppedDrafts: strandedIds)
    }
}

public struct QuitWarning: Sendable, Equatable {
    public var headline: String
    public var detail: String
    /// Quitting deletes the open conversation's draft because it can no longer be sent.
    public var dropsDraft: Bool
    /// Every conversation whose draft quitting deletes (the open one when `dropsDraft`, and stranded ones).
    public var droppedDrafts: [Int64]

    public init(headline: String, detail: String, dropsDraft: Bool, droppedDrafts: [Int64] = []) {
        self.headline = headline
        self.detail = detail
        self.dropsDraft = dropsDraft
        self.droppedDrafts = droppedDrafts
    }
}

extension String {
    /// Without leading and trailing whitespace and newlines (no Foundation in the model).
    func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }),
              let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[first...last])
    }
}

extension ConversationDetail {
    /// The patient's name, else the phone, else the conversation number: never an empty label.
    public var patientLabel: String {
        if let patient {
            if !patient.displayName.trimmingWhitespace().isEmpty { return patient.displayName }
            if !patient.phone.isEmpty { return patient.phone }
        }
        return "conversation #\(conversation.id)"
    }
}

extension QueueRow {
    public var patientLabel: String {
        if !patientName.trimmingWhitespace().isEmpty { return patientName }
        if !patientPhone.isEmpty { return patientPhone }
        return "conversation #\(conversation.id)"
    }
}
