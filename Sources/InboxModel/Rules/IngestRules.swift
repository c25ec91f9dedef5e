/// What a patient's inbound message does, decided without I/O; storage adapters read and write around these.
public enum IngestRules {
    /// A message that is exactly one of these (any case) opts the patient out of marketing messages.
    public static let defaultOptOutWords: Set<String> = ["STOP", "STOPALL", "UNSUBSCRIBE", "END", "QUIT"]
    static let optInWords: Set<String> = ["START", "UNSTOP", "SUBSCRIBE"]

    /// True for an opt-out word, false for an opt-in word, nil for anything else. Only a message that is exactly
    /// the word counts: "please don't stop my treatment" is not an opt-out. WhatsApp's own notices never count.
    public static func optOutChange(_ inbound: InboundText, optOutWords: Set<String>) -> Bool? {
        guard !inbound.isSystemNotice else { return nil }
        let scalars = inbound.body.unicodeScalars
        guard let first = scalars.firstIndex(where: { !ignoredAround($0) }),
              let last = scalars.lastIndex(where: { !ignoredAround($0) }) else { return nil }
        let word = String(scalars[first...last]).uppercased()
        if optOutWords.contains(word) { return true }
        if optInWords.contains(word) { return false }
        return nil
    }

    /// Whitespace, newlines and punctuation around a word ("Stop." and " STOP!" are the word).
    private static func ignoredAround(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || scalar.properties.generalCategory.isPunctuation
    }

    /// The patient's new display name, when the provider's profile name says something new.
    public static func updatedDisplayName(current: String, profileName: String?) -> String? {
        guard let name = profileName, !name.isEmpty, name != current else { return nil }
        return name
    }

    /// A new conversation starts with the bot; with no bot to answer first it goes straight to the humans' queue.
    public static func newConversationState(botAnswers: Bool, at now: Millis) -> HandoffState {
        botAnswers ? HandoffState(status: .bot)
            : HandoffState(status: .waiting, handoffReason: "No bot answers on this server", waitingSince: now)
    }

    /// An attachment as it is stored: to be fetched when the provider gave a link, named safely (the sender names
    /// the file; agents see the name and save the file under it).
    public static func storedMedia(_ media: MediaInfo?) -> MediaInfo? {
        guard var media else { return nil }
        if media.isFetchable { media.state = .pending }
        if let name = media.fileName {
            let named = ["location", "contacts"].contains(media.kind)
                ? FileTypes.removingBidiControls(name) : FileTypes.safeFileName(name, maxLength: 200)
            media.fileName = named.isEmpty ? nil : named
        }
        return media
    }

    /// The conversation after the message is stored in it.
    public static func conversation(_ conversation: Conversation, after inbound: InboundText,
                                    preview: String) -> Conversation {
        var conversation = conversation
        // WhatsApp runs the 24-hour window from when the patient sent the message, so a webhook delivered late
        // (Meta redelivers for days) opens it from the provider's time; a provider time in the future never
        // extends it past receipt. A WhatsApp notice is not the patient writing: it opens no window.
        if !inbound.isSystemNotice {
            let sent = min(inbound.receivedAt, inbound.providerTime ?? inbound.receivedAt)
            conversation.lastInboundAt = max(conversation.lastInboundAt ?? sent, sent)
            // The patient writing wakes a snoozed conversation early (it rings like a hand-off on agents' screens).
            conversation.snoozedUntil = nil
        }
        if inbound.receivedAt >= conversation.lastMessageAt {
            conversation.lastMessageAt = inbound.receivedAt
            conversation.lastMessagePreview = preview
        }
        return conversation
    }
}

/// The parts of an inbound message the ingest rules read.
public struct InboundText: Sendable {
    public var body: String
    public var receivedAt: Millis
    public var providerTime: Millis?
    public var isSystemNotice: Bool

    public init(body: String, receivedAt: Millis, providerTime: Millis?, isSystemNotice: Bool) {
        self.body = body
        self.receivedAt = receivedAt
        self.providerTime = providerTime
        self.isSystemNotice = isSystemNotice
    }
}

extension Unicode.GeneralCategory {
    var isPunctuation: Bool {
        switch self {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
             .finalPunctuation, .otherPunctuation: true
        default: false
        }
    }
}
