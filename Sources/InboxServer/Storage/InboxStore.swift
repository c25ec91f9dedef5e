import InboxModel

/// The one seam between the server and its storage. `SQLiteInboxStore` serves a clinic; `PostgresInboxStore` serves
/// several stateless instances on one database (with `PostgresChangeNotifier` over LISTEN/NOTIFY).
///
/// Every write records its rows in the change log in the same transaction and, after commit, wakes the clinic's
/// waiting long-polls through the notifier.
public protocol InboxStore: Sendable {
    // Administration
    func addAgent(name: String, clinic: String, role: AgentRole) async throws -> NewAgent
    func addNumber(_ number: String, clinic: String, provider: ProviderKind, providerRef: String?) async throws
    /// The active agent holding the token with this hash. A revocation or new token takes effect within about
    /// 250 ms (the `AdministrationWatcher`'s period), even when another process made it; within a second if that
    /// watcher is held up.
    func authenticate(tokenHash: String) async throws -> AuthenticatedAgent?
    /// Every agent, revoked ones included (of one clinic, or all with nil).
    func agentListing(clinic: String?) async throws -> [AgentListing]
    /// The agent keeps its row (history names it) but its token stops working; colleagues see it inactive.
    func revokeAgent(id: Int64) async throws -> Agent
    /// A new token for the agent; the old one stops working.
    func rotateToken(agentId: Int64) async throws -> NewAgent
    func renameAgent(id: Int64, to name: String) async throws -> Agent
    func setRole(agentId: Int64, role: AgentRole) async throws -> Agent
    /// Agents, templates and erasures changed after `stamp` (nil: just read the stamp), by this process or another:
    /// the server polls this to drop cached tokens and wake the clinics' long-polls.
    func administrativeChanges(after stamp: Int64?) async throws -> AdministrativeChanges
    /// Drops remembered tokens: the next request of each agent reads the database.
    func forgetAuthenticatedTokens()
    /// A read that began at `instant` found no administrative change since the last one: remembered tokens stay
    /// trusted from then on, so long-polls keep hitting the cache instead of all reading at once when it ages.
    func confirmAuthenticatedTokens(asOf instant: ContinuousClock.Instant)

    // Retention and erasure (docs/protocol.md, "Retention and erasure")
    /// Forgets stored command answers created before `cutoff`; returns how many.
    func pruneIdempotency(olderThan cutoff: Millis) async throws -> Int
    /// Marks kept attachments of messages created before `cutoff` removed (agents see `reason`), and drops uploads
    /// as old; returns the files no row refers to any more, for the caller to delete.
    func expireMedia(olderThan cutoff: Millis, reason: String) async throws -> ExpiredMedia
    /// Deletes the clinic's patients with this phone number, their conversations, messages and attachment rows, and
    /// records a tombstone that syncing mirrors apply; returns the files to delete.
    func erasePatients(phone: String, clinic: String) async throws -> PatientErasureReport
    /// The clinic number registered with `provider` under `providerRef` (Meta phone_number_id, WAHA session):
    /// how webhooks that name the channel rather than the number are routed.
    func clinicNumber(provider: ProviderKind, providerRef: String) async throws -> String?
    /// Whether any clinic number is served through `provider`: a provider's webhook route with none answers 404.
    func hasNumbers(provider: ProviderKind) async throws -> Bool
    /// Adds or replaces templates (keyed by clinic, name and language); syncing agents receive them.
    func saveTemplates(_ definitions: [TemplateDefinition], clinic: String) async throws
    func templates(clinic: String) async throws -> [MessageTemplate]
    /// Adds or replaces canned replies (keyed by clinic and shortcode); syncing agents receive them.
    func saveCannedReplies(_ definitions: [CannedReplyDefinition], clinic: String) async throws
    /// Removes one (mirrors delete it); false when the clinic has no such shortcode.
    func removeCannedReply(shortcode: String, clinic: String) async throws -> Bool
    /// The clinic's canned replies that are not removed, by shortcode.
    func cannedReplies(clinic: String) async throws -> [CannedReply]

    // Provider traffic
    /// Stores a provider's batch of inbound messages atomically; one outcome per message, in order.
    func ingest(_ batch: [InboundMessage]) async throws -> [IngestOutcome]
    /// Merges delivery statuses by precedence; statuses for ids not known yet are parked until the send records them.
    func applyStatuses(_ reports: [StatusReport]) async throws
    /// Records a channel's provider-reported state (e.g. WAHA `SCAN_QR_CODE`) so syncing agents see it.
    func setChannelHealth(clinicNumber: String, provider: ProviderKind, state: String, detail: String?) async throws

