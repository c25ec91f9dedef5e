import GRDB
import InboxModel

/// A number's own bot settings, kept on its `numbers` row (`NumberBotColumns`).
extension SQLiteInboxStore {
    public func numberBot(number: String) async throws -> NumberBot? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(NumberBotColumns.names.joined(separator: ", ")) FROM numbers WHERE number = ?",
                             arguments: [number]).map { row in
                NumberBotColumns.bot((0..<NumberBotColumns.names.count).map { index -> String? in row[index] })
            }
        }
    }

    public func setNumberBot(number: String, _ bot: NumberBot) async throws {
        let now = clock()
        try await write { db, touched in
            let assignments = NumberBotColumns.names.map { "\($0) = ?" }.joined(separator: ", ")
            try db.execute(sql: "UPDATE numbers SET \(assignments) WHERE number = ?",
                           arguments: StatementArguments(NumberBotColumns.values(bot).map { $0 as (any DatabaseValueConvertible)? } + [number]))
            guard db.changesCount > 0 else { throw StoreError.invalid("\(number) is not a registered number") }
            // The desk reaches agents with the number's channel row (a number nobody reported on yet gets one, "ok").
            guard let channel = try Row.fetchOne(db, sql: """
                INSERT INTO channels (clinic_id, clinic_number, provider, state, detail, updated_at, label)
                SELECT clinic_id, number, provider, 'ok', NULL, ?, ? FROM numbers WHERE number = ?
                ON CONFLICT(clinic_number) DO UPDATE SET label = excluded.label, updated_at = excluded.updated_at
                RETURNING id, clinic_id
                """, arguments: [now, bot.label, number]) else { return }
            try Self.recordChange(db, clinicId: channel[1], kind: .channel, id: channel[0])
            touched.insert(channel[1])
        }
    }
}
