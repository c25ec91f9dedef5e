import CurlHTTP
import Foundation
import InboxServer
#if canImport(Glibc)
import Glibc
#endif

/// `inbox serve` as its own process over a database in a temporary directory, with a clinic, an agent and a
/// Twilio number made by the real admin commands.
struct ServerProcess {
    static let clinicNumber = "+15550001111"

    let directory: URL
    /// The SQLite file, when the server runs on one.
    let db: String
    /// How every `inbox` command names the database: `--db FILE` or `--database postgres://…`.
    let databaseArguments: [String]
    let token: String
    var running: InboxProcess.Running?
    var port = 0
    var baseURL: String { "http://127.0.0.1:\(port)" }
    var pid: Int32 { running?.process.processIdentifier ?? 0 }

    /// Creates the database (clinic "Sunrise", agent Aisha, Twilio number) without starting the server: a SQLite
    /// file in a temporary directory, or the PostgreSQL database at `postgresURL`.
    static func prepare(postgresURL: String? = nil) throws -> ServerProcess {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("inbox-process-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let db = directory.appendingPathComponent("server.sqlite").path
        let database = postgresURL.map { ["--database", $0] } ?? ["--db", db]
        let token = try InboxProcess.run(["agent", "add", "Aisha", "--clinic", "Sunrise"] + database)
            .split(separator: "\n").last.map(String.init) ?? ""
        try InboxProcess.run(["number", "add", clinicNumber, "--clinic", "Sunrise"] + database)
        return ServerProcess(directory: directory, db: db, databaseArguments: database, token: token)
    }

    /// Another instance on the same database (PostgreSQL), as a second server behind the load balancer; the
    /// instances share one media directory, as they would share a mounted one.
    func sibling() -> ServerProcess {
        ServerProcess(directory: directory, db: db, databaseArguments: databaseArguments, token: token)
    }

    /// Starts `inbox serve`; with `openFileLimit`, through /bin/sh with `ulimit -n` (soft and hard) set first.
    /// `bot`: run the bot (and so the clinic's AI hook); off by default.
    mutating func start(environment: [String: String] = [:], openFileLimit: Int? = nil, port: Int = 0, bot: Bool = false) throws {
        var arguments = ["serve"] + databaseArguments + ["--port", String(port)] + (bot ? [] : ["--no-bot"])
        let process = Process()
        if let openFileLimit {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            arguments = ["-c", "ulimit -n \(openFileLimit) && exec \"$0\" \"$@\"", InboxProcess.binary] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: InboxProcess.binary)
        }
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment
            .merging(sharedMedia) { $1 }
            .merging(["INBOX_LOG_LEVEL": "error", "TWILIO_AUTH_TOKEN": TestServer.twilioToken,
                      "TWILIO_ACCOUNT_SID": "ACtest"].merging(environment) { $1 }) { $1 }
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        let started = InboxProcess.Running(process: process, stdout: stdout)
        running = started
        let line = try started.waitForLine(containing: "listening on")
        self.port = try Int(line.split(separator: ":").last ?? "").orThrow("no port in \(line)")
    }

    /// On PostgreSQL the instances' one media directory (beside a SQLite file, the server finds its own).
    var sharedMedia: [String: String] {
        databaseArguments.first == "--database" ? ["INBOX_MEDIA_DIR": directory.appendingPathComponent("media").path] : [:]
    }