    // Sync
    /// Rows changed after `seq`, at most `limit` of them, for one agent of one clinic.
    func changes(for agent: AuthenticatedAgent, after seq: Int64, limit: Int) async throws -> ChangePage
    /// The cursor epoch: cursors minted by another database are refused.
    func epoch() async throws -> String

    // Agent commands, idempotent under (agent, key)
    func execute(_ command: Command, conversationId: Int64, by agent: AuthenticatedAgent, key: String,
                 requestHash: String) async throws -> StoredResponse

    // The bot
    /// Sets (or, with nil, clears) the clinic's AI endpoint.
    func setAIHook(clinic: String, url: String?) async throws
    /// Sets (or, with nil, resets to `MarketingLimits.standard`) how many marketing templates a patient may get.
    func setMarketingLimits(clinic: String, limits: MarketingLimits?) async throws
    func marketingLimits(clinic: String) async throws -> MarketingLimits
    /// A number's own bot settings (nil: no such number).
    func numberBot(number: String) async throws -> NumberBot?
    /// Replaces a number's own bot settings; unset fields fall back to the clinic's.
    func setNumberBot(number: String, _ bot: NumberBot) async throws
    func botContext(conversationId: Int64) async throws -> BotContext?
    func applyBotDecision(_ decision: BotDecision, memory: String?, conversationId: Int64) async throws

    // Media
    /// Patients' attachments still to be fetched from their provider, due now.
    func dueMediaFetches(now: Millis, limit: Int) async throws -> [MediaFetchJob]
    func nextMediaFetchTime() async throws -> Millis?
    /// The file is in the media directory: agents see the attachment as downloadable.
    func mediaFetched(messageId: Int64, file: StoredFile) async throws
    /// `retryAt == nil` gives up with `state` (refused or failed) and the reason agents see.
    func mediaFetchFailed(messageId: Int64, state: MediaState, reason: String, retryAt: Millis?) async throws
    /// A message's kept file, if the clinic may see it (`clinicId` nil: any clinic, for signed provider links).
    func storedMedia(messageId: Int64, clinicId: Int64?) async throws -> StoredMedia?
    /// An agent's upload, which `sendMedia` commands of the same clinic may then send.
    func recordUpload(clinicId: Int64, file: StoredFile) async throws
    /// The key that signs the attachment links Twilio fetches.
    func mediaLinkSecret() async throws -> String

    // Delivery to providers
    /// Deliveries due now, leaving out providers whose circuit breaker is open.
    func dueDeliveries(now: Millis, limit: Int, excluding providers: [ProviderKind]) async throws -> [DeliveryJob]
    /// When the next delivery falls due, leaving out `providers` (those whose circuit breaker is open: their
    /// overdue rows would otherwise make the worker wake at once, again and again, for the whole cool-down).
    func nextDeliveryTime(excluding providers: [ProviderKind]) async throws -> Millis?
    func deliverySucceeded(messageId: Int64, providerMessageId: String) async throws
    /// `retryAt == nil` gives up: the message becomes `failed` with `error` and goes to the dead-letter list.
    func deliveryFailed(messageId: Int64, error: String, retryAt: Millis?) async throws
    /// Messages that failed for good, newest first, for an admin to inspect and retry.
    func deadLetters() async throws -> [DeadLetter]
    /// Queues a dead letter for delivery again; false when there is no such dead letter.
    func retryDeadLetter(messageId: Int64) async throws -> Bool
    /// How many replies wait for delivery and how many failed for good, for `/metrics`.
    func queueDepths() async throws -> QueueDepths

    // Appointment reminders (docs/protocol.md, "Appointment reminders"); the rules are `AppointmentRules`
    /// Keeps the clinic's appointments (adding their patients when new); one outcome per appointment, in order. An
    /// appointment already there (same external id, or patient, time and doctor) is not added twice.
    func addAppointments(_ appointments: [NewAppointment], clinic: String) async throws -> [AppointmentImportResult.Line]
    /// The clinic's appointments (all clinics' with nil) starting at or after `from`, soonest first.
    func appointments(clinic: String?, from: Millis) async throws -> [AppointmentListing]
    /// Cancels an appointment of the clinic (any clinic with nil): its reminder is never sent. Nil when there is none.
    func cancelAppointment(id: Int64, clinic: String?) async throws -> Appointment?
    /// Queues the reminder of every appointment due at `now` (`AppointmentRules.isDue`), at most `limit`, each in
    /// the transaction that marks it reminded: however many instances run this, each appointment is reminded once.
    /// Returns the reminder messages queued.
    func queueDueReminders(now: Millis, lead: Millis, limit: Int) async throws -> [Int64]
    /// When the next reminder falls due (nil: none is scheduled).
    func nextReminderTime(lead: Millis) async throws -> Millis?
    /// Of these newly stored messages, those whose patient was reminded of an appointment still ahead: the only
    /// ones `answerAppointment` can act on. One read for a whole webhook batch.
    func possibleAppointmentAnswers(messageIds: [Int64], now: Millis) async throws -> Set<Int64>
    /// Reads the patient's message as an answer to their reminder (`replyId`: the tapped button's id, when the
    /// provider gave one) and applies it; "reschedule" hands the conversation to staff.
    func answerAppointment(messageId: Int64, replyId: String?, now: Millis) async throws -> AppointmentAnswerOutcome

