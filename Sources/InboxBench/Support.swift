import CurlHTTP
import Foundation
import PostgresNIO
import InboxModel
import InboxServer

#if canImport(Glibc)
import Glibc
#endif

// MARK: Time

/// Monotonic stopwatch.
struct Stopwatch {
    private let start = ContinuousClock.now
    var seconds: Double { start.duration(to: .now).seconds }
    var millis: Double { seconds * 1000 }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    var millis: Double { seconds * 1000 }
}

// MARK: Statistics

struct Percentiles: Codable, Sendable {
    var count: Int
    var p50: Double
    var p90: Double
    var p99: Double
    var max: Double
    var min: Double
    var mean: Double

    /// Nearest-rank percentiles of `values` (milliseconds).
    init(_ values: [Double]) {
        let sorted = values.sorted()
        count = sorted.count
        func rank(_ p: Double) -> Double {
            guard !sorted.isEmpty else { return .nan }
            let index = Swift.max(0, Swift.min(sorted.count - 1, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1))
            return sorted[index]
        }
        p50 = rank(50)
        p90 = rank(90)
        p99 = rank(99)
        max = sorted.last ?? .nan
        min = sorted.first ?? .nan
        mean = sorted.isEmpty ? .nan : sorted.reduce(0, +) / Double(sorted.count)
        (p50, p90, p99, max, min, mean) = (rounded(p50, 3), rounded(p90, 3), rounded(p99, 3), rounded(max, 3),
                                            rounded(min, 3), rounded(mean, 3))
    }
}

// MARK: Output

enum Report {
    /// The one-line machine-readable summary of a benchmark (sorted keys, no spaces).
    static func json<T: Encodable>(_ value: T) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        print(String(decoding: data, as: UTF8.self))
        flush()
    }

    static func line(_ text: String = "") {
        print(text)
        flush()
    }

    static func flush() { fflush(nil) }
}

func fmt(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }

/// `1234567` → `1,234,567`.
func grouped(_ value: Int) -> String {
    let digits = Array(String(value.magnitude))
    var out = ""
    for (index, digit) in digits.enumerated() {
        if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
        out.append(digit)
    }
    return value < 0 ? "-" + out : out
}

/// Rounds for JSON output so summaries stay short.
func rounded(_ value: Double, _ digits: Int = 2) -> Double {
    let scale = pow(10.0, Double(digits))
    return (value * scale).rounded() / scale
}

// MARK: Files and limits

/// A temporary directory removed on `remove()` (unless `keep`).
struct TempDir {
    let path: String
    let keep: Bool

    init(prefix: String, under base: String?, keep: Bool) throws {
        let parent = base ?? NSTemporaryDirectory()
        path = (parent as NSString).appendingPathComponent("\(prefix)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        self.keep = keep
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
    }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    func remove() {
        if keep {
            Report.line("(kept \(path))")
        } else {
            try? FileManager.default.removeItem(atPath: path)
        }
    }
}

/// Bytes of the database file and its WAL.
func databaseBytes(_ path: String) -> Int64 {
    [path, path + "-wal"].reduce(Int64(0)) { total, file in
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.int64Value ?? 0
        return total + size
    }
}

/// Raises the soft open-files limit to `wanted` (or the hard limit). Returns the limit now in force.
@discardableResult
func raiseOpenFileLimit(to wanted: UInt64) -> UInt64 {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
    let target = min(UInt64(limit.rlim_max), wanted)
    if UInt64(limit.rlim_cur) < target {
        limit.rlim_cur = rlim_t(target)
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
    return UInt64(limit.rlim_cur)
}

// MARK: /proc

enum ProcFS {
    /// procfs files report size 0 and are generated as they are read: read until EOF.
    static func readProcFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A field of /proc/PID/status in KiB (VmRSS, VmHWM…).
    static func statusKiB(pid: Int32, field: String) -> Int? {
        guard let text = readProcFile("/proc/\(pid)/status") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "")
        }
        return nil
    }

    static func threads(pid: Int32) -> Int? { statusKiB(pid: pid, field: "Threads") }

    /// TCP connections in ESTABLISHED state whose local port is `port` (the server's side of each connection).
    static func establishedConnections(localPort port: Int) -> Int {
        var count = 0
        for file in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = readProcFile(file) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count > 3, fields[3] == "01" else { continue }
                if let portHex = fields[1].split(separator: ":").last, Int(portHex, radix: 16) == port { count += 1 }
            }
        }
        return count
    }

    /// The 1-minute load average: other work on the machine skews every figure.
    static func loadAverage() -> Double {
        Double(readProcFile("/proc/loadavg")?.split(separator: " ").first ?? "") ?? -1
    }

    static func cpuModel() -> String {
        guard let text = readProcFile("/proc/cpuinfo") else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            return line.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        }
        return "unknown"
    }
}

