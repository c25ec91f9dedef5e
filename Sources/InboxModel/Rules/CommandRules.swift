/// A command's refusal with its HTTP status; the server stores and replays it like a success.
public struct CommandRefusal: Error, Sendable, Equatable {
    public var status: Int
    public var body: ErrorBody

    public init(status: Int, body: ErrorBody) {
        self.status = status
        self.body = body
    }

    init(_ status: Int, _ error: String, _ message: String) {
        self.init(status: status, body: ErrorBody(error: error, message: message))
    }

    public static let notFound = CommandRefusal(404, "not_found", "No such conversation.")
    public static let conversationClosed = CommandRefusal(422, "conversation_closed", "This conversation is closed.")
    /// Another writer saved the conversation between this command's read and its write.
    public static let changed = CommandRefusal(409, "conflict", "The conversation changed; try again.")
}

/// What a command needs read from storage before it can be decided. The rules ask (`CommandRules.needs`), the
/// storage adapter reads, in the command's transaction.
public enum CommandFact: Sendable, Equatable {
    /// An agent of the caller's clinic (active or not): a holder to name, a transfer target.
    case agent(id: Int64)
    /// The patient's open conversation on the same clinic number, if another one exists.
    case newerOpenConversation
    case template(name: String, language: String)
    case upload(id: String)
    case patientOptedOut
    /// The clinic's marketing limits and when the patient was sent marketing templates in the last 30 days
    /// (`MarketingThrottle.lookBack`), not counting sends that failed for good.
    case marketingSends
    /// The conversation's patient (a profile edit), locked where the adapter can.
    case patient
}

/// The answers to a command's `CommandFact`s.
public struct CommandFacts: Sendable {
    public var conversation: Conversation
    /// Agents of the caller's clinic, revoked ones included (`active` says).
    public var agents: [Int64: Agent] = [:]
    public var newerOpenConversationId: Int64?
    public var template: StoredTemplate?
    public var upload: StoredUpload?
    public var patientOptedOut = false
    public var marketingLimits = MarketingLimits.standard
    public var marketingSentAt: [Millis] = []
    public var patient: Patient?

    public init(conversation: Conversation) { self.conversation = conversation }
}

/// A clinic's template as stored, with what its delivery needs.
public struct StoredTemplate: Sendable, Equatable {
    public var body: String
    public var category: TemplateCategory
    public var twilioContentSid: String?

    public init(body: String, category: TemplateCategory, twilioContentSid: String?) {
        self.body = body
        self.category = category
        self.twilioContentSid = twilioContentSid
    }
}

/// An agent's file from `POST /v1/media`.
public struct StoredUpload: Sendable, Equatable {
    public var mimeType: String
    public var size: Int64

    public init(mimeType: String, size: Int64) {
        self.mimeType = mimeType
        self.size = size
    }
}

/// A message the command adds, in timeline order.
public struct PlannedMessage: Sendable, Equatable {
    public var message: Message
    /// Queue it for the delivery worker (an outbound message to the patient; never a team note).
    public var deliver: Bool
    public var template: TemplateDelivery?
    /// For an attachment: the upload it sends, by its SHA-256.
    public var attachmentSha256: String?
    /// A marketing template: recorded as one of the patient's marketing sends (`CommandFact.marketingSends`).
    public var marketing = false

    /// The message the command's answer carries: what it sends, or the note it writes.
    public var isAnswer: Bool { deliver || message.author == .note }
}

/// Everything a command changes, for the storage adapter to write in the same transaction.
public struct CommandPlan: Sendable, Equatable {
    /// The conversation as it must be saved, if the command changed it: written only if the stored row is still
    /// at `expectedVersion` (else `CommandRefusal.changed`).
    public var conversation: Conversation
    public var conversationChanged: Bool
    public var expectedVersion: Int64
    public var messages: [PlannedMessage] = []
    /// `read`: the agent's horizon moves up to this message (never back).
    public var readUpTo: Int64?
    /// A profile edit: the patient as it must be saved, only if the stored row is still at `expectedPatientVersion`.
    public var patient: Patient?
    public var expectedPatientVersion: Int64?

    /// The answer once stored; `messageId` is the id the outbound message was given.
    public func result(outboundMessageId: Int64?) -> CommandResult {
        var message = messages.last(where: \.isAnswer)?.message
        if let outboundMessageId { message?.id = outboundMessageId }
        return CommandResult(conversation: conversation, message: message)
    }
}

/// The agent commands of docs/protocol.md §7, decided without I/O: what to read, then what to write.
public enum CommandRules {
    /// The facts `plan` reads for `command` on `conversation`.
    public static func needs(_ command: Command, conversation: Conversation) -> [CommandFact] {
        var facts: [CommandFact] = []
        // Named in a conflict and in team notes; a read horizon changes no hands, so it reads nothing more.
        if case .markRead = command { return facts }
        if let holder = conversation.assignedAgentId { facts.append(.agent(id: holder)) }
        switch command {
        case .transfer(let target): facts.append(.agent(id: target))
        case .reopen where conversation.status == .closed: facts.append(.newerOpenConversation)
        case .sendTemplate(let send):
            facts += [.template(name: send.name, language: send.language), .patientOptedOut, .marketingSends]
        case .sendMedia(let send): facts.append(.upload(id: send.uploadId))
        case .editProfile: facts.append(.patient)
        default: break
        }
        return facts
    }

