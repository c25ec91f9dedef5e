import Foundation
import GRDB
import InboxModel
import InboxRecords

/// What the server forgets, and when: idempotency records after a configurable age, attachments after the clinic's
/// media retention, and everything about a patient on an erasure request.
extension SQLiteInboxStore {
    public func pruneIdempotency(olderThan cutoff: Millis) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM idempotency WHERE created_at < ?", arguments: [cutoff])
            return db.changesCount
        }
    }

    public func expireMedia(olderThan cutoff: Millis, reason: String) async throws -> ExpiredMedia {
        try await write { db, touched in
            // Attachments still waiting to be delivered are left alone: their file is about to be sent.
            let expiring = try Row.fetchAll(db, sql: """
                SELECT d.message_id, d.sha256 FROM media d JOIN messages m ON m.id = d.message_id
                WHERE d.state = 'stored' AND m.created_at < ?
                  AND NOT EXISTS (SELECT 1 FROM deliveries WHERE message_id = d.message_id)
                """, arguments: [cutoff])
            var hashes = Set<String>()
            for row in expiring {
                let messageId: Int64 = row[0]
                if let sha256 = row[1] as String? { hashes.insert(sha256) }
                try db.execute(sql: "UPDATE media SET state = 'removed', sha256 = NULL, error = ? WHERE message_id = ?",
                               arguments: [reason, messageId])
                try Self.markMediaRemoved(db, messageId: messageId, reason: reason, touched: &touched)
            }
            try db.execute(sql: "DELETE FROM uploads WHERE created_at < ?", arguments: [cutoff])
            return ExpiredMedia(messages: expiring.count, unreferencedFiles: try Self.unreferenced(db, hashes))
        }
    }

    public func erasePatients(phone: String, clinic: String) async throws -> PatientErasureReport {
        let now = clock()
        return try await write { db, touched in
            guard let clinicId = try Int64.fetchOne(db, sql: "SELECT id FROM clinics WHERE name = ?", arguments: [clinic]) else {
                throw StoreError.invalid("no clinic named \(clinic)")
            }
            let patients = try Int64.fetchAll(db, sql: "SELECT id FROM patients WHERE clinic_id = ? AND phone = ?",
                                              arguments: [clinicId, phone])
            var report = PatientErasureReport()
            var hashes = Set<String>()
            for patient in patients {
                let erased = try Self.erase(patient: patient, clinicId: clinicId, now: now, db)
                report.patients += 1
                report.conversations += erased.conversations
                report.messages += erased.messages
                hashes.formUnion(erased.hashes)
            }
            if !patients.isEmpty { touched.insert(clinicId) }
            // The patient's files that agents uploaded for them go too (an upload row is the clinic's copy).
            for sha256 in hashes {
                try db.execute(sql: "DELETE FROM uploads WHERE clinic_id = ? AND sha256 = ?", arguments: [clinicId, sha256])
            }
            report.unreferencedFiles = try Self.unreferenced(db, hashes)
            return report
        }
    }

    /// Deletes one patient with every conversation, message, attachment row, delivery, read horizon and stored
    /// command answer about them, removes their rows from the change log and records a tombstone in their place.
    private static func erase(patient: Int64, clinicId: Int64, now: Millis, _ db: Database)
        throws -> (conversations: Int, messages: Int, hashes: Set<String>) {
        let conversations = try Int64.fetchAll(db, sql: "SELECT id FROM conversations WHERE patient_id = ?", arguments: [patient])
        let conversationList = conversations.map(String.init).joined(separator: ",")
        let messages = conversations.isEmpty ? [] : try Int64.fetchAll(db, sql: """
            SELECT id FROM messages WHERE conversation_id IN (\(conversationList))
            """)
        let messageList = messages.map(String.init).joined(separator: ",")
        var hashes = Set<String>()
        if !messages.isEmpty {
            hashes = Set(try String.fetchAll(db, sql: """
                SELECT sha256 FROM media WHERE message_id IN (\(messageList)) AND sha256 IS NOT NULL
                """))
            for table in ["media", "deliveries", "dead_letters"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE message_id IN (\(messageList))")
            }
            try db.execute(sql: "DELETE FROM changes WHERE kind = 'message' AND entity_id IN (\(messageList))")
            try db.execute(sql: "DELETE FROM messages WHERE id IN (\(messageList))")
        }
        if !conversations.isEmpty {
            try db.execute(sql: """
                DELETE FROM changes WHERE kind = 'read'
                  AND entity_id IN (SELECT id FROM read_horizons WHERE conversation_id IN (\(conversationList)))
                """)
            try db.execute(sql: "DELETE FROM read_horizons WHERE conversation_id IN (\(conversationList))")
            try db.execute(sql: "DELETE FROM changes WHERE kind = 'conversation' AND entity_id IN (\(conversationList))")
            try db.execute(sql: "DELETE FROM conversations WHERE id IN (\(conversationList))")
            try forgetCommandAnswers(db, clinicId: clinicId, conversations: Set(conversations))
        }
        // Their appointments go too (a pending reminder is never sent): the change log forgets them as well.
        try db.execute(sql: """
            DELETE FROM changes WHERE kind = 'appointment' AND entity_id IN (SELECT id FROM appointments WHERE patient_id = ?)
            """, arguments: [patient])
        try db.execute(sql: "DELETE FROM appointments WHERE patient_id = ?", arguments: [patient])
        try db.execute(sql: "DELETE FROM changes WHERE kind = 'patient' AND entity_id = ?", arguments: [patient])
        try db.execute(sql: "DELETE FROM patients WHERE id = ?", arguments: [patient])
        let ids = String(decoding: try JSONEncoder().encode(conversations), as: UTF8.self)
        try db.execute(sql: "INSERT INTO erasures (clinic_id, patient_id, conversation_ids, erased_at) VALUES (?, ?, ?, ?)",
                       arguments: [clinicId, patient, ids, now])
        try recordChange(db, clinicId: clinicId, kind: .erasure, id: db.lastInsertedRowID)
        return (conversations.count, messages.count, hashes)
    }

    /// Stored command answers carry the conversation and the message a reply created: those about the erased
    /// conversations go (a replay of such a command then answers 404, as the conversation no longer exists).
    private static func forgetCommandAnswers(_ db: Database, clinicId: Int64, conversations: Set<Int64>) throws {
        struct Answer: Decodable {
            struct Conversation: Decodable { var id: Int64 }
            var conversation: Conversation
        }
        let rows = try Row.fetchAll(db, sql: """
            SELECT i.agent_id, i.key, i.response FROM idempotency i JOIN agents a ON a.id = i.agent_id
            WHERE a.clinic_id = ? AND i.status = 200
            """, arguments: [clinicId])
        let decoder = JSONDecoder()
        for row in rows {
            guard let answer = try? decoder.decode(Answer.self, from: row[2] as Data),
                  conversations.contains(answer.conversation.id) else { continue }
            try db.execute(sql: "DELETE FROM idempotency WHERE agent_id = ? AND key = ?", arguments: [row[0] as Int64, row[1] as String])
        }
    }

    /// Of these files, those no kept attachment or upload refers to any more: safe to delete from disk.
    private static func unreferenced(_ db: Database, _ hashes: Set<String>) throws -> [String] {
        try hashes.sorted().filter { sha256 in
            try !Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM media WHERE sha256 = ?) OR EXISTS (SELECT 1 FROM uploads WHERE sha256 = ?)
                """, arguments: [sha256, sha256])!
        }
    }

    /// Agents see the attachment as no longer kept, with the reason.
    private static func markMediaRemoved(_ db: Database, messageId: Int64, reason: String, touched: inout Set<Int64>) throws {
        guard let row = try Row.fetchOne(db, sql: "SELECT clinic_id, media FROM messages WHERE id = ?", arguments: [messageId]),
              let json = row[1] as String?,
              var media = try? JSONDecoder().decode(MediaInfo.self, from: Data(json.utf8)) else { return }
        media.state = .failed
        media.error = reason
        try db.execute(sql: "UPDATE messages SET media = ? WHERE id = ?",
                       arguments: [String(decoding: try JSONEncoder().encode(media), as: UTF8.self), messageId])
        try recordChange(db, clinicId: row[0], kind: .message, id: messageId)
        touched.insert(row[0])
    }
}

public struct ExpiredMedia: Sendable, Equatable {
    /// Attachments marked removed.
    public var messages: Int
    /// Files nothing refers to any more: the caller deletes them from the media directory.
    public var unreferencedFiles: [String]
}

public struct PatientErasureReport: Sendable, Equatable {
    public var patients = 0
    public var conversations = 0
    public var messages = 0
    /// Files nothing refers to any more: the caller deletes them from the media directory.
    public var unreferencedFiles: [String] = []
}
