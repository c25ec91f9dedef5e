import GRDB
import InboxModel

/// What the team sees in a conversation's timeline when it changes hands in a way its holder did not choose: an
/// admin taking over, transferring, handing back or closing a colleague's conversation, or anyone reopening a
/// closed one. Written in the command's transaction, so the note and the new state reach clients in one batch.
extension CommandExecution {
    func noteTeamChange(_ conversation: Conversation, from before: HandoffState, event: ConversationEvent) throws {
        let me = agent.agent
        var text: String?
        if case .reopen = event {
            text = "\(me.name) reopened this conversation"
        } else if before.status == .assigned, let holder = before.assignedAgentId, holder != me.id {
            let actor = "\(me.name) (admin)"
            let holderName = try agentName(holder)
            switch event {
            case .takeOver: text = "\(actor) took this conversation from \(holderName)"
            case .transfer(let target):
                text = "\(actor) transferred this conversation from \(holderName) to \(try agentName(target))"
            case .handBack: text = "\(actor) handed this conversation back to the AI (it was with \(holderName))"
            case .close: text = "\(actor) closed this conversation (it was with \(holderName))"
            case .handOff, .patientWrote, .reopen: break
            }
        }
        guard let text else { return }
        // A note for agents only: no delivery row, so it never reaches the patient.
        let note = Message(id: 0, conversationId: conversation.id, direction: .outbound, author: .system, body: text,
                           status: .delivered, createdAt: now)
        _ = try SQLiteInboxStore.insertMessage(db, clinicId: agent.clinicId, note)
    }

    /// A patient has at most one open conversation per clinic number: a closed one cannot come back while the
    /// patient's newer conversation is open (the agent answers there instead).
    func requireNoNewerConversation(_ conversation: Conversation) throws {
        guard conversation.status == .closed else { return }
        if let newer = try Int64.fetchOne(db, sql: """
            SELECT id FROM conversations WHERE clinic_id = ? AND patient_id = ? AND clinic_number = ? AND status <> 'closed'
            """, arguments: [agent.clinicId, conversation.patientId, conversation.clinicNumber]) {
            throw CommandFailure(status: 409, body: ErrorBody(error: "newer_conversation",
                message: "The patient has a newer open conversation (#\(newer)); answer there."))
        }
    }

    private func agentName(_ id: Int64) throws -> String {
        try String.fetchOne(db, sql: "SELECT name FROM agents WHERE id = ? AND clinic_id = ?",
                            arguments: [id, agent.clinicId]) ?? "a colleague"
    }
}
