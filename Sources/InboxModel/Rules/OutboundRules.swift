/// WhatsApp's customer-service window: free-form messages are allowed for 24 hours after the patient's last
/// message. Outside it the provider silently drops free text (the "looks sent, never arrives" complaint), so the
/// server refuses it and the terminal does not even queue it. Client and server both decide with this type.
public enum ReplyWindow: Sendable, Equatable {
    case open(remaining: Millis)
    /// `since` is when it closed; nil when the patient never wrote in this conversation (nothing opened it).
    case closed(since: Millis?)
    /// WAHA drives WhatsApp Web, where Meta's window does not apply.
    case notApplicable

    public static let length: Millis = 24 * 60 * 60 * 1000

    public init(conversation: Conversation, now: Millis) {
        guard conversation.provider != .waha else { self = .notApplicable; return }
        guard let inbound = conversation.lastInboundAt else { self = .closed(since: nil); return }
        let closesAt = inbound + Self.length
        // Open up to and including the 24th hour's last millisecond.
        self = now <= closesAt ? .open(remaining: closesAt - now) : .closed(since: closesAt)
    }

    public var allowsFreeText: Bool {
        if case .closed = self { return false }
        return true
    }
}

/// Why an outbound message may not go out. The server answers these as command errors (`refusal`), the terminal
/// shows them in its status line before it queues anything: one rule, so the two can never disagree.
public enum SendBlock: Sendable, Equatable {
    case empty
    case conversationClosed
    case windowClosed
    /// Marketing templates only: WhatsApp allows answering a patient who wrote in, even after "STOP".
    case optedOut
    case tooLong(length: Int)
    /// U+0000: providers cut text there, so the patient would read less than the agent wrote.
    case nulCharacter
}

/// The checks every outbound message passes, on the client before it is queued and on the server before it is
/// stored.
public enum OutboundRules {
    /// Twilio's limit, the strictest of the providers, so a text accepted here is never refused for its length
    /// later. Counted as WhatsApp and Twilio count: UTF-16 code units.
    public static let maxTextLength = 1_600

    public static func length(of text: String) -> Int { text.utf16.count }

    /// A free-form reply or an attachment's caption (`requiresText` for a reply, which cannot be empty).
    public static func freeFormBlock(text: String, requiresText: Bool, conversation: Conversation,
                                     now: Millis) -> SendBlock? {
        if requiresText, text.trimmingWhitespaceAndNewlines.isEmpty { return .empty }
        if conversation.status == .closed { return .conversationClosed }
        if let block = textBlock(text) { return block }
        if !ReplyWindow(conversation: conversation, now: now).allowsFreeText { return .windowClosed }
        return nil
    }

    /// An approved template goes out whether or not the window is open; marketing ones never to a patient who
    /// opted out.
    public static func templateBlock(category: TemplateCategory, conversation: Conversation,
                                     patientOptedOut: Bool) -> SendBlock? {
        if conversation.status == .closed { return .conversationClosed }
        if category == .marketing, patientOptedOut { return .optedOut }
        return nil
    }

    static func textBlock(_ text: String) -> SendBlock? {
        if text.unicodeScalars.contains("\u{0}") { return .nulCharacter }
        let length = length(of: text)
        return length > maxTextLength ? .tooLong(length: length) : nil
    }

    /// The server's answer for a blocked message (docs/protocol.md §7.3, §7.5).
    public static func refusal(for block: SendBlock) -> CommandRefusal {
        switch block {
        case .empty: CommandRefusal(400, "empty_reply", "The reply is empty.")
        case .conversationClosed: .conversationClosed
        case .windowClosed: CommandRefusal(422, "window_closed",
            "The patient last wrote more than 24 hours ago: only an approved template can be sent.")
        case .optedOut: CommandRefusal(422, "opted_out", "The patient opted out: marketing templates are not sent to them.")
        case .tooLong: CommandRefusal(422, "too_long", "WhatsApp replies are limited to \(maxTextLength) characters.")
        case .nulCharacter: CommandRefusal(422, "invalid_text",
            "The text contains a NUL character (U+0000), which WhatsApp cannot carry.")
        }
    }
}

/// Why the composer cannot take text at all (it is drawn locked, with this reason).
public enum ComposerLock: Sendable, Equatable {
    case noConversation
    case loading
    /// Another agent holds the conversation: the view says who.
    case takenBy(agentId: Int64)
    case closed
}

public enum ReplyPolicy {
    /// Replying is allowed on a conversation assigned to me, or one that is waiting or with the bot (the server
    /// treats the reply as a take-over). A conversation someone else holds is read-only.
    public static func lock(for conversation: Conversation?, me: Int64) -> ComposerLock? {
        guard let conversation else { return .noConversation }
        switch conversation.status {
        case .closed: return .closed
        case .assigned:
            if let holder = conversation.assignedAgentId, holder != me { return .takenBy(agentId: holder) }
            return nil
        case .waiting, .bot: return nil
        }
    }

    /// The server's own checks, run before the reply is queued.
    public static func sendBlock(body: String, detail: ConversationDetail, now: Millis) -> SendBlock? {
        OutboundRules.freeFormBlock(text: body, requiresText: true, conversation: detail.conversation, now: now)
    }
}

extension SendBlock: CustomStringConvertible {
    public var description: String {
        switch self {
        case .windowClosed: "the 24-hour window is closed: WhatsApp only delivers templates until the patient writes again"
        case .optedOut: "the patient opted out of marketing messages"
        case .tooLong(let length): "the message is \(length) characters; WhatsApp allows \(OutboundRules.maxTextLength)"
        case .empty: "nothing to send"
        case .conversationClosed: "the conversation is closed"
        case .nulCharacter: "the text contains a NUL character, which WhatsApp cannot carry"
        }
    }
}

extension String {
    var trimmingWhitespaceAndNewlines: Substring {
        let isSpace: (Character) -> Bool = { $0.isWhitespace || $0.isNewline }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return self[start...end]
    }
}
