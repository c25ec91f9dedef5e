/// The app's only state transition: pure, synchronous, no I/O. The runner performs the returned effects.
///
/// Nothing here may walk the queue's rows on a keypress (the queue can hold tens of thousands); walking them
/// is allowed only when a new list arrives from the mirror.
public func reduce(_ state: inout AppState, _ action: Action) -> [Effect] {
    switch action {
    case .moveSelection(let delta): return state.moveSelection(by: delta)
    case .pageUp: return state.page(up: true)
    case .pageDown: return state.page(up: false)
    case .jumpToTop: return state.jump(toTop: true)
    case .jumpToBottom: return state.jump(toTop: false)
    case .openSelected: return state.openSelectedRow()
    case .focusNext: state.cycleFocus(forward: true); return []
    case .focusPrevious: state.cycleFocus(forward: false); return []
    case .switchTab(let tab): return state.switchTab(to: tab)
    case .nextWaiting: return state.openNextWaiting()
    case .toggleSidebar: state.toggleSidebar(); return []
    case .toggleHelp: state.overlay = state.overlay == .help ? nil : .help; return []

    case .takeOver: return state.takeOver()
    case .reply: return state.focusComposer()
    case .composeInEditor: return state.composeInEditor()
    case .handBack: return state.handBack()
    case .close: return state.closeConversation()
    case .reopen: return state.reopen()
    case .openTransferPicker: return state.openTransferPicker()
    case .openTemplatePicker: return state.openTemplatePicker()
    case .openAttachments: return state.openAttachments()
    case .attachFile: return state.openAttachPrompt()
    case .retryFailed: return state.retryFailed()
    case .discardFailed: return state.discardFailed()
    case .openSearch: state.overlay = .search(SearchOverlay()); return []
    case .openNote: return state.openNote()
    case .openPalette: return state.openPalette()
    case .completePalette: state.completePalette(); return []
    case .openCannedFromPalette: return state.openCannedFromPalette()
    case .snooze: return state.openSnoozePicker()
    case .editProfile: return state.openProfileEditor()
    case .filterByTag: return state.openTagFilter()
    case .requestQuit: return state.requestQuit()
    case .terminalHungUp: return state.saveDraftIfDirty() + [.quit]

    case .edit(let command): return state.edit(command)
    case .paste(let text): return state.paste(text)
    case .submit: return state.submit()
    case .cancel: return state.cancel()
    case .confirm(let yes): return state.confirm(yes)

    case .queueLoaded(let tab, let rows, let counts, let complete):
        let effects = state.queueLoaded(tab: tab, rows: rows, counts: counts) + state.noteSnoozedCount(counts.snoozed)
        if tab == state.queue.tab { state.queue.isComplete = complete }
        return effects
    case .conversationLoaded(let detail): return state.conversationLoaded(detail)
    case .historyLoaded(let id, let page): return state.historyLoaded(conversationId: id, page)
    case .conversationMissing(let id):
        if state.conversation?.id == id {
            state.conversation = nil
            if state.focus == .composer || state.focus == .conversation { state.focus = .queue }
            state.fail("Conversation #\(id) is not in the local mirror yet; it appears after the next sync")
        }
        return []
    case .agentsLoaded(let agents): state.setAgents(agents); return []
    case .strandedDraftsLoaded(let drafts): state.strandedDrafts = drafts; return []
    case .channelsLoaded(let channels): state.channels = channels; return []
    case .presenceChanged(let roster): state.presence = roster; return []
    case .searchResults(let query, let hits): state.searchResults(query: query, hits: hits); return []
    case .connectionChanged(let connection): state.connection = connection; return []
    case .catchingUp(let progress):
        state.catchUp = progress
        // Caught up: whatever the last batches touched is read now, not at the next tick.
        return progress == nil && !state.deferredMirrorChange.isEmpty ? state.reloadMirror(state.deferredMirrorChange) : []
    case .outboxChanged(let pending, let failed):
        state.outboxChanged(pending: pending, failed: failed)
        return []
    case .outboxHeld(let held): state.outboxHeld = held; return []
    case .signedIn(let agent, let clinic): return state.signedIn(as: agent, clinic: clinic)
    case .commandFailed(let conversationId, let message): state.fail(message, about: conversationId); return []
    case .editorFinished(let id, let text): return state.editorFinished(conversationId: id, text: text)
    case .attachmentSaved(let path, let opened):
        state.inform(opened ? "Opened \(path)" : "Saved to \(path)")
        return []
    case .attachmentUploaded(let conversationId, let send):
        return state.attachmentUploaded(conversationId: conversationId, send)
    case .failure(let message): state.fail(message); return []
    case .mirrorChanged(let change):
        if state.catchUp != nil, state.now - state.lastMirrorReload < 1000 {
            state.deferredMirrorChange.formUnion(change)
            return []
        }
        return state.reloadMirror(change)
    case .tick(let now):
        var effects = state.tick(now)
        if !state.deferredMirrorChange.isEmpty, now - state.lastMirrorReload >= 1000 {
            effects += state.reloadMirror(state.deferredMirrorChange)
        }
        return effects
    case .resize(let width, let height):
        state.screenWidth = max(1, width)
        state.screenHeight = max(1, height)
        if state.focus == .sidebar, !state.sidebarShown { state.focus = .conversation }
        state.keepQueueSelectionVisible()
        return []
    case .measured(let measure): state.measure = measure; return []
    }
}

