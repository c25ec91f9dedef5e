/// The activity log: what the team sees in a conversation's timeline when it changes hands — taken over, handed
/// back, transferred or reassigned, closed, reopened, handed off by the AI (snooze and profile edits write their own). Each
/// line is a `system` message written in the same transaction as the change, so both reach clients in one batch;
/// it names the agent who acted in `agentId` (none for the AI) and is never delivered to the patient.
///
/// When an admin acts on a colleague's conversation the line says so, for the colleague who held it.
public enum TeamNotes {
    static func text(for event: ConversationEvent, before: HandoffState, actor: Agent,
                     name: (Int64) -> String) -> String? {
        if case .reopen = event { return "\(actor.name) reopened this conversation" }
        if before.status == .assigned, let holder = before.assignedAgentId, holder != actor.id {
            return adminText(for: event, holder: name(holder), actor: actor, name: name)
        }
        switch event {
        case .takeOver:
            return before.status == .bot ? "\(actor.name) took over from the AI" : "\(actor.name) took this conversation from the queue"
        case .transfer(let target):
            return before.status == .assigned ? "\(actor.name) transferred this conversation to \(name(target))"
                                              : "\(actor.name) assigned this conversation to \(name(target))"
        case .handBack: return "\(actor.name) handed this conversation back to the AI"
        case .close: return "\(actor.name) closed this conversation"
        case .handOff, .patientWrote, .reopen: return nil
        }
    }

    /// An admin acting on a conversation a colleague holds.
    private static func adminText(for event: ConversationEvent, holder: String, actor: Agent,
                                  name: (Int64) -> String) -> String? {
        let admin = "\(actor.name) (admin)"
        switch event {
        case .takeOver: return "\(admin) took this conversation from \(holder)"
        case .transfer(let target): return "\(admin) transferred this conversation from \(holder) to \(name(target))"
        case .handBack: return "\(admin) handed this conversation back to the AI (it was with \(holder))"
        case .close: return "\(admin) closed this conversation (it was with \(holder))"
        case .handOff, .patientWrote, .reopen: return nil
        }
    }

    /// The AI handing a conversation to the team.
    public static func handOff(reason: String) -> String {
        let reason = reason.trimmingWhitespace()
        return reason.isEmpty ? "The AI handed this conversation to the team" : "The AI handed this conversation to the team: \(reason)"
    }

    /// The line as a message: outbound (it is the clinic's), already "delivered" (it never goes anywhere).
    public static func line(_ text: String, conversationId: Int64, actorId: Int64?, at now: Millis) -> Message {
        Message(id: 0, conversationId: conversationId, direction: .outbound, author: .system, agentId: actorId,
                body: text, status: .delivered, createdAt: now)
    }
}
