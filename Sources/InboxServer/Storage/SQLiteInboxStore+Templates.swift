import GRDB
import InboxModel
import InboxRecords

extension SQLiteInboxStore {
    public func saveTemplates(_ definitions: [TemplateDefinition], clinic: String) async throws {
        if let problem = definitions.lazy.compactMap(\.problem).first { throw StoreError.invalid(problem) }
        let now = clock()
        try await write { db, touched in
            let clinicId = try Self.clinicId(db, name: clinic, createAt: now)
            for definition in definitions {
                try db.execute(sql: """
                    INSERT INTO templates (clinic_id, name, language, category, body, twilio_content_sid, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(clinic_id, name, language) DO UPDATE SET category = excluded.category,
                        body = excluded.body, twilio_content_sid = excluded.twilio_content_sid, updated_at = excluded.updated_at
                    """, arguments: [clinicId, definition.name, definition.language, definition.category.rawValue,
                                     definition.body, definition.twilioContentSid, now])
                let id = try Int64.fetchOne(db, sql: "SELECT id FROM templates WHERE clinic_id = ? AND name = ? AND language = ?",
                                            arguments: [clinicId, definition.name, definition.language]) ?? 0
                try Self.recordChange(db, clinicId: clinicId, kind: .template, id: id)
            }
            touched.insert(clinicId)
        }
    }

    public func templates(clinic: String) async throws -> [MessageTemplate] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(Columns.list(Columns.template, alias: "t")) FROM templates t JOIN clinics c ON c.id = t.clinic_id
                WHERE c.name = ? ORDER BY t.name, t.language
                """, arguments: [clinic]).map { MessageTemplate(row: $0) }
        }
    }
}
