import Foundation
import InboxServer
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// `inbox doctor`, run as the real binary against a real server and real SQLite files.
@Suite("inbox doctor", .serialized)
struct DoctorTests {
    /// Port 9 (discard) has no listener on the test machines; the other tests use it as a dead provider too.
    static let closedServer = "http://127.0.0.1:9"

    @Test("against a healthy server, with a private mirror, every client check holds and the exit status is 0")
    func healthyClient() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let token = try await server.addClinic("north", number: "+15550001111")[0].token
        let mirror = try await Self.syncedMirror(server: server, token: token)

        let result = try await Self.doctor(["--server", server.baseURL, "--token", token, "--mirror", mirror], server: server)
        #expect(result.status == 0, "\(result.output)")
        for subject in ["✓ server:", "✓ clock:", "✓ token: accepted: signed in as Aisha (north)", "✓ mirror file modes:",
                        "✓ credentials file:", "✓ disk space:"] {
            #expect(result.output.contains(subject), "\(subject) in \(result.output)")
        }
        #expect(!result.output.contains("✗"))
        #expect(!result.output.contains(token), "the token is never printed")
    }

    @Test("a wrong token is named and exits non-zero, without printing the token")
    func wrongToken() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        try await server.addClinic("north", number: "+15550001111")
        let wrong = "not-a-real-token-0123456789"

        let result = try await Self.doctor(["--server", server.baseURL, "--token", wrong,
                                      "--mirror", server.directory.appendingPathComponent("none.sqlite").path], server: server)
        #expect(result.status != 0)
        #expect(result.output.contains("✗ token: the token was refused: ask your admin for a new one"), "\(result.output)")
        #expect(result.output.contains("✓ server:"), "the server itself was reachable")
        #expect(!result.output.contains(wrong))
    }

    @Test("an unreachable server (a closed port) is named and exits non-zero")
    func unreachableServer() async throws {
        let server = try await TestServer.start()  // only for its temporary directory
        defer { Task { await server.stop() } }
        let result = try await Self.doctor(["--server", Self.closedServer, "--token", "whatever",
                                      "--mirror", server.directory.appendingPathComponent("none.sqlite").path], server: server)
        #expect(result.status != 0)
        #expect(result.output.contains("✗ server: \(Self.closedServer) cannot be reached"), "\(result.output)")
    }

    @Test("a server whose clock is two hours off is named, with the size of the skew; a true clock passes")
    func clockSkew() async throws {
        let server = try await TestServer.start()  // for its temporary directory
        defer { Task { await server.stop() } }
        let offset = Shared<TimeInterval>(0)
        // Hummingbird stamps every answer with its own Date: a stale clock needs a server that writes its own.
        let clockServer = try FixedHTTPServer { path in
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
            let date = formatter.string(from: Date().addingTimeInterval(offset.value))
            let body = path == "/v1/me"
                ? #"{"agent":{"id":1,"name":"Aisha","role":"agent","active":true},"clinic":"north"}"# : "ok"
            return "HTTP/1.1 200 OK\r\nDate: \(date)\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        }
        defer { clockServer.stop() }
        let arguments = ["--server", clockServer.baseURL, "--token", "t",
                         "--mirror", server.directory.appendingPathComponent("none.sqlite").path]

        let onTime = try await Self.doctor(arguments, server: server)
        #expect(onTime.output.contains("✓ clock:"), "positive control: \(onTime.output)")

        offset.value = -7_200
        let skewed = try await Self.doctor(arguments, server: server)
        #expect(skewed.status != 0)
        // The Date header has whole seconds, so the measured skew is 7,200 s give or take one.
        #expect(skewed.output.contains(/✗ clock: this computer is 7(199|200|201) s ahead of the server/), "\(skewed.output)")
    }

    @Test("a mirror with mode 0644 is named and exits non-zero; the same mirror at 0600 passed")
    func looseMirror() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let token = try await server.addClinic("north", number: "+15550001111")[0].token
        let mirror = try await Self.syncedMirror(server: server, token: token)
        let arguments = ["--server", server.baseURL, "--token", token, "--mirror", mirror]
        #expect(try await Self.doctor(arguments, server: server).status == 0, "positive control: the private mirror passes")

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: mirror)
        let result = try await Self.doctor(arguments, server: server)
        #expect(result.status != 0)
        #expect(result.output.contains("✗ mirror file modes: \(mirror) is 0644"), "\(result.output)")
    }

    @Test("the file `inbox login` saved is what the doctor checks; at 0644 it is named, the token is not printed")
    func looseCredentialsFile() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let token = try await server.addClinic("north", number: "+15550001111")[0].token
        let environment = Self.isolated(server)
        try await Self.offThePool { try InboxProcess.run(["login", "--server", server.baseURL, "--token", token],
                                                          environment: environment) }
        let mirror = ["--mirror", server.directory.appendingPathComponent("none.sqlite").path]
        let saved = try await Self.doctor(mirror, server: server)
        #expect(saved.status == 0, "positive control: the saved server and token work: \(saved.output)")
        #expect(saved.output.contains("✓ token: accepted"))

        let file = server.directory.appendingPathComponent("config/inbox/credentials.json").path
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
        let result = try await Self.doctor(mirror, server: server)
        #expect(result.status != 0)
        #expect(result.output.contains("✗ credentials file: \(file) is 0644"), "\(result.output)")
        #expect(!result.output.contains(token))
    }

    @Test("on the server, a number whose provider has no credentials is named and exits non-zero; secrets are never printed")
    func numberWithoutProviderCredentials() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        try await server.addClinic("north", number: "+15550001111")
        try await server.store.addNumber("+15550002222", clinic: "north", provider: .meta, providerRef: "PNID-1")
        let secret = "twilio-secret-0123456789"
        let twilioOnly = ["TWILIO_ACCOUNT_SID": "ACdoctor", "TWILIO_AUTH_TOKEN": secret,
                          "META_ACCESS_TOKEN": "", "META_APP_SECRET": "", "META_VERIFY_TOKEN": ""]
        let arguments = ["--db", server.dbPath, "--public-url", server.baseURL]

        let result = try await Self.doctor(arguments, server: server, environment: twilioOnly)
        #expect(result.status != 0)
        #expect(result.output.contains("✗ +15550002222 (meta): no provider credentials: META_ACCESS_TOKEN is not set"),
                "\(result.output)")
        #expect(result.output.contains("✗ meta webhooks: META_APP_SECRET and META_VERIFY_TOKEN are not set"))
        #expect(result.output.contains("✓ +15550001111 (twilio)"))
        #expect(result.output.contains("✓ public URL:"))
        #expect(result.output.contains("✓ database file modes:"))
        #expect(!result.output.contains(secret))

        // Positive control: with Meta's credentials too, every server check holds.
        let complete = twilioOnly.merging(["META_ACCESS_TOKEN": "meta-access-0123456789", "META_APP_SECRET": "meta-app-secret",
                                           "META_VERIFY_TOKEN": "meta-verify"]) { $1 }
        let healthy = try await Self.doctor(arguments, server: server, environment: complete)
        #expect(healthy.status == 0, "\(healthy.output)")
        #expect(!healthy.output.contains("meta-access-0123456789") && !healthy.output.contains("meta-app-secret"))
    }

    @Test("a public URL that does not answer is named from the server side")
    func unreachablePublicURL() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        try await server.addClinic("north", number: "+15550001111")
        let result = try await Self.doctor(["--db", server.dbPath, "--public-url", Self.closedServer], server: server,
                                     environment: ["TWILIO_ACCOUNT_SID": "ACdoctor", "TWILIO_AUTH_TOKEN": "t"])
        #expect(result.status != 0)
        #expect(result.output.contains("✗ public URL: \(Self.closedServer)/healthz cannot be reached"), "\(result.output)")
    }

    // MARK: Helpers

    /// A mirror as `inbox` leaves it: created and filled by a real `inbox sync --once`.
    static func syncedMirror(server: TestServer, token: String) async throws -> String {
        let mirror = server.directory.appendingPathComponent("mirror.sqlite").path
        let environment = isolated(server)
        try await offThePool { try InboxProcess.run(["sync", "--once", "--server", server.baseURL, "--token", token, "--mirror", mirror],
                             environment: environment) }
        return mirror
    }

    /// The login file of whoever runs the tests must not be read: each run gets its own config folder.
    static func isolated(_ server: TestServer) -> [String: String] {
        ["XDG_CONFIG_HOME": server.directory.appendingPathComponent("config").path]
    }

    /// `inbox doctor` to completion; unlike `InboxProcess.run`, a non-zero exit is a result, not a failure.
    static func doctor(_ arguments: [String], server: TestServer,
                       environment: [String: String] = [:]) async throws -> (status: Int32, output: String) {
        let environment = isolated(server).merging(environment) { $1 }
        return try await offThePool {
            let running = try InboxProcess.launch(["doctor"] + arguments, environment: environment)
            let output = running.stdout.fileHandleForReading.readDataToEndOfFile()
            running.process.waitUntilExit()
            return (running.process.terminationStatus, String(decoding: output, as: UTF8.self))
        }
    }

    /// Waiting for a child process blocks a thread; the in-process server answering it needs the concurrency pool.
    static func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
        }
    }

    /// A value the test changes while a server's handlers read it.
    final class Shared<Value: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: Value
        init(_ value: Value) { stored = value }
        var value: Value {
            get { lock.withLock { stored } }
            set { lock.withLock { stored = newValue } }
        }
    }
}

/// One HTTP/1.1 answer per connection, written byte for byte by the test (headers included), on 127.0.0.1.
final class FixedHTTPServer: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    var baseURL: String { "http://127.0.0.1:\(port)" }

    init(answer: @escaping @Sendable (_ path: String) -> String) throws {
        let (socketFD, boundPort) = try RawSocket.listen(backlog: 16)
        port = boundPort
        listener = socketFD
        Thread.detachNewThread {
            while true {
                let connection = accept(socketFD, nil, nil)
                guard connection >= 0 else { return }  // closed by stop()
                var request = [UInt8]()
                var buffer = [UInt8](repeating: 0, count: 4096)
                while !String(decoding: request, as: UTF8.self).contains("\r\n\r\n") {
                    let count = read(connection, &buffer, buffer.count)
                    if count <= 0 { break }
                    request += buffer[0..<count]
                }
                let requestLine = String(decoding: request, as: UTF8.self).split(separator: "\r\n").first ?? ""
                let path = requestLine.split(separator: " ").dropFirst().first.map(String.init) ?? "/"
                let bytes = Array(answer(path).utf8)
                _ = bytes.withUnsafeBytes { write(connection, $0.baseAddress, bytes.count) }
                close(connection)
            }
        }
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }
}
