import Foundation
import GRDB
import InboxModel
import InboxRecords

extension SQLiteInboxStore {
    public func dueDeliveries(now: Millis, limit: Int, excluding providers: [ProviderKind] = []) async throws -> [DeliveryJob] {
        let skipped = providers.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        return try await pool.read { db in
            let sql = """
                SELECT \(Columns.list(Columns.message, alias: "m")), d.attempts, c.provider, c.clinic_number,
                       n.provider_ref, p.phone, p.channel_identity, m.template, f.sha256, f.mime_type, m.interactive
                FROM deliveries d
                JOIN messages m ON m.id = d.message_id
                LEFT JOIN media f ON f.message_id = m.id AND f.state = 'stored'
                JOIN conversations c ON c.id = m.conversation_id
                JOIN patients p ON p.id = c.patient_id
                LEFT JOIN numbers n ON n.number = c.clinic_number
                WHERE d.next_attempt_at <= ? \(skipped.isEmpty ? "" : "AND c.provider NOT IN (\(skipped))")
                ORDER BY d.next_attempt_at, d.message_id LIMIT ?
                """
            let n = Columns.message.count
            return try Row.fetchAll(db, sql: sql, arguments: [now, limit]).map { row in
                let message = Message(row: row)
                var attachment: DeliveryAttachment?
                if let sha256 = row[n + 7] as String?, let mime = row[n + 8] as String? {
                    attachment = DeliveryAttachment(sha256: sha256, mimeType: mime,
                                                    fileName: message.media?.fileName ?? "attachment",
                                                    kind: MediaTypes.kind(of: mime))
                }
                return DeliveryJob(message: message, provider: ProviderKind(rawValue: row[n + 1]) ?? .twilio,
                                   clinicNumber: row[n + 2], providerRef: row[n + 3], patientPhone: row[n + 4],
                                   channelIdentity: row[n + 5], attempts: row[n],
                                   template: (row[n + 6] as String?).flatMap { try? JSONDecoder().decode(TemplateDelivery.self, from: Data($0.utf8)) },
                                   attachment: attachment,
                                   interactive: InteractiveMenu.decoded(row[n + 9]))
            }
        }
    }

    public func nextDeliveryTime(excluding providers: [ProviderKind] = []) async throws -> Millis? {
        let skipped = providers.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        return try await pool.read { db in
            guard !skipped.isEmpty else { return try db.valueCached("SELECT MIN(next_attempt_at) FROM deliveries") }
            return try Millis.fetchOne(db, sql: """
                SELECT MIN(d.next_attempt_at) FROM deliveries d
                JOIN messages m ON m.id = d.message_id JOIN conversations c ON c.id = m.conversation_id
                WHERE c.provider NOT IN (\(skipped))
                """)
        }
    }

    public func deliverySucceeded(messageId: Int64, providerMessageId: String) async throws {
        try await write { db, touched in
            guard let sent = try Row.fetchOne(db, sql: """
                SELECT m.clinic_id, c.provider, c.clinic_number FROM messages m JOIN conversations c ON c.id = m.conversation_id
                WHERE m.id = ?
                """, arguments: [messageId]) else { return }
            let clinicId: Int64 = sent[0]
            try db.execute(sql: "DELETE FROM deliveries WHERE message_id = ?", arguments: [messageId])
            // A status callback may already have said more than "sent".
            try db.execute(sql: """
                UPDATE messages SET provider_message_id = ?, status = CASE WHEN status IN ('pending', 'failed') THEN 'sent' ELSE status END,
                    error = NULL WHERE id = ?
                """, arguments: [providerMessageId, messageId])
            try Self.recordChange(db, clinicId: clinicId, kind: .message, id: messageId)
            // Statuses the provider sent before this answer was recorded.
            try Self.applyParkedStatuses(db, providerMessageId: providerMessageId, provider: sent[1], clinicNumber: sent[2])
            touched.insert(clinicId)
        }
    }

    public func deliveryFailed(messageId: Int64, error: String, retryAt: Millis?) async throws {
        let now = clock()
        try await write { db, touched in
            guard let clinicId = try Int64.fetchOne(db, sql: "SELECT clinic_id FROM messages WHERE id = ?", arguments: [messageId])
            else { return }
            if let retryAt {
                try db.execute(sql: "UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE message_id = ?",
                               arguments: [retryAt, error, messageId])
                return
            }
            try db.execute(sql: "DELETE FROM deliveries WHERE message_id = ?", arguments: [messageId])
            try db.execute(sql: "UPDATE messages SET status = 'failed', error = ? WHERE id = ?", arguments: [error, messageId])
            try db.execute(sql: "REPLACE INTO dead_letters (message_id, clinic_id, reason, failed_at) VALUES (?, ?, ?, ?)",
                           arguments: [messageId, clinicId, error, now])
            try Self.recordChange(db, clinicId: clinicId, kind: .message, id: messageId)
            touched.insert(clinicId)
        }
    }

    public func deadLetters() async throws -> [DeadLetter] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT d.message_id, m.conversation_id, k.name, c.provider, d.reason, d.failed_at
                FROM dead_letters d JOIN messages m ON m.id = d.message_id
                JOIN conversations c ON c.id = m.conversation_id JOIN clinics k ON k.id = d.clinic_id
                ORDER BY d.failed_at DESC, d.message_id DESC
                """).map {
                DeadLetter(messageId: $0[0], conversationId: $0[1], clinic: $0[2],
                           provider: ProviderKind(rawValue: $0[3]) ?? .twilio, reason: $0[4], failedAt: $0[5])
            }
        }
    }

    public func retryDeadLetter(messageId: Int64) async throws -> Bool {
        let now = clock()
        return try await write { db, touched in
            guard let clinicId = try Int64.fetchOne(db, sql: "SELECT clinic_id FROM dead_letters WHERE message_id = ?",
                                                    arguments: [messageId]) else { return false }
            try db.execute(sql: "DELETE FROM dead_letters WHERE message_id = ?", arguments: [messageId])
            try db.execute(sql: "INSERT OR REPLACE INTO deliveries (message_id, clinic_id, attempts, next_attempt_at) VALUES (?, ?, 0, ?)",
                           arguments: [messageId, clinicId, now])
            try db.execute(sql: "UPDATE messages SET status = 'pending', error = NULL WHERE id = ?", arguments: [messageId])
            try Self.recordChange(db, clinicId: clinicId, kind: .message, id: messageId)
            touched.insert(clinicId)
            return true
        }
    }
}

extension SQLiteInboxStore {
    public func queueDepths() async throws -> QueueDepths {
        try await pool.read { db in
            QueueDepths(outbox: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM deliveries") ?? 0,
                        deadLetters: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM dead_letters") ?? 0)
        }
    }
}