    /// SIGTERM, then the seconds until the process was gone (nil if it outlived `deadline`; it is then killed).
    func terminate(deadline: Duration = .seconds(15)) async throws -> Double? {
        guard let process = running?.process else { return nil }
        let start = ContinuousClock.now
        kill(process.processIdentifier, SIGTERM)
        let ended = try await eventually(timeout: deadline) { !process.isRunning }
        guard ended else {
            running?.kill()
            return nil
        }
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    func remove() {
        running?.kill()
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: Requests

    func sync(since: String? = nil, timeout: Int = 0) async throws -> HTTPClient.Response {
        var url = "\(baseURL)/v1/sync?timeout=\(timeout)"
        if let since { url += "&since=\(since)" }
        return try await HTTPClient.shared.send(HTTPClient.Request(url: url, headers: [("Authorization", "Bearer \(token)")],
                                                                   timeout: Double(timeout) / 1000 + 10))
    }

    /// A patient message, signed as Twilio signs it.
    func twilioWebhook(sid: String, from: String = "+15557770001", body: String = "hello") async throws -> HTTPClient.Response {
        let url = baseURL + "/webhooks/twilio"
        let parameters = TestServer.inbound(sid: sid, from: from, to: Self.clinicNumber, body: body)
        let signature = TwilioSignature(authToken: TestServer.twilioToken).sign(url: url, parameters: parameters)
        return try await HTTPClient.shared.send(HTTPClient.Request(
            method: "POST", url: url,
            headers: [("Content-Type", "application/x-www-form-urlencoded"), ("X-Twilio-Signature", signature)],
            body: Array(FormEncoding.encode(parameters).utf8), timeout: 10))
    }

    func command(_ action: String, conversation: Int64, body: [String: String] = [:], key: String = UUID().uuidString)
        async throws -> HTTPClient.Response {
        try await HTTPClient.shared.send(HTTPClient.Request(
            method: "POST", url: "\(baseURL)/v1/conversations/\(conversation)/\(action)",
            headers: [("Authorization", "Bearer \(token)"), ("Idempotency-Key", key), ("Content-Type", "application/json")],
            body: Array(try JSONSerialization.data(withJSONObject: body))))
    }
}

extension Optional {
    func orThrow(_ message: String) throws -> Wrapped {
        guard let self else { throw InboxProcess.Failure(message: message) }
        return self
    }
}

/// Plain TCP sockets to 127.0.0.1, for clients that misbehave (connect and say nothing, or send half a request).
enum RawSocket {
    /// Raises this process's soft open-file limit (the test itself holds over a thousand sockets).
    static func raiseOwnOpenFileLimit(to wanted: Int) {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        guard limit.rlim_cur < rlim_t(wanted) else { return }
        limit.rlim_cur = min(limit.rlim_max, rlim_t(wanted))
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    /// Opens `count` connections, non-blocking connects all issued first, then waits until each is established
    /// (the ones beyond the server's backlog are retried by the kernel). Returns the descriptors.
    static func connectMany(_ count: Int, port: Int, deadline: Duration = .seconds(20)) throws -> [Int32] {
        var sockets: [Int32] = []
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        for _ in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            guard fd >= 0 else { throw InboxProcess.Failure(message: "socket(): errno \(errno)") }
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard result == 0 || errno == EINPROGRESS else { throw InboxProcess.Failure(message: "connect(): errno \(errno)") }
            sockets.append(fd)
        }
        let end = ContinuousClock.now + deadline
        var pending = Set(sockets)
        while !pending.isEmpty && ContinuousClock.now < end {
            var polls = pending.map { pollfd(fd: $0, events: Int16(POLLOUT), revents: 0) }
            _ = poll(&polls, nfds_t(polls.count), 200)
            for entry in polls where entry.revents & Int16(POLLOUT) != 0 { pending.remove(entry.fd) }
        }
        guard pending.isEmpty else { throw InboxProcess.Failure(message: "\(pending.count) connections never established") }
        return sockets
    }

    /// A listening socket on 127.0.0.1 at a port the kernel picks, for small stand-in servers.
    static func listen(backlog: Int32) throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, backlog) == 0 else {
            close(fd)
            throw InboxProcess.Failure(message: "cannot listen on 127.0.0.1")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    static func connect(port: Int) throws -> Int32 {
        let fd = try connectMany(1, port: port)[0]
        // Blocking from here on, with a receive timeout so a read can never hang the test.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~Int32(O_NONBLOCK))
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    static func send(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Reads until the peer closes (or the 10 s receive timeout); returns what arrived and whether it closed.
    static func readToEnd(_ fd: Int32) -> (text: String, closed: Bool) {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 { received += buffer[0..<count]; continue }
            return (String(decoding: received, as: UTF8.self), count == 0 || errno == ECONNRESET)
        }
    }

    static func closeAll(_ sockets: [Int32]) { for fd in sockets { close(fd) } }
}
