import Foundation
import GRDB
import InboxModel
import InboxServer
import SyncEngine

/// Catch-up: a fresh mirror pulls a clinic's whole history, compared with inserting the same rows directly.
struct CatchupBench {
    struct Options {
        var conversations: Int
        var messages: Int
        var batchLimit: Int
        var breakdown: Bool
        var tmpDir: String?
        var keep: Bool
    }

    struct Breakdown: Codable {
        var batches: Int
        var responseBytes: Int
        /// Seconds summed over all batches, each step run alone in this process.
        var serverQuerySeconds: Double
        var serverEncodeSeconds: Double
        var clientDecodeSeconds: Double
        var clientApplySeconds: Double
        var totalSeconds: Double
    }

    struct Result: Codable {
        var bench = "catchup"
        var conversations: Int
        var messages: Int
        var changes: Int
        /// SyncLoop.Policy.batchLimit (named so that "bench" stays the first key of the sorted JSON).
        var syncBatchLimit: Int
        var bodyBytes: Int
        var seedSeconds: Double
        var catchupSeconds: Double
        var catchupMessagesPerSecond: Double
        var rawSeconds: Double
        var rawMessagesPerSecond: Double
        /// catch-up throughput / raw insert throughput
        var ratioToRaw: Double
        /// The fastest raw insert we know: the same rows, messages 500 per `INSERT … VALUES (…), …` statement.
        var rawMultiRowSeconds: Double
        var rawMultiRowMessagesPerSecond: Double
        /// catch-up throughput / the multi-row raw throughput (issue 12: ≥ 0.9)
        var ratioToFastestRaw: Double
        var targetRatioToFastestRaw = 0.9
        var mirrorBytes: Int64
        var targetMessagesPerSecond = 50_000.0
        var targetRatio = 0.25
        var throughputTargetMet: Bool
        var ratioTargetMet: Bool
        var breakdown: Breakdown?
        /// 1-minute load average when the benchmark finished (2 cores: above ~1 means other work competed).
        var loadAverage = ProcFS.loadAverage()
    }

    static let clinic = "Bench Clinic"
    static let clinicNumber = "+15550001111"

    let options: Options

