import Foundation
import InboxModel
import InboxRecords
import PostgresNIO

/// Provider batches in, as `SQLiteInboxStore+Ingest`: one transaction and one wake-up per batch, every message
/// stamped with the store's clock.
///
/// Several instances may receive webhooks about one patient at once (Meta retries a webhook while the first try is
/// still being answered; two messages from one patient reach two instances). Each batch first takes transaction
/// advisory locks on its patients (clinic number and channel identity), in key order so two batches cannot wait on
/// each other: the duplicate check, the patient and the open conversation are then read and written by one
/// transaction at a time, exactly as SQLite's single writer would.
extension PostgresInboxStore {
    public func ingest(_ batch: [InboundMessage]) async throws -> [IngestOutcome] {
        guard !batch.isEmpty else { return [] }
        let botAnswers = self.botAnswers
        let optOutWords = self.optOutWords
        let now = clock()
        let locks = Set(batch.map { Self.patientLock(clinicNumber: $0.clinicNumber, channelIdentity: $0.channelIdentity) })
            .sorted()
        return try await write { db in
            try await db.execute("""
                SELECT pg_advisory_xact_lock(k) FROM (SELECT unnest(\(locks)::int8[]) AS k ORDER BY 1) AS ordered
                """)
            // One look-up for the whole batch (Meta sends up to a thousand updates per POST), kept up to date as
            // the batch stores its own messages, so an id twice in one batch is stored once.
            let ids = batch.map { $0.providerMessageId.withoutNUL }
            var stored = Set(try await db.rows("""
                SELECT provider_message_id FROM messages WHERE provider_message_id = ANY(\(ids)::text[])
                """).map { try $0.text(0) })
            var clinics: [String: Int64] = [:]
            for row in try await db.rows("""
                SELECT number, clinic_id FROM numbers WHERE number = ANY(\(Array(Set(batch.map(\.clinicNumber))))::text[])
                """) {
                clinics[try row.string(0)] = try row.int(1)
            }
            var outcomes: [IngestOutcome?] = []
            var accepted: [(clinicId: Int64, inbound: InboundMessage)] = []
            for inbound in batch {
                var inbound = inbound
                inbound.receivedAt = now
                guard let clinicId = clinics[inbound.clinicNumber] else {
                    outcomes.append(.unknownNumber)
                    continue
                }
                guard stored.insert(inbound.providerMessageId.withoutNUL).inserted else {
                    outcomes.append(.duplicate)
                    continue
                }
                outcomes.append(nil)
                accepted.append((clinicId, inbound))
            }
            var results: [IngestOutcome] = []
            if accepted.contains(where: { $0.inbound.isSystemNotice && $0.inbound.newPhone != nil }) {
                // A number change moves a patient's identity between two of the batch's messages: one at a time.
                for (clinicId, inbound) in accepted {
                    results.append(try await Self.ingestOne(db, clinicId: clinicId, inbound, botAnswers: botAnswers,
                                                            optOutWords: optOutWords))
                }
            } else {
                results = try await Self.ingestTogether(db, accepted, botAnswers: botAnswers, optOutWords: optOutWords)
            }
            var next = results.makeIterator()
            return outcomes.map { $0 ?? next.next()! }
        }
    }

    /// The patient's advisory lock: one clinic number and channel identity.
    static func patientLock(clinicNumber: String, channelIdentity: String) -> Int64 {
        advisoryKey("patient \(clinicNumber)\u{1F}\(channelIdentity)")
    }

