import Foundation
import GRDB
import InboxModel
import SyncEngine

/// Diagnostic: the raw insert under variations (cache size, FTS trigger, statement path).
struct RawVariants: AsyncParsableCommandShim {
    static func run(messages: Int, conversations: Int, variants: [String], dir: String) throws {
        let data = SeedData.generate(conversations: conversations, messages: messages, clinicNumber: "+15550001111", agentId: 1)
        for variant in variants {
            let path = dir + "/raw-\(variant).sqlite"
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            _ = try Mirror(path: path)
            var configuration = Configuration()
            let cache = variant.contains("cache") ? "PRAGMA cache_size = -262144;" : ""
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL;" + cache) }
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            if variant.contains("nofts") { try queue.write { try $0.execute(sql: "DROP TRIGGER messages_fts_insert") } }
            let watch = Stopwatch()
            try queue.inTransaction { db in
                try data.insertPatients(db, clinicId: nil)
                try data.insertConversations(db, clinicId: nil)
                if variant.contains("multirow") {
                    try insertMultiRow(db, data: data, rowsPerStatement: Int(variant.filter(\.isNumber)) ?? 500)
                } else {
                    try data.insertMessages(db, range: 0..<data.messages.count, clinicId: nil)
                }
                if variant.contains("rebuild") { try db.execute(sql: "INSERT INTO messages_fts(messages_fts) VALUES('rebuild')") }
                return .commit
            }
            let loadavg = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first ?? "?"
            Report.line("\(variant): \(fmt(watch.seconds, 2)) s (load \(loadavg))")
        }
    }
}
protocol AsyncParsableCommandShim {}

/// Messages through `INSERT … VALUES (…), (…), …` statements of `rowsPerStatement` rows.
func insertMultiRow(_ db: Database, data: SeedData, rowsPerStatement: Int) throws {
    let columns = "id, conversation_id, direction, author, agent_id, body, media, provider_message_id, client_key, status, error, created_at"
    let row = "(" + Array(repeating: "?", count: 12).joined(separator: ", ") + ")"
    var start = 0
    while start < data.messages.count {
        let end = min(start + rowsPerStatement, data.messages.count)
        let sql = "INSERT INTO messages (\(columns)) VALUES " + Array(repeating: row, count: end - start).joined(separator: ", ")
        let statement = try db.cachedStatement(sql: sql)
        var values: [DatabaseValue] = []
        values.reserveCapacity((end - start) * 12)
        for index in start..<end {
            let m = data.messages[index]
            values += [m.id.databaseValue, m.conversationId.databaseValue, m.direction.rawValue.databaseValue,
                       m.author.rawValue.databaseValue, m.agentId.databaseValue, m.body.databaseValue,
                       data.mediaJSON[index].databaseValue, m.providerMessageId.databaseValue, m.clientKey.databaseValue,
                       m.status.rawValue.databaseValue, m.error.databaseValue, m.createdAt.databaseValue]
        }
        statement.setUncheckedArguments(StatementArguments(values))
        try statement.execute()
        start = end
    }
}
