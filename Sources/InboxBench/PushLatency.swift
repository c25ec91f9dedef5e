import CurlHTTP
import Foundation
import InboxModel
import InboxServer
import SyncEngine

/// Push latency: signed Twilio webhooks in; for each of N long-polling clients, the time from the webhook's
/// HTTP 200 to the message's row being committed in that client's mirror (`SyncLoop` `.applied` event).
struct PushLatencyBench {
    struct Options {
        var clientCounts: [Int]
        var messages: Int
        var interval: Duration
        var settleTimeout: Duration
        /// Run the server as a separate `inbox serve` process (this binary's sibling) instead of in this process.
        var serverBinary: String?
        /// Run two in-process instances on a fresh database of this PostgreSQL server: webhooks go into A, the
        /// clients long-poll B, so every delivery crosses instances through LISTEN/NOTIFY.
        var postgres: String?
        var tmpDir: String?
        var keep: Bool
    }

    struct Run: Codable {
        var clients: Int
        var messages: Int
        /// clients × messages
        var expected: Int
        var delivered: Int
        var missing: Int
        /// webhook HTTP 200 → committed in the client's mirror, milliseconds (negative values, where the mirror
        /// committed before curl handed us the 200, count as 0)
        var acceptedToCommitted: Percentiles
        /// webhook request started → committed
        var sentToCommitted: Percentiles
        /// webhook request started → HTTP 200
        var webhookRoundTrip: Percentiles
        var committedBeforeAccepted: Int
        var setupSeconds: Double
        /// CPU time of this process during the measured phase, per delivery (client × message): with the server
        /// in-process this is the whole cost of one fan-out to one client, server and simulated client together.
        var benchCpuMillisPerDelivery: Double
        /// With `--server-process`: the server's own CPU time per delivery.
        var serverCpuMillisPerDelivery: Double?
        var serverInProcess: Bool
        var targetP99Millis: Double?
        var targetMet: Bool?
    }

    struct Result: Codable {
        var bench = "push-latency"
        var intervalMillis: Double
        var openFileLimit: UInt64
        var runs: [Run]
        /// 1-minute load average when the benchmark finished (2 cores: above ~1 means other work competed).
        var loadAverage = ProcFS.loadAverage()
    }

    static let authToken = "bench-twilio-auth-token"
    static let clinic = "Bench Clinic"
    static let clinicNumber = "+15550002222"
    static func target(clients: Int) -> Double? {
        switch clients {
        case 100: 50
        case 1000: 250
        default: nil
        }
    }

    let options: Options

    func run() async throws -> Result {
        let limit = raiseOpenFileLimit(to: 65_536)
        Report.line("== push-latency: clients \(options.clientCounts.map(String.init).joined(separator: ", ")); \(options.messages) webhooks \(fmt(options.interval.millis, 0)) ms apart; open-file limit \(limit)")
        var runs: [Run] = []
        for count in options.clientCounts {
            runs.append(try await measure(clients: count))
        }
        return Result(intervalMillis: options.interval.millis, openFileLimit: limit, runs: runs)
    }

