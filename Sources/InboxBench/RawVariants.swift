import ArgumentParser
import Foundation
import GRDB
import InboxModel
import SyncEngine

/// Diagnostic (hidden): the catch-up's raw insert under variations, to show where SQLite spends the time.
/// Variant names combine: `nofts` (drop the FTS insert trigger), `rebuild` (rebuild the FTS index at the end),
/// `cache` (256 MiB page cache), `noinbound` (drop the messages_inbound index), `multirowN` (N rows per INSERT
/// statement instead of one).
struct RawVariantsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raw-variants", abstract: "Diagnostic: the raw mirror insert under variations.", shouldDisplay: false)
    @OptionGroup var common: CommonOptions
    @Option var messages = 1_000_000
    @Option var conversations = 10_000
    @Option var variants = "default,multirow500,nofts,nofts-rebuild,cache"

    func run() async throws {
        let dir = try TempDir(prefix: "inbox-bench-raw", under: common.tmpDir, keep: common.keep)
        defer { dir.remove() }
        let data = SeedData.generate(conversations: conversations, messages: messages, clinicNumber: "+15550001111", agentId: 1)
        for variant in variants.split(separator: ",").map(String.init) {
            let path = dir.file("raw-\(variant).sqlite")
            _ = try Mirror(path: path)
            var configuration = Configuration()
            let cache = variant.contains("cache") ? "PRAGMA cache_size = -262144;" : ""
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL;" + cache) }
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            if variant.contains("nofts") { try await queue.write { try $0.execute(sql: "DROP TRIGGER messages_fts_insert") } }
            if variant.contains("noinbound") { try await queue.write { try $0.execute(sql: "DROP INDEX IF EXISTS messages_inbound") } }
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
            let seconds = watch.seconds
            Report.line("\(variant): \(fmt(seconds, 2)) s = \(grouped(Int(Double(messages) / seconds))) msg/s (load \(fmt(ProcFS.loadAverage(), 2)))")
            try? queue.close()
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
    }
}

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
