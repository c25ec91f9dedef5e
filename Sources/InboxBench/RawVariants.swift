import ArgumentParser
import Foundation
import GRDB
import InboxModel
import SyncEngine

/// Diagnostic (hidden): the catch-up's raw insert under variations, to show where SQLite spends the time.
/// Variant names combine: `nofts` (drop the FTS insert trigger), `rebuild` (rebuild the FTS index at the end),
/// `cache` (256 MiB page cache), `noinbound` (drop the messages_inbound index), `multirowN` (N rows per INSERT
/// statement instead of one), `upsert` (multi-row `ON CONFLICT … DO UPDATE` statements, as `Mirror.apply` writes),
/// `txN` (multi-row, one transaction per N thousand messages, as a catch-up commits its pages), `nockpt` (no
/// automatic WAL checkpoint; one at the end, timed).
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
            if variant.contains("nockpt") { try await queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_autocheckpoint = 0") } }
            let watch = Stopwatch()
            if let perTransaction = Self.number(after: "tx", in: variant) {
                try insertInTransactions(queue, data: data, messagesPerTransaction: perTransaction * 1_000,
                                         upsert: variant.contains("upsert"))
            } else { try queue.inTransaction { db in
                try data.insertPatients(db, clinicId: nil)
                try data.insertConversations(db, clinicId: nil)
                if variant.contains("multirow") || variant.contains("upsert") {
                    try insertMultiRow(db, data: data, rowsPerStatement: Self.number(after: "multirow", in: variant) ?? 500,
                                       upsert: variant.contains("upsert"))
                } else {
                    try data.insertMessages(db, range: 0..<data.messages.count, clinicId: nil)
                }
                if variant.contains("rebuild") { try db.execute(sql: "INSERT INTO messages_fts(messages_fts) VALUES('rebuild')") }
                return .commit
            } }
            if variant.contains("nockpt") { try await queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") } }
            let seconds = watch.seconds
            Report.line("\(variant): \(fmt(seconds, 2)) s = \(grouped(Int(Double(messages) / seconds))) msg/s (load \(fmt(ProcFS.loadAverage(), 2)))")
            try? queue.close()
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
    }

    /// The digits right after `prefix` in a variant name (`tx50` → 50).
    static func number(after prefix: String, in variant: String) -> Int? {
        guard let range = variant.range(of: prefix) else { return nil }
        return Int(variant[range.upperBound...].prefix(while: \.isNumber))
    }

    /// Patients and conversations in one transaction, then the messages 500 per statement in transactions of
    /// `messagesPerTransaction`.
    func insertInTransactions(_ queue: DatabaseQueue, data: SeedData, messagesPerTransaction: Int, upsert: Bool) throws {
        try queue.inTransaction { db in
            try data.insertPatients(db, clinicId: nil)
            try data.insertConversations(db, clinicId: nil)
            return .commit
        }
        for start in stride(from: 0, to: data.messages.count, by: messagesPerTransaction) {
            try queue.inTransaction { db in
                try insertMultiRow(db, data: data, rowsPerStatement: 500,
                                   range: start..<min(start + messagesPerTransaction, data.messages.count), upsert: upsert)
                return .commit
            }
        }
    }
}

/// Messages through `INSERT … VALUES (…), (…), …` statements of `rowsPerStatement` rows.
/// `upsert`: `ON CONFLICT(id) DO UPDATE SET …`, as `Mirror.apply` writes them.
func insertMultiRow(_ db: Database, data: SeedData, rowsPerStatement: Int, range: Range<Int>? = nil, upsert: Bool = false) throws {
    let names = ["id", "conversation_id", "direction", "author", "agent_id", "body", "media", "provider_message_id",
                 "client_key", "status", "error", "created_at"]
    let columns = names.joined(separator: ", ")
    let row = "(" + Array(repeating: "?", count: 12).joined(separator: ", ") + ")"
    let conflict = !upsert ? "" : " ON CONFLICT(id) DO UPDATE SET "
        + names.dropFirst().map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
    let range = range ?? 0..<data.messages.count
    var start = range.lowerBound
    while start < range.upperBound {
        let end = min(start + rowsPerStatement, range.upperBound)
        let sql = "INSERT INTO messages (\(columns)) VALUES " + Array(repeating: row, count: end - start).joined(separator: ", ") + conflict
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
