import CurlHTTP
import Foundation
import InboxModel
import InboxServer
import SyncEngine

/// Push latency: signed Twilio webhooks in; for each long-polling agent of the webhook's clinic, the time from the
/// webhook's HTTP 200 to the message reaching that agent — committed in its mirror (`SyncLoop` `.applied` event)
/// with full clients, or its answer's last byte read with light pollers (`--pollers process`).
struct PushLatencyBench {
    struct Options {
        /// One run per entry: clinics × agents per clinic.
        var loads: [(clinics: Int, agentsPerClinic: Int)]
        /// Measured webhooks per clinic.
        var messages: Int
        /// Webhooks per second into each clinic (clinics are staggered evenly within each period).
        var ratePerClinic: Double
        var settleTimeout: Duration
        /// Run the server as a separate `inbox serve` process (this binary's sibling) instead of in this process.
        var serverBinary: String?
        /// Run two in-process instances on a fresh database of this PostgreSQL server: webhooks go into A, the
        /// clients long-poll B, so every delivery crosses instances through LISTEN/NOTIFY.
        var postgres: String?
        /// The agents as bare HTTP long-polls in a separate `inbox-bench pollers` process, and the floor measured.
        var lightPollers: Bool
        var tmpDir: String?
        var keep: Bool
    }

    struct Floor: Codable {
        /// Plain requests to `/bench/floor` (as many as deliveries), a clinic's agents at a time.
        var requests: Int
        /// Their answers' size: the measured wake-up answers' mean.
        var bytes: Int
        /// The server's CPU per plain request (in-process: this process's, with nothing else running).
        var serverCpuMillisPerRequest: Double
        /// Server CPU per delivery ÷ server CPU per plain request (goal ≤ 2).
        var wakeUpToFloor: Double
    }

    struct Run: Codable {
        var clinics: Int
        var agentsPerClinic: Int
        /// clinics × agents per clinic
        var clients: Int
        var messagesPerClinic: Int
        var ratePerClinic: Double
        /// "full" (SyncLoop + Mirror per agent, in this process) or "light" (HTTP only, separate process)
        var pollers: String
        /// Σ over webhooks of the agents of its clinic
        var expected: Int
        var delivered: Int
        var missing: Int
        /// webhook HTTP 200 → received by the agent, milliseconds (negative values, where the agent had it before
        /// curl handed us the 200, count as 0)
        var acceptedToCommitted: Percentiles
        /// webhook request started → received
        var sentToCommitted: Percentiles
        /// webhook request started → HTTP 200
        var webhookRoundTrip: Percentiles
        var committedBeforeAccepted: Int
        var setupSeconds: Double
        /// CPU time of this process during the measured phase, per delivery (agent × message): with the server
        /// in-process and full clients this is the whole cost of one fan-out to one client.
        var benchCpuMillisPerDelivery: Double
        /// The server's own CPU per delivery: `--server-process`, or in-process with light pollers (then this
        /// process's, which also sends the webhooks).
        var serverCpuMillisPerDelivery: Double?
        /// With light pollers: their process's CPU per delivery.
        var pollersCpuMillisPerDelivery: Double?
        var floor: Floor?
        var serverInProcess: Bool
        var targetP99Millis: Double?
        var targetMet: Bool?
        var loadAverage: Double
    }

    struct Result: Codable {
        var bench = "push-latency"
        var openFileLimit: UInt64
        var runs: [Run]
        /// 1-minute load average when the benchmark finished (2 cores: above ~1 means other work competed).
        var loadAverage = ProcFS.loadAverage()
    }

    static let authToken = "bench-twilio-auth-token"
    static func target(clinics: Int, agentsPerClinic: Int) -> Double? {
        switch (clinics, agentsPerClinic) {
        case (1, 100): 50
        case (1, 1000): 250
        case (100, 10): 50
        default: nil
        }
    }

    let options: Options

    func run() async throws -> Result {
        let limit = raiseOpenFileLimit(to: 65_536)
        let loads = options.loads.map { $0.clinics == 1 ? "\($0.agentsPerClinic)" : "\($0.clinics)×\($0.agentsPerClinic)" }
        Report.line("== push-latency: agents \(loads.joined(separator: ", ")); \(options.messages) webhooks per clinic at \(fmt(options.ratePerClinic, 2))/s; \(options.lightPollers ? "light pollers in a separate process" : "full clients in this process"); open-file limit \(limit)")
        var runs: [Run] = []
        for load in options.loads {
            runs.append(try await measure(clinics: load.clinics, agentsPerClinic: load.agentsPerClinic))
        }
        return Result(openFileLimit: limit, runs: runs)
    }

