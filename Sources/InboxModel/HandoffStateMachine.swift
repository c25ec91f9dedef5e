/// What may happen to a conversation, decided without I/O. The server owns the state; clients only ask.
public enum ConversationEvent: Sendable, Equatable {
    /// The bot or the clinic's AI asks for a human.
    case handOff(reason: String, summary: String?, at: Millis)
    /// An agent takes the conversation (from the bot, the queue, or as a transfer target).
    case takeOver(agentId: Int64)
    case handBack
    case close
    case transfer(toAgentId: Int64)
    /// An agent reopens a closed conversation and holds it (then the normal reply rules apply).
    case reopen(agentId: Int64)
    /// The patient wrote again.
    case patientWrote(at: Millis)
}

public enum TransitionError: Error, Sendable, Equatable {
    /// Another agent holds the conversation.
    case heldBy(agentId: Int64)
    case closed
    case invalid(String)
}

extension TransitionError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .heldBy(let agentId): "conversation is held by agent \(agentId)"
        case .closed: "conversation is closed"
        case .invalid(let reason): reason
        }
    }
}

/// The handoff state of one conversation: the parts of `Conversation` the state machine reads and writes.
public struct HandoffState: Sendable, Equatable {
    public var status: ConversationStatus
    public var assignedAgentId: Int64?
    public var handoffReason: String?
    public var handoffSummary: String?
    public var waitingSince: Millis?

    public init(status: ConversationStatus, assignedAgentId: Int64? = nil, handoffReason: String? = nil,
                handoffSummary: String? = nil, waitingSince: Millis? = nil) {
        self.status = status
        self.assignedAgentId = assignedAgentId
        self.handoffReason = handoffReason
        self.handoffSummary = handoffSummary
        self.waitingSince = waitingSince
    }

    public init(_ conversation: Conversation) {
        self.init(status: conversation.status, assignedAgentId: conversation.assignedAgentId,
                  handoffReason: conversation.handoffReason, handoffSummary: conversation.handoffSummary,
                  waitingSince: conversation.waitingSince)
    }

    /// The state after `event` done by `actor` (an agent id, or nil for the bot/system). An admin may act on a
    /// conversation a colleague holds (take it over, transfer, hand back, close); an agent may not.
    public func applying(_ event: ConversationEvent, by actor: Int64? = nil,
                         actorIsAdmin: Bool = false) throws(TransitionError) -> HandoffState {
        var next = self
        switch (status, event) {
        case (.closed, .patientWrote):
            throw .invalid("a closed conversation is not reopened; the patient's next message opens a new one")
        case (.closed, .reopen(let agent)):
            next = HandoffState(status: .assigned, assignedAgentId: agent, handoffReason: handoffReason,
                                handoffSummary: handoffSummary)
        case (.closed, _):
            throw .closed
        case (.assigned, .reopen(let agent)) where assignedAgentId == agent:
            return next  // reopened twice: harmless
        case (_, .reopen):
            throw .invalid("this conversation is not closed")
        case (_, .patientWrote):
            return next
        case (.bot, .handOff(let reason, let summary, let at)):
            next.status = .waiting
            next.handoffReason = reason
            next.handoffSummary = summary
            next.waitingSince = at
        case (.waiting, .handOff), (.assigned, .handOff):
            return next  // already with humans: a repeated hand-off changes nothing
        case (.bot, .takeOver(let agent)), (.waiting, .takeOver(let agent)):
            next.status = .assigned
            next.assignedAgentId = agent
        case (.assigned, .takeOver(let agent)):
            guard assignedAgentId != agent else { return next }
            guard actorIsAdmin, actor == agent else { throw .heldBy(agentId: assignedAgentId ?? 0) }
            next.assignedAgentId = agent
        case (.assigned, .handBack):
            try requireHolder(actor, actorIsAdmin)
            next = HandoffState(status: .bot)
        case (.bot, .handBack), (.waiting, .handBack):
            next = HandoffState(status: .bot)
        case (_, .close):
            if status == .assigned { try requireHolder(actor, actorIsAdmin) }
            next = HandoffState(status: .closed, handoffReason: handoffReason, handoffSummary: handoffSummary)
        case (.assigned, .transfer(let target)):
            try requireHolder(actor, actorIsAdmin)
            next.assignedAgentId = target
        case (.bot, .transfer(let target)), (.waiting, .transfer(let target)):
            next.status = .assigned
            next.assignedAgentId = target
        }
        return next
    }

    private func requireHolder(_ actor: Int64?, _ actorIsAdmin: Bool) throws(TransitionError) {
        guard let actor, !actorIsAdmin, let holder = assignedAgentId, actor != holder else { return }
        throw .heldBy(agentId: holder)
    }
}
