import GRDB
import InboxModel

/// The marketing throttle's storage (`MarketingThrottle` decides): a clinic's limits, and the marketing templates
/// each patient was sent.
extension SQLiteInboxStore {
    public func setMarketingLimits(clinic: String, limits: MarketingLimits?) async throws {
        if let problem = limits?.problem { throw StoreError.invalid(problem) }
        let now = clock()
        try await write { db, _ in
            let clinicId = try Self.clinicId(db, name: clinic, createAt: now)
            try db.execute(sql: "UPDATE clinics SET marketing_per_day = ?, marketing_per_30_days = ? WHERE id = ?",
                           arguments: [limits?.perDay, limits?.perMonth, clinicId])
        }
    }

    public func marketingLimits(clinic: String) async throws -> MarketingLimits {
        try await pool.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT marketing_per_day, marketing_per_30_days FROM clinics WHERE name = ?",
                                       arguments: [clinic])
            let perDay: Int? = row?[0], perMonth: Int? = row?[1]
            return Self.limits(perDay: perDay, perMonth: perMonth)
        }
    }

    static func limits(perDay: Int?, perMonth: Int?) -> MarketingLimits {
        MarketingLimits(perDay: perDay ?? MarketingLimits.standard.perDay, perMonth: perMonth ?? MarketingLimits.standard.perMonth)
    }

    /// `CommandFact.marketingSends`, read in the command's transaction (SQLite's single writer orders two sends to
    /// one patient).
    static func readMarketingSends(into facts: inout CommandFacts, _ db: Database, clinicId: Int64, now: Millis) throws {
        let row = try Row.fetchOne(db, sql: "SELECT marketing_per_day, marketing_per_30_days FROM clinics WHERE id = ?",
                                   arguments: [clinicId])
        let perDay: Int? = row?[0], perMonth: Int? = row?[1]
        facts.marketingLimits = limits(perDay: perDay, perMonth: perMonth)
        facts.marketingSentAt = try Millis.fetchAll(db, sql: """
            SELECT s.sent_at FROM marketing_sends s JOIN messages m ON m.id = s.message_id
            WHERE s.patient_id = ? AND s.sent_at > ? AND m.status <> 'failed'
            """, arguments: [facts.conversation.patientId, now - MarketingThrottle.lookBack])
    }

    static func recordMarketingSend(_ db: Database, messageId: Int64, clinicId: Int64, patientId: Int64, at now: Millis) throws {
        try db.execute(sql: "INSERT INTO marketing_sends (message_id, clinic_id, patient_id, sent_at) VALUES (?, ?, ?, ?)",
                       arguments: [messageId, clinicId, patientId, now])
    }
}