    private func measure(clients count: Int) async throws -> Run {
        let dir = try TempDir(prefix: "inbox-bench-push-\(count)", under: options.tmpDir, keep: options.keep)
        defer { dir.remove() }
        let setup = Stopwatch()
        let dbPath = dir.file("server.sqlite")
        let server: PushServer
        var tokens: [String] = []
        if let postgres = options.postgres {
            let scratch = try await ScratchPostgres.create(on: postgres)
            let location = StoreLocation.postgres(url: scratch.url)
            let a = try await InProcessServer.start(location, mediaDirectory: dir.file("media"), twilioAuthToken: Self.authToken)
            let b = try await InProcessServer.start(location, mediaDirectory: dir.file("media"), twilioAuthToken: Self.authToken)
            server = .pair(webhooks: a, clients: b, scratch)
            try await a.app.store.addNumber(Self.clinicNumber, clinic: Self.clinic, provider: .twilio, providerRef: nil)
            for index in 0..<count {
                tokens.append(try await a.app.store.addAgent(name: "agent-\(index)", clinic: Self.clinic, role: .agent).token)
            }
        } else if let binary = options.serverBinary {
            // Agents and the number go in through the store before the server process opens the file.
            do {
                let store = try SQLiteInboxStore(path: dbPath, notifier: LocalChangeNotifier())
                try await store.addNumber(Self.clinicNumber, clinic: Self.clinic, provider: .twilio, providerRef: nil)
                for index in 0..<count {
                    tokens.append(try await store.addAgent(name: "agent-\(index)", clinic: Self.clinic, role: .agent).token)
                }
            }
            let process = try ServerProcess(binary: binary, dbPath: dbPath, logPath: dir.file("server.log"),
                                            environment: ["TWILIO_AUTH_TOKEN": Self.authToken])
            server = .process(process, port: try await process.waitForPort(timeout: .seconds(30)))
        } else {
            let inProcess = try await InProcessServer.start(dbPath: dbPath, twilioAuthToken: Self.authToken)
            server = .inProcess(inProcess)
            let store = inProcess.app.store
            try await store.addNumber(Self.clinicNumber, clinic: Self.clinic, provider: .twilio, providerRef: nil)
            for index in 0..<count {
                tokens.append(try await store.addAgent(name: "agent-\(index)", clinic: Self.clinic, role: .agent).token)
            }
        }
        let log = ArrivalLog(clients: count)
        let clientsDir = dir.file("mirrors")
        try FileManager.default.createDirectory(atPath: clientsDir, withIntermediateDirectories: true)

        var tasks: [Task<Void, Never>] = []
        for index in 0..<count {
            let mirror = try Mirror(path: clientsDir + "/client-\(index).sqlite")
            let loop = SyncLoop(mirror: mirror, api: ServerAPI(server: server.baseURL, token: tokens[index])) { event in
                if case .applied(let batch) = event { log.applied(client: index, batch: batch) }
            }
            tasks.append(Task { await loop.run() })
        }
        func stopAll() async {
            for task in tasks { task.cancel() }
            for task in tasks { await task.value }
            await server.stop()
        }

        // Every client has synced once and is parked in a long-poll.
        let parked = await waitUntil(timeout: .seconds(120), interval: .milliseconds(50)) {
            log.clientsSynced == count && server.heldPolls >= count
        }
        guard parked else {
            let synced = log.clientsSynced, waiting = server.heldPolls
            await stopAll()
            throw BenchError("only \(synced) of \(count) clients synced and \(waiting) long-polls are held after 120 s")
        }

        let webhooks = HTTPClient()  // its own curl thread, apart from the clients' long-polls
        let sender = TwilioWebhookSender(baseURL: server.webhookBaseURL, authToken: Self.authToken,
                                         clinicNumber: Self.clinicNumber, http: webhooks)
        let patients = 5
        func send(_ index: Int, warmup: Bool) async throws {
            let sid = String(format: "SMbench%04d%06d%@", count, index, warmup ? "w" : "m")
            let phone = "+1555900000\(index % patients)"
            let slot = log.track(sid, measured: !warmup)
            let request = sender.request(from: phone, profileName: "Patient \(index % patients)",
                                         body: "Hello, is there a slot tomorrow morning? (\(index))", messageSid: sid)
            let sent = ContinuousClock.now
            let response = try await webhooks.send(request)
            let accepted = ContinuousClock.now
            guard response.status == 200 else {
                throw BenchError("webhook answered HTTP \(response.status): \(response.text)")
            }
            log.accepted(slot, sent: sent, accepted: accepted)
        }

        do {
            // Warm-up: the patients and their conversations exist before measuring, and every client has them.
            for index in 0..<patients { try await send(index, warmup: true) }
            let warmed = await waitUntil(timeout: .seconds(60), interval: .milliseconds(20)) {
                log.outstanding == 0 && server.heldPolls >= count
            }
            if !warmed { Report.line("  (warm-up incomplete: \(log.outstanding) deliveries outstanding)") }
            let setupSeconds = setup.seconds
            Report.line("  \(count) clients synced and parked in \(fmt(setupSeconds)) s; measuring")

            if case .process = server { try await Task.sleep(for: .milliseconds(500)) }  // parked, not just connected
            let start = ContinuousClock.now
            let benchCPU = CPUTime.ofThisProcess(), serverCPU = server.cpuSeconds
            for index in 0..<options.messages {
                try await Task.sleep(until: start + options.interval * index, clock: .continuous)
                try await send(patients + index, warmup: false)
            }
            _ = await waitUntil(timeout: options.settleTimeout, interval: .milliseconds(10)) { log.outstanding == 0 }
            let deliveries = Double(max(1, count * options.messages))
            let benchCPUPerDelivery = (CPUTime.ofThisProcess() - benchCPU) * 1000 / deliveries
            let serverCPUPerDelivery = serverCPU.flatMap { before in server.cpuSeconds.map { ($0 - before) * 1000 / deliveries } }
            await stopAll()
            return summarize(log.results(), clients: count, setupSeconds: setupSeconds, benchCPU: benchCPUPerDelivery,
                             serverCPU: serverCPUPerDelivery, inProcess: options.serverBinary == nil)
        } catch {
            await stopAll()
            throw error
        }
    }