    /// One message, read and written row by row: the path of a batch with a number-change notice.
    static func ingestOne(_ db: PostgresWrite, clinicId: Int64, _ inbound: InboundMessage, botAnswers: Bool,
                          optOutWords: Set<String>) async throws -> IngestOutcome {
        let providerMessageId = inbound.providerMessageId.withoutNUL

        let patientId = try await upsertPatient(db, clinicId: clinicId, inbound: inbound)
        let text = InboundText(body: inbound.body, receivedAt: inbound.receivedAt, providerTime: inbound.providerTime,
                               isSystemNotice: inbound.isSystemNotice)
        if let optOut = IngestRules.optOutChange(text, optOutWords: optOutWords), try await db.exists("""
            UPDATE patients SET opted_out = \(optOut), updated_at = \(inbound.receivedAt)
            WHERE id = \(patientId) AND opted_out <> \(optOut) RETURNING id
            """) {
            db.recordChange(clinicId: clinicId, kind: .patient, id: patientId)
        }
        var conversation = try await openConversation(db, clinicId: clinicId, patientId: patientId, inbound: inbound,
                                                      botAnswers: botAnswers)
        let media = IngestRules.storedMedia(inbound.media)
        let message = Message(id: 0, conversationId: conversation.id, direction: .inbound,
                              author: inbound.isSystemNotice ? .system : .patient,
                              body: inbound.body, media: media, providerMessageId: providerMessageId,
                              status: .delivered, createdAt: inbound.receivedAt, providerTime: inbound.providerTime,
                              replyId: inbound.replyId?.withoutNUL)
        let messageId = try await insertMessage(db, clinicId: clinicId, message)
        if media?.state == .pending {
            // Fetched promptly by the media fetcher: provider links expire (Meta's within minutes).
            try await db.execute("""
                INSERT INTO media (message_id, clinic_id, provider, source, state, mime_type, next_attempt_at)
                VALUES (\(messageId), \(clinicId), \(inbound.provider.rawValue), \(media?.url?.withoutNUL), 'pending',
                        \(media?.mimeType?.withoutNUL), 0)
                """)
        }
        if inbound.isSystemNotice, let newPhone = inbound.newPhone?.withoutNUL {
            try await changeNumber(db, clinicId: clinicId, patientId: patientId, to: newPhone, at: inbound.receivedAt)
        }

        let preview = ConversationPreview.text(body: inbound.body, media: media)
        try await updateConversation(db, clinicId: clinicId, &conversation) { conversation in
            conversation = IngestRules.conversation(conversation, after: text, preview: preview)
        }
        db.touch(clinicId)
        return .stored(conversationId: conversation.id, messageId: messageId, conversationStatus: conversation.status)
    }

    /// WhatsApp's "changed their number" notice: the patient's identity moves to the new number, unless the clinic
    /// already knows that number as another patient.
    static func changeNumber(_ db: PostgresWrite, clinicId: Int64, patientId: Int64, to newPhone: String, at now: Millis) async throws {
        let identity = "whatsapp:\(newPhone)"
        guard try await !db.exists("""
            SELECT 1 FROM patients WHERE clinic_id = \(clinicId) AND channel_identity = \(identity)
            """) else { return }
        try await db.execute("""
            UPDATE patients SET channel_identity = \(identity), phone = \(newPhone), updated_at = \(now) WHERE id = \(patientId)
            """)
        db.recordChange(clinicId: clinicId, kind: .patient, id: patientId)
    }

    static func upsertPatient(_ db: PostgresWrite, clinicId: Int64, inbound: InboundMessage) async throws -> Int64 {
        let name = inbound.profileName ?? ""
        return try await findOrAddPatient(db, clinicId: clinicId, identity: inbound.channelIdentity, phone: inbound.phone,
                                          name: name, isLead: true, now: inbound.receivedAt) {
            IngestRules.updatedDisplayName(current: $0, profileName: name)
        }
    }

    /// The clinic's patient with this channel identity, added when new (a lead, unless the clinic's own system knows
    /// them). `rename` gives an existing patient's new name from their current one, or nil to keep it.
    static func findOrAddPatient(_ db: PostgresWrite, clinicId: Int64, identity: String, phone: String, name: String,
                                 isLead: Bool, now: Millis, rename: (_ current: String) -> String?) async throws -> Int64 {
        let identity = identity.withoutNUL
        if let existing = try await db.row("""
            SELECT id, display_name FROM patients WHERE clinic_id = \(clinicId) AND channel_identity = \(identity)
            """) {
            let id = try existing.int(0)
            if let renamed = rename(try existing.text(1)) {
                try await db.execute("UPDATE patients SET display_name = \(wholeText(renamed)), updated_at = \(now) WHERE id = \(id)")
                db.recordChange(clinicId: clinicId, kind: .patient, id: id)
            }
            return id
        }
        guard let id = try await db.int("""
            INSERT INTO patients (clinic_id, channel_identity, display_name, phone, is_lead, tags, notes, opted_out, updated_at)
            VALUES (\(clinicId), \(identity), \(wholeText(name)), \(phone.withoutNUL), \(isLead), '[]', '', FALSE, \(now))
            RETURNING id
            """) else { throw StoreError.invalid("could not add the patient") }
        db.recordChange(clinicId: clinicId, kind: .patient, id: id)
        return id
    }

