/// What the mirror hands the terminal app: plain values the reducer keeps in `AppState` and screens render.
/// SyncEngine's `MirrorQueries` produces them; nothing here does I/O.

public enum QueueTab: Int, Sendable, CaseIterable, Equatable {
    /// Handed off by the AI, oldest first.
    case waiting
    /// Assigned to the signed-in agent.
    case mine
    /// The AI is still talking: for proactive take-over.
    case bot
    case closed
    /// Held by colleagues: an admin takes over or transfers from here; everyone sees who has what.
    case team
    /// Snoozed (`z`): out of the other tabs until the server wakes them.
    case snoozed
}

public struct QueueRow: Sendable, Equatable, Identifiable {
    public var conversation: Conversation
    /// Patient display name, or phone when the name is empty. Hostile: sanitize before drawing.
    public var patientName: String
    public var patientPhone: String
    /// Inbound messages after the signed-in agent's own read horizon.
    public var unread: Int

    public var id: Int64 { conversation.id }

    public init(conversation: Conversation, patientName: String, patientPhone: String, unread: Int) {
        self.conversation = conversation
        self.patientName = patientName
        self.patientPhone = patientPhone
        self.unread = unread
    }
}

public struct QueueCounts: Sendable, Equatable {
    public var waiting = 0
    public var mine = 0
    public var bot = 0
    public var closed = 0
    public var team = 0
    public var snoozed = 0

    public init(waiting: Int = 0, mine: Int = 0, bot: Int = 0, closed: Int = 0, team: Int = 0, snoozed: Int = 0) {
        self.snoozed = snoozed
        self.waiting = waiting
        self.mine = mine
        self.bot = bot
        self.closed = closed
        self.team = team
    }

    public subscript(tab: QueueTab) -> Int {
        switch tab {
        case .waiting: waiting
        case .mine: mine
        case .bot: bot
        case .closed: closed
        case .team: team
        case .snoozed: snoozed
        }
    }
}

/// A command the signed-in agent issued that the server has not confirmed yet (or refused).
public struct OutboxEntry: Sendable, Equatable, Identifiable {
    public enum State: String, Sendable { case pending, failed }

    /// The command's idempotency key; a synced message with the same `clientKey` replaces this local echo.
    public var key: String
    public var conversationId: Int64
    public var command: Command
    public var state: State
    public var attempts: Int
    public var lastError: String?
    public var createdAt: Millis

    public var id: String { key }

    public init(key: String, conversationId: Int64, command: Command, state: State, attempts: Int = 0,
                lastError: String? = nil, createdAt: Millis) {
        self.key = key
        self.conversationId = conversationId
        self.command = command
        self.state = state
        self.attempts = attempts
        self.lastError = lastError
        self.createdAt = createdAt
    }
}

/// Everything the conversation pane and the patient sidebar show for one open conversation.
public struct ConversationDetail: Sendable, Equatable {
    public var conversation: Conversation
    public var patient: Patient?
    /// Oldest first.
    public var messages: [Message]
    /// The agent's unconfirmed or refused commands for this conversation, oldest first.
    public var outbox: [OutboxEntry]
    public var draft: String
    /// The clinic's templates, for the picker (the patient's language first).
    public var templates: [MessageTemplate]
    /// How many earlier conversations the patient has (with any of the clinic's numbers): the conversation pane
    /// pages them in from the mirror, newest first, as the agent scrolls up.
    public var earlierConversations: Int
    /// The patient's appointments that are not cancelled, soonest first (the sidebar shows the next one).
    public var appointments: [Appointment]
    /// The clinic's canned replies, for the composer's `/` picker (by shortcode).
    public var cannedReplies: [CannedReply]