    func run() async throws -> Result {
        let dir = try TempDir(prefix: "inbox-bench-catchup", under: options.tmpDir, keep: options.keep)
        defer { dir.remove() }
        Report.line("== catchup: \(grouped(options.conversations)) conversations, \(grouped(options.messages)) messages, batch limit \(grouped(options.batchLimit))")

        // The server database: migrations, the number and the agent through the store's own API.
        let serverPath = dir.file("server.sqlite")
        let newAgent: NewAgent
        do {
            let store = try SQLiteInboxStore(path: serverPath, notifier: LocalChangeNotifier())
            try await store.addNumber(Self.clinicNumber, clinic: Self.clinic, provider: .twilio, providerRef: nil)
            newAgent = try await store.addAgent(name: "bench-agent", clinic: Self.clinic, role: .agent)
        }

        var watch = Stopwatch()
        let data = SeedData.generate(conversations: options.conversations, messages: options.messages,
                                     clinicNumber: Self.clinicNumber, agentId: newAgent.agent.id)
        Report.line("generated the history in \(fmt(watch.seconds)) s (\(grouped(data.bodyBytes)) body bytes, \(grouped(data.changeOrder.count)) changes)")

        watch = Stopwatch()
        try seedServer(path: serverPath, data: data, clinicId: newAgent.clinicId)
        let seedSeconds = watch.seconds
        Report.line("seeded the server database in \(fmt(seedSeconds)) s (\(grouped(Int(databaseBytes(serverPath)))) bytes)")

        // Raw: the same rows straight into a fresh mirror file, one transaction, prepared statements.
        let rawSeconds = try rawInsert(path: dir.file("raw-mirror.sqlite"), data: data)
        let rawRate = Double(options.messages) / rawSeconds
        Report.line("raw insert into a fresh mirror: \(fmt(rawSeconds, 2)) s = \(grouped(Int(rawRate))) msg/s")
        let multiRowSeconds = try rawInsert(path: dir.file("raw-multirow-mirror.sqlite"), data: data, rowsPerStatement: 500)
        let multiRowRate = Double(options.messages) / multiRowSeconds
        Report.line("raw insert, 500 messages per statement: \(fmt(multiRowSeconds, 2)) s = \(grouped(Int(multiRowRate))) msg/s")

        // Catch-up through the real server, HTTP client and sync loop.
        let server = try await InProcessServer.start(dbPath: serverPath)
        let mirrorPath = dir.file("mirror.sqlite")
        let catchupSeconds: Double
        do {
            let mirror = try Mirror(path: mirrorPath)
            var policy = SyncLoop.Policy()
            policy.batchLimit = options.batchLimit
            let loop = SyncLoop(mirror: mirror, api: ServerAPI(server: server.baseURL, token: newAgent.token), policy: policy)
            watch = Stopwatch()
            do {
                try await loop.syncOnce()
            } catch {
                await server.stop()
                throw error
            }
            catchupSeconds = watch.seconds
            let counts = try mirror.read { db in
                try (Int.fetchOne(db, sql: "SELECT COUNT(*) FROM messages") ?? 0,
                     Int.fetchOne(db, sql: "SELECT COUNT(*) FROM conversations") ?? 0,
                     Int.fetchOne(db, sql: "SELECT COUNT(*) FROM patients") ?? 0)
            }
            guard counts == (options.messages, options.conversations, options.conversations) else {
                await server.stop()
                throw BenchError("the mirror holds \(counts) (messages, conversations, patients) after catch-up")
            }
        }
        await server.stop()
        let rate = Double(options.messages) / catchupSeconds
        Report.line("catch-up via SyncLoop.syncOnce(): \(fmt(catchupSeconds, 2)) s = \(grouped(Int(rate))) msg/s")

        var breakdown: Breakdown?
        if options.breakdown {
            breakdown = try await measureBreakdown(serverPath: serverPath, token: newAgent.token,
                                                   mirrorPath: dir.file("breakdown-mirror.sqlite"))
        }

        let result = Result(conversations: options.conversations, messages: options.messages,
                            changes: data.changeOrder.count + 1, syncBatchLimit: options.batchLimit, bodyBytes: data.bodyBytes,
                            seedSeconds: rounded(seedSeconds), catchupSeconds: rounded(catchupSeconds, 3),
                            catchupMessagesPerSecond: rate.rounded(), rawSeconds: rounded(rawSeconds, 3),
                            rawMessagesPerSecond: rawRate.rounded(), ratioToRaw: rounded(rawSeconds / catchupSeconds, 4),
                            rawMultiRowSeconds: rounded(multiRowSeconds, 3), rawMultiRowMessagesPerSecond: multiRowRate.rounded(),
                            ratioToFastestRaw: rounded(multiRowSeconds / catchupSeconds, 4),
                            mirrorBytes: databaseBytes(mirrorPath), throughputTargetMet: rate >= 50_000,
                            ratioTargetMet: rawSeconds / catchupSeconds >= 0.25, breakdown: breakdown)
        Report.line("""
            catchup: \(grouped(Int(rate))) msg/s (target ≥ 50,000: \(result.throughputTargetMet ? "met" : "MISSED")), \
            \(fmt(result.ratioToRaw * 100)) % of raw \(grouped(Int(rawRate))) msg/s (target ≥ 25 %: \(result.ratioTargetMet ? "met" : "MISSED")), \
            \(fmt(result.ratioToFastestRaw * 100)) % of the multi-row raw \(grouped(Int(multiRowRate))) msg/s (target ≥ 90 %: \(result.ratioToFastestRaw >= 0.9 ? "met" : "MISSED"))
            """)
        return result
    }

    /// Writes the history into the server's tables, including one `changes` row per entity in log order.
    private func seedServer(path: String, data: SeedData, clinicId: Int64) throws {
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = OFF") }
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.inTransaction {
            try data.insertPatients($0, clinicId: clinicId)
            try data.insertConversations($0, clinicId: clinicId)
            return .commit
        }
        let chunk = 100_000
        for start in stride(from: 0, to: data.messages.count, by: chunk) {
            try queue.inTransaction {
                try data.insertMessages($0, range: start..<min(start + chunk, data.messages.count), clinicId: clinicId)
                return .commit
            }
        }
        for start in stride(from: 0, to: data.changeOrder.count, by: chunk * 2) {
            try queue.inTransaction {
                try data.insertChanges($0, range: start..<min(start + chunk * 2, data.changeOrder.count), clinicId: clinicId)
                return .commit
            }
        }
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
    }