    private func summarize(_ results: ArrivalLog.Results, clients count: Int, setupSeconds: Double, benchCPU: Double,
                           serverCPU: Double?, inProcess: Bool) -> Run {
        let target = Self.target(clients: count)
        let accepted = Percentiles(results.acceptedToCommitted.map { max(0, $0) })
        let run = Run(clients: count, messages: options.messages, expected: count * options.messages,
                      delivered: results.acceptedToCommitted.count,
                      missing: count * options.messages - results.acceptedToCommitted.count,
                      acceptedToCommitted: accepted, sentToCommitted: Percentiles(results.sentToCommitted),
                      webhookRoundTrip: Percentiles(results.roundTrips),
                      committedBeforeAccepted: results.acceptedToCommitted.filter { $0 < 0 }.count,
                      setupSeconds: rounded(setupSeconds), benchCpuMillisPerDelivery: rounded(benchCPU, 3),
                      serverCpuMillisPerDelivery: serverCPU.map { rounded($0, 3) }, serverInProcess: inProcess,
                      targetP99Millis: target,
                      targetMet: target.map { accepted.p99 <= $0 && results.acceptedToCommitted.count == count * options.messages })
        Report.line("""
              \(String(count).padding(toLength: 5, withPad: " ", startingAt: 0)) clients: accepted→committed \
            p50 \(fmt(accepted.p50)) ms, p99 \(fmt(accepted.p99)) ms, max \(fmt(accepted.max)) ms \
            (sent→committed p99 \(fmt(run.sentToCommitted.p99)) ms; webhook 200 in p50 \(fmt(run.webhookRoundTrip.p50)) ms); \
            \(run.delivered)/\(run.expected) delivered; CPU per delivery: bench process \(fmt(benchCPU, 3)) ms\
            \(serverCPU.map { ", server process " + fmt($0, 3) + " ms" } ?? "")\
            \(target.map { "; target p99 ≤ \(Int($0)) ms: " + (run.targetMet == true ? "met" : "MISSED") } ?? "")
            """)
        return run
    }
}

/// The server under test: in this process, or a separate `inbox serve`.
enum PushServer {
    case inProcess(InProcessServer)
    case process(ServerProcess, port: Int)
    /// Two instances on one PostgreSQL database.
    case pair(webhooks: InProcessServer, clients: InProcessServer, ScratchPostgres)

