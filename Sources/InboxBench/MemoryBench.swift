import CurlHTTP
import Foundation
import InboxModel
import InboxServer
import SyncEngine

/// Memory: the resident set of a separate `inbox serve` process, idle and while it holds N long-polls.
struct MemoryBench {
    struct Options {
        var polls: Int
        var pollTimeoutMillis: Int
        var inboxBinary: String?
        var settle: Duration
        var tmpDir: String?
        var keep: Bool
    }

    struct Result: Codable {
        var bench = "memory"
        var polls: Int
        /// Long-polls still open when the held figure was read (should equal `polls`).
        var held: Int
        var establishedConnections: Int
        var rssIdleKiB: Int
        var rssHeldKiB: Int
        var deltaKiB: Int
        var perPollKiB: Double
        var threadsIdle: Int
        var threadsHeld: Int
        var rssAfterReleaseKiB: Int?
        /// 1-minute load average when the benchmark finished (2 cores: above ~1 means other work competed).
        var loadAverage = ProcFS.loadAverage()
    }

    static let clinic = "Bench Clinic"

    let options: Options

    func run() async throws -> Result {
        raiseOpenFileLimit(to: 65_536)  // the server inherits it
        let binary = try locateInbox()
        Report.line("== memory: \(grouped(options.polls)) idle long-polls (timeout=\(options.pollTimeoutMillis)) against \(binary)")
        let dir = try TempDir(prefix: "inbox-bench-memory", under: options.tmpDir, keep: options.keep)
        defer { dir.remove() }
        let dbPath = dir.file("server.sqlite")
        let token: String
        do {
            let store = try SQLiteInboxStore(path: dbPath, notifier: LocalChangeNotifier())
            try await store.addNumber("+15550003333", clinic: Self.clinic, provider: .twilio, providerRef: nil)
            token = try await store.addAgent(name: "bench-agent", clinic: Self.clinic, role: .agent).token
        }

        let server = try ServerProcess(binary: binary, dbPath: dbPath, logPath: dir.file("server.log"))
        defer { server.stop() }
        let port = try await server.waitForPort(timeout: .seconds(30))
        let base = "http://127.0.0.1:\(port)"
        let pid = server.pid

        // Warm up the paths a long-poll takes (auth, change query, encoding), then read the idle figure.
        let api = ServerAPI(server: base, token: token)
        var cursor: String?
        for _ in 0..<3 {
            var batch = try await api.changes(since: nil, wait: .zero)
            while batch.more { batch = try await api.changes(since: batch.cursor, wait: .zero) }
            cursor = batch.cursor
        }
        try await Task.sleep(for: .seconds(1))
        let rssIdle = try Self.rss(pid)
        let threadsIdle = ProcFS.threads(pid: pid) ?? 0

        // Hold the polls open.
        let http = HTTPClient()
        let done = Counter()
        let url = base + "/v1/sync?timeout=\(options.pollTimeoutMillis)&since=" + FormEncoding.escape(cursor ?? "")
        let request = HTTPClient.Request(url: url, headers: [("Authorization", "Bearer \(token)")],
                                         timeout: Double(options.pollTimeoutMillis) / 1000 + 30)
        var tasks: [Task<Void, Never>] = []
        for _ in 0..<options.polls {
            tasks.append(Task {
                let response: String
                do {
                    let answer = try await http.send(request)
                    response = "HTTP \(answer.status) \(answer.text.prefix(200))"
                } catch {
                    response = "\(error)"
                }
                done.increment(note: response)
            })
        }
        defer { for task in tasks { task.cancel() } }
        let connected = await waitUntil(timeout: .seconds(60), interval: .milliseconds(100)) {
            ProcFS.establishedConnections(localPort: port) >= options.polls
        }
        if !connected {
            Report.line("  (only \(ProcFS.establishedConnections(localPort: port)) connections established after 60 s)")
        }
        // Let every request reach its wait, then take the highest of a few readings.
        try await Task.sleep(for: options.settle)
        var rssHeld = 0
        for _ in 0..<5 {
            rssHeld = max(rssHeld, try Self.rss(pid))
            try await Task.sleep(for: .milliseconds(200))
        }
        let threadsHeld = ProcFS.threads(pid: pid) ?? 0
        let established = ProcFS.establishedConnections(localPort: port)
        let held = options.polls - done.value
        if held < options.polls { Report.line("  (\(options.polls - held) long-polls had already returned, the first with: \(done.note ?? "?"))") }

        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        try await Task.sleep(for: .seconds(1))
        let rssAfter = try? Self.rss(pid)

        let delta = rssHeld - rssIdle
        let result = Result(polls: options.polls, held: held, establishedConnections: established, rssIdleKiB: rssIdle,
                            rssHeldKiB: rssHeld, deltaKiB: delta, perPollKiB: rounded(Double(delta) / Double(options.polls)),
                            threadsIdle: threadsIdle, threadsHeld: threadsHeld, rssAfterReleaseKiB: rssAfter)
        Report.line("""
            memory: idle \(fmt(Double(rssIdle) / 1024)) MiB, holding \(held) long-polls \(fmt(Double(rssHeld) / 1024)) MiB \
            → \(fmt(result.perPollKiB)) KiB per poll (threads \(threadsIdle) → \(threadsHeld); \
            after release \(rssAfter.map { fmt(Double($0) / 1024) + " MiB" } ?? "?"))
            """)
        return result
    }