    /// The open conversation of this patient on this number (locked), or a new one with the bot answering first.
    static func openConversation(_ db: PostgresWrite, clinicId: Int64, patientId: Int64, inbound: InboundMessage,
                                 botAnswers: Bool) async throws -> Conversation {
        if let row = try await db.row("""
            SELECT \(unescaped: Columns.list(Columns.conversation)) FROM conversations
            WHERE patient_id = \(patientId) AND clinic_number = \(inbound.clinicNumber) AND status <> 'closed' FOR UPDATE
            """) {
            return try PGDecode.conversation(row)
        }
        let state = IngestRules.newConversationState(botAnswers: botAnswers, at: inbound.receivedAt)
        guard let id = try await db.int("""
            INSERT INTO conversations (clinic_id, patient_id, clinic_number, provider, status, handoff_reason, waiting_since,
                last_message_at, last_message_preview, version, created_at)
            VALUES (\(clinicId), \(patientId), \(inbound.clinicNumber), \(inbound.provider.rawValue), \(state.status.rawValue),
                    \(state.handoffReason), \(state.waitingSince), \(inbound.receivedAt), ''::bytea, 0, \(inbound.receivedAt))
            RETURNING id
            """) else { throw StoreError.invalid("could not open a conversation") }
        return Conversation(id: id, patientId: patientId, clinicNumber: inbound.clinicNumber, provider: inbound.provider,
                            status: state.status, handoffReason: state.handoffReason, waitingSince: state.waitingSince,
                            lastMessageAt: inbound.receivedAt, version: 0, createdAt: inbound.receivedAt)
    }

    /// Writes every mutable column with compare-and-set on `version`, bumps it and records the change; false when
    /// another writer saved the row first. With `expectedVersion`, `conversation` already carries its new version
    /// (a command's plan counts its steps).
    static func saveConversation(_ db: PostgresWrite, clinicId: Int64, _ conversation: inout Conversation,
                                 expectedVersion: Int64? = nil) async throws -> Bool {
        let expected = expectedVersion ?? conversation.version
        if expectedVersion == nil { conversation.version += 1 }
        let c = conversation
        let saved = try await db.exists("""
            UPDATE conversations SET status = \(c.status.rawValue), assigned_agent_id = \(c.assignedAgentId),
                handoff_reason = \(c.handoffReason?.withoutNUL), handoff_summary = \(c.handoffSummary?.withoutNUL),
                waiting_since = \(c.waitingSince), last_inbound_at = \(c.lastInboundAt), last_message_at = \(c.lastMessageAt),
                last_message_preview = \(wholeText(c.lastMessagePreview)), version = \(c.version),
                snoozed_until = \(c.snoozedUntil)
            WHERE id = \(c.id) AND version = \(expected) RETURNING id
            """)
        guard saved else { return false }
        db.recordChange(clinicId: clinicId, kind: .conversation, id: conversation.id)
        return true
    }

    /// A read-modify-write that honours the compare-and-set, re-applying `change` to a fresh row up to `attempts`
    /// times (see `SQLiteInboxStore.updateConversation`).
    static func updateConversation(_ db: PostgresWrite, clinicId: Int64, _ conversation: inout Conversation, attempts: Int = 3,
                                   _ change: (inout Conversation) throws -> Void) async throws {
        var current = conversation
        for _ in 0..<attempts {
            var next = current
            try change(&next)
            if try await saveConversation(db, clinicId: clinicId, &next) {
                conversation = next
                return
            }
            guard let fresh = try await loadConversation(db, id: current.id) else { break }
            current = fresh
        }
        throw StoreError.conflict("conversation \(conversation.id) kept changing under this write")
    }

    static func loadConversation(_ db: PostgresWrite, id: Int64, clinicId: Int64? = nil) async throws -> Conversation? {
        try await db.row("""
            SELECT \(unescaped: Columns.list(Columns.conversation)) FROM conversations
            WHERE id = \(id) AND (\(clinicId)::int8 IS NULL OR clinic_id = \(clinicId)) FOR UPDATE
            """).map { try PGDecode.conversation($0) }
    }

    static func insertMessage(_ db: PostgresWrite, clinicId: Int64, _ message: Message, template: String? = nil) async throws -> Int64 {
        let m = message
        let media = m.media.flatMap { try? JSONEncoder().encode($0) }.map { String(decoding: $0, as: UTF8.self) }
        guard let id = try await db.int("""
            INSERT INTO messages (conversation_id, direction, author, agent_id, body, media, provider_message_id, client_key,
                status, error, created_at, clinic_id, provider_time, template, reply_id)
            VALUES (\(m.conversationId), \(m.direction.rawValue), \(m.author.rawValue), \(m.agentId), \(wholeText(m.body)),
                    \(media), \(m.providerMessageId?.withoutNUL), \(m.clientKey?.withoutNUL), \(m.status.rawValue),
                    \(m.error?.withoutNUL), \(m.createdAt), \(clinicId), \(m.providerTime), \(template), \(m.replyId))
            RETURNING id
            """) else { throw StoreError.invalid("could not store the message") }
        db.recordChange(clinicId: clinicId, kind: .message, id: id)
        return id
    }
}
