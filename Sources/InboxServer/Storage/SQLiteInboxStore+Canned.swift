import GRDB
import InboxModel
import InboxRecords

/// Canned replies (`inbox canned`): stored per clinic and shortcode, recorded in the change log so syncing mirrors
/// receive them, and kept as a `removed` row when removed so mirrors learn to delete them.
extension SQLiteInboxStore {
    public func saveCannedReplies(_ definitions: [CannedReplyDefinition], clinic: String) async throws {
        if let problem = definitions.lazy.compactMap(\.problem).first { throw StoreError.invalid(problem) }
        let now = clock()
        try await write { db, touched in
            let clinicId = try Self.clinicId(db, name: clinic, createAt: now)
            for definition in definitions {
                try db.execute(sql: """
                    INSERT INTO canned_replies (clinic_id, shortcode, body, removed, updated_at) VALUES (?, ?, ?, 0, ?)
                    ON CONFLICT(clinic_id, shortcode) DO UPDATE SET body = excluded.body, removed = 0,
                        updated_at = excluded.updated_at
                    """, arguments: [clinicId, definition.shortcode, definition.body, now])
                let id = try Int64.fetchOne(db, sql: "SELECT id FROM canned_replies WHERE clinic_id = ? AND shortcode = ?",
                                            arguments: [clinicId, definition.shortcode]) ?? 0
                try Self.recordChange(db, clinicId: clinicId, kind: .canned, id: id)
            }
            touched.insert(clinicId)
        }
    }

    public func removeCannedReply(shortcode: String, clinic: String) async throws -> Bool {
        let now = clock()
        return try await write { db, touched in
            guard let id = try Int64.fetchOne(db, sql: """
                SELECT r.id FROM canned_replies r JOIN clinics c ON c.id = r.clinic_id
                WHERE c.name = ? AND r.shortcode = ? AND r.removed = 0
                """, arguments: [clinic, shortcode]),
                let clinicId = try Int64.fetchOne(db, sql: "SELECT clinic_id FROM canned_replies WHERE id = ?", arguments: [id])
            else { return false }
            try db.execute(sql: "UPDATE canned_replies SET removed = 1, updated_at = ? WHERE id = ?", arguments: [now, id])
            try Self.recordChange(db, clinicId: clinicId, kind: .canned, id: id)
            touched.insert(clinicId)
            return true
        }
    }

    public func cannedReplies(clinic: String) async throws -> [CannedReply] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(Columns.list(Columns.cannedReply, alias: "r")) FROM canned_replies r JOIN clinics c ON c.id = r.clinic_id
                WHERE c.name = ? AND r.removed = 0 ORDER BY r.shortcode
                """, arguments: [clinic]).map { CannedReply(row: $0) }
        }
    }
}
