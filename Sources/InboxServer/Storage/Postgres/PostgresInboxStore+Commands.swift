import Foundation
import InboxModel
import InboxRecords
import PostgresNIO

/// Agent commands, as `SQLiteInboxStore+Commands`: one transaction with the idempotency record, so a command either
/// happened with its stored answer or not at all; a replay gets the stored bytes, a reused key with another body 422.
///
/// Two instances may run commands on one conversation at once (a take-over race across instances). The command
/// reads the conversation `FOR UPDATE`, so the second waits for the first to commit and then decides on the row the
/// first wrote: the loser gets the same "X has taken this conversation" answer it would get on SQLite. The
/// idempotency row is locked by key first (an advisory lock), so a client retrying on another instance while the
/// first try still runs waits for that answer instead of running the command twice.
extension PostgresInboxStore {
    public func execute(_ command: Command, conversationId: Int64, by agent: AuthenticatedAgent, key: String,
                        requestHash: String) async throws -> StoredResponse {
        let now = clock()
        let lock = Self.idempotencyLock(agentId: agent.agent.id, key: key)
        return try await write { db in
            try await db.execute("SELECT pg_advisory_xact_lock(\(lock))")
            if let stored = try await db.row("""
                SELECT request_hash, status, response FROM idempotency WHERE agent_id = \(agent.agent.id) AND key = \(key)
                """) {
                guard try stored.string(0) == requestHash else {
                    return SQLiteInboxStore.errorResponse(422, ErrorBody(error: "idempotency_key_reused",
                        message: "This Idempotency-Key was already used for a different request."))
                }
                return StoredResponse(status: Int(try stored.int(1)), body: Array(try stored.data(2)))
            }
            // A savepoint: a refusal raised half-way leaves none of the command's writes behind its stored answer.
            try await db.execute("SAVEPOINT command")
            let mark = db.mark()
            let response: StoredResponse
            do {
                let result = try await PostgresCommandExecution(db: db, agent: agent, now: now)
                    .run(command, conversationId: conversationId, key: key)
                try await db.execute("RELEASE SAVEPOINT command")
                response = StoredResponse(status: 200, body: Array(try JSONEncoder().encode(result)))
                db.touch(agent.clinicId)
            } catch let failure as CommandFailure {
                try await db.execute("ROLLBACK TO SAVEPOINT command")
                db.rollBack(to: mark)
                response = SQLiteInboxStore.errorResponse(failure.status, failure.body)
            }
            try await db.execute("""
                INSERT INTO idempotency (agent_id, key, request_hash, status, response, created_at)
                VALUES (\(agent.agent.id), \(key), \(requestHash), \(Int64(response.status)), \(Data(response.body)), \(now))
                """)
            return response
        }
    }

    static func idempotencyLock(agentId: Int64, key: String) -> Int64 {
        let digest = SQLiteInboxStore.sha256Hex(Data("idempotency \(agentId) \(key)".utf8))
        return Int64(bitPattern: UInt64(digest.prefix(16), radix: 16) ?? 0)
    }
}

/// One command inside its write transaction (`CommandExecution` for PostgreSQL).
struct PostgresCommandExecution {
    let db: PostgresWrite
    let agent: AuthenticatedAgent
    let now: Millis

    func run(_ command: Command, conversationId: Int64, key: String) async throws -> CommandResult {
        var conversation = try await load(conversationId)
        switch command {
        case .takeOver:
            try await transition(&conversation, .takeOver(agentId: agent.agent.id))
        case .handBack:
            try await transition(&conversation, .handBack)
        case .close:
            try await transition(&conversation, .close)
        case .reopen:
            try await requireNoNewerConversation(conversation)
            try await transition(&conversation, .reopen(agentId: agent.agent.id))
        case .transfer(let target):
            // A revoked agent could never answer the patient.
            guard try await db.exists("""
                SELECT 1 FROM agents WHERE id = \(target) AND clinic_id = \(agent.clinicId) AND active
                """) else {
                throw CommandFailure(status: 422, body: ErrorBody(error: "unknown_agent", message: "No such active agent in this clinic."))
            }
            try await transition(&conversation, .transfer(toAgentId: target))
        case .markRead(let messageId):
            try await markRead(conversationId: conversation.id, messageId: messageId)
            return CommandResult(conversation: conversation)
        case .reply(let body):
            return try await reply(&conversation, body: body, key: key)
        case .sendTemplate(let send):
            return try await sendTemplate(&conversation, send, key: key)
        case .sendMedia(let send):
            return try await sendMedia(&conversation, send, key: key)
        }
        return CommandResult(conversation: conversation)
    }

