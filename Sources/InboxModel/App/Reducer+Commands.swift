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

    mutating func takeOver() -> [Effect] {
        guard let target = commandTarget else { fail("Select a conversation first"); return [] }
        let conversation = target.conversation
        switch conversation.status {
        case .closed:
            fail("\(target.name)'s conversation is closed; the patient's next message opens a new one")
            return []
        case .assigned:
            if let holder = conversation.assignedAgentId, holder != me.id {
                fail("Taken by \(agentName(holder)); only they or an admin can transfer it")
            } else {
                inform("\(target.name) is already yours")
            }
            return []
        case .waiting, .bot:
            inform("Taking over \(target.name)…")
            var effects = openConversation(conversation.id, unreadAtOpen: nil)
            focus = .conversation
            effects.append(.send(.takeOver, conversationId: conversation.id))
            return effects
        }
    }

    mutating func handBack() -> [Effect] {
        guard let target = commandTarget else { fail("Select a conversation first"); return [] }
        let conversation = target.conversation
        switch conversation.status {
        case .closed: fail("\(target.name)'s conversation is closed"); return []
        case .bot: inform("\(target.name) is already with the AI"); return []
        case .assigned where conversation.assignedAgentId != me.id:
            fail("Taken by \(agentName(conversation.assignedAgentId ?? 0)); only they can hand it back")
            return []
        case .assigned, .waiting:
            inform("Handing \(target.name) back to the AI…")
            return saveDraftIfDirty() + [.send(.handBack, conversationId: conversation.id)]
        }
    }

    mutating func closeConversation() -> [Effect] {
        guard let target = commandTarget else { fail("Select a conversation first"); return [] }
        let conversation = target.conversation
        switch conversation.status {
        case .closed: inform("\(target.name)'s conversation is already closed"); return []
        case .assigned where conversation.assignedAgentId != me.id:
            fail("Taken by \(agentName(conversation.assignedAgentId ?? 0)); only they can close it")
            return []
        case .assigned, .waiting, .bot:
            inform("Closing \(target.name)'s conversation…")
            return saveDraftIfDirty() + [.send(.close, conversationId: conversation.id)]
        }
    }

    mutating func openTransferPicker() -> [Effect] {
        guard let target = commandTarget else { fail("Select a conversation first"); return [] }
        let conversation = target.conversation
        if conversation.status == .closed { fail("\(target.name)'s conversation is closed"); return [] }
        if conversation.status == .assigned, let holder = conversation.assignedAgentId, holder != me.id {
            fail("Taken by \(agentName(holder)); only they or an admin can transfer it")
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
        if let lock = composerLock { fail(describe(lock)); return [] }
        if let block = ReplyPolicy.sendBlock(body: failed.body, detail: detail, now: now) {
            fail("Not re-sent: \(block)")
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
        case let lock?: fail(describe(lock))
        }
        return []
    }

    mutating func composeInEditor() -> [Effect] {
        guard let open = conversation else { fail(describe(.noConversation)); return [] }
        if let lock = composerLock { fail(describe(lock)); return [] }
        return [.runEditor(conversationId: open.id, initialText: open.composer.text)]
    }

    mutating func sendComposer() -> [Effect] {
        guard var open = conversation, let detail = open.detail else { return [] }
        if let lock = composerLock { fail(describe(lock)); return [] }
        let body = open.composer.text.trimmingWhitespace()
        if let block = ReplyPolicy.sendBlock(body: body, detail: detail, now: now) {
            if block == .windowClosed {
                // The text stays as the draft; a template is what can go out now.
                let effects = openTemplatePicker(windowClosed: true)
                if overlay != nil { fail("Not sent: \(block). Pick a template, or Esc to keep the draft") }
                return effects
            }
            if block != .empty { fail("Not sent: \(block)") }
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
        if hasUnsentDraft {
            overlay = .confirmQuit
            return []
        }
        return saveDraftIfDirty() + [.quit]
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
