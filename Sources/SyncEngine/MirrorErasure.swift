import GRDB
import InboxModel

extension Mirror {
    /// A patient erased on the server (`inbox patient erase`) is erased here too, in the same transaction as the
    /// batch that carries the tombstone: the patient, their conversations and messages (the full-text index
    /// follows by trigger), read horizons, and local drafts and queued commands about those conversations, which
    /// could never be sent.
    static func applyErasures(_ db: Database, _ erasures: [PatientErasure]) throws {
        for erasure in erasures {
            try db.execute(sql: "DELETE FROM patients WHERE id = ?", arguments: [erasure.patientId])
            try db.execute(sql: "DELETE FROM appointments WHERE patient_id = ?", arguments: [erasure.patientId])
            guard !erasure.conversationIds.isEmpty else { continue }
            let ids = erasure.conversationIds.map(String.init).joined(separator: ",")
            try db.execute(sql: "DELETE FROM messages WHERE conversation_id IN (\(ids))")
            try db.execute(sql: "DELETE FROM conversations WHERE id IN (\(ids))")
            for table in ["read_horizons", "drafts", "outbox"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE conversation_id IN (\(ids))")
            }
        }
    }
}