    /// Where the clients sync.
    var baseURL: String {
        switch self {
        case .inProcess(let server): server.baseURL
        case .process(_, let port): "http://127.0.0.1:\(port)"
        case .pair(_, let clients, _): clients.baseURL
        }
    }

    /// Where the webhooks go.
    var webhookBaseURL: String {
        if case .pair(let webhooks, _, _) = self { return webhooks.baseURL }
        return baseURL
    }

    /// Long-polls held by the server (in-process: the notifier's count; a process: its established connections,
    /// an upper bound, since an idle keep-alive connection counts too).
    var heldPolls: Int {
        switch self {
        case .inProcess(let server): server.app.notifier.waitingCount
        case .process(_, let port): ProcFS.establishedConnections(localPort: port)
        case .pair(_, let clients, _): clients.app.notifier.waitingCount
        }
    }

    /// The server process's CPU seconds (nil in-process: it is part of this process's).
    var cpuSeconds: Double? {
        switch self {
        case .inProcess, .pair: nil
        case .process(let process, _): CPUTime.of(pid: process.pid)
        }
    }

    func stop() async {
        switch self {
        case .inProcess(let server): await server.stop()
        case .process(let process, _): process.stop()
        case .pair(let webhooks, let clients, let scratch):
            await webhooks.stop()
            await clients.stop()
            await scratch.drop()
        }
    }
}

/// Which client committed which tracked message when. Written from the sync loops' event callbacks.
final class ArrivalLog: @unchecked Sendable {
    private let lock = NSLock()
    private let clients: Int
    private var slots: [String: Int] = [:]
    private var measured: [Bool] = []
    private var sent: [ContinuousClock.Instant?] = []
    private var accepted: [ContinuousClock.Instant?] = []
    private var arrivals: [[ContinuousClock.Instant?]] = []
    private var synced: Set<Int> = []
    private var remaining = 0

    init(clients: Int) { self.clients = clients }

    /// Registers a message before its webhook is sent; returns its slot.
    func track(_ providerMessageId: String, measured isMeasured: Bool) -> Int {
        lock.withLock {
            let slot = arrivals.count
            slots[providerMessageId] = slot
            measured.append(isMeasured)
            sent.append(nil)
            accepted.append(nil)
            arrivals.append(Array(repeating: nil, count: clients))
            remaining += clients
            return slot
        }
    }

    func accepted(_ slot: Int, sent sentAt: ContinuousClock.Instant, accepted acceptedAt: ContinuousClock.Instant) {
        lock.withLock {
            sent[slot] = sentAt
            accepted[slot] = acceptedAt
        }
    }

    /// Called right after the client's mirror committed `batch`.
    func applied(client: Int, batch: SyncBatch) {
        let now = ContinuousClock.now
        lock.withLock {
            synced.insert(client)
            for message in batch.messages {
                guard let id = message.providerMessageId, let slot = slots[id], arrivals[slot][client] == nil else { continue }
                arrivals[slot][client] = now
                remaining -= 1
            }
        }
    }

    var clientsSynced: Int { lock.withLock { synced.count } }
    var outstanding: Int { lock.withLock { remaining } }

    struct Results {
        var acceptedToCommitted: [Double] = []
        var sentToCommitted: [Double] = []
        var roundTrips: [Double] = []
    }

    func results() -> Results {
        lock.withLock {
            var results = Results()
            for slot in arrivals.indices where measured[slot] {
                guard let sentAt = sent[slot], let acceptedAt = accepted[slot] else { continue }
                results.roundTrips.append(sentAt.duration(to: acceptedAt).millis)
                for arrival in arrivals[slot] {
                    guard let arrival else { continue }
                    results.acceptedToCommitted.append(acceptedAt.duration(to: arrival).millis)
                    results.sentToCommitted.append(sentAt.duration(to: arrival).millis)
                }
            }
            return results
        }
    }
}
