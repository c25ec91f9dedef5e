import InboxModel
import InboxRecords
import PostgresNIO

/// Canned replies, as `SQLiteInboxStore+Canned`: per clinic and shortcode, in the change log, a removal kept as a
/// `removed` row so mirrors delete it.
extension PostgresInboxStore {
    public func saveCannedReplies(_ definitions: [CannedReplyDefinition], clinic: String) async throws {
        if let problem = definitions.lazy.compactMap(\.problem).first { throw StoreError.invalid(problem) }
        let now = clock()
        try await write { db in
            let clinicId = try await Self.clinicId(db, name: clinic, createAt: now)
            for definition in definitions {
                guard let id = try await db.int("""
                    INSERT INTO canned_replies (clinic_id, shortcode, body, removed, updated_at)
                    VALUES (\(clinicId), \(definition.shortcode), \(definition.body), FALSE, \(now))
                    ON CONFLICT (clinic_id, shortcode) DO UPDATE SET body = EXCLUDED.body, removed = FALSE,
                        updated_at = EXCLUDED.updated_at
                    RETURNING id
                    """) else { continue }
                db.recordChange(clinicId: clinicId, kind: .canned, id: id)
            }
            db.touch(clinicId)
        }
    }

    public func removeCannedReply(shortcode: String, clinic: String) async throws -> Bool {
        let now = clock()
        return try await write { db in
            guard let row = try await db.row("""
                UPDATE canned_replies r SET removed = TRUE, updated_at = \(now) FROM clinics c
                WHERE c.id = r.clinic_id AND c.name = \(clinic) AND r.shortcode = \(shortcode) AND NOT r.removed
                RETURNING r.id, r.clinic_id
                """) else { return false }
            let clinicId = try row.int(1)
            db.recordChange(clinicId: clinicId, kind: .canned, id: try row.int(0))
            db.touch(clinicId)
            return true
        }
    }

    public func cannedReplies(clinic: String) async throws -> [CannedReply] {
        try await rows("""
            SELECT \(unescaped: Columns.list(Columns.cannedReply, alias: "r")) FROM canned_replies r
            JOIN clinics c ON c.id = r.clinic_id WHERE c.name = \(clinic) AND NOT r.removed ORDER BY r.shortcode
            """).map { try PGDecode.cannedReply($0) }
    }
}