    public init(conversation: Conversation, patient: Patient?, messages: [Message], outbox: [OutboxEntry] = [],
                draft: String = "", templates: [MessageTemplate] = [], earlierConversations: Int = 0,
                appointments: [Appointment] = [], cannedReplies: [CannedReply] = []) {
        self.cannedReplies = cannedReplies
        self.conversation = conversation
        self.patient = patient
        self.messages = messages
        self.outbox = outbox
        self.draft = draft
        self.templates = templates
        self.earlierConversations = earlierConversations
        self.appointments = appointments
    }
}

/// One of the patient's earlier conversations, shown above the open one ("Earlier conversation · closed 3 Nov").
public struct EarlierConversation: Sendable, Equatable, Identifiable {
    public var conversation: Conversation
    /// Oldest first (its most recent messages when it was long).
    public var messages: [Message]

    public var id: Int64 { conversation.id }

    public init(conversation: Conversation, messages: [Message]) {
        self.conversation = conversation
        self.messages = messages
    }
}

/// One search result: a patient (found by name, phone digits or record id) or a message (found by its text).
/// The mirror returns them grouped by patient, the patient's own hit first.
public struct SearchHit: Sendable, Equatable {
    /// The message to jump to; nil when the hit is the patient themselves.
    public var messageId: Int64?
    /// For a message, its conversation; for a patient, their latest (open first) conversation.
    public var conversationId: Int64
    public var patientId: Int64
    public var patientName: String
    /// For a message, the matching text around the hit; for a patient, what identifies them (phone, record id).
    /// Hostile: sanitize before drawing.
    public var snippet: String
    public var createdAt: Millis

    public init(messageId: Int64?, conversationId: Int64, patientName: String, snippet: String, createdAt: Millis,
                patientId: Int64 = 0) {
        self.messageId = messageId
        self.conversationId = conversationId
        self.patientId = patientId
        self.patientName = patientName
        self.snippet = snippet
        self.createdAt = createdAt
    }

    public var isPatient: Bool { messageId == nil }
}

/// A saved draft in a conversation a colleague now holds: it can no longer be sent, so quitting drops it.
public struct StrandedDraft: Sendable, Equatable {
    public var conversationId: Int64
    /// Hostile: sanitize before drawing.
    public var patientName: String
    public var holderId: Int64

    public init(conversationId: Int64, patientName: String, holderId: Int64) {
        self.conversationId = conversationId
        self.patientName = patientName
        self.holderId = holderId
    }
}

/// The sync loop's state, for the status line.
public enum ConnectionState: Sendable, Equatable {
    case connecting
    case online
    /// Retrying after a failure; the next attempt is at `retryAt`.
    case reconnecting(retryAt: Millis, lastError: String)
    /// Unreachable since the given time.
    case offline(since: Millis, lastError: String)
}

/// Commands in this terminal's outbox that another agent queued (before someone else signed in here). They are
/// held: never sent with the signed-in agent's credentials, never dropped, sent when their agent signs in again.
public struct HeldOutbox: Sendable, Equatable {
    public var agentId: Int64
    /// As the mirror knew them when they queued it; nil when it did not know yet.
    public var agentName: String?
    public var server: String
    public var count: Int
    /// How many of them send something to a patient (replies, templates, files).
    public var replies: Int

    public init(agentId: Int64, agentName: String?, server: String, count: Int, replies: Int) {
        self.agentId = agentId
        self.agentName = agentName
        self.server = server
        self.count = count
        self.replies = replies
    }

    /// "3 replies from Aisha held: log in as Aisha to send".
    public func summary(currentServer: String?) -> String {
        // Never a bare id: a name the mirror did not know reads as "another agent".
        let known = agentName.flatMap { $0.isEmpty ? nil : $0 }
        let what = replies == count ? (count == 1 ? "1 reply" : "\(count) replies")
                                    : (count == 1 ? "1 queued command" : "\(count) queued commands")
        let whereTo = currentServer == nil || currentServer == server ? "" : " on \(server)"
        return "\(what) from \(known ?? "another agent") held: log in as \(known ?? "them")\(whereTo) to send"
    }
}