    /// The command's effects, or why it is refused. `key` is its Idempotency-Key (the message's `clientKey`).
    public static func plan(_ command: Command, facts: CommandFacts, by actor: Agent, key: String,
                            now: Millis) throws(CommandRefusal) -> CommandPlan {
        var planner = Planner(facts: facts, actor: actor, now: now)
        switch command {
        case .takeOver: try planner.transition(.takeOver(agentId: actor.id))
        case .handBack: try planner.transition(.handBack)
        case .close: try planner.transition(.close)
        case .reopen:
            if let newer = facts.newerOpenConversationId {
                throw CommandRefusal(409, "newer_conversation", "The patient has a newer open conversation (#\(newer)); answer there.")
            }
            try planner.transition(.reopen(agentId: actor.id))
        case .transfer(let target):
            // A revoked agent could never answer the patient.
            guard facts.agents[target]?.active == true else {
                throw CommandRefusal(422, "unknown_agent", "No such active agent in this clinic.")
            }
            try planner.transition(.transfer(toAgentId: target))
        case .markRead(let messageId):
            planner.plan.readUpTo = messageId
        case .reply(let body):
            if let block = OutboundRules.freeFormBlock(text: body, requiresText: true, conversation: facts.conversation, now: now) {
                throw OutboundRules.refusal(for: block)
            }
            try planner.send(body: body, key: key)
        case .sendTemplate(let send):
            try planner.sendTemplate(send, key: key)
        case .sendMedia(let send):
            try planner.sendMedia(send, key: key)
        case .snooze(let until):
            let snoozed = try SnoozeRules.snooze(planner.plan.conversation, until: until, now: now)
            planner.change(to: snoozed, line: DeskLog.snoozed(actor: actor, until: SnoozeRules.describe(until, now: now)))
        case .unsnooze:
            if let woken = SnoozeRules.wake(planner.plan.conversation) {
                planner.change(to: woken, line: DeskLog.unsnoozed(actor: actor))
            }
        case .editProfile(let edit):
            guard let patient = facts.patient else { throw .notFound }
            let (saved, changed) = try ProfileRules.apply(edit, to: patient, now: now)
            if !changed.isEmpty {
                planner.plan.patient = saved
                planner.plan.expectedPatientVersion = patient.version
                planner.log(ProfileRules.logLine(actor: actor, changed: changed))
            }
        case .note(let body):
            try planner.note(body: body, key: key)
        }
        return planner.plan
    }
}

/// One command's plan as it is built.
private struct Planner {
    let facts: CommandFacts
    let actor: Agent
    let now: Millis
    var plan: CommandPlan

    init(facts: CommandFacts, actor: Agent, now: Millis) {
        self.facts = facts
        self.actor = actor
        self.now = now
        plan = CommandPlan(conversation: facts.conversation, conversationChanged: false,
                           expectedVersion: facts.conversation.version)
    }

    /// Applies the hand-off state machine; each change is one version (docs/protocol.md §8).
    /// `logged`: whether the activity log gets a line (an implicit take-over by a reply does not: the reply itself
    /// names who answered).
    mutating func transition(_ event: ConversationEvent, logged: Bool = true) throws(CommandRefusal) {
        let before = HandoffState(plan.conversation)
        let next: HandoffState
        do {
            next = try before.applying(event, by: actor.id, actorIsAdmin: actor.role == .admin)
        } catch {
            throw refusal(for: error)
        }
        guard next != before else { return }
        plan.conversation.apply(next)
        plan.conversation.version += 1
        plan.conversationChanged = true
        if logged, let text = TeamNotes.text(for: event, before: before, actor: actor, name: agentName) {
            // A line for agents only: never delivered, so it never reaches the patient.
            plan.messages.append(PlannedMessage(
                message: TeamNotes.line(text, conversationId: plan.conversation.id, actorId: actor.id, at: now),
                deliver: false))
        }
    }

    /// A private note: any agent of the clinic may write one on any of its conversations, closed or held by a
    /// colleague; it changes nothing about the conversation and is never delivered.
    mutating func note(body: String, key: String) throws(CommandRefusal) {
        if let problem = PrivateNotes.problem(body) { throw CommandRefusal(422, "invalid_note", problem) }
        plan.messages.append(PlannedMessage(
            message: Message(id: 0, conversationId: plan.conversation.id, direction: .outbound, author: .note,
                             agentId: actor.id, body: body, clientKey: key, status: .delivered, createdAt: now),
            deliver: false))
    }

    func agentName(_ id: Int64) -> String { facts.agents[id]?.name ?? "a colleague" }

    /// A change outside the hand-off state machine (snooze): one version, and its line in the activity log.
    mutating func change(to conversation: Conversation, line: String) {
        plan.conversation = conversation
        plan.conversation.version += 1
        plan.conversationChanged = true
        log(line)
    }

