import Foundation
import InboxModel
import InboxRecords
import PostgresNIO

/// What the server forgets, and when, as `SQLiteInboxStore+Retention`: idempotency records after an age,
/// attachments after the clinic's media retention, and everything about a patient on an erasure request.
extension PostgresInboxStore {
    public func pruneIdempotency(olderThan cutoff: Millis) async throws -> Int {
        try await rows("DELETE FROM idempotency WHERE created_at < \(cutoff) RETURNING 1").count
    }

    public func expireMedia(olderThan cutoff: Millis, reason: String) async throws -> ExpiredMedia {
        try await write { db in
            // Attachments still waiting to be delivered are left alone: their file is about to be sent.
            let expiring = try await db.rows("""
                SELECT d.message_id, d.sha256 FROM media d JOIN messages m ON m.id = d.message_id
                WHERE d.state = 'stored' AND m.created_at < \(cutoff)
                  AND NOT EXISTS (SELECT 1 FROM deliveries WHERE message_id = d.message_id)
                FOR UPDATE OF d
                """)
            var hashes = Set<String>()
            for row in expiring {
                let messageId = try row.int(0)
                if let sha256 = try row.optionalString(1) { hashes.insert(sha256) }
                try await db.execute("""
                    UPDATE media SET state = 'removed', sha256 = NULL, error = \(reason) WHERE message_id = \(messageId)
                    """)
                // Agents see the attachment as no longer kept, with the reason.
                try await Self.updateMessageMedia(db, messageId: messageId) { media in
                    media.state = .failed
                    media.error = reason
                }
            }
            try await db.execute("DELETE FROM uploads WHERE created_at < \(cutoff)")
            return ExpiredMedia(messages: expiring.count, unreferencedFiles: try await Self.unreferenced(db, hashes))
        }
    }

    public func erasePatients(phone: String, clinic: String) async throws -> PatientErasureReport {
        let now = clock()
        return try await write { db in
            guard let clinicId = try await db.int("SELECT id FROM clinics WHERE name = \(clinic)") else {
                throw StoreError.invalid("no clinic named \(clinic)")
            }
            let patients = try await db.rows("""
                SELECT id FROM patients WHERE clinic_id = \(clinicId) AND phone = \(phone) ORDER BY id FOR UPDATE
                """).map { try $0.int(0) }
            var report = PatientErasureReport()
            var hashes = Set<String>()
            for patient in patients {
                let erased = try await Self.erase(patient: patient, clinicId: clinicId, now: now, db)
                report.patients += 1
                report.conversations += erased.conversations
                report.messages += erased.messages
                hashes.formUnion(erased.hashes)
            }
            if !patients.isEmpty { db.touch(clinicId) }
            // The patient's files that agents uploaded for them go too (an upload row is the clinic's copy).
            for sha256 in hashes {
                try await db.execute("DELETE FROM uploads WHERE clinic_id = \(clinicId) AND sha256 = \(sha256)")
            }
            report.unreferencedFiles = try await Self.unreferenced(db, hashes)
            return report
        }
    }

    /// Deletes one patient with every conversation, message, attachment row, delivery, read horizon and stored
    /// command answer about them, removes their rows from the change log and records a tombstone in their place.
    private static func erase(patient: Int64, clinicId: Int64, now: Millis, _ db: PostgresWrite) async throws
        -> (conversations: Int, messages: Int, hashes: Set<String>) {
        let conversations = try await db.rows("SELECT id FROM conversations WHERE patient_id = \(patient) ORDER BY id")
            .map { try $0.int(0) }
        let messages = try await db.rows("SELECT id FROM messages WHERE conversation_id = ANY(\(conversations)::int8[])")
            .map { try $0.int(0) }
        var hashes = Set<String>()
        if !messages.isEmpty {
            hashes = Set(try await db.rows("""
                SELECT sha256 FROM media WHERE message_id = ANY(\(messages)::int8[]) AND sha256 IS NOT NULL
                """).map { try $0.string(0) })
            try await db.execute("DELETE FROM media WHERE message_id = ANY(\(messages)::int8[])")
            try await db.execute("DELETE FROM deliveries WHERE message_id = ANY(\(messages)::int8[])")
            try await db.execute("DELETE FROM dead_letters WHERE message_id = ANY(\(messages)::int8[])")
            try await db.deleteChanges(kind: .message, ids: messages)
            try await db.execute("DELETE FROM messages WHERE id = ANY(\(messages)::int8[])")
        }
        if !conversations.isEmpty {
            let horizons = try await db.rows("""
                DELETE FROM read_horizons WHERE conversation_id = ANY(\(conversations)::int8[]) RETURNING id
                """).map { try $0.int(0) }
            try await db.deleteChanges(kind: .read, ids: horizons)
            try await db.deleteChanges(kind: .conversation, ids: conversations)
            try await db.execute("DELETE FROM conversations WHERE id = ANY(\(conversations)::int8[])")
            try await forgetCommandAnswers(db, clinicId: clinicId, conversations: Set(conversations))
        }
        // Their appointments go too (a pending reminder is never sent): the change log forgets them as well.
        let appointments = try await db.rows("DELETE FROM appointments WHERE patient_id = \(patient) RETURNING id").map { try $0.int(0) }
        try await db.deleteChanges(kind: .appointment, ids: appointments)
        try await db.deleteChanges(kind: .patient, ids: [patient])
        try await db.execute("DELETE FROM patients WHERE id = \(patient)")
        let ids = String(decoding: try JSONEncoder().encode(conversations), as: UTF8.self)
        guard let erasure = try await db.int("""
            INSERT INTO erasures (clinic_id, patient_id, conversation_ids, erased_at)
            VALUES (\(clinicId), \(patient), \(ids), \(now)) RETURNING id
            """) else { throw StoreError.invalid("could not record the erasure") }
        db.recordChange(clinicId: clinicId, kind: .erasure, id: erasure)
        return (conversations.count, messages.count, hashes)
    }

    /// Stored command answers about the erased conversations go (a replay then answers 404).
    private static func forgetCommandAnswers(_ db: PostgresWrite, clinicId: Int64, conversations: Set<Int64>) async throws {
        struct Answer: Decodable {
            struct Conversation: Decodable { var id: Int64 }
            var conversation: Conversation
        }
        let rows = try await db.rows("""
            SELECT i.agent_id, i.key, i.response FROM idempotency i JOIN agents a ON a.id = i.agent_id
            WHERE a.clinic_id = \(clinicId) AND i.status = 200
            """)
        let decoder = JSONDecoder()
        for row in rows {
            guard let answer = try? decoder.decode(Answer.self, from: try row.data(2)),
                  conversations.contains(answer.conversation.id) else { continue }
            try await db.execute("DELETE FROM idempotency WHERE agent_id = \(try row.int(0)) AND key = \(try row.string(1))")
        }
    }

    /// Of these files, those no kept attachment or upload refers to any more: safe to delete from disk.
    private static func unreferenced(_ db: PostgresWrite, _ hashes: Set<String>) async throws -> [String] {
        guard !hashes.isEmpty else { return [] }
        let sorted = hashes.sorted()
        let referenced = Set(try await db.rows("""
            SELECT sha256 FROM media WHERE sha256 = ANY(\(sorted)::text[])
            UNION SELECT sha256 FROM uploads WHERE sha256 = ANY(\(sorted)::text[])
            """).map { try $0.string(0) })
        return sorted.filter { !referenced.contains($0) }
    }
}