extension AppState {
    /// Re-reads what a change to the mirror may have touched (the queue and the open conversation always).
    mutating func reloadMirror(_ change: MirrorChange) -> [Effect] {
        let change = change.union(deferredMirrorChange)
        deferredMirrorChange = []
        lastMirrorReload = now
        var effects: [Effect] = [.loadQueue(queue.tab)]
        if let open = conversation { effects.append(.loadConversation(open.id)) }
        // The rest changes rarely: a catch-up of thousands of batches reads them only when a batch carried them.
        if change.contains(.channels) { effects.append(.loadChannels) }
        if change.contains(.agents) { effects.append(.loadAgents) }  // colleagues added, renamed or revoked
        if change.contains(.conversations) { effects.append(.loadStrandedDrafts) }  // a take-over can strand a draft
        return effects
    }
}

/// What the runner does first: load the queue, the agents, and set the title.
public func initialEffects(_ state: AppState) -> [Effect] {
    var effects: [Effect] = [.loadAgents, .loadQueue(state.queue.tab), .loadChannels, .loadStrandedDrafts]
    if state.settings.title { effects.append(.setTitle("inbox")) }
    return effects
}

// MARK: - Results from the runner

extension AppState {
    mutating func queueLoaded(tab: QueueTab, rows: [QueueRow], counts: QueueCounts) -> [Effect] {
        queue.counts = counts
        var effects = noteWaitingCount(counts.waiting)
        guard tab == queue.tab else { return effects }
        // Keep the cursor on the same conversation when rows move (one linear search per load, not per key).
        let selectedId = queue.selectedRow?.id
        queue.rows = rows
        queue.isLoading = false
        if let selectedId, let index = rows.firstIndex(where: { $0.id == selectedId }) {
            queue.selection = index
        } else {
            queue.selection = min(queue.selection, max(0, rows.count - 1))
        }
        keepQueueSelectionVisible()
        if openFirstWaitingWhenLoaded, tab == .waiting {
            openFirstWaitingWhenLoaded = false
            effects += openFirstWaitingRow()
        }
        return effects
    }

    mutating func conversationLoaded(_ detail: ConversationDetail) -> [Effect] {
        guard var open = conversation, open.id == detail.conversation.id else { return [] }  // stale answer
        let firstLoad = open.detail == nil
        let reassigned = open.detail.flatMap { reassignmentNotice(from: $0, to: detail) }
        notePendingCommand(in: detail)
        open.detail = detail
        var effects: [Effect] = []
        if firstLoad {
            open.composer = ComposerBuffer(detail.draft)
            open.draftDirty = false
        }
        // Reading happens by looking: advance my read horizon to the newest inbound message on screen. A
        // conversation opened from a row without unread messages needs no command.
        if let newest = detail.messages.last(where: { $0.direction == .inbound })?.id,
           newest > (open.lastMarkedRead ?? .min) {
            let alreadyRead = firstLoad && open.unreadAtOpen == 0
            open.lastMarkedRead = newest
            if !alreadyRead { effects.append(.send(.markRead(upToMessageId: newest), conversationId: open.id)) }
        }
        let wantsComposer = open.focusComposerWhenLoaded
        open.focusComposerWhenLoaded = false
        conversation = open
        if firstLoad { effects += loadEarlierConversationIfWanted() }  // a returning patient's last visit shows at once

        if let lock = composerLock {
            if focus == .composer {
                // Someone took it while I was typing: keep the text, but stop accepting more.
                focus = .conversation
                fail("\(reassigned ?? describe(lock)); your draft is kept", about: detail.conversation.id)
            } else if let reassigned {
                fail(reassigned, about: detail.conversation.id)
            } else if wantsComposer {
                fail(describe(lock))
            }
        } else if let reassigned {
            fail(reassigned, about: detail.conversation.id)
        } else if wantsComposer {
            if ReplyWindow(conversation: detail.conversation, now: now).allowsFreeText {
                focus = .composer
            } else {
                effects += openTemplatePicker(windowClosed: true)
            }
        }
        return effects
    }