    // Presence (docs/protocol.md, "Presence"): never data — not in the change log, not beside patient rows. Each
    // call that changes a clinic's roster wakes that clinic's long-polls (on every instance).
    /// Records the agent's report, live until `expiresAt`; true when the clinic's roster changed.
    func reportPresence(_ report: PresenceReport, agent: AuthenticatedAgent, expiresAt: Millis) async throws -> Bool
    /// The agent's client quit: it leaves the roster now rather than when its report expires.
    func clearPresence(agent: AuthenticatedAgent) async throws -> Bool
    /// The clinic's live reports at `now`.
    func presenceRoster(clinicId: Int64, now: Millis) async throws -> PresenceRoster
    /// Drops reports that expired by `now`; returns the clinics whose roster changed (already woken).
    func expirePresence(now: Millis) async throws -> Set<Int64>

    // Snooze (SnoozeRules): due work the server does itself, from the stored snooze ends (so it survives restarts).
    /// Wakes conversations whose snooze ended by `now`, each with a line in its activity log; returns how many.
    func wakeSnoozed(now: Millis) async throws -> Int
}

/// What a patient's message did to their appointments.
public enum AppointmentAnswerOutcome: Sendable, Equatable {
    /// It answered the appointment (the bot does not answer it again).
    case answered(appointmentId: Int64, AppointmentRules.Answer)
    /// It did not answer a reminder, and with no bot on this server it went to staff.
    case handedOff
    /// Nothing to do with appointments.
    case notAnAnswer
}

public struct QueueDepths: Sendable {
    /// Replies waiting for (another) delivery attempt.
    public var outbox: Int
    /// Replies that failed for good and wait for an admin (`inbox deadletter`).
    public var deadLetters: Int
}

extension InboxStore {
    public func ingest(_ inbound: InboundMessage) async throws -> IngestOutcome {
        try await ingest([inbound])[0]
    }

    public func applyStatus(_ report: StatusReport) async throws {
        try await applyStatuses([report])
    }
}

public struct NewAgent: Sendable {
    public var agent: Agent
    public var clinicId: Int64
    /// Shown once; only its hash is stored.
    public var token: String
}

/// One line of `inbox agent list`.
public struct AgentListing: Sendable, Equatable {
    public var agent: Agent
    public var clinic: String
    public var createdAt: Millis
    public var revokedAt: Millis?
}

public struct AdministrativeChanges: Sendable, Equatable {
    /// Pass back as `after` next time.
    public var stamp: Int64
    /// The clinics whose agents, templates or erasures changed since the previous stamp.
    public var clinicIds: Set<Int64>
}

public struct AuthenticatedAgent: Sendable, Equatable {
    public var agent: Agent
    public var clinicId: Int64
    public var clinicName: String
}

/// A patient's message as a provider adapter parsed it.
public struct InboundMessage: Sendable {
    public var provider: ProviderKind
    /// The clinic number written to (E.164).
    public var clinicNumber: String
    public var channelIdentity: String
    public var phone: String
    public var profileName: String?
    public var providerMessageId: String
    public var body: String
    public var media: MediaInfo?
    /// When the server received it: what the message is ordered and shown by, and what the 24-hour window
    /// runs from. Ingest stamps it with the store's clock.
    public var receivedAt: Millis
    /// The provider's own timestamp, kept as information only: a late or replayed webhook carries an old one.
    public var providerTime: Millis?
    /// A WhatsApp system notice (e.g. the patient changed number), stored with author `system`.
    public var isSystemNotice: Bool
    /// For a number-change notice: the patient's new WhatsApp number (E.164), applied to their identity.
    public var newPhone: String?
    /// A tap on an interactive list row or reply button: the option's id (Meta `list_reply.id`/`button_reply.id`,
    /// Gupshup's reply `postbackText`/`id`, Twilio `ButtonPayload`); `body` is its title.
    public var replyId: String?

