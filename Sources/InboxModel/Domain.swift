/// Milliseconds since the Unix epoch. The protocol, both databases and the UI all speak this one unit,
/// so no time value is ever converted on the hot sync path.
public typealias Millis = Int64

public enum ConversationStatus: String, Codable, Sendable, CaseIterable {
    /// The clinic's AI is answering; staff may take over proactively.
    case bot
    /// The AI handed off; the conversation waits in the queue for a human.
    case waiting
    /// An agent holds the conversation; the bot stays silent.
    case assigned
    case closed
}

public enum MessageDirection: String, Codable, Sendable {
    case inbound, outbound
}

public enum AuthorKind: String, Codable, Sendable {
    case patient, bot, agent, system
    /// An agent's private note (`agentId` wrote it): the clinic's agents see it in the timeline, the patient never
    /// does. Notes are stored and synced with the messages but never delivered and never shown to the bot or AI hook.
    case note
}

public enum AgentRole: String, Codable, Sendable {
    case agent, admin
}

public enum ProviderKind: String, Codable, Sendable, CaseIterable {
    case twilio, meta, waha, gupshup
}

/// A clinic's member of staff, as other agents see them (never with a token).
public struct Agent: Codable, Sendable, Equatable, Hashable, Identifiable {
    public var id: Int64
    public var name: String
    public var role: AgentRole
    /// False once revoked (`inbox agent revoke`): kept so history still names them, but no longer a transfer target.
    public var active: Bool

    public init(id: Int64, name: String, role: AgentRole, active: Bool = true) {
        self.id = id
        self.name = name
        self.role = role
        self.active = active
    }

    // Servers from before revocation send no `active`: every agent they list is active.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int64.self, forKey: .id)
        name = try c.decode(String.self, forKey: .name)
        role = try c.decode(AgentRole.self, forKey: .role)
        active = try c.decodeIfPresent(Bool.self, forKey: .active) ?? true
    }
}

/// A person who writes to the clinic. Keyed by channel identity (e.g. `whatsapp:+15551234567`),
/// not by phone alone: providers are moving to identities that may omit the number.
public struct Patient: Codable, Sendable, Equatable, Identifiable {
    public var id: Int64
    public var channelIdentity: String
    public var displayName: String
    public var phone: String
    public var language: String?
    /// A lead has written to the clinic but has no record in the clinic's system yet.
    public var isLead: Bool
    public var externalRecordId: String?
    public var tags: [String]
    public var notes: String
    public var optedOut: Bool
    public var updatedAt: Millis
    /// Grows with every profile edit: an edit names the version it was made on, and a stale one is refused
    /// (`ProfileRules`). Servers without profile edits send none (1).
    public var version: Int64

    public init(id: Int64, channelIdentity: String, displayName: String, phone: String, language: String? = nil,
                isLead: Bool = true, externalRecordId: String? = nil, tags: [String] = [], notes: String = "",
                optedOut: Bool = false, updatedAt: Millis, version: Int64 = 1) {
        self.version = version
        self.id = id
        self.channelIdentity = channelIdentity
        self.displayName = displayName
        self.phone = phone
        self.language = language
        self.isLead = isLead
        self.externalRecordId = externalRecordId
        self.tags = tags
        self.notes = notes
        self.optedOut = optedOut
        self.updatedAt = updatedAt
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int64.self, forKey: .id)
        channelIdentity = try c.decode(String.self, forKey: .channelIdentity)
        displayName = try c.decode(String.self, forKey: .displayName)
        phone = try c.decode(String.self, forKey: .phone)
        language = try c.decodeIfPresent(String.self, forKey: .language)
        isLead = try c.decode(Bool.self, forKey: .isLead)
        externalRecordId = try c.decodeIfPresent(String.self, forKey: .externalRecordId)
        tags = try c.decode([String].self, forKey: .tags)
        notes = try c.decode(String.self, forKey: .notes)
        optedOut = try c.decode(Bool.self, forKey: .optedOut)
        updatedAt = try c.decode(Millis.self, forKey: .updatedAt)
        version = try c.decodeIfPresent(Int64.self, forKey: .version) ?? 1
    }
}

/// One thread between a patient and one of the clinic's WhatsApp numbers. At most one is open per
/// patient and number; `version` grows with every change so commands can compare-and-set.
public struct Conversation: Codable, Sendable, Equatable, Identifiable {
    public var id: Int64
    public var patientId: Int64
    /// The clinic's WhatsApp number (E.164) the patient wrote to.
    public var clinicNumber: String
    public var provider: ProviderKind
    public var status: ConversationStatus
    public var assignedAgentId: Int64?
    public var handoffReason: String?
    public var handoffSummary: String?
    public var waitingSince: Millis?
    /// When the patient last wrote: free-form replies are allowed for 24 hours after it.
    public var lastInboundAt: Millis?
    public var lastMessageAt: Millis
    public var lastMessagePreview: String
    public var version: Int64
    public var createdAt: Millis
    /// Snoozed (`z`) until then: out of the active tabs until the server wakes it at that time, or the patient
    /// writes (see `SnoozeRules`). Absent from servers without snooze.
    public var snoozedUntil: Millis?

    public init(id: Int64, patientId: Int64, clinicNumber: String, provider: ProviderKind, status: ConversationStatus,
                assignedAgentId: Int64? = nil, handoffReason: String? = nil, handoffSummary: String? = nil,
                waitingSince: Millis? = nil, lastInboundAt: Millis? = nil, lastMessageAt: Millis,
                lastMessagePreview: String = "", version: Int64 = 1, createdAt: Millis, snoozedUntil: Millis? = nil) {
        self.snoozedUntil = snoozedUntil
        self.id = id
        self.patientId = patientId
        self.clinicNumber = clinicNumber
        self.provider = provider
        self.status = status
        self.assignedAgentId = assignedAgentId
        self.handoffReason = handoffReason
        self.handoffSummary = handoffSummary
        self.waitingSince = waitingSince
        self.lastInboundAt = lastInboundAt
        self.lastMessageAt = lastMessageAt
        self.lastMessagePreview = lastMessagePreview
        self.version = version
        self.createdAt = createdAt
    }
}

