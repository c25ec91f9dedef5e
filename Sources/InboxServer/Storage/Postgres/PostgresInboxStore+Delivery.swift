import Foundation
import InboxModel
import InboxRecords
import PostgresNIO

/// Deliveries to providers, as `SQLiteInboxStore+Delivery`, claimed with a lease: several instances run delivery
/// workers on one database, and a reply must reach the patient once.
///
/// `dueDeliveries` claims in one statement: it picks due, unclaimed (or lease-expired) rows with `FOR UPDATE SKIP
/// LOCKED`, so a concurrent claimer skips them instead of waiting and then taking them too, and stamps them with
/// this instance and `now + claimLease`. Success and failure clear the claim. An instance that dies mid-send leaves
/// its claim to expire; the row is then due again (the provider may have sent it: at-least-once, as on SQLite after
/// a crash between the send and its record).
extension PostgresInboxStore {
    public func dueDeliveries(now: Millis, limit: Int, excluding providers: [ProviderKind] = []) async throws -> [DeliveryJob] {
        let skipped = providers.map(\.rawValue)
        let until = now + claimLease
        let rows = try await rows("""
            WITH claimed AS (
                UPDATE deliveries SET claimed_by = \(instance), claimed_until = \(until)
                WHERE message_id IN (
                    SELECT d.message_id FROM deliveries d
                    JOIN messages m ON m.id = d.message_id JOIN conversations c ON c.id = m.conversation_id
                    WHERE d.next_attempt_at <= \(now) AND (d.claimed_until IS NULL OR d.claimed_until <= \(now))
                      AND NOT (c.provider = ANY(\(skipped)::text[]))
                    ORDER BY d.next_attempt_at, d.message_id LIMIT \(Int64(limit))
                    FOR UPDATE OF d SKIP LOCKED)
                RETURNING message_id, attempts, next_attempt_at
            )
            SELECT \(unescaped: Columns.list(Columns.message, alias: "m")), k.attempts::int8, c.provider, c.clinic_number,
                   n.provider_ref, p.phone, p.channel_identity, m.template, f.sha256, f.mime_type, m.interactive
            FROM claimed k
            JOIN messages m ON m.id = k.message_id
            LEFT JOIN media f ON f.message_id = m.id AND f.state = 'stored'
            JOIN conversations c ON c.id = m.conversation_id
            JOIN patients p ON p.id = c.patient_id
            LEFT JOIN numbers n ON n.number = c.clinic_number
            ORDER BY k.next_attempt_at, k.message_id
            """)
        let n = Columns.message.count
        return try rows.map { row in
            let message = try PGDecode.message(row)
            var attachment: DeliveryAttachment?
            if let sha256 = try row.optionalString(n + 7), let mime = try row.optionalString(n + 8) {
                attachment = DeliveryAttachment(sha256: sha256, mimeType: mime, fileName: message.media?.fileName ?? "attachment",
                                                kind: MediaTypes.kind(of: mime))
            }
            return DeliveryJob(message: message, provider: ProviderKind(rawValue: try row.string(n + 1)) ?? .twilio,
                               clinicNumber: try row.string(n + 2), providerRef: try row.optionalString(n + 3),
                               patientPhone: try row.string(n + 4), channelIdentity: try row.string(n + 5),
                               attempts: Int(try row.int(n)),
                               template: try row.optionalString(n + 6).flatMap {
                                   try? JSONDecoder().decode(TemplateDelivery.self, from: Data($0.utf8))
                               },
                               attachment: attachment,
                               interactive: InteractiveMenu.decoded(try row.optionalString(n + 9)))
        }
    }

    public func nextDeliveryTime(excluding providers: [ProviderKind] = []) async throws -> Millis? {
        let skipped = providers.map(\.rawValue)
        // A claimed row is due again when its lease ends (its instance may have died).
        return try await rows("""
            SELECT MIN(GREATEST(d.next_attempt_at, d.claimed_until)) FROM deliveries d
            JOIN messages m ON m.id = d.message_id JOIN conversations c ON c.id = m.conversation_id
            WHERE NOT (c.provider = ANY(\(skipped)::text[]))
            """).first?.optionalInt(0)
    }