    /// Inserts patients, conversations and messages into a fresh mirror file (schema and FTS triggers from
    /// `Mirror(path:)`) in one transaction with prepared statements; returns the seconds the transaction took.
    /// `rowsPerStatement` > 1: messages through multi-row `INSERT`s (`insertMultiRow`), the fastest raw variant.
    private func rawInsert(path: String, data: SeedData, rowsPerStatement: Int = 1) throws -> Double {
        _ = try Mirror(path: path)
        // As the mirror opens its files: WAL (kept in the file) and synchronous = NORMAL.
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        let watch = Stopwatch()
        try queue.inTransaction { db in
            try data.insertPatients(db, clinicId: nil)
            try data.insertConversations(db, clinicId: nil)
            if rowsPerStatement > 1 {
                try insertMultiRow(db, data: data, rowsPerStatement: rowsPerStatement)
            } else {
                try data.insertMessages(db, range: 0..<data.messages.count, clinicId: nil)
            }
            return .commit
        }
        let seconds = watch.seconds
        let count = try queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM messages") ?? 0 }
        guard count == data.messages.count else { throw BenchError("raw insert stored \(count) messages") }
        return seconds
    }

    /// Runs each step of catch-up alone, in this process, with the same code the server and the client run:
    /// the store's change query, JSON encoding of the batch (`SyncPageWriter`), JSON decoding (`SyncBatchReader`),
    /// and `Mirror.apply`.
    private func measureBreakdown(serverPath: String, token: String, mirrorPath: String) async throws -> Breakdown {
        let store = try SQLiteInboxStore(path: serverPath, notifier: LocalChangeNotifier())
        guard let agent = try await store.authenticate(tokenHash: Hashing.sha256Hex(Data(token.utf8))) else {
            throw BenchError("the bench agent's token is not accepted")
        }
        let mirror = try Mirror(path: mirrorPath)
        var result = Breakdown(batches: 0, responseBytes: 0, serverQuerySeconds: 0, serverEncodeSeconds: 0,
                               clientDecodeSeconds: 0, clientApplySeconds: 0, totalSeconds: 0)
        var seq: Int64 = 0
        let total = Stopwatch()
        while true {
            var watch = Stopwatch()
            var page = try await store.changes(for: agent, after: seq, limit: options.batchLimit)
            result.serverQuerySeconds += watch.seconds
            page.batch.cursor = "epoch.\(page.lastSeq)"
            watch = Stopwatch()
            let bytes = try SyncPageWriter.encode(page.batch)  // as SyncRoutes.answer
            result.serverEncodeSeconds += watch.seconds
            watch = Stopwatch()
            // As ServerAPI.changes: the hand-written reader, JSONDecoder only for what it declines.
            let batch = try SyncBatchReader.decode(bytes) ?? JSONDecoder().decode(SyncBatch.self, from: Data(bytes))
            result.clientDecodeSeconds += watch.seconds
            watch = Stopwatch()
            try mirror.apply(batch)
            result.clientApplySeconds += watch.seconds
            result.batches += 1
            result.responseBytes += bytes.count
            seq = page.lastSeq
            if !page.batch.more { break }
        }
        result.totalSeconds = total.seconds
        let m = Double(options.messages)
        Report.line("breakdown (each step alone, \(result.batches) batches, \(grouped(result.responseBytes)) JSON bytes):")
        for (name, seconds) in [("server: store.changes (SQL + rows)", result.serverQuerySeconds),
                                ("server: encode (SyncPageWriter)", result.serverEncodeSeconds),
                                ("client: decode (SyncBatchReader)", result.clientDecodeSeconds),
                                ("client: Mirror.apply (SQLite + FTS)", result.clientApplySeconds)] {
            Report.line("  \(name.padding(toLength: 38, withPad: " ", startingAt: 0)) \(fmt(seconds, 2)) s  (\(fmt(seconds / m * 1e6, 2)) µs/msg, \(fmt(seconds / result.totalSeconds * 100)) %)")
        }
        Report.line("  sum \(fmt(result.totalSeconds, 2)) s → \(grouped(Int(m / result.totalSeconds))) msg/s without HTTP")
        result.serverQuerySeconds = rounded(result.serverQuerySeconds, 3)
        result.serverEncodeSeconds = rounded(result.serverEncodeSeconds, 3)
        result.clientDecodeSeconds = rounded(result.clientDecodeSeconds, 3)
        result.clientApplySeconds = rounded(result.clientApplySeconds, 3)
        result.totalSeconds = rounded(result.totalSeconds, 3)
        return result
    }
}
