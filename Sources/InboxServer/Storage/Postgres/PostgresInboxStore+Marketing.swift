import InboxModel
import PostgresNIO

/// The marketing throttle's storage, as `SQLiteInboxStore+Marketing`.
extension PostgresInboxStore {
    public func setMarketingLimits(clinic: String, limits: MarketingLimits?) async throws {
        if let problem = limits?.problem { throw StoreError.invalid(problem) }
        let now = clock()
        let perDay = limits.map { Int64($0.perDay) }, perMonth = limits.map { Int64($0.perMonth) }
        try await write { db in
            let clinicId = try await Self.clinicId(db, name: clinic, createAt: now)
            try await db.execute("""
                UPDATE clinics SET marketing_per_day = \(perDay), marketing_per_30_days = \(perMonth) WHERE id = \(clinicId)
                """)
        }
    }

    public func marketingLimits(clinic: String) async throws -> MarketingLimits {
        let row = try await rows("SELECT marketing_per_day, marketing_per_30_days FROM clinics WHERE name = \(clinic)").first
        return Self.limits(try row?.optionalInt(0), try row?.optionalInt(1))
    }

    static func limits(_ perDay: Int64?, _ perMonth: Int64?) -> MarketingLimits {
        MarketingLimits(perDay: perDay.map { Int($0) } ?? MarketingLimits.standard.perDay,
                        perMonth: perMonth.map { Int($0) } ?? MarketingLimits.standard.perMonth)
    }

    /// `CommandFact.marketingSends`, read in the command's transaction. The patient's row is locked first: two
    /// marketing sends to one patient from two conversations (two clinic numbers, two instances) are counted one
    /// after the other, so together they never pass the limit.
    static func readMarketingSends(into facts: inout CommandFacts, _ db: PostgresWrite, clinicId: Int64, now: Millis) async throws {
        let patientId = facts.conversation.patientId
        try await db.execute("SELECT 1 FROM patients WHERE id = \(patientId) FOR UPDATE")
        let row = try await db.row("SELECT marketing_per_day, marketing_per_30_days FROM clinics WHERE id = \(clinicId)")
        facts.marketingLimits = limits(try row?.optionalInt(0), try row?.optionalInt(1))
        let since = now - MarketingThrottle.lookBack
        facts.marketingSentAt = try await db.rows("""
            SELECT s.sent_at FROM marketing_sends s JOIN messages m ON m.id = s.message_id
            WHERE s.patient_id = \(patientId) AND s.sent_at > \(since) AND m.status <> 'failed'
            """).map { try $0.int(0) }
    }

    static func recordMarketingSend(_ db: PostgresWrite, messageId: Int64, clinicId: Int64, patientId: Int64, at now: Millis) async throws {
        try await db.execute("""
            INSERT INTO marketing_sends (message_id, clinic_id, patient_id, sent_at)
            VALUES (\(messageId), \(clinicId), \(patientId), \(now))
            """)
    }
}