    /// Locked until commit: a concurrent command on this conversation (any instance) decides after this one.
    private func load(_ id: Int64) async throws -> Conversation {
        guard let conversation = try await PostgresInboxStore.loadConversation(db, id: id, clinicId: agent.clinicId) else {
            throw CommandFailure.notFound()
        }
        return conversation
    }

    /// Applies the state machine and writes the result with compare-and-set on `version`.
    func transition(_ conversation: inout Conversation, _ event: ConversationEvent) async throws {
        let before = HandoffState(conversation)
        let next: HandoffState
        do {
            next = try before.applying(event, by: agent.agent.id, actorIsAdmin: agent.agent.role == .admin)
        } catch {
            throw try await failure(for: error, conversation)
        }
        guard next != before else { return }
        conversation.status = next.status
        conversation.assignedAgentId = next.assignedAgentId
        conversation.handoffReason = next.handoffReason
        conversation.handoffSummary = next.handoffSummary
        conversation.waitingSince = next.waitingSince
        guard try await PostgresInboxStore.saveConversation(db, clinicId: agent.clinicId, &conversation) else {
            throw CommandFailure(status: 409, body: ErrorBody(error: "conflict", message: "The conversation changed; try again."))
        }
        try await noteTeamChange(conversation, from: before, event: event)
    }

    func failure(for error: TransitionError, _ conversation: Conversation) async throws -> CommandFailure {
        switch error {
        case .heldBy(let holderId):
            let holder = try await db.row("SELECT id, name, role, active FROM agents WHERE id = \(holderId)")
                .map { try PGDecode.agent($0) }
                .map { Agent(id: $0.id, name: $0.name, role: $0.role) }
            let name = holder?.name ?? "another agent"
            return CommandFailure(status: 409, body: ErrorBody(error: "conflict", message: "\(name) has taken this conversation.",
                                                               holder: holder))
        case .closed:
            return CommandFailure(status: 422, body: ErrorBody(error: "conversation_closed", message: "This conversation is closed."))
        case .invalid(let reason):
            return CommandFailure(status: 422, body: ErrorBody(error: "invalid_transition", message: reason))
        }
    }

    /// Horizons only move forward: a late "read up to 10" never undoes "read up to 12".
    private func markRead(conversationId: Int64, messageId: Int64) async throws {
        guard let id = try await db.int("""
            INSERT INTO read_horizons (clinic_id, agent_id, conversation_id, message_id)
            VALUES (\(agent.clinicId), \(agent.agent.id), \(conversationId), \(messageId))
            ON CONFLICT (agent_id, conversation_id) DO UPDATE
                SET message_id = GREATEST(read_horizons.message_id, EXCLUDED.message_id)
            RETURNING id
            """) else { return }
        db.recordChange(clinicId: agent.clinicId, kind: .read, id: id)
    }

    // MARK: Team notes

    /// What the team sees when a conversation changes hands in a way its holder did not choose
    /// (`CommandExecution.noteTeamChange`).
    func noteTeamChange(_ conversation: Conversation, from before: HandoffState, event: ConversationEvent) async throws {
        let me = agent.agent
        var text: String?
        if case .reopen = event {
            text = "\(me.name) reopened this conversation"
        } else if before.status == .assigned, let holder = before.assignedAgentId, holder != me.id {
            let actor = "\(me.name) (admin)"
            let holderName = try await agentName(holder)
            switch event {
            case .takeOver: text = "\(actor) took this conversation from \(holderName)"
            case .transfer(let target):
                text = "\(actor) transferred this conversation from \(holderName) to \(try await agentName(target))"
            case .handBack: text = "\(actor) handed this conversation back to the AI (it was with \(holderName))"
            case .close: text = "\(actor) closed this conversation (it was with \(holderName))"
            case .handOff, .patientWrote, .reopen: break
            }
        }
        guard let text else { return }
        let note = Message(id: 0, conversationId: conversation.id, direction: .outbound, author: .system, body: text,
                           status: .delivered, createdAt: now)
        _ = try await PostgresInboxStore.insertMessage(db, clinicId: agent.clinicId, note)
    }

    /// A closed conversation cannot come back while the patient's newer one on that number is open.
    func requireNoNewerConversation(_ conversation: Conversation) async throws {
        guard conversation.status == .closed else { return }
        if let newer = try await db.int("""
            SELECT id FROM conversations WHERE clinic_id = \(agent.clinicId) AND patient_id = \(conversation.patientId)
              AND clinic_number = \(conversation.clinicNumber) AND status <> 'closed'
            """) {
            throw CommandFailure(status: 409, body: ErrorBody(error: "newer_conversation",
                message: "The patient has a newer open conversation (#\(newer)); answer there."))
        }
    }

    private func agentName(_ id: Int64) async throws -> String {
        try await db.row("SELECT name FROM agents WHERE id = \(id) AND clinic_id = \(agent.clinicId)")?.string(0) ?? "a colleague"
    }
}
