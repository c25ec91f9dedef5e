/// Wire types of the sync protocol (docs/protocol.md). All bodies are JSON; times are `Millis`.

/// One answer of `GET /v1/sync`: every entity that changed after the request's cursor, as full rows.
///
/// Rows are state, not operations: applying a batch twice, or a row older than one already stored, is harmless,
/// so the protocol is at-least-once and the client stores rows and `cursor` in one transaction.
public struct SyncBatch: Codable, Sendable, Equatable {
    /// Opaque; send it back as `since`. Advancing it acknowledges this batch.
    public var cursor: String
    /// More changes are pending beyond this batch's cap: ask again at once.
    public var more: Bool
    public var agents: [Agent]
    public var patients: [Patient]
    public var conversations: [Conversation]
    public var messages: [Message]
    /// Only the requesting agent's own horizons.
    public var readHorizons: [ReadHorizon]
    /// Health of the clinic's WhatsApp channels, when it changed (e.g. a WAHA session that is not WORKING).
    public var channels: [ChannelHealth]
    /// The clinic's message templates that were added or changed.
    public var templates: [MessageTemplate]
    /// The clinic's canned replies that were added, changed or removed (`removed`: delete it).
    public var cannedReplies: [CannedReply] = []
    /// Patients erased on request (`inbox patient erase`): delete the patient, these conversations and their
    /// messages. Ids only; nothing of what was erased.
    public var erasures: [PatientErasure]
    /// The clinic's appointments that were added or changed (reminded, answered, cancelled): the sidebar shows the
    /// patient's next one. Absent from servers without appointments.
    public var appointments: [Appointment]
    /// With `more`: how many changes the clinic's log still holds after this batch, so a catching-up client can
    /// show how far it has got. Absent otherwise, and from servers that do not count (clients must not need it).
    public var remaining: Int?
    /// The clinic's presence roster, only when the request asked for it (`presence=<stamp>`). Not data: it is
    /// never stored by the client and does not count towards `isEmpty`.
    public var presence: PresenceRoster?

    public init(cursor: String, more: Bool = false, agents: [Agent] = [], patients: [Patient] = [],
                conversations: [Conversation] = [], messages: [Message] = [], readHorizons: [ReadHorizon] = [],
                channels: [ChannelHealth] = [], templates: [MessageTemplate] = [], erasures: [PatientErasure] = [],
                remaining: Int? = nil, appointments: [Appointment] = [], presence: PresenceRoster? = nil) {
        self.cursor = cursor
        self.presence = presence
        self.more = more
        self.remaining = remaining
        self.agents = agents
        self.patients = patients
        self.conversations = conversations
        self.messages = messages
        self.readHorizons = readHorizons
        self.channels = channels
        self.templates = templates
        self.erasures = erasures
        self.appointments = appointments
    }

    public var isEmpty: Bool {
        agents.isEmpty && patients.isEmpty && conversations.isEmpty && messages.isEmpty
            && readHorizons.isEmpty && channels.isEmpty && templates.isEmpty && erasures.isEmpty && appointments.isEmpty
            && cannedReplies.isEmpty
    }

    public var changeCount: Int {
        agents.count + patients.count + conversations.count + messages.count + readHorizons.count + channels.count + templates.count
            + erasures.count + appointments.count + cannedReplies.count
    }

    // Old servers or other backends may omit empty arrays.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        cursor = try c.decode(String.self, forKey: .cursor)
        more = try c.decodeIfPresent(Bool.self, forKey: .more) ?? false
        agents = try c.decodeIfPresent([Agent].self, forKey: .agents) ?? []
        patients = try c.decodeIfPresent([Patient].self, forKey: .patients) ?? []
        conversations = try c.decodeIfPresent([Conversation].self, forKey: .conversations) ?? []
        messages = try c.decodeIfPresent([Message].self, forKey: .messages) ?? []
        readHorizons = try c.decodeIfPresent([ReadHorizon].self, forKey: .readHorizons) ?? []
        channels = try c.decodeIfPresent([ChannelHealth].self, forKey: .channels) ?? []
        templates = try c.decodeIfPresent([MessageTemplate].self, forKey: .templates) ?? []
        erasures = try c.decodeIfPresent([PatientErasure].self, forKey: .erasures) ?? []
        appointments = try c.decodeIfPresent([Appointment].self, forKey: .appointments) ?? []
        cannedReplies = try c.decodeIfPresent([CannedReply].self, forKey: .cannedReplies) ?? []
        remaining = try c.decodeIfPresent(Int.self, forKey: .remaining)
        presence = try c.decodeIfPresent(PresenceRoster.self, forKey: .presence)
    }
}

