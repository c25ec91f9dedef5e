/// WhatsApp's customer-service window: free-form replies are allowed for 24 hours after the patient's last
/// message. Outside it the provider silently drops free text (the "looks sent, never arrives" complaint),
/// so the client refuses to send instead of pretending.
public enum ReplyWindow: Sendable, Equatable {
    case open(remaining: Millis)
    /// `since` is when it closed; nil when the patient never wrote in this conversation.
    case closed(since: Millis?)
    /// WAHA drives WhatsApp Web, where Meta's window does not apply.
    case notApplicable

    public static let length: Millis = 24 * 60 * 60 * 1000

    public init(conversation: Conversation, now: Millis) {
        guard conversation.provider != .waha else { self = .notApplicable; return }
        guard let inbound = conversation.lastInboundAt else { self = .closed(since: nil); return }
        let closesAt = inbound + Self.length
        self = now < closesAt ? .open(remaining: closesAt - now) : .closed(since: closesAt)
    }

    public var allowsFreeText: Bool {
        if case .closed = self { return false }
        return true
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

/// Why a typed reply cannot be sent now, although the composer may hold it as a draft.
public enum SendBlock: Sendable, Equatable {
    case windowClosed
    case optedOut
    case tooLong(length: Int)
    case empty
}

public enum ReplyPolicy {
    /// WhatsApp's limit for one text message.
    public static let maxBodyLength = 4_096

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

    public static func sendBlock(body: String, detail: ConversationDetail, now: Millis) -> SendBlock? {
        if body.isEmpty { return .empty }
        if detail.patient?.optedOut == true { return .optedOut }
        if !ReplyWindow(conversation: detail.conversation, now: now).allowsFreeText { return .windowClosed }
        // Measured the way WhatsApp counts: UTF-16 code units.
        let length = body.utf16.count
        if length > maxBodyLength { return .tooLong(length: length) }
        return nil
    }
}

extension SendBlock: CustomStringConvertible {
    public var description: String {
        switch self {
        case .windowClosed: "the 24-hour window is closed: WhatsApp only delivers templates until the patient writes again"
        case .optedOut: "the patient opted out of messages; only a service template can go out"
        case .tooLong(let length): "the message is \(length) characters; WhatsApp allows \(ReplyPolicy.maxBodyLength)"
        case .empty: "nothing to send"
        }
    }
}