    static func clinicName(_ index: Int, of clinics: Int) -> String { clinics == 1 ? "Bench Clinic" : "Bench Clinic \(index)" }
    static func clinicNumber(_ index: Int) -> String { "+1555000" + String(format: "%04d", index) }

    /// The clinics' numbers and agents, through `store` (tokens in agent order, clinic by clinic).
    static func populate(_ store: any InboxStore, clinics: Int, agentsPerClinic: Int) async throws -> [String] {
        var tokens: [String] = []
        for clinic in 0..<clinics {
            let name = clinicName(clinic, of: clinics)
            try await store.addNumber(clinicNumber(clinic), clinic: name, provider: .twilio, providerRef: nil)
            for index in 0..<agentsPerClinic {
                tokens.append(try await store.addAgent(name: "agent-\(clinic)-\(index)", clinic: name, role: .agent).token)
            }
        }
        return tokens
    }

    private func startServer(in dir: TempDir, clinics: Int, agentsPerClinic: Int) async throws -> (PushServer, [String]) {
        setenv("INBOX_BENCH_FLOOR", "1", 1)  // the floor route, for in-process servers too
        let dbPath = dir.file("server.sqlite")
        if let postgres = options.postgres {
            let scratch = try await ScratchPostgres.create(on: postgres)
            let location = StoreLocation.postgres(url: scratch.url)
            let a = try await InProcessServer.start(location, mediaDirectory: dir.file("media"), twilioAuthToken: Self.authToken)
            let b = try await InProcessServer.start(location, mediaDirectory: dir.file("media"), twilioAuthToken: Self.authToken)
            return (.pair(webhooks: a, clients: b, scratch),
                    try await Self.populate(a.app.store, clinics: clinics, agentsPerClinic: agentsPerClinic))
        } else if let binary = options.serverBinary {
            // Agents and numbers go in through the store before the server process opens the file.
            let store = try SQLiteInboxStore(path: dbPath, notifier: LocalChangeNotifier())
            let tokens = try await Self.populate(store, clinics: clinics, agentsPerClinic: agentsPerClinic)
            let process = try ServerProcess(binary: binary, dbPath: dbPath, logPath: dir.file("server.log"),
                                            environment: ["TWILIO_AUTH_TOKEN": Self.authToken, "INBOX_BENCH_FLOOR": "1"])
            return (.process(process, port: try await process.waitForPort(timeout: .seconds(30))), tokens)
        } else {
            let server = try await InProcessServer.start(dbPath: dbPath, twilioAuthToken: Self.authToken)
            return (.inProcess(server), try await Self.populate(server.app.store, clinics: clinics, agentsPerClinic: agentsPerClinic))
        }
    }

