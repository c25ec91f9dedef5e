import Foundation
import InboxModel
import InboxRecords
import PostgresNIO

/// Patient profile edits and snooze wake-ups on PostgreSQL, as `SQLiteInboxStore+Profile` does them. Several
/// instances wake snoozes at once without waking one twice: due rows are claimed `FOR UPDATE SKIP LOCKED`.
extension PostgresInboxStore {
    /// Saves an edited profile only if the stored row is still at `expectedVersion` (compare-and-set; the command
    /// read the row `FOR UPDATE`, so a concurrent edit waits and is then refused with the current profile).
    static func saveProfile(_ db: PostgresWrite, clinicId: Int64, _ patient: Patient, expectedVersion: Int64) async throws {
        let tags = String(decoding: try JSONEncoder().encode(patient.tags), as: UTF8.self)
        let p = patient
        let saved = try await db.exists("""
            UPDATE patients SET display_name = \(wholeText(p.displayName)), language = \(p.language?.withoutNUL),
                is_lead = \(p.isLead), external_record_id = \(p.externalRecordId?.withoutNUL), tags = \(tags.withoutNUL),
                notes = \(p.notes.withoutNUL), updated_at = \(p.updatedAt), version = \(p.version)
            WHERE id = \(p.id) AND clinic_id = \(clinicId) AND version = \(expectedVersion) RETURNING id
            """)
        guard saved else { throw CommandRefusal.changed }
        db.recordChange(clinicId: clinicId, kind: .patient, id: patient.id)
    }

    public func wakeSnoozed(now: Millis) async throws -> Int {
        guard try await rows("""
            SELECT 1 FROM conversations WHERE snoozed_until IS NOT NULL AND snoozed_until <= \(now) LIMIT 1
            """).first != nil else { return 0 }
        return try await write { db in
            let n = Columns.conversation.count
            let rows = try await db.rows("""
                SELECT \(unescaped: Columns.list(Columns.conversation)), clinic_id FROM conversations
                WHERE snoozed_until IS NOT NULL AND snoozed_until <= \(now)
                ORDER BY snoozed_until LIMIT \(SnoozeRules.wakeBatch) FOR UPDATE SKIP LOCKED
                """)
            var woken = 0
            for row in rows {
                let clinicId = try row.int(n)
                guard var next = SnoozeRules.wake(try PGDecode.conversation(row)),
                      try await Self.saveConversation(db, clinicId: clinicId, &next) else { continue }
                guard next.status != .closed else { continue }
                _ = try await Self.insertMessage(db, clinicId: clinicId, DeskLog.line(DeskLog.backFromSnooze,
                                                                                  conversationId: next.id, actorId: nil, at: now))
                woken += 1
            }
            return woken
        }
    }
}
