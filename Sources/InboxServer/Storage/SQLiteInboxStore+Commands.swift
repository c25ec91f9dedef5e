import Foundation
import GRDB
import InboxModel
import InboxRecords

extension SQLiteInboxStore {
    /// Runs one agent command in one transaction together with its idempotency record, so a command either
    /// happened with its stored answer or did not happen at all.
    public func execute(_ command: Command, conversationId: Int64, by agent: AuthenticatedAgent, key: String,
                        requestHash: String) async throws -> StoredResponse {
        let now = clock()
        return try await write { db, touched in
            if let stored = try Row.fetchOne(db, sql: """
                SELECT request_hash, status, response FROM idempotency WHERE agent_id = ? AND key = ?
                """, arguments: [agent.agent.id, key]) {
                guard stored[0] as String == requestHash else {
                    return Self.errorResponse(422, ErrorBody(error: "idempotency_key_reused",
                        message: "This Idempotency-Key was already used for a different request."))
                }
                return StoredResponse(status: stored[1], body: Array(stored[2] as Data))
            }
            let response: StoredResponse
            // A savepoint: a refusal raised half-way leaves none of the command's writes behind its stored answer.
            var outcome: Result<CommandResult, CommandFailure> = .failure(.notFound())
            try db.inSavepoint {
                do {
                    outcome = .success(try CommandExecution(db: db, agent: agent, now: now)
                        .run(command, conversationId: conversationId, key: key))
                    return .commit
                } catch let failure as CommandFailure {
                    outcome = .failure(failure)
                    return .rollback
                }
            }
            switch outcome {
            case .success(let result):
                response = StoredResponse(status: 200, body: Array(try JSONEncoder().encode(result)))
                touched.insert(agent.clinicId)
            case .failure(let failure):
                response = Self.errorResponse(failure.status, failure.body)
            }
            try db.execute(sql: """
                INSERT INTO idempotency (agent_id, key, request_hash, status, response, created_at) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [agent.agent.id, key, requestHash, response.status, Data(response.body), now])
            return response
        }
    }

    static func errorResponse(_ status: Int, _ body: ErrorBody) -> StoredResponse {
        StoredResponse(status: status, body: Array((try? JSONEncoder().encode(body)) ?? Data()))
    }
}

/// A refusal with its HTTP status; stored and replayed like a success.
struct CommandFailure: Error {
    var status: Int
    var body: ErrorBody

    static func notFound() -> CommandFailure {
        CommandFailure(status: 404, body: ErrorBody(error: "not_found", message: "No such conversation."))
    }
}

/// One command inside its write transaction.
struct CommandExecution {
    let db: Database
    let agent: AuthenticatedAgent
    let now: Millis

    /// Free-form messages are allowed for 24 hours after the patient last wrote (WhatsApp's service window).
    static let serviceWindow: Millis = 24 * 3600 * 1000
    /// The strictest provider limit (Twilio: 1,600), so a reply accepted here is never refused for length later.
    static let maxReplyLength = 1600

    func run(_ command: Command, conversationId: Int64, key: String) throws -> CommandResult {
        var conversation = try load(conversationId)
        switch command {
        case .takeOver:
            try transition(&conversation, .takeOver(agentId: agent.agent.id))
        case .handBack:
            try transition(&conversation, .handBack)
        case .close:
            try transition(&conversation, .close)
        case .reopen:
            try requireNoNewerConversation(conversation)
            try transition(&conversation, .reopen(agentId: agent.agent.id))
        case .transfer(let target):
            // A revoked agent could never answer the patient.
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM agents WHERE id = ? AND clinic_id = ? AND active = 1",
                                    arguments: [target, agent.clinicId]) == true else {
                throw CommandFailure(status: 422, body: ErrorBody(error: "unknown_agent", message: "No such active agent in this clinic."))
            }
            try transition(&conversation, .transfer(toAgentId: target))
        case .markRead(let messageId):
            try markRead(conversationId: conversation.id, messageId: messageId)
            return CommandResult(conversation: conversation)
        case .reply(let body):
            return try reply(&conversation, body: body, key: key)
        case .sendTemplate(let send):
            return try sendTemplate(&conversation, send, key: key)
        case .sendMedia(let send):
            return try sendMedia(&conversation, send, key: key)
        }
        return CommandResult(conversation: conversation)
    }

    private func load(_ id: Int64) throws -> Conversation {
        let sql = "SELECT \(Columns.list(Columns.conversation)) FROM conversations WHERE id = ? AND clinic_id = ?"
        guard let row = try Row.fetchOne(db, sql: sql, arguments: [id, agent.clinicId]) else { throw CommandFailure.notFound() }
        return Conversation(row: row)
    }

    /// Applies the state machine and writes the result with compare-and-set on `version`.
    func transition(_ conversation: inout Conversation, _ event: ConversationEvent) throws {
        let before = HandoffState(conversation)
        let next: HandoffState
        do {
            next = try before.applying(event, by: agent.agent.id, actorIsAdmin: agent.agent.role == .admin)
        } catch {
            throw try failure(for: error, conversation)
        }
        guard next != before else { return }
        conversation.status = next.status
        conversation.assignedAgentId = next.assignedAgentId
        conversation.handoffReason = next.handoffReason
        conversation.handoffSummary = next.handoffSummary
        conversation.waitingSince = next.waitingSince
        // Under SQLite's single writer the compare-and-set always holds; a multi-writer database relies on it.
        guard try SQLiteInboxStore.saveConversation(db, clinicId: agent.clinicId, &conversation) else {
            throw CommandFailure(status: 409, body: ErrorBody(error: "conflict", message: "The conversation changed; try again."))
        }
        try noteTeamChange(conversation, from: before, event: event)
    }

    func failure(for error: TransitionError, _ conversation: Conversation) throws -> CommandFailure {
        switch error {
        case .heldBy(let holderId):
            let holder = try Row.fetchOne(db, sql: "SELECT id, name, role FROM agents WHERE id = ?", arguments: [holderId])
                .map { Agent(row: $0) }
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
    private func markRead(conversationId: Int64, messageId: Int64) throws {
        try db.execute(sql: """
            INSERT INTO read_horizons (clinic_id, agent_id, conversation_id, message_id) VALUES (?, ?, ?, ?)
            ON CONFLICT(agent_id, conversation_id) DO UPDATE SET message_id = max(message_id, excluded.message_id)
            """, arguments: [agent.clinicId, agent.agent.id, conversationId, messageId])
        let id = try Int64.fetchOne(db, sql: "SELECT id FROM read_horizons WHERE agent_id = ? AND conversation_id = ?",
                                    arguments: [agent.agent.id, conversationId]) ?? 0
        try SQLiteInboxStore.recordChange(db, clinicId: agent.clinicId, kind: .read, id: id)
    }
}
