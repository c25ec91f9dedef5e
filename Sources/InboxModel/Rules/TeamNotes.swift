/// What the team sees in a conversation's timeline when it changes hands in a way its holder did not choose: an
/// admin taking over, transferring, handing back or closing a colleague's conversation, or anyone reopening a
/// closed one. The note is written with the change, so both reach clients in one batch.
enum TeamNotes {
    static func text(for event: ConversationEvent, before: HandoffState, actor: Agent,
                     name: (Int64) -> String) -> String? {
        if case .reopen = event { return "\(actor.name) reopened this conversation" }
        guard before.status == .assigned, let holder = before.assignedAgentId, holder != actor.id else { return nil }
        let admin = "\(actor.name) (admin)"
        let holderName = name(holder)
        switch event {
        case .takeOver: return "\(admin) took this conversation from \(holderName)"
        case .transfer(let target): return "\(admin) transferred this conversation from \(holderName) to \(name(target))"
        case .handBack: return "\(admin) handed this conversation back to the AI (it was with \(holderName))"
        case .close: return "\(admin) closed this conversation (it was with \(holderName))"
        case .handOff, .patientWrote, .reopen: return nil
        }
    }
}