/// Metadata of an attachment; the bytes live with the provider or in server storage.
public struct MediaInfo: Codable, Sendable, Equatable {
    /// image, document, audio, video, sticker, location, contacts…
    public var kind: String
    public var fileName: String?
    public var mimeType: String?
    public var size: Int64?
    /// Where the provider keeps it (Twilio/WAHA URL, `meta-media:<id>`, or `geo:` for a location).
    public var url: String?
    /// Whether the server holds a copy agents can download; nil for things without a file (locations, contacts).
    public var state: MediaState?
    /// Why the server did not keep it (`refused`, `failed`).
    public var error: String?

    public init(kind: String, fileName: String? = nil, mimeType: String? = nil, size: Int64? = nil, url: String? = nil,
                state: MediaState? = nil, error: String? = nil) {
        self.kind = kind
        self.fileName = fileName
        self.mimeType = mimeType
        self.size = size
        self.url = url
        self.state = state
        self.error = error
    }

    /// True for attachments the server fetches and keeps (not a location's `geo:` link or a contact card).
    public var isFetchable: Bool {
        guard let url else { return false }
        return url.hasPrefix("https://") || url.hasPrefix("http://") || url.hasPrefix("meta-media:")
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(String.self, forKey: .kind)
        fileName = try c.decodeIfPresent(String.self, forKey: .fileName)
        mimeType = try c.decodeIfPresent(String.self, forKey: .mimeType)
        size = try c.decodeIfPresent(Int64.self, forKey: .size)
        url = try c.decodeIfPresent(String.self, forKey: .url)
        // A state this client does not know yet reads as "not downloadable" rather than failing the whole batch.
        state = (try? c.decodeIfPresent(String.self, forKey: .state)).flatMap { $0.flatMap(MediaState.init(rawValue:)) }
        error = try c.decodeIfPresent(String.self, forKey: .error)
    }
}

public enum MediaState: String, Codable, Sendable {
    /// The server is fetching it from the provider.
    case pending
    /// The server has it: `GET /v1/messages/{id}/media`.
    case stored
    /// Too large, or not the type it claims to be: never stored.
    case refused
    /// The provider would not hand it over (expired link, outage after retries).
    case failed
}

/// An agent's attachment: a file uploaded with `POST /v1/media`, sent with an optional caption.
public struct MediaSend: Codable, Sendable, Equatable {
    /// The upload's id (its SHA-256).
    public var uploadId: String
    public var fileName: String
    public var caption: String

    public init(uploadId: String, fileName: String, caption: String = "") {
        self.uploadId = uploadId
        self.fileName = fileName
        self.caption = caption
    }
}

/// `POST /v1/media`'s answer.
public struct UploadedMedia: Codable, Sendable, Equatable {
    public var uploadId: String
    public var mimeType: String
    public var size: Int64

    public init(uploadId: String, mimeType: String, size: Int64) {
        self.uploadId = uploadId
        self.mimeType = mimeType
        self.size = size
    }
}

public struct Message: Codable, Sendable, Equatable, Identifiable {
    public var id: Int64
    public var conversationId: Int64
    public var direction: MessageDirection
    public var author: AuthorKind
    /// Set when `author == .agent`.
    public var agentId: Int64?
    public var body: String
    public var media: MediaInfo?
    public var providerMessageId: String?
    /// The idempotency key of the agent command that created it, so a client can swap its local echo.
    public var clientKey: String?
    public var status: DeliveryStatus
    /// The provider's reason when `status == .failed`.
    public var error: String?
    /// For inbound messages, when the server received it: conversations are ordered and shown by receipt.
    public var createdAt: Millis
    /// For inbound messages, the provider's own timestamp, when it gave one (information only: a late or
    /// replayed webhook carries an old one).
    public var providerTime: Millis?
    /// For a patient's tap on an interactive list row or reply button: the id the option was sent with (the body is
    /// its title). Matched instead of the title, which the patient's language or a later edit may change. Kept by
    /// the server (the bot and appointment answers read it), not synced.
    public var replyId: String?

    public init(id: Int64, conversationId: Int64, direction: MessageDirection, author: AuthorKind, agentId: Int64? = nil,
                body: String, media: MediaInfo? = nil, providerMessageId: String? = nil, clientKey: String? = nil,
                status: DeliveryStatus, error: String? = nil, createdAt: Millis, providerTime: Millis? = nil,
                replyId: String? = nil) {
        self.id = id
        self.conversationId = conversationId
        self.direction = direction
        self.author = author
        self.agentId = agentId
        self.body = body
        self.media = media
        self.providerMessageId = providerMessageId
        self.clientKey = clientKey
        self.status = status
        self.error = error
        self.createdAt = createdAt
        self.providerTime = providerTime
        self.replyId = replyId
    }
}

/// How far one agent has read one conversation. Each agent has its own horizon; there is no shared "read" flag.
public struct ReadHorizon: Codable, Sendable, Equatable {
    public var conversationId: Int64
    public var agentId: Int64
    public var messageId: Int64

    public init(conversationId: Int64, agentId: Int64, messageId: Int64) {
        self.conversationId = conversationId
        self.agentId = agentId
        self.messageId = messageId
    }
}