    /// A line in the activity log (agents only, never delivered).
    mutating func log(_ text: String) {
        plan.messages.append(PlannedMessage(
            message: DeskLog.line(text, conversationId: plan.conversation.id, actorId: actor.id, at: now), deliver: false))
    }

    func refusal(for error: TransitionError) -> CommandRefusal {
        switch error {
        case .heldBy(let holderId):
            let holder = facts.agents[holderId]
            return CommandRefusal(status: 409, body: ErrorBody(error: "conflict",
                message: "\(holder?.name ?? "another agent") has taken this conversation.", holder: holder))
        case .closed: return .conversationClosed
        case .invalid(let reason): return CommandRefusal(422, "invalid_transition", reason)
        }
    }

    mutating func sendTemplate(_ send: TemplateSend, key: String) throws(CommandRefusal) {
        if plan.conversation.status == .closed { throw .conversationClosed }
        guard let stored = facts.template else {
            throw CommandRefusal(422, "unknown_template", "The clinic has no template \(send.name) in language \(send.language).")
        }
        let template = MessageTemplate(id: 0, name: send.name, language: send.language, category: stored.category,
                                       body: stored.body, updatedAt: 0)
        guard send.parameters.count == template.parameterCount else {
            throw CommandRefusal(422, "template_parameters",
                "Template \(send.name) takes \(template.parameterCount) parameters, not \(send.parameters.count).")
        }
        if let problem = send.parameters.lazy.compactMap(TemplateBody.problem(inParameter:)).first {
            throw CommandRefusal(422, "template_parameters", "WhatsApp refuses this: \(problem).")
        }
        if let block = OutboundRules.templateBlock(category: stored.category, conversation: plan.conversation,
                                                   patientOptedOut: facts.patientOptedOut) {
            throw OutboundRules.refusal(for: block)
        }
        if stored.category == .marketing,
           let refusal = MarketingThrottle.refusal(limits: facts.marketingLimits, sentAt: facts.marketingSentAt, now: now) {
            throw refusal
        }
        let delivery = TemplateDelivery(name: send.name, language: send.language, parameters: send.parameters,
                                        twilioContentSid: stored.twilioContentSid)
        try self.send(body: template.render(send.parameters), template: delivery, key: key)
        plan.messages[plan.messages.count - 1].marketing = stored.category == .marketing
    }

    /// An agent's file from `POST /v1/media`, checked and typed at upload; the window applies as to text.
    mutating func sendMedia(_ send: MediaSend, key: String) throws(CommandRefusal) {
        if let block = OutboundRules.freeFormBlock(text: send.caption, requiresText: false, conversation: plan.conversation, now: now) {
            throw OutboundRules.refusal(for: block)
        }
        guard let upload = facts.upload else {
            throw CommandRefusal(422, "unknown_upload", "No such upload: send the file with POST /v1/media first.")
        }
        // The name reaches patients' phones and agents' disks.
        let fileName = FileTypes.safeFileName(send.fileName, maxLength: 200)
        let media = MediaInfo(kind: FileTypes.kind(of: upload.mimeType), fileName: fileName.isEmpty ? "attachment" : fileName,
                              mimeType: upload.mimeType, size: upload.size, state: .stored)
        try self.send(body: send.caption, media: media, attachment: send.uploadId, key: key)
    }

    /// An agent's outbound message, queued for delivery. Sending to a conversation still with the bot or in the
    /// queue takes it over first.
    mutating func send(body: String, media: MediaInfo? = nil, template: TemplateDelivery? = nil,
                       attachment: String? = nil, key: String) throws(CommandRefusal) {
        if plan.conversation.status != .assigned || plan.conversation.assignedAgentId != actor.id {
            try transition(.takeOver(agentId: actor.id), logged: false)
        }
        let message = Message(id: 0, conversationId: plan.conversation.id, direction: .outbound, author: .agent,
                              agentId: actor.id, body: body, media: media, clientKey: key, status: .pending, createdAt: now)
        plan.messages.append(PlannedMessage(message: message, deliver: true, template: template, attachmentSha256: attachment))
        plan.conversation.lastMessageAt = now
        plan.conversation.lastMessagePreview = ConversationPreview.text(body: body, media: media)
        plan.conversation.version += 1
        plan.conversationChanged = true
    }
}

extension Conversation {
    /// Takes the hand-off fields of `state`.
    public mutating func apply(_ state: HandoffState) {
        status = state.status
        assignedAgentId = state.assignedAgentId
        handoffReason = state.handoffReason
        handoffSummary = state.handoffSummary
        waitingSince = state.waitingSince
    }
}

/// The queue shows one line per conversation: the start of the last message, or what its attachment is.
public enum ConversationPreview {
    public static func text(body: String, media: MediaInfo?) -> String {
        let text = body.isEmpty ? media.map { "[\($0.kind)] \($0.fileName ?? "")" } ?? "" : body
        return String(text.prefix(120))
    }
}
