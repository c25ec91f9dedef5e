import GRDB
import InboxModel
import InboxRecords

/// Channel lookups and channel health: what provider webhooks that name a channel (not a number) need.
extension SQLiteInboxStore {
    public func clinicNumber(provider: ProviderKind, providerRef: String) async throws -> String? {
        try await pool.read { db in
            // `numbers_by_ref` serves this. ORDER BY keeps the answer stable if a ref was ever registered twice.
            try String.fetchOne(db, sql: """
                SELECT number FROM numbers WHERE provider = ? AND provider_ref = ? ORDER BY number LIMIT 1
                """, arguments: [provider.rawValue, providerRef])
        }
    }

    public func hasNumbers(provider: ProviderKind) async throws -> Bool {
        try await pool.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM numbers WHERE provider = ?)",
                              arguments: [provider.rawValue]) ?? false
        }
    }

    public func setChannelHealth(clinicNumber: String, provider: ProviderKind, state: String, detail: String?) async throws {
        let now = clock()
        try await write { db, touched in
            guard let clinicId = try Int64.fetchOne(db, sql: "SELECT clinic_id FROM numbers WHERE number = ?",
                                                    arguments: [clinicNumber]) else {
                throw StoreError.invalid("\(clinicNumber) is not a registered number")
            }
            let current = try Row.fetchOne(db, sql: "SELECT provider, state, detail FROM channels WHERE clinic_number = ?",
                                           arguments: [clinicNumber])
            // Providers repeat their state (WAHA re-sends session.status on reconnects): only a change is news
            // worth waking every agent's long-poll for.
            if let current, current["provider"] == provider.rawValue, current["state"] == state,
               current["detail"] as String? == detail {
                return
            }
            try db.execute(sql: """
                INSERT INTO channels (clinic_id, clinic_number, provider, state, detail, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(clinic_number) DO UPDATE SET clinic_id = excluded.clinic_id, provider = excluded.provider,
                    state = excluded.state, detail = excluded.detail, updated_at = excluded.updated_at
                """, arguments: [clinicId, clinicNumber, provider.rawValue, state, detail, now])
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM channels WHERE clinic_number = ?",
                                              arguments: [clinicNumber]) else { return }
            try Self.recordChange(db, clinicId: clinicId, kind: .channel, id: id)
            touched.insert(clinicId)
        }
    }
}