    public func deliverySucceeded(messageId: Int64, providerMessageId: String) async throws {
        let providerMessageId = providerMessageId.withoutNUL
        try await write { db in
            guard let sent = try await db.row("""
                SELECT m.clinic_id, c.provider, c.clinic_number FROM messages m JOIN conversations c ON c.id = m.conversation_id
                WHERE m.id = \(messageId) FOR UPDATE OF m
                """) else { return }
            let clinicId = try sent.int(0)
            try await db.execute("DELETE FROM deliveries WHERE message_id = \(messageId)")
            // A status callback may already have said more than "sent".
            try await db.execute("""
                UPDATE messages SET provider_message_id = \(providerMessageId),
                    status = CASE WHEN status IN ('pending', 'failed') THEN 'sent' ELSE status END, error = NULL
                WHERE id = \(messageId)
                """)
            db.recordChange(clinicId: clinicId, kind: .message, id: messageId)
            // Statuses the provider sent before this answer was recorded.
            try await Self.applyParkedStatuses(db, providerMessageId: providerMessageId, provider: try sent.string(1),
                                               clinicNumber: try sent.string(2))
        }
    }

    public func deliveryFailed(messageId: Int64, error: String, retryAt: Millis?) async throws {
        let now = clock()
        let error = error.withoutNUL
        try await write { db in
            guard let clinicId = try await db.int("SELECT clinic_id FROM messages WHERE id = \(messageId)") else { return }
            if let retryAt {
                try await db.execute("""
                    UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = \(retryAt), last_error = \(error),
                        claimed_by = NULL, claimed_until = NULL
                    WHERE message_id = \(messageId)
                    """)
                return
            }
            try await db.execute("DELETE FROM deliveries WHERE message_id = \(messageId)")
            try await db.execute("UPDATE messages SET status = 'failed', error = \(error) WHERE id = \(messageId)")
            try await db.execute("""
                INSERT INTO dead_letters (message_id, clinic_id, reason, failed_at) VALUES (\(messageId), \(clinicId), \(error), \(now))
                ON CONFLICT (message_id) DO UPDATE SET clinic_id = EXCLUDED.clinic_id, reason = EXCLUDED.reason,
                    failed_at = EXCLUDED.failed_at
                """)
            db.recordChange(clinicId: clinicId, kind: .message, id: messageId)
        }
    }

    public func deadLetters() async throws -> [DeadLetter] {
        try await rows("""
            SELECT d.message_id, m.conversation_id, k.name, c.provider, d.reason, d.failed_at
            FROM dead_letters d JOIN messages m ON m.id = d.message_id
            JOIN conversations c ON c.id = m.conversation_id JOIN clinics k ON k.id = d.clinic_id
            ORDER BY d.failed_at DESC, d.message_id DESC
            """).map {
            DeadLetter(messageId: try $0.int(0), conversationId: try $0.int(1), clinic: try $0.string(2),
                       provider: ProviderKind(rawValue: try $0.string(3)) ?? .twilio, reason: try $0.string(4),
                       failedAt: try $0.int(5))
        }
    }

    public func retryDeadLetter(messageId: Int64) async throws -> Bool {
        let now = clock()
        return try await write { db in
            guard let clinicId = try await db.int("""
                DELETE FROM dead_letters WHERE message_id = \(messageId) RETURNING clinic_id
                """) else { return false }
            try await db.execute("""
                INSERT INTO deliveries (message_id, clinic_id, attempts, next_attempt_at) VALUES (\(messageId), \(clinicId), 0, \(now))
                ON CONFLICT (message_id) DO UPDATE SET clinic_id = EXCLUDED.clinic_id, attempts = 0,
                    next_attempt_at = EXCLUDED.next_attempt_at, last_error = NULL, claimed_by = NULL, claimed_until = NULL
                """)
            try await db.execute("UPDATE messages SET status = 'pending', error = NULL WHERE id = \(messageId)")
            db.recordChange(clinicId: clinicId, kind: .message, id: messageId)
            return true
        }
    }
}

extension PostgresInboxStore {
    public func queueDepths() async throws -> QueueDepths {
        try await read { db in
            QueueDepths(outbox: Int(try await db.int("SELECT COUNT(*) FROM deliveries") ?? 0),
                        deadLetters: Int(try await db.int("SELECT COUNT(*) FROM dead_letters") ?? 0))
        }
    }
}
