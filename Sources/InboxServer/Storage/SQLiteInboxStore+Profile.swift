import Foundation
import GRDB
import InboxModel
import InboxRecords

/// Patient profile edits and snooze wake-ups on SQLite. The rules decide (`ProfileRules`, `SnoozeRules`); this
/// stores what they planned, in the change log's transaction.
extension SQLiteInboxStore {
    /// Saves an edited profile only if the stored row is still at `expectedVersion` (compare-and-set).
    static func saveProfile(_ db: Database, clinicId: Int64, _ patient: Patient, expectedVersion: Int64) throws {
        let tags = String(decoding: try JSONEncoder().encode(patient.tags), as: UTF8.self)
        try db.execute(sql: """
            UPDATE patients SET display_name = ?, language = ?, is_lead = ?, external_record_id = ?, tags = ?, notes = ?,
                updated_at = ?, version = ?
            WHERE id = ? AND clinic_id = ? AND version = ?
            """, arguments: [WholeText.bindable(patient.displayName), patient.language, patient.isLead,
                             patient.externalRecordId, tags, patient.notes, patient.updatedAt, patient.version,
                             patient.id, clinicId, expectedVersion])
        guard db.changesCount == 1 else { throw CommandRefusal.changed }
        try recordChange(db, clinicId: clinicId, kind: .patient, id: patient.id)
    }

    /// Wakes the conversations whose snooze ended by `now` (a line in each one's activity log); returns how many.
    public func wakeSnoozed(now: Millis) async throws -> Int {
        // A read first: the waker asks twice a second, and almost always nothing is due.
        let due = try await pool.read { db in
            try db.valueCached("SELECT 1 FROM conversations WHERE snoozed_until IS NOT NULL AND snoozed_until <= ? LIMIT 1",
                               [now]) as Bool? ?? false
        }
        guard due else { return 0 }
        return try await write { db, touched in
            let n = Columns.conversation.count
            let rows = try Row.fetchAll(db, sql: """
                SELECT \(Columns.list(Columns.conversation)), clinic_id FROM conversations
                WHERE snoozed_until IS NOT NULL AND snoozed_until <= ? ORDER BY snoozed_until LIMIT ?
                """, arguments: [now, SnoozeRules.wakeBatch])
            var woken = 0
            for row in rows {
                let clinicId: Int64 = row[n]
                guard var next = SnoozeRules.wake(Conversation(row: row)),
                      try Self.saveConversation(db, clinicId: clinicId, &next) else { continue }
                touched.insert(clinicId)
                // A closed conversation just loses its snooze; an open one comes back and says so.
                guard next.status != .closed else { continue }
                _ = try Self.insertMessage(db, clinicId: clinicId, DeskLog.line(DeskLog.backFromSnooze,
                                                                            conversationId: next.id, actorId: nil, at: now))
                woken += 1
            }
            return woken
        }
    }
}