    mutating func editorFinished(conversationId: Int64, text: String) -> [Effect] {
        var body = text
        while body.last?.isNewline == true { body.removeLast() }  // editors end files with a newline
        guard !body.allSatisfy(\.isWhitespace) else {
            // Emptying the file is how most editors let you back out (git does the same): keep the draft.
            inform("The editor left the file empty; the draft is unchanged")
            return []
        }
        guard var open = conversation, open.id == conversationId, composerLock == nil else {
            // The conversation changed while the editor ran: keep the text as that conversation's draft.
            inform("The edited text was saved as the draft of conversation #\(conversationId)")
            return [.saveDraft(conversationId: conversationId, text: body)]
        }
        open.composer.replace(with: body)
        open.draftDirty = false
        conversation = open
        focus = .composer
        return [.saveDraft(conversationId: conversationId, text: body)]
    }

    mutating func tick(_ time: Millis) -> [Effect] {
        now = time
        // A message announcing a command in flight stays until the command is done, then says so.
        if let message = status, !message.isError, message.pending == nil,
           now - message.at >= settings.infoMessageLifetime { status = nil }
        var effects: [Effect] = []
        if let open = conversation, open.draftDirty, now - open.draftEditedAt >= settings.draftSaveDelay {
            effects += saveDraftIfDirty()
        }
        effects += ringBellIfDue()
        return effects
    }

    // MARK: Alerts

    mutating func noteWaitingCount(_ count: Int) -> [Effect] {
        if let last = alerts.lastWaitingCount, count > last, settings.bell { alerts.bellPending = true }
        alerts.lastWaitingCount = count
        var effects = ringBellIfDue()
        if settings.title {
            let title = count > 0 ? "inbox (\(count) waiting)" : "inbox"
            if title != alerts.title {
                alerts.title = title
                effects.append(.setTitle(title))
            }
        }
        return effects
    }

    mutating func ringBellIfDue() -> [Effect] {
        guard alerts.bellPending else { return [] }
        if let last = alerts.lastBellAt, now - last < settings.bellCooldown { return [] }
        alerts.bellPending = false
        alerts.lastBellAt = now
        return [.bell]
    }

    // MARK: Status and drafts

    /// `about`: the conversation the message concerns (acting on it again supersedes its last error);
    /// `pending`: the command the message announces, so it is replaced when that command is done.
    mutating func inform(_ text: String, about conversationId: Int64? = nil, pending: PendingCommand? = nil) {
        status = StatusMessage(text: text, isError: false, at: now, conversationId: conversationId, pending: pending)
        if let conversationId { conversationErrors[conversationId] = nil }
    }

    /// An error about a conversation is remembered with it and shown whenever that conversation is open.
    mutating func fail(_ text: String, about conversationId: Int64? = nil) {
        let message = StatusMessage(text: text, isError: true, at: now, conversationId: conversationId)
        status = message
        if let conversationId { conversationErrors[conversationId] = message }
    }

    mutating func saveDraftIfDirty() -> [Effect] {
        guard var open = conversation, open.draftDirty else { return [] }
        open.draftDirty = false
        conversation = open
        return [.saveDraft(conversationId: open.id, text: open.composer.text)]
    }

    /// A sentence for the status line and the locked composer.
    public func describe(_ lock: ComposerLock) -> String {
        switch lock {
        case .noConversation: "Open a conversation first (Enter on a queue row)"
        case .loading: "Loading the conversation…"
        case .takenBy(let agent) where isAdmin: "Taken by \(agentName(agent)): read-only until you take it over (t)"
        case .takenBy(let agent): "Taken by \(agentName(agent)): read-only; ask them or an admin to transfer it"
        case .closed: "This conversation is closed: read-only"
        }
    }
}
