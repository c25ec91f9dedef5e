import Foundation
import InboxModel
import InboxRecords
import PostgresNIO

/// Agent commands: one transaction with the idempotency record, so a command either happened with its stored
/// answer or not at all; a replay gets the stored bytes, a reused key with another body 422. The rules decide
/// (`CommandRules`); this reads the facts they ask for and writes what they planned, as the SQLite adapter does.
///
/// Two instances may run commands on one conversation at once (a take-over race across instances). The command
/// reads the conversation `FOR UPDATE`, so the second waits for the first to commit and then decides on the row
/// the first wrote: the loser gets the same "X has taken this conversation" answer it would get on SQLite. The
/// key is locked first (an advisory lock), so a client retrying on another instance while the first try still runs
/// waits for that answer instead of running the command twice.
extension PostgresInboxStore {
    public func execute(_ command: Command, conversationId: Int64, by agent: AuthenticatedAgent, key: String,
                        requestHash: String) async throws -> StoredResponse {
        let now = clock()
        let lock = Self.advisoryKey("idempotency \(agent.agent.id) \(key)")
        return try await write { db in
            try await db.execute("SELECT pg_advisory_xact_lock(\(lock))")
            if let stored = try await db.row("""
                SELECT request_hash, status, response FROM idempotency WHERE agent_id = \(agent.agent.id) AND key = \(key)
                """) {
                guard try stored.string(0) == requestHash else { return StoredResponse.idempotencyKeyReused }
                return StoredResponse(status: Int(try stored.int(1)), body: Array(try stored.data(2)))
            }
            // A savepoint: a refusal raised half-way leaves none of the command's writes behind its stored answer.
            try await db.execute("SAVEPOINT command")
            let mark = db.mark()
            let response: StoredResponse
            do {
                let result = try await Self.run(db, command, conversationId: conversationId, by: agent, key: key, now: now)
                try await db.execute("RELEASE SAVEPOINT command")
                response = StoredResponse(status: 200, body: Array(try JSONEncoder().encode(result)))
                db.touch(agent.clinicId)
            } catch let refusal as CommandRefusal {
                try await db.execute("ROLLBACK TO SAVEPOINT command")
                db.rollBack(to: mark)
                response = StoredResponse(refusal)
            }
            try await db.execute("""
                INSERT INTO idempotency (agent_id, key, request_hash, status, response, created_at)
                VALUES (\(agent.agent.id), \(key), \(requestHash), \(Int64(response.status)), \(Data(response.body)), \(now))
                """)
            return response
        }
    }

    /// A 64-bit advisory lock key for `name` (a collision only makes two unrelated writers queue).
    static func advisoryKey(_ name: String) -> Int64 {
        Int64(bitPattern: UInt64(Hashing.sha256Hex(Data(name.utf8)).prefix(16), radix: 16) ?? 0)
    }

    private static func run(_ db: PostgresWrite, _ command: Command, conversationId: Int64, by agent: AuthenticatedAgent,
                            key: String, now: Millis) async throws -> CommandResult {
        // Locked until commit: a concurrent command on this conversation (any instance) decides after this one.
        guard let conversation = try await loadConversation(db, id: conversationId, clinicId: agent.clinicId) else {
            throw CommandRefusal.notFound
        }
        var facts = CommandFacts(conversation: conversation)
        for fact in CommandRules.needs(command, conversation: conversation) {
            try await read(fact, into: &facts, db, clinicId: agent.clinicId, now: now)
        }
        let plan = try CommandRules.plan(command, facts: facts, by: agent.agent, key: key, now: now)
        return try await store(plan, db, clinicId: agent.clinicId, agentId: agent.agent.id)
    }