// MARK: The server in this process

/// An `InboxServerApp` on 127.0.0.1 with a free port, served by a task; `stop()` cancels it.
struct InProcessServer {
    let app: InboxServerApp
    let port: Int
    let task: Task<Void, Never>

    var baseURL: String { "http://127.0.0.1:\(port)" }

    static func start(dbPath: String, twilioAuthToken: String? = nil, metaAppSecret: String? = nil) async throws -> InProcessServer {
        try await start(.sqlite(path: dbPath), twilioAuthToken: twilioAuthToken, metaAppSecret: metaAppSecret)
    }

    /// A server on `location`; on PostgreSQL several of them may share one database, as instances do.
    static func start(_ location: StoreLocation, mediaDirectory: String? = nil, twilioAuthToken: String? = nil,
                      metaAppSecret: String? = nil) async throws -> InProcessServer {
        var configuration = ServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.runBot = false
        configuration.twilio.authToken = twilioAuthToken
        configuration.meta.appSecret = metaAppSecret
        configuration.media.directory = mediaDirectory
        let app = try await InboxServerApp.open(location, configuration: configuration)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let task = Task {
            do {
                try await app.run { port in continuation.yield(port) }
            } catch {
                if !Task.isCancelled { Report.line("server stopped: \(error)") }
            }
            continuation.finish()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw BenchError("the in-process server did not start") }
        return InProcessServer(app: app, port: port, task: task)
    }

    func stop() async {
        task.cancel()
        await task.value
        await app.close()
    }
}

/// A fresh database on the PostgreSQL server a benchmark is given (`--postgres URL`), dropped afterwards.
struct ScratchPostgres {
    let server: PostgresURL
    let name = "inbox_bench_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    var url: String { server.with(database: name).string }

    static func create(on server: String) async throws -> ScratchPostgres {
        let scratch = ScratchPostgres(server: try PostgresURL(server))
        try await PostgresDatabases.create(scratch.name, on: scratch.server)
        return scratch
    }

    func count(_ table: String) async throws -> Int {
        try await PostgresDatabases.withConnection(server.with(database: name)) { connection, logger in
            let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT COUNT(*) FROM \(table)"), logger: logger)
            for try await count in rows.decode(Int.self) { return count }
            return 0
        }
    }

    func drop() async { try? await PostgresDatabases.drop(name, on: server) }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Polls `condition` every `interval` until it holds or `timeout` passes. True when it held.
func waitUntil(timeout: Duration, interval: Duration = .milliseconds(20), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: interval)
    }
    return try await condition()
}

// MARK: Twilio

/// Builds signed Twilio inbound-message webhooks the way Twilio sends them.
struct TwilioWebhookSender {
    let url: String
    let signer: TwilioSignature
    let clinicNumber: String
    let http: HTTPClient

    init(baseURL: String, authToken: String, clinicNumber: String, http: HTTPClient) {
        url = baseURL + "/webhooks/twilio"
        signer = TwilioSignature(authToken: authToken)
        self.clinicNumber = clinicNumber
        self.http = http
    }

    func request(from phone: String, profileName: String, body: String, messageSid: String) -> HTTPClient.Request {
        let parameters = [
            ("MessageSid", messageSid), ("SmsMessageSid", messageSid), ("AccountSid", "ACbench"),
            ("From", "whatsapp:" + phone), ("To", "whatsapp:" + clinicNumber), ("Body", body),
            ("NumMedia", "0"), ("ProfileName", profileName), ("WaId", String(phone.dropFirst())),
        ]
        let signature = signer.sign(url: url, parameters: parameters)
        return HTTPClient.Request(method: "POST", url: url,
                                  headers: [("Content-Type", "application/x-www-form-urlencoded"),
                                            ("X-Twilio-Signature", signature)],
                                  body: Array(FormEncoding.encode(parameters).utf8), timeout: 30)
    }
}

// MARK: CPU time

enum CPUTime {
    /// User + system CPU seconds of this process.
    static func ofThisProcess() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// User + system CPU seconds of another process, from /proc/PID/stat.
    static func of(pid: Int32) -> Double? {
        guard let text = ProcFS.readProcFile("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")") else { return nil }
        // After "(comm)": state is field 3, utime field 14, stime field 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