/// A tombstone: the server deleted a patient and everything they wrote or were sent.
public struct PatientErasure: Codable, Sendable, Equatable {
    public var patientId: Int64
    public var conversationIds: [Int64]
    public var erasedAt: Millis

    public init(patientId: Int64, conversationIds: [Int64], erasedAt: Millis) {
        self.patientId = patientId
        self.conversationIds = conversationIds
        self.erasedAt = erasedAt
    }
}

public struct ChannelHealth: Codable, Sendable, Equatable {
    public var clinicNumber: String
    public var provider: ProviderKind
    /// `ok`, `degraded` (deliveries failing, breaker open) or the provider's own state (e.g. WAHA `SCAN_QR_CODE`).
    public var state: String
    public var detail: String?
    public var updatedAt: Millis
    /// The desk the clinic named the number (`inbox number set --label`), e.g. "Dental desk".
    public var label: String?

    public init(clinicNumber: String, provider: ProviderKind, state: String, detail: String? = nil, updatedAt: Millis,
                label: String? = nil) {
        self.clinicNumber = clinicNumber
        self.provider = provider
        self.state = state
        self.detail = detail
        self.updatedAt = updatedAt
        self.label = label
    }

    public var isHealthy: Bool { state == "ok" || state == "WORKING" }
}

/// The agent commands of `POST /v1/conversations/{id}/{action}`, each sent with an `Idempotency-Key` header.
public enum Command: Codable, Sendable, Equatable {
    case reply(body: String)
    /// An approved template: allowed outside the 24-hour window.
    case sendTemplate(TemplateSend)
    /// A file uploaded with `POST /v1/media`, with an optional caption.
    case sendMedia(MediaSend)
    case takeOver
    case handBack
    case close
    case transfer(toAgentId: Int64)
    case markRead(upToMessageId: Int64)
    /// Reopen a closed conversation; the agent then holds it.
    case reopen
    /// Out of the active tabs until `until`; back (ringing) then or when the patient writes (`SnoozeRules`).
    case snooze(until: Millis)
    /// Back from snooze now.
    case unsnooze
    /// The conversation's patient's profile, compare-and-set on `ProfileEdit.baseVersion` (`ProfileRules`).
    case editProfile(ProfileEdit)
    /// A private note for the clinic's agents: stored and synced like a message, never delivered to the patient.
    case note(body: String)

    /// The last path component of the command's URL.
    public var action: String {
        switch self {
        case .reply: "reply"
        case .sendTemplate: "template"
        case .sendMedia: "media"
        case .takeOver: "takeover"
        case .handBack: "handback"
        case .close: "close"
        case .transfer: "transfer"
        case .markRead: "read"
        case .reopen: "reopen"
        case .snooze: "snooze"
        case .unsnooze: "unsnooze"
        case .editProfile: "profile"
        case .note: "note"
        }
    }

    /// Reply and template sends create an outbound message for the delivery worker.
    public var createsMessage: Bool {
        switch self {
        case .reply, .sendTemplate, .sendMedia: true
        case .snooze, .unsnooze, .editProfile: false
        case .takeOver, .handBack, .close, .transfer, .markRead, .reopen, .note: false
        }
    }

