/// Keeping the status line true: a command's "Closing …" is replaced when the command is done, and a
/// conversation taken from its holder tells the holder who did it.
extension AppState {
    /// The outbox counts changed. Every count read after a command was queued includes it, so a count without
    /// pending commands means the announced command has left the outbox: done, or refused (one more failed).
    mutating func outboxChanged(pending: Int, failed: Int) {
        let failedBefore = outboxFailed
        outboxPending = pending
        outboxFailed = failed
        guard var message = status, var command = message.pending else { return }
        if pending == 0 {
            finish(command, refused: failed > failedBefore, reason: nil)
        } else if !command.seenQueued {
            command.seenQueued = true
            message.pending = command
            status = message
        }
    }

    /// The open conversation's outbox entries say whether the announced command is still on its way; this works
    /// even while other commands (say, a reply queued offline) keep the global pending count above zero.
    mutating func notePendingCommand(in detail: ConversationDetail) {
        guard var message = status, var command = message.pending, command.conversationId == detail.conversation.id
        else { return }
        let entries = detail.outbox.filter { $0.command.action == command.action }
        if entries.contains(where: { $0.state == .pending }) {
            command.seenQueued = true
            message.pending = command
            status = message
        } else if command.seenQueued {
            let refusal = entries.last(where: { $0.state == .failed })
            finish(command, refused: refusal != nil, reason: refusal?.lastError)
        }
    }

    private mutating func finish(_ command: PendingCommand, refused: Bool, reason: String?) {
        if refused {
            fail(reason.map { "\(command.failedText): \($0)" } ?? command.failedText, about: command.conversationId)
        } else {
            inform(command.doneText, about: command.conversationId)
        }
    }

    /// What to tell the agent whose conversation was taken from them, or nil when it was not. The server writes
    /// a note ("Sara (admin) took this conversation from Bea") in the same transaction as the change.
    func reassignmentNotice(from old: ConversationDetail, to new: ConversationDetail) -> String? {
        let before = old.conversation
        let after = new.conversation
        guard before.status == .assigned, before.assignedAgentId == me.id,
              after.status != .assigned || after.assignedAgentId != me.id else { return nil }
        // My own transfer, close or hand-back announces itself; the line someone else's wrote says who.
        let lastSeen = old.messages.last?.id ?? .min
        return new.messages.last(where: { $0.author == .system && $0.agentId != me.id && $0.id > lastSeen })?.body
    }

    /// Esc dismisses the message on screen, and with it the open conversation's remembered error.
    mutating func dismissStatus() {
        status = nil
        if let viewed = conversation?.id { conversationErrors[viewed] = nil }
    }
}