    private static func read(_ fact: CommandFact, into facts: inout CommandFacts, _ db: PostgresWrite, clinicId: Int64,
                             now: Millis) async throws {
        let conversation = facts.conversation
        switch fact {
        case .agent(let id):
            facts.agents[id] = try await db.row("""
                SELECT id, name, role, active FROM agents WHERE id = \(id) AND clinic_id = \(clinicId)
                """).map { try PGDecode.agent($0) }
        case .newerOpenConversation:
            facts.newerOpenConversationId = try await db.int("""
                SELECT id FROM conversations WHERE clinic_id = \(clinicId) AND patient_id = \(conversation.patientId)
                  AND clinic_number = \(conversation.clinicNumber) AND status <> 'closed'
                """)
        case .template(let name, let language):
            facts.template = try await db.row("""
                SELECT body, category, twilio_content_sid FROM templates
                WHERE clinic_id = \(clinicId) AND name = \(name.withoutNUL) AND language = \(language.withoutNUL)
                """).map {
                StoredTemplate(body: try $0.string(0), category: TemplateCategory(rawValue: try $0.string(1)) ?? .utility,
                               twilioContentSid: try $0.optionalString(2))
            }
        case .upload(let id):
            facts.upload = try await db.row("""
                SELECT mime_type, size FROM uploads WHERE clinic_id = \(clinicId) AND sha256 = \(id.withoutNUL)
                """).map { StoredUpload(mimeType: try $0.string(0), size: try $0.int(1)) }
        case .patientOptedOut:
            facts.patientOptedOut = try await db.row("SELECT opted_out FROM patients WHERE id = \(conversation.patientId)")?
                .bool(0) ?? false
        case .marketingSends:
            try await readMarketingSends(into: &facts, db, clinicId: clinicId, now: now)
        case .patient:
            // Locked until commit: a concurrent edit on another instance decides on the row this one saves.
            facts.patient = try await db.row("""
                SELECT \(unescaped: Columns.list(Columns.patient)) FROM patients
                WHERE id = \(conversation.patientId) AND clinic_id = \(clinicId) FOR UPDATE
                """).map { try PGDecode.patient($0) }
        }
    }

    /// Writes a command's plan: the conversation (compare-and-set on the version read), its messages with their
    /// deliveries, a read horizon.
    private static func store(_ plan: CommandPlan, _ db: PostgresWrite, clinicId: Int64, agentId: Int64) async throws -> CommandResult {
        if plan.conversationChanged {
            var conversation = plan.conversation
            guard try await saveConversation(db, clinicId: clinicId, &conversation, expectedVersion: plan.expectedVersion) else {
                throw CommandRefusal.changed
            }
        }
        if let patient = plan.patient {
            try await saveProfile(db, clinicId: clinicId, patient, expectedVersion: plan.expectedPatientVersion ?? patient.version)
        }
        var outboundId: Int64?
        for planned in plan.messages {
            let template = try planned.template.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
            let id = try await insertMessage(db, clinicId: clinicId, planned.message, template: template)
            if planned.marketing {
                try await recordMarketingSend(db, messageId: id, clinicId: clinicId, patientId: plan.conversation.patientId,
                                              at: planned.message.createdAt)
            }
            if planned.isAnswer { outboundId = id }  // what it sends, or the note it writes
            guard planned.deliver else { continue }
            try await db.execute("""
                INSERT INTO deliveries (message_id, clinic_id, next_attempt_at)
                VALUES (\(id), \(clinicId), \(planned.message.createdAt))
                """)
            if let sha256 = planned.attachmentSha256, let media = planned.message.media {
                try await db.execute("""
                    INSERT INTO media (message_id, clinic_id, provider, state, sha256, mime_type, size, next_attempt_at)
                    VALUES (\(id), \(clinicId), \(plan.conversation.provider.rawValue), 'stored', \(sha256),
                            \(media.mimeType), \(media.size), 0)
                    """)
            }
        }
        if let messageId = plan.readUpTo {
            // Horizons only move forward: a late "read up to 10" never undoes "read up to 12".
            if let id = try await db.int("""
                INSERT INTO read_horizons (clinic_id, agent_id, conversation_id, message_id)
                VALUES (\(clinicId), \(agentId), \(plan.conversation.id), \(messageId))
                ON CONFLICT (agent_id, conversation_id) DO UPDATE
                    SET message_id = GREATEST(read_horizons.message_id, EXCLUDED.message_id)
                RETURNING id
                """) {
                db.recordChange(clinicId: clinicId, kind: .read, id: id)
            }
        }
        return plan.result(outboundMessageId: outboundId)
    }
}