    /// The JSON request body.
    public var requestBody: CommandRequest {
        switch self {
        case .reply(let body), .note(let body): CommandRequest(body: body)
        case .sendTemplate(let template): CommandRequest(template: template)
        case .sendMedia(let media): CommandRequest(media: media)
        case .transfer(let agent): CommandRequest(agentId: agent)
        case .markRead(let message): CommandRequest(messageId: message)
        case .takeOver, .handBack, .close, .reopen: CommandRequest()
        case .snooze(let until): CommandRequest(until: until)
        case .unsnooze: CommandRequest()
        case .editProfile(let edit): CommandRequest(profile: edit)
        }
    }

    public init?(action: String, request: CommandRequest) {
        switch action {
        case "reply":
            guard let body = request.body else { return nil }
            self = .reply(body: body)
        case "template":
            guard let template = request.template else { return nil }
            self = .sendTemplate(template)
        case "media":
            guard let media = request.media else { return nil }
            self = .sendMedia(media)
        case "note":
            guard let body = request.body else { return nil }
            self = .note(body: body)
        case "takeover": self = .takeOver
        case "handback": self = .handBack
        case "close": self = .close
        case "reopen": self = .reopen
        case "snooze":
            guard let until = request.until else { return nil }
            self = .snooze(until: until)
        case "unsnooze": self = .unsnooze
        case "profile":
            guard let profile = request.profile else { return nil }
            self = .editProfile(profile)
        case "transfer":
            guard let agent = request.agentId else { return nil }
            self = .transfer(toAgentId: agent)
        case "read":
            guard let message = request.messageId else { return nil }
            self = .markRead(upToMessageId: message)
        default: return nil
        }
    }
}

/// The body of a command request; which fields are required depends on the action.
public struct CommandRequest: Codable, Sendable, Equatable {
    public var body: String?
    public var agentId: Int64?
    public var messageId: Int64?
    public var template: TemplateSend?
    public var media: MediaSend?
    /// `snooze`: when it ends.
    public var until: Millis?
    /// `profile`: the edited profile.
    public var profile: ProfileEdit?

    public init(body: String? = nil, agentId: Int64? = nil, messageId: Int64? = nil, template: TemplateSend? = nil,
                media: MediaSend? = nil, until: Millis? = nil, profile: ProfileEdit? = nil) {
        self.until = until
        self.profile = profile
        self.body = body
        self.agentId = agentId
        self.messageId = messageId
        self.template = template
        self.media = media
    }
}

/// A command's success answer: the conversation as it now is, and the message a reply created.
public struct CommandResult: Codable, Sendable, Equatable {
    public var conversation: Conversation
    public var message: Message?

    public init(conversation: Conversation, message: Message? = nil) {
        self.conversation = conversation
        self.message = message
    }
}

/// Every error answer of the API has this shape.
public struct ErrorBody: Codable, Sendable, Equatable, Error {
    /// Stable machine-readable code, e.g. `conflict`, `cursor_reset`, `idempotency_key_reused`.
    public var error: String
    /// A sentence a person can read.
    public var message: String
    /// For `conflict`: who holds the conversation.
    public var holder: Agent?
    /// For `profile_conflict`: the patient's profile as another agent saved it.
    public var patient: Patient?

    public init(error: String, message: String, holder: Agent? = nil, patient: Patient? = nil) {
        self.patient = patient
        self.error = error
        self.message = message
        self.holder = holder
    }
}

/// `GET /v1/me`: who the token belongs to.
public struct WhoAmI: Codable, Sendable, Equatable {
    public var agent: Agent
    public var clinic: String

    public init(agent: Agent, clinic: String) {
        self.agent = agent
        self.clinic = clinic
    }
}

public enum ProtocolLimits {
    /// The longest a server holds a sync request.
    public static let maxWaitMillis: Int64 = 60_000
    /// Default and maximum number of changed rows in one batch.
    public static let defaultBatchLimit = 2_000
    public static let maxBatchLimit = 10_000
    /// The largest attachment agents can send: WhatsApp's limit for images and audio (documents may be larger,
    /// but Twilio caps every media file at 16 MB).
    public static let maxAttachmentBytes = 16 << 20
}
