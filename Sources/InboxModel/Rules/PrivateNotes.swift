/// Private notes (issue 10 item 1): an agent's words for colleagues, kept with the conversation's messages as
/// author `note`. They never reach a provider: no delivery is queued for them, the bot and the AI hook do not see
/// them (`BotRules.sees`), and templates and canned replies are never filled from them.
public enum PrivateNotes {
    public static let maxLength = 4096

    /// Why the server refuses a note's text, or nil.
    public static func problem(_ body: String) -> String? {
        if body.allSatisfy(\.isWhitespace) { return "A note needs text." }
        if body.count > maxLength { return "A note is at most \(maxLength) characters." }
        if body.unicodeScalars.contains(where: { $0.value == 0 }) { return "A note cannot contain NUL." }
        return nil
    }
}

extension BotRules {
    /// Whether the bot and the clinic's AI hook may read `message`: the patient's words and the clinic's answers,
    /// never agents' private notes or the team's activity lines.
    public static func sees(_ message: Message) -> Bool {
        switch message.author {
        case .note: false
        case .system: message.direction == .inbound  // WhatsApp's own notices (a changed number) stay
        case .patient, .bot, .agent: true
        }
    }

    /// The activity line the AI's hand-off writes ("The AI handed this conversation to the team: …"), when the
    /// decision handed the conversation to the team.
    public static func handOffLine(_ decision: BotDecision, after conversation: Conversation, now: Millis) -> Message? {
        guard let handOff = decision.handOff, conversation.status == .waiting else { return nil }
        return TeamNotes.line(TeamNotes.handOff(reason: handOff.reason), conversationId: conversation.id, actorId: nil, at: now)
    }

    /// The same rule as SQL over the `messages` table, for the adapters' "last 20 messages" read.
    public static let seenMessagesSQL = "author <> 'note' AND NOT (author = 'system' AND direction = 'outbound')"
}
