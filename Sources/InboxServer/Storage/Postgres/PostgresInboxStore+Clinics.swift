import Foundation
import InboxModel
import InboxRecords
import PostgresNIO

/// A clinic's set-up, as `SQLiteInboxStore+Numbers` and `+Templates`: its WhatsApp numbers and their channel health,
/// its approved templates and its AI hook. Template changes are administrative: they NOTIFY every instance.
extension PostgresInboxStore {
    public func addNumber(_ number: String, clinic: String, provider: ProviderKind, providerRef: String?) async throws {
        let now = clock()
        try await write { db in
            let clinicId = try await Self.clinicId(db, name: clinic, createAt: now)
            if let owner = try await db.int("SELECT clinic_id FROM numbers WHERE number = \(number)"), owner != clinicId {
                throw StoreError.invalid("\(number) already belongs to another clinic")
            }
            try await db.execute("""
                INSERT INTO numbers (number, clinic_id, provider, provider_ref, created_at)
                VALUES (\(number), \(clinicId), \(provider.rawValue), \(providerRef), \(now))
                ON CONFLICT (number) DO UPDATE SET provider = EXCLUDED.provider, provider_ref = EXCLUDED.provider_ref
                """)
        }
    }

    public func clinicNumber(provider: ProviderKind, providerRef: String) async throws -> String? {
        try await rows("""
            SELECT number FROM numbers WHERE provider = \(provider.rawValue) AND provider_ref = \(providerRef)
            ORDER BY number LIMIT 1
            """).first?.string(0)
    }

    public func hasNumbers(provider: ProviderKind) async throws -> Bool {
        try await !rows("SELECT 1 FROM numbers WHERE provider = \(provider.rawValue) LIMIT 1").isEmpty
    }

    public func setChannelHealth(clinicNumber: String, provider: ProviderKind, state: String, detail: String?) async throws {
        let now = clock()
        let state = state.withoutNUL
        let detail = detail?.withoutNUL
        try await write { db in
            guard let clinicId = try await db.int("SELECT clinic_id FROM numbers WHERE number = \(clinicNumber)") else {
                throw StoreError.invalid("\(clinicNumber) is not a registered number")
            }
            // Providers repeat their state: only a change is news worth waking every agent's long-poll for.
            if let current = try await db.row("""
                SELECT provider, state, detail FROM channels WHERE clinic_number = \(clinicNumber) FOR UPDATE
                """), try current.string(0) == provider.rawValue, try current.string(1) == state,
                try current.optionalString(2) == detail {
                return
            }
            guard let id = try await db.int("""
                INSERT INTO channels (clinic_id, clinic_number, provider, state, detail, updated_at)
                VALUES (\(clinicId), \(clinicNumber), \(provider.rawValue), \(state), \(detail), \(now))
                ON CONFLICT (clinic_number) DO UPDATE SET clinic_id = EXCLUDED.clinic_id, provider = EXCLUDED.provider,
                    state = EXCLUDED.state, detail = EXCLUDED.detail, updated_at = EXCLUDED.updated_at
                RETURNING id
                """) else { return }
            db.recordChange(clinicId: clinicId, kind: .channel, id: id)
        }
    }

    public func saveTemplates(_ definitions: [TemplateDefinition], clinic: String) async throws {
        if let problem = definitions.lazy.compactMap(\.problem).first { throw StoreError.invalid(problem) }
        let now = clock()
        try await write { db in
            let clinicId = try await Self.clinicId(db, name: clinic, createAt: now)
            for definition in definitions {
                guard let id = try await db.int("""
                    INSERT INTO templates (clinic_id, name, language, category, body, twilio_content_sid, updated_at)
                    VALUES (\(clinicId), \(definition.name), \(definition.language), \(definition.category.rawValue),
                            \(definition.body), \(definition.twilioContentSid), \(now))
                    ON CONFLICT (clinic_id, name, language) DO UPDATE SET category = EXCLUDED.category,
                        body = EXCLUDED.body, twilio_content_sid = EXCLUDED.twilio_content_sid, updated_at = EXCLUDED.updated_at
                    RETURNING id
                    """) else { continue }
                db.recordChange(clinicId: clinicId, kind: .template, id: id)
            }
            db.touch(clinicId)
        }
    }

    public func templates(clinic: String) async throws -> [MessageTemplate] {
        try await rows("""
            SELECT \(unescaped: Columns.list(Columns.template, alias: "t")) FROM templates t JOIN clinics c ON c.id = t.clinic_id
            WHERE c.name = \(clinic) ORDER BY t.name, t.language
            """).map { try PGDecode.template($0) }
    }

    public func setAIHook(clinic: String, url: String?) async throws {
        let now = clock()
        try await write { db in
            let clinicId = try await Self.clinicId(db, name: clinic, createAt: now)
            try await db.execute("UPDATE clinics SET ai_hook_url = \(url) WHERE id = \(clinicId)")
        }
    }
}