    private func measure(clinics: Int, agentsPerClinic: Int) async throws -> Run {
        let count = clinics * agentsPerClinic
        let dir = try TempDir(prefix: "inbox-bench-push-\(count)", under: options.tmpDir, keep: options.keep)
        defer { dir.remove() }
        let setup = Stopwatch()
        let (server, tokens) = try await startServer(in: dir, clinics: clinics, agentsPerClinic: agentsPerClinic)
        let log = ArrivalLog()

        var tasks: [Task<Void, Never>] = []
        var pollers: PollersProcess?
        func stopAll() async {
            pollers?.stop()
            for task in tasks { task.cancel() }
            for task in tasks { await task.value }
            await server.stop()
        }
        if options.lightPollers {
            pollers = try PollersProcess(port: server.port, tokens: tokens, log: log, errorLogPath: dir.file("pollers.log"))
        } else {
            let clientsDir = dir.file("mirrors")
            try FileManager.default.createDirectory(atPath: clientsDir, withIntermediateDirectories: true)
            for index in 0..<count {
                let mirror = try Mirror(path: clientsDir + "/client-\(index).sqlite")
                let loop = SyncLoop(mirror: mirror, api: ServerAPI(server: server.baseURL, token: tokens[index])) { event in
                    if case .applied(let batch) = event { log.applied(client: index, batch: batch) }
                }
                tasks.append(Task { await loop.run() })
            }
        }

        // Every client has synced once and is parked in a long-poll.
        let parked = await waitUntil(timeout: .seconds(120), interval: .milliseconds(50)) {
            (pollers?.synced ?? (log.clientsSynced == count)) && server.heldPolls >= count
        }
        guard parked else {
            let waiting = server.heldPolls
            await stopAll()
            throw BenchError("not every one of \(count) clients synced, or only \(waiting) long-polls are held after 120 s")
        }

        let webhooks = HTTPClient()  // its own curl thread, apart from the clients' long-polls
        let senders = (0..<clinics).map {
            TwilioWebhookSender(baseURL: server.webhookBaseURL, authToken: Self.authToken,
                                clinicNumber: Self.clinicNumber($0), http: webhooks)
        }
        let patients = 5
        @Sendable func send(clinic: Int, _ index: Int, warmup: Bool) async throws {
            let sid = String(format: "SMbench%04d%04d%06d%@", count, clinic, index, warmup ? "w" : "m")
            let phone = "+1555" + String(format: "%03d%04d", clinic % 1000, index % patients)
            let slot = log.track(sid, measured: !warmup,
                                 recipients: (clinic * agentsPerClinic)..<((clinic + 1) * agentsPerClinic))
            let request = senders[clinic].request(from: phone, profileName: "Patient \(index % patients)",
                                                  body: "Hello, is there a slot tomorrow morning? (\(index))", messageSid: sid)
            let sent = monotonicNanos()
            let response = try await webhooks.send(request)
            let accepted = monotonicNanos()
            guard response.status == 200 else {
                throw BenchError("webhook answered HTTP \(response.status): \(response.text)")
            }
            log.accepted(slot, sent: sent, accepted: accepted)
        }

        do {
            // Warm-up: the patients and their conversations exist before measuring, and every client has them.
            for clinic in 0..<clinics {
                for index in 0..<patients { try await send(clinic: clinic, index, warmup: true) }
            }
            let warmed = await waitUntil(timeout: .seconds(60), interval: .milliseconds(20)) {
                log.outstanding == 0 && server.heldPolls >= count
            }
            if !warmed { Report.line("  (warm-up incomplete: \(log.outstanding) deliveries outstanding)") }
            let setupSeconds = setup.seconds
            Report.line("  \(count) agents synced and parked in \(fmt(setupSeconds)) s; measuring")

            if case .process = server { try await Task.sleep(for: .milliseconds(500)) }  // parked, not just connected
            try await Task.sleep(for: .milliseconds(200))
            let start = ContinuousClock.now
            let benchCPU = CPUTime.ofThisProcess(), serverCPU = server.cpuSeconds, pollersCPU = pollers?.cpuSeconds
            // Clinic c's k-th webhook at (k + c / clinics) / rate seconds: every clinic at the rate, staggered.
            let period = Duration.seconds(1 / options.ratePerClinic)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<options.messages {
                    for clinic in 0..<clinics {
                        let due = start + period * index + period * (Double(clinic) / Double(clinics))
                        try await Task.sleep(until: due, clock: .continuous)
                        group.addTask { try await send(clinic: clinic, patients + index, warmup: false) }
                    }
                }
                try await group.waitForAll()
            }
            _ = await waitUntil(timeout: options.settleTimeout, interval: .milliseconds(10)) { log.outstanding == 0 }
            let deliveries = Double(max(1, count * options.messages))
            let benchCPUPerDelivery = (CPUTime.ofThisProcess() - benchCPU) * 1000 / deliveries
            var serverCPUPerDelivery = serverCPU.flatMap { before in server.cpuSeconds.map { ($0 - before) * 1000 / deliveries } }
            let pollersCPUPerDelivery = pollersCPU.flatMap { before in pollers.map { ($0.cpuSeconds - before) * 1000 / deliveries } }
            var floor: Floor?
            if let pollers {
                if serverCPUPerDelivery == nil { serverCPUPerDelivery = benchCPUPerDelivery }
                floor = try await measureFloor(pollers, server: server, rounds: options.messages, group: agentsPerClinic,
                                               deliveryCPU: serverCPUPerDelivery ?? benchCPUPerDelivery)
            }
            await stopAll()
            return summarize(log.results(), clinics: clinics, agentsPerClinic: agentsPerClinic, setupSeconds: setupSeconds,
                             benchCPU: benchCPUPerDelivery, serverCPU: serverCPUPerDelivery, pollersCPU: pollersCPUPerDelivery,
                             floor: floor, inProcess: options.serverBinary == nil)
        } catch {
            await stopAll()
            throw error
        }
    }

    /// The same number of plain requests as deliveries, answers of the wake-ups' size, a clinic's agents at a time.
    private func measureFloor(_ pollers: PollersProcess, server: PushServer, rounds: Int, group: Int,
                              deliveryCPU: Double) async throws -> Floor {
        let before = server.cpuSeconds ?? CPUTime.ofThisProcess()
        let (requests, bytes) = try await pollers.floor(rounds: rounds, group: group, timeout: .seconds(120))
        let cpu = ((server.cpuSeconds ?? CPUTime.ofThisProcess()) - before) * 1000 / Double(max(1, requests))
        return Floor(requests: requests, bytes: bytes, serverCpuMillisPerRequest: rounded(cpu, 4),
                     wakeUpToFloor: rounded(deliveryCPU / max(cpu, 1e-9), 2))
    }

    private func summarize(_ results: ArrivalLog.Results, clinics: Int, agentsPerClinic: Int, setupSeconds: Double,
                           benchCPU: Double, serverCPU: Double?, pollersCPU: Double?, floor: Floor?, inProcess: Bool) -> Run {
        let count = clinics * agentsPerClinic
        let target = Self.target(clinics: clinics, agentsPerClinic: agentsPerClinic)
        let accepted = Percentiles(results.acceptedToCommitted.map { max(0, $0) })
        let expected = count * options.messages
        let run = Run(clinics: clinics, agentsPerClinic: agentsPerClinic, clients: count, messagesPerClinic: options.messages,
                      ratePerClinic: options.ratePerClinic, pollers: options.lightPollers ? "light" : "full",
                      expected: expected, delivered: results.acceptedToCommitted.count,
                      missing: expected - results.acceptedToCommitted.count,
                      acceptedToCommitted: accepted, sentToCommitted: Percentiles(results.sentToCommitted),
                      webhookRoundTrip: Percentiles(results.roundTrips),
                      committedBeforeAccepted: results.acceptedToCommitted.filter { $0 < 0 }.count,
                      setupSeconds: rounded(setupSeconds), benchCpuMillisPerDelivery: rounded(benchCPU, 3),
                      serverCpuMillisPerDelivery: serverCPU.map { rounded($0, 3) },
                      pollersCpuMillisPerDelivery: pollersCPU.map { rounded($0, 3) }, floor: floor,
                      serverInProcess: inProcess, targetP99Millis: target,
                      targetMet: target.map { accepted.p99 <= $0 && results.acceptedToCommitted.count == expected },
                      loadAverage: ProcFS.loadAverage())
        let label = clinics == 1 ? "\(count) agents" : "\(clinics)×\(agentsPerClinic) agents"
        Report.line("""
              \(label): accepted→received p50 \(fmt(accepted.p50)) ms, p90 \(fmt(accepted.p90)) ms, \
            p99 \(fmt(accepted.p99)) ms, max \(fmt(accepted.max)) ms \
            (sent→received p99 \(fmt(run.sentToCommitted.p99)) ms; webhook 200 in p50 \(fmt(run.webhookRoundTrip.p50)) ms); \
            \(run.delivered)/\(run.expected) delivered; CPU per delivery: bench process \(fmt(benchCPU, 3)) ms\
            \(serverCPU.map { ", server " + fmt($0, 3) + " ms" } ?? "")\
            \(pollersCPU.map { ", pollers " + fmt($0, 3) + " ms" } ?? "")\
            \(floor.map { "; floor \(fmt($0.serverCpuMillisPerRequest, 4)) ms per \($0.bytes)-byte request: wake-up = \(fmt($0.wakeUpToFloor, 2))× floor" } ?? "")\
            \(target.map { "; target p99 ≤ \(Int($0)) ms: " + (run.targetMet == true ? "met" : "MISSED") } ?? ""); \
            load \(fmt(run.loadAverage, 2))
            """)
        return run
    }
}
