/// The activity-log lines of snooze and profile edits (issue 10 items 5 and 6): `system` messages written in the
/// change's transaction, naming the agent in `agentId`, never delivered. Same shape as `TeamNotes`' lines for
/// changes of hands, so the timeline shows them alike.
public enum DeskLog {
    public static func snoozed(actor: Agent, until: String) -> String { "\(actor.name) snoozed this conversation until \(until)" }
    public static func unsnoozed(actor: Agent) -> String { "\(actor.name) ended the snooze" }
    public static let backFromSnooze = "Back from snooze"

    /// The line as a message: outbound (it is the clinic's), already "delivered" (it never goes anywhere).
    public static func line(_ text: String, conversationId: Int64, actorId: Int64?, at now: Millis) -> Message {
        Message(id: 0, conversationId: conversationId, direction: .outbound, author: .system, agentId: actorId,
                body: text, status: .delivered, createdAt: now)
    }
}
