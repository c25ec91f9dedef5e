import GRDB
import InboxModel
import InboxRecords

extension SQLiteInboxStore {
    public func changes(for agent: AuthenticatedAgent, after seq: Int64, limit: Int) async throws -> ChangePage {
        try await pool.read { db in
            let latest = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM changes") ?? 0
            let clinic = agent.clinicId
            // The batch ends at the limit-th change after the cursor, or at the clinic's last change.
            let upperAtLimit = try Int64.fetchOne(db, sql: """
                SELECT seq FROM changes WHERE clinic_id = ? AND seq > ? ORDER BY seq LIMIT 1 OFFSET ?
                """, arguments: [clinic, seq, limit - 1])
            let upper = try upperAtLimit
                ?? Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM changes WHERE clinic_id = ? AND seq > ?",
                                  arguments: [clinic, seq])
            guard let upper else {
                return ChangePage(batch: SyncBatch(cursor: ""), lastSeq: seq, latestSeq: latest)
            }
            let more = try upperAtLimit != nil && Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM changes WHERE clinic_id = ? AND seq > ?)
                """, arguments: [clinic, upper]) == true

            func rows<T>(_ kind: ChangeKind, table: String, columns: [String], extra: String = "",
                         _ decode: (Row) -> T) throws -> [T] {
                let sql = """
                    SELECT \(Columns.list(columns, alias: "e")) FROM changes c JOIN \(table) e ON e.id = c.entity_id
                    WHERE c.clinic_id = ? AND c.seq > ? AND c.seq <= ? AND c.kind = '\(kind.rawValue)' \(extra)
                    ORDER BY c.seq
                    """
                var result: [T] = []
                let cursor = try Row.fetchCursor(db, sql: sql, arguments: [clinic, seq, upper])
                while let row = try cursor.next() { result.append(decode(row)) }
                return result
            }
            var batch = SyncBatch(cursor: "", more: more)
            batch.agents = try rows(.agent, table: "agents", columns: Columns.agent) { Agent(row: $0) }
            batch.patients = try rows(.patient, table: "patients", columns: Columns.patient) { Patient(row: $0) }
            batch.conversations = try rows(.conversation, table: "conversations", columns: Columns.conversation) {
                Conversation(row: $0)
            }
            batch.messages = try rows(.message, table: "messages", columns: Columns.message) { Message(row: $0) }
            // Read horizons are private: each agent receives only its own.
            batch.readHorizons = try rows(.read, table: "read_horizons",
                                          columns: ["conversation_id", "agent_id", "message_id"],
                                          extra: "AND e.agent_id = \(agent.agent.id)") {
                ReadHorizon(conversationId: $0[0], agentId: $0[1], messageId: $0[2])
            }
            batch.channels = try rows(.channel, table: "channels", columns: Columns.channel) { ChannelHealth(row: $0) }
            return ChangePage(batch: batch, lastSeq: upper, latestSeq: latest)
        }
    }
}