    public init(provider: ProviderKind, clinicNumber: String, channelIdentity: String, phone: String,
                profileName: String?, providerMessageId: String, body: String, media: MediaInfo? = nil,
                receivedAt: Millis, providerTime: Millis? = nil, isSystemNotice: Bool = false, newPhone: String? = nil,
                replyId: String? = nil) {
        self.provider = provider
        self.clinicNumber = clinicNumber
        self.channelIdentity = channelIdentity
        self.phone = phone
        self.profileName = profileName
        self.providerMessageId = providerMessageId
        self.body = body
        self.media = media
        self.receivedAt = receivedAt
        self.providerTime = providerTime
        self.isSystemNotice = isSystemNotice
        self.newPhone = newPhone
        self.replyId = replyId
    }
}

public enum IngestOutcome: Sendable, Equatable {
    case stored(conversationId: Int64, messageId: Int64, conversationStatus: ConversationStatus)
    /// The provider redelivered a message already stored.
    case duplicate
    /// No clinic owns the number it was sent to.
    case unknownNumber
}

public struct StatusReport: Sendable {
    public var providerMessageId: String
    public var status: DeliveryStatus
    public var error: String?
    /// The provider that reported it: applied only to messages sent through that provider.
    public var provider: ProviderKind?
    /// The clinic number (channel) it was reported for, when the provider says: applied only to messages sent
    /// from that number, so one channel (or clinic) can never change another's delivery state.
    public var clinicNumber: String?

    public init(providerMessageId: String, status: DeliveryStatus, error: String? = nil,
                provider: ProviderKind? = nil, clinicNumber: String? = nil) {
        self.providerMessageId = providerMessageId
        self.status = status
        self.error = error
        self.provider = provider
        self.clinicNumber = clinicNumber
    }
}

public struct ChangePage: Sendable {
    /// The batch without its cursor; the HTTP layer mints the cursor from `lastSeq`.
    public var batch: SyncBatch
    public var lastSeq: Int64
    /// The newest seq in the whole store: a cursor beyond it comes from elsewhere.
    public var latestSeq: Int64
    /// Whether anyone's read horizon changed within the page: only then does it differ between the clinic's agents
    /// (each gets its own horizons), so without it one encoded answer serves them all.
    public var hasReadChanges = true
}

/// A command's answer exactly as first sent: replays return these bytes.
public struct StoredResponse: Sendable, Equatable {
    public var status: Int
    public var body: [UInt8]
}

public struct BotContext: Sendable {
    public var conversation: Conversation
    public var patient: Patient
    public var recent: [Message]
    public var memory: String?
    /// The clinic's own AI endpoint, when it has one; otherwise the built-in bot answers.
    public var aiHookURL: String?
    /// The settings of the number the patient wrote to: its AI hook overrides the clinic's.
    public var numberBot = NumberBot()
}

public struct DeadLetter: Sendable, Equatable {
    public var messageId: Int64
    public var conversationId: Int64
    public var clinic: String
    public var provider: ProviderKind
    public var reason: String
    public var failedAt: Millis
}

public struct DeliveryJob: Sendable {
    public var message: Message
    public var provider: ProviderKind
    public var clinicNumber: String
    public var providerRef: String?
    public var patientPhone: String
    public var channelIdentity: String
    public var attempts: Int
    /// Set for a template send: providers with a template API get the template and its parameters.
    public var template: TemplateDelivery?
    /// Set for an agent's attachment: the file in the media directory.
    public var attachment: DeliveryAttachment?
    /// Set for a bot message with choices: channels that show lists and buttons send these (the body is the
    /// numbered-text form).
    public var interactive: InteractiveMenu?

    public init(message: Message, provider: ProviderKind, clinicNumber: String, providerRef: String?,
                patientPhone: String, channelIdentity: String, attempts: Int, template: TemplateDelivery? = nil,
                attachment: DeliveryAttachment? = nil, interactive: InteractiveMenu? = nil) {
        self.message = message
        self.provider = provider
        self.clinicNumber = clinicNumber
        self.providerRef = providerRef
        self.patientPhone = patientPhone
        self.channelIdentity = channelIdentity
        self.attempts = attempts
        self.template = template
        self.attachment = attachment
        self.interactive = interactive
    }
}

public struct DeliveryAttachment: Sendable, Equatable {
    public var sha256: String
    public var mimeType: String
    public var fileName: String
    /// WhatsApp's message type for it: image, audio, video or document.
    public var kind: String
}
