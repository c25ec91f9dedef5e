import InboxModel
import PostgresNIO

/// A number's own bot settings, kept on its `numbers` row (`NumberBotColumns`), as `SQLiteInboxStore+NumberBots`.
extension PostgresInboxStore {
    public func numberBot(number: String) async throws -> NumberBot? {
        try await rows("""
            SELECT label, bot_greeting, bot_menu, ai_hook_url, handoff_words FROM numbers WHERE number = \(number)
            """).first.map { row in NumberBotColumns.bot(try (0..<5).map { try row.optionalString($0) }) }
    }

    public func setNumberBot(number: String, _ bot: NumberBot) async throws {
        let v = NumberBotColumns.values(bot).map { $0?.withoutNUL }
        let now = clock()
        try await write { db in
            guard try await db.exists("""
                UPDATE numbers SET label = \(v[0]), bot_greeting = \(v[1]), bot_menu = \(v[2]), ai_hook_url = \(v[3]),
                    handoff_words = \(v[4])
                WHERE number = \(number) RETURNING number
                """) else { throw StoreError.invalid("\(number) is not a registered number") }
            // The desk reaches agents with the number's channel row (a number nobody reported on yet gets one, "ok").
            guard let channel = try await db.row("""
                INSERT INTO channels (clinic_id, clinic_number, provider, state, detail, updated_at, label)
                SELECT clinic_id, number, provider, 'ok', NULL, \(now), \(v[0]) FROM numbers WHERE number = \(number)
                ON CONFLICT (clinic_number) DO UPDATE SET label = EXCLUDED.label, updated_at = EXCLUDED.updated_at
                RETURNING id, clinic_id
                """) else { return }
            db.recordChange(clinicId: try channel.int(1), kind: .channel, id: try channel.int(0))
        }
    }
}
