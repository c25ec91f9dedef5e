import CurlHTTP
import Foundation
import GRDB
import InboxServer

/// Meta Cloud API webhooks with batched payloads, signed like Meta signs them, posted by a few concurrent senders
/// (Meta keeps several deliveries in flight). Measures messages accepted per second and the time from sending a
/// POST to its 200, which Meta needs within seconds or it redelivers.
struct MetaIngestBench {
    struct Options {
        var messages: Int
        var perPost: Int
        var inFlight: Int
        var patients: Int
        /// A PostgreSQL server to run on (a fresh database is made and dropped); nil: SQLite.
        var postgres: String?
        /// Server instances sharing the database; POSTs go round-robin, as a load balancer sends them.
        var instances: Int
        var tmpDir: String?
        var keep: Bool
    }

    struct Result: Codable {
        var bench = "meta-ingest"
        var database: String
        var instances: Int
        var messages: Int
        var posts: Int
        var perPost: Int
        var inFlight: Int
        var seconds: Double
        var messagesPerSecond: Double
        /// Milliseconds from sending a POST to its 200.
        var ack: Percentiles
        var stored: Int
        var throughputTargetMet: Bool
        var ackTargetMet: Bool
    }

    static let appSecret = "bench-app-secret"
    static let phoneNumberId = "106540352242922"
    static let clinicNumber = "+15550783881"

    let options: Options

    func run() async throws -> Result {
        let dir = try TempDir(prefix: "inbox-bench-meta", under: options.tmpDir, keep: options.keep)
        defer { dir.remove() }
        let dbPath = dir.file("server.sqlite")
        var scratch: ScratchPostgres?
        if let server = options.postgres { scratch = try await ScratchPostgres.create(on: server) }
        let location = scratch.map { StoreLocation.postgres(url: $0.url) } ?? .sqlite(path: dbPath)
        var servers: [InProcessServer] = []
        for _ in 0..<(scratch == nil ? 1 : max(1, options.instances)) {
            servers.append(try await InProcessServer.start(location, mediaDirectory: dir.file("media"), metaAppSecret: Self.appSecret))
        }
        try await servers[0].app.store.addNumber(Self.clinicNumber, clinic: "Bench", provider: .meta, providerRef: Self.phoneNumberId)

        let posts = (options.messages + options.perPost - 1) / options.perPost
        // Built and signed up front: the clock measures the server, not JSON encoding in the sender.
        let requests = (0..<posts).map { post in
            let body = payload(post: post)
            return HTTPClient.Request(method: "POST", url: servers[post % servers.count].baseURL + "/webhooks/meta",
                                      headers: [("Content-Type", "application/json"),
                                                ("X-Hub-Signature-256", MetaWebhook.signature(body: body, appSecret: Self.appSecret))],
                                      body: body, timeout: 30)
        }
        Report.line("meta-ingest on \(scratch == nil ? "SQLite" : "PostgreSQL, \(servers.count) instance(s)"): \(grouped(options.messages)) messages from \(grouped(options.patients)) patients in \(grouped(posts)) signed POSTs of \(options.perPost), \(options.inFlight) in flight")

        let http = HTTPClient()
        let watch = Stopwatch()
        let acks = try await withThrowingTaskGroup(of: [Double].self) { group in
            for sender in 0..<options.inFlight {
                group.addTask {
                    var latencies: [Double] = []
                    for index in stride(from: sender, to: requests.count, by: options.inFlight) {
                        let sent = Stopwatch()
                        let response = try await http.send(requests[index])
                        guard response.status == 200 else { throw BenchError("POST \(index) answered \(response.status)") }
                        latencies.append(sent.millis)
                    }
                    return latencies
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let seconds = watch.seconds
        let stored: Int
        if let scratch {
            stored = try await scratch.count("messages")
        } else {
            stored = try await DatabaseQueue(path: dbPath).read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM messages") ?? 0 }
        }
        for server in servers { await server.stop() }
        await scratch?.drop()

        let ack = Percentiles(acks)
        let rate = Double(options.messages) / seconds
        let result = Result(database: scratch == nil ? "sqlite" : "postgres", instances: servers.count, messages: options.messages, posts: posts, perPost: options.perPost, inFlight: options.inFlight,
                            seconds: rounded(seconds, 3), messagesPerSecond: rounded(rate, 0), ack: ack, stored: stored,
                            throughputTargetMet: rate >= 2_000, ackTargetMet: ack.p99 <= 50)
        Report.line("  accepted \(grouped(Int(rate))) msg/s (≥ 2,000: \(result.throughputTargetMet ? "met" : "MISSED")) in \(fmt(seconds, 2)) s; stored \(grouped(stored)) of \(grouped(options.messages))")
        Report.line("  ack p50 \(fmt(ack.p50)) ms, p99 \(fmt(ack.p99)) ms (≤ 50: \(result.ackTargetMet ? "met" : "MISSED")), max \(fmt(ack.max)) ms")
        guard stored == options.messages else { throw BenchError("stored \(stored) messages, expected \(options.messages)") }
        return result
    }

    /// One POST in Meta's documented shape: a `messages` value with its `contacts`, patients cycling through the pool.
    func payload(post: Int) -> [UInt8] {
        let first = post * options.perPost
        let count = min(options.perPost, options.messages - first)
        let now = Int(Date().timeIntervalSince1970)
        var contacts: [[String: Any]] = []
        var messages: [[String: Any]] = []
        for index in first..<(first + count) {
            let waId = String(15_550_000_000 + index % options.patients)
            contacts.append(["profile": ["name": "Patient \(index % options.patients)"], "wa_id": waId])
            messages.append(["from": waId, "id": "wamid.bench\(index)", "timestamp": String(now), "type": "text",
                             "text": ["body": "Hello, I would like to book a cleaning next week (\(index))"]])
        }
        let value: [String: Any] = ["messaging_product": "whatsapp",
                                    "metadata": ["display_phone_number": "15550783881", "phone_number_id": Self.phoneNumberId],
                                    "contacts": contacts, "messages": messages]
        let body: [String: Any] = ["object": "whatsapp_business_account",
                                   "entry": [["id": "WABA", "changes": [["field": "messages", "value": value]]]]]
        return Array((try? JSONSerialization.data(withJSONObject: body)) ?? Data())
    }
}