    static func rss(_ pid: Int32) throws -> Int {
        guard let value = ProcFS.statusKiB(pid: pid, field: "VmRSS") else { throw BenchError("cannot read /proc/\(pid)/status") }
        return value
    }

    /// `--inbox-binary`, else `inbox` next to this executable.
    private func locateInbox() throws -> String { try Self.locateInbox(options.inboxBinary) }

    static func locateInbox(_ given: String?) throws -> String {
        if let path = given {
            guard FileManager.default.isExecutableFile(atPath: path) else { throw BenchError("\(path) is not executable") }
            return path
        }
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let candidate = ((me as NSString).deletingLastPathComponent as NSString).appendingPathComponent("inbox")
        guard FileManager.default.isExecutableFile(atPath: candidate) else {
            throw BenchError("no inbox binary at \(candidate): build it (swift build -c release --product inbox) or pass --inbox-binary")
        }
        return candidate
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var first: String?
    func increment(note: String? = nil) { lock.withLock { count += 1; first = first ?? note } }
    var note: String? { lock.withLock { first } }
    var value: Int { lock.withLock { count } }
}

/// `inbox serve --port 0` as a child process; learns its port from the line it prints.
final class ServerProcess: @unchecked Sendable {
    private let process = Process()
    private let output = Pipe()
    private let lock = NSLock()
    private var text = ""

    var pid: Int32 { process.processIdentifier }

    init(binary: String, dbPath: String, logPath: String, environment extra: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--db", dbPath, "--host", "127.0.0.1", "--port", "0", "--no-bot"]
        var environment = ProcessInfo.processInfo.environment
        environment["INBOX_LOG_LEVEL"] = "warning"
        environment.merge(extra) { $1 }
        process.environment = environment
        process.standardOutput = output
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: logPath)
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock { self.text += String(decoding: data, as: UTF8.self) }
        }
        try process.run()
    }

    func waitForPort(timeout: Duration) async throws -> Int {
        var port: Int?
        _ = await waitUntil(timeout: timeout, interval: .milliseconds(20)) {
            port = self.lock.withLock { Self.port(in: self.text) }
            return port != nil || !self.process.isRunning
        }
        guard let port else { throw BenchError("inbox serve did not print its port (output: \(lock.withLock { text }))") }
        return port
    }

    /// `... listening on http://127.0.0.1:PORT`
    static func port(in text: String) -> Int? {
        guard let range = text.range(of: "listening on http://") else { return nil }
        let rest = text[range.upperBound...]
        guard let line = rest.split(separator: "\n", omittingEmptySubsequences: false).first, rest.contains("\n"),
              let colon = line.lastIndex(of: ":") else { return nil }
        return Int(line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
    }

    func stop() {
        output.fileHandleForReading.readabilityHandler = nil
        guard process.isRunning else { return }
        process.terminate()  // SIGTERM: the server shuts down gracefully
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
