import Foundation
import GRDB
import InboxModel
import InboxRecords

extension SQLiteInboxStore {
    /// Runs one agent command in one transaction together with its idempotency record, so a command either
    /// happened with its stored answer or did not happen at all. The rules decide (`CommandRules`); this only
    /// reads what they ask for and writes what they planned.
    public func execute(_ command: Command, conversationId: Int64, by agent: AuthenticatedAgent, key: String,
                        requestHash: String) async throws -> StoredResponse {
        let now = clock()
        return try await write { db, touched in
            if let stored = try Row.fetchOne(db, sql: """
                SELECT request_hash, status, response FROM idempotency WHERE agent_id = ? AND key = ?
                """, arguments: [agent.agent.id, key]) {
                guard stored[0] as String == requestHash else { return StoredResponse.idempotencyKeyReused }
                return StoredResponse(status: stored[1], body: Array(stored[2] as Data))
            }
            let response: StoredResponse
            // A savepoint: a refusal raised half-way leaves none of the command's writes behind its stored answer.
            var outcome: Result<CommandResult, CommandRefusal> = .failure(.notFound)
            try db.inSavepoint {
                do {
                    outcome = .success(try Self.run(db, command, conversationId: conversationId, by: agent, key: key, now: now))
                    return .commit
                } catch let refusal as CommandRefusal {
                    outcome = .failure(refusal)
                    return .rollback
                }
            }
            switch outcome {
            case .success(let result):
                response = StoredResponse(status: 200, body: Array(try JSONEncoder().encode(result)))
                touched.insert(agent.clinicId)
            case .failure(let refusal):
                response = StoredResponse(refusal)
            }
            try db.execute(sql: """
                INSERT INTO idempotency (agent_id, key, request_hash, status, response, created_at) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [agent.agent.id, key, requestHash, response.status, Data(response.body), now])
            return response
        }
    }

    private static func run(_ db: Database, _ command: Command, conversationId: Int64, by agent: AuthenticatedAgent,
                            key: String, now: Millis) throws -> CommandResult {
        let sql = "SELECT \(Columns.list(Columns.conversation)) FROM conversations WHERE id = ? AND clinic_id = ?"
        guard let row = try Row.fetchOne(db, sql: sql, arguments: [conversationId, agent.clinicId]) else {
            throw CommandRefusal.notFound
        }
        var facts = CommandFacts(conversation: Conversation(row: row))
        for fact in CommandRules.needs(command, conversation: facts.conversation) {
            try read(fact, into: &facts, db, clinicId: agent.clinicId, now: now)
        }
        let plan = try CommandRules.plan(command, facts: facts, by: agent.agent, key: key, now: now)
        return try store(plan, db, clinicId: agent.clinicId, agentId: agent.agent.id)
    }

    private static func read(_ fact: CommandFact, into facts: inout CommandFacts, _ db: Database, clinicId: Int64,
                             now: Millis) throws {
        let conversation = facts.conversation
        switch fact {
        case .agent(let id):
            facts.agents[id] = try Row.fetchOne(db, sql: "SELECT id, name, role, active FROM agents WHERE id = ? AND clinic_id = ?",
                                                arguments: [id, clinicId]).map { Agent(row: $0) }
        case .newerOpenConversation:
            facts.newerOpenConversationId = try Int64.fetchOne(db, sql: """
                SELECT id FROM conversations WHERE clinic_id = ? AND patient_id = ? AND clinic_number = ? AND status <> 'closed'
                """, arguments: [clinicId, conversation.patientId, conversation.clinicNumber])
        case .template(let name, let language):
            facts.template = try Row.fetchOne(db, sql: """
                SELECT body, category, twilio_content_sid FROM templates WHERE clinic_id = ? AND name = ? AND language = ?
                """, arguments: [clinicId, name, language]).map {
                StoredTemplate(body: $0[0], category: TemplateCategory(rawValue: $0[1]) ?? .utility, twilioContentSid: $0[2])
            }
        case .upload(let id):
            facts.upload = try Row.fetchOne(db, sql: "SELECT mime_type, size FROM uploads WHERE clinic_id = ? AND sha256 = ?",
                                            arguments: [clinicId, id]).map { StoredUpload(mimeType: $0[0], size: $0[1]) }
        case .patientOptedOut:
            facts.patientOptedOut = try Bool.fetchOne(db, sql: "SELECT opted_out FROM patients WHERE id = ?",
                                                      arguments: [conversation.patientId]) ?? false
        case .marketingSends:
            try readMarketingSends(into: &facts, db, clinicId: clinicId, now: now)
        case .patient:
            facts.patient = try Row.fetchOne(db, sql: "SELECT \(Columns.list(Columns.patient)) FROM patients WHERE id = ? AND clinic_id = ?",
                                             arguments: [conversation.patientId, clinicId]).map { Patient(row: $0) }
        }
    }

    /// Writes a command's plan: the conversation (compare-and-set on the version read), its messages with their
    /// deliveries, a read horizon.
    private static func store(_ plan: CommandPlan, _ db: Database, clinicId: Int64, agentId: Int64) throws -> CommandResult {
        if plan.conversationChanged {
            // Under SQLite's single writer the compare-and-set always holds; a multi-writer database relies on it.
            var conversation = plan.conversation
            guard try saveConversation(db, clinicId: clinicId, &conversation, expectedVersion: plan.expectedVersion) else {
                throw CommandRefusal.changed
            }
        }
        if let patient = plan.patient {
            try saveProfile(db, clinicId: clinicId, patient, expectedVersion: plan.expectedPatientVersion ?? patient.version)
        }
        var outboundId: Int64?
        for planned in plan.messages {
            let id = try insertMessage(db, clinicId: clinicId, planned.message)
            if let template = planned.template {
                try db.execute(sql: "UPDATE messages SET template = ? WHERE id = ?",
                               arguments: [String(decoding: try JSONEncoder().encode(template), as: UTF8.self), id])
            }
            if planned.marketing {
                try recordMarketingSend(db, messageId: id, clinicId: clinicId, patientId: plan.conversation.patientId,
                                        at: planned.message.createdAt)
            }
            if planned.isAnswer { outboundId = id }  // what it sends, or the note it writes
            guard planned.deliver else { continue }
            try db.execute(sql: "INSERT INTO deliveries (message_id, clinic_id, next_attempt_at) VALUES (?, ?, ?)",
                           arguments: [id, clinicId, planned.message.createdAt])
            if let sha256 = planned.attachmentSha256, let media = planned.message.media {
                try db.execute(sql: """
                    INSERT INTO media (message_id, clinic_id, provider, state, sha256, mime_type, size, next_attempt_at)
                    VALUES (?, ?, ?, 'stored', ?, ?, ?, 0)
                    """, arguments: [id, clinicId, plan.conversation.provider.rawValue, sha256, media.mimeType, media.size])
            }
        }
        if let messageId = plan.readUpTo {
            // Horizons only move forward: a late "read up to 10" never undoes "read up to 12".
            try db.execute(sql: """
                INSERT INTO read_horizons (clinic_id, agent_id, conversation_id, message_id) VALUES (?, ?, ?, ?)
                ON CONFLICT(agent_id, conversation_id) DO UPDATE SET message_id = max(message_id, excluded.message_id)
                """, arguments: [clinicId, agentId, plan.conversation.id, messageId])
            let id = try Int64.fetchOne(db, sql: "SELECT id FROM read_horizons WHERE agent_id = ? AND conversation_id = ?",
                                        arguments: [agentId, plan.conversation.id]) ?? 0
            try recordChange(db, clinicId: clinicId, kind: .read, id: id)
        }
        return plan.result(outboundMessageId: outboundId)
    }
}

extension StoredResponse {
    init(_ refusal: CommandRefusal) {
        self.init(status: refusal.status, body: Array((try? JSONEncoder().encode(refusal.body)) ?? Data()))
    }

    static let idempotencyKeyReused = StoredResponse(CommandRefusal(status: 422, body: ErrorBody(
        error: "idempotency_key_reused", message: "This Idempotency-Key was already used for a different request.")))
}
