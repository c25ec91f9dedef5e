/// What the bot (built-in or the clinic's AI) may do with a conversation, decided without I/O.
public enum BotRules {
    /// The template a clinic approves for the bot to send when a patient's message arrives outside the 24-hour
    /// window (e.g. "Thanks, reception will answer here soon"): a utility template with no parameter, or one, the
    /// patient's name.
    public static let windowClosedTemplateName = "bot_window_closed"

    /// The bot acts only while the conversation is still with the bot: an agent who took it over in the meantime
    /// wins and the bot's late answer is dropped (nil). Outside the window the bot sends no free text of its own
    /// (WhatsApp would refuse it): it hands the conversation off, and `useWindowTemplate` says to send the
    /// clinic's `bot_window_closed` template instead, if it has one.
    public static func resolve(_ decision: BotDecision, conversation: Conversation,
                               now: Millis) -> (decision: BotDecision, useWindowTemplate: Bool)? {
        guard conversation.status == .bot else { return nil }
        guard decision.reply != nil, !ReplyWindow(conversation: conversation, now: now).allowsFreeText else {
            return (decision, false)
        }
        let handOff = decision.handOff ?? BotDecision.HandOff(
            reason: "24-hour window closed",
            summary: "The patient's last message is more than 24 hours old, so the bot sent no answer of its own: only an approved template can reach them now.")
        return (BotDecision(reply: nil, handOff: handOff), true)
    }

    /// The parameters for the window template's body, or nil when the template cannot be used as it is.
    public static func windowTemplateParameters(body: String, patientName: String) -> [String]? {
        let count = TemplateBody.parameterNumbers(in: body).max() ?? 0
        guard count <= 1 else { return nil }
        let parameters = count == 1 ? [patientName.isEmpty ? "there" : patientName] : []
        guard parameters.allSatisfy({ TemplateBody.problem(inParameter: $0) == nil }) else { return nil }
        return parameters
    }

    /// The conversation after the bot's answer (`preview` of what it sent, if anything) and hand-off.
    public static func conversation(_ conversation: Conversation, after decision: BotDecision, preview: String?,
                                    now: Millis) -> Conversation {
        var conversation = conversation
        if let preview {
            conversation.lastMessageAt = now
            conversation.lastMessagePreview = preview
        }
        if let handOff = decision.handOff,
           let next = try? HandoffState(conversation).applying(.handOff(reason: handOff.reason, summary: handOff.summary, at: now)) {
            conversation.apply(next)
        }
        return conversation
    }
}
