import CurlHTTP
import Foundation
import InboxModel
import InboxServer
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// `inbox conformance`, run as the real binary: against a real server every check passes, and against a server
/// whose answers are deliberately broken the check about that answer fails (and only that one).
@Suite("inbox conformance", .serialized)
struct ConformanceTests {
    /// Every check the command runs; a check that disappears from the report fails the first test.
    static let allChecks: Set<String> = [
        "health", "tokens", "conversations",
        "errors.unauthorized", "errors.unknown-route", "errors.command-id", "errors.idempotency-key", "errors.too-large",
        "errors.malformed-body", "errors.invalid-command", "errors.unknown-conversation", "errors.sync-parameters",
        "sync.immediate", "sync.paging", "sync.resume", "sync.order", "sync.cursor-garbage", "sync.cursor-foreign",
        "sync.long-poll-timeout", "sync.long-poll-wake",
        "isolation.sync", "isolation.read-horizons", "isolation.commands", "isolation.media",
        "idempotency.replay", "idempotency.key-reused", "idempotency.stored-refusal", "idempotency.concurrent",
        "races.takeover", "state.closed",
    ]

    @Test("against the real server, with the bot handing the seeded patients to the queue, every check passes")
    func realServerPasses() async throws {
        let server = try await TestServer.start { $0.runBot = true }
        defer { Task { await server.stop() } }
        let tokens = try await Self.clinics(server)

        let result = try await Self.conformance(server: server.baseURL, tokens: tokens, seedURL: server.baseURL)
        let report = try #require(result.report, "a JSON report: \(result.output)")
        #expect(Set(report.checks.map(\.name)) == Self.allChecks)
        for check in report.checks { #expect(check.passed, "\(check.name): \(check.reason)") }
        #expect(report.passed)
        #expect(result.status == 0, "\(result.output)")
        // The bot really handed the seeded patients over (not only `bot` accepted after the deadline).
        let seeded = try #require(report.checks.first { $0.name == "conversations" })
        #expect(seeded.reason.contains("(waiting, waiting)"), "\(seeded.reason)")
    }

    @Test("a server whose sync answers carry messages out of change-log order fails sync.order, and only that check")
    func outOfOrderMessagesFail() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let tokens = try await Self.clinics(server)
        let proxy = try TamperingProxy(target: server.baseURL, tamper: .reverseSyncMessages)
        defer { proxy.stop() }

        let result = try await Self.conformance(server: proxy.baseURL, tokens: tokens, seedURL: server.baseURL)
        let report = try #require(result.report, "a JSON report: \(result.output)")
        #expect(result.status != 0)
        #expect(!report.passed)
        let failed = report.checks.filter { !$0.passed }
        #expect(failed.map(\.name) == ["sync.order"], "\(failed.map { "\($0.name): \($0.reason)" })")
        #expect(failed.first?.reason.contains("out of change-log order") == true, "\(failed.first?.reason ?? "")")
    }

    @Test("a server that answers a cursor it cannot serve with 400, not 410, fails the two cursor checks (nothing seeded)")
    func wrongCursorStatusFails() async throws {
        let server = try await TestServer.start()  // without the bot: new conversations start `waiting`
        defer { Task { await server.stop() } }
        let tokens = try await Self.clinics(server)
        for (index, patient) in ["+5511900000010", "+5511900000011"].enumerated() {
            for (message, text) in ["Oi", "Preciso falar com alguém"].enumerated() {
                let sid = "SM" + String(repeating: "\(index)\(message)", count: 16)
                let answer = try await server.twilioWebhook(TestServer.inbound(sid: sid, from: patient, to: "+15550001111", body: text))
                #expect(answer.status == 200)
            }
        }
        let proxy = try TamperingProxy(target: server.baseURL, tamper: .goneAsBadRequest)
        defer { proxy.stop() }

        let result = try await Self.conformance(server: proxy.baseURL, tokens: tokens, seedURL: nil)
        #expect(result.report?.checks.first { $0.name == "conversations" }?.reason.contains("using conversations") == true,
                "the waiting conversations were found, not seeded: \(result.output)")
        let report = try #require(result.report, "a JSON report: \(result.output)")
        #expect(result.status != 0)
        let failed = report.checks.filter { !$0.passed }
        #expect(failed.map(\.name) == ["sync.cursor-garbage", "sync.cursor-foreign"], "\(failed.map { "\($0.name): \($0.reason)" })")
        for check in failed {
            #expect(check.reason.contains("expected HTTP 410 cursor_reset, got HTTP 400 cursor_reset"), "\(check.reason)")
        }
    }

    @Test("a server whose 409 conflict does not name the holder fails races.takeover, and only that check")
    func conflictWithoutHolderFails() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let tokens = try await Self.clinics(server)
        let proxy = try TamperingProxy(target: server.baseURL, tamper: .conflictWithoutHolder)
        defer { proxy.stop() }

        let result = try await Self.conformance(server: proxy.baseURL, tokens: tokens, seedURL: server.baseURL)
        let report = try #require(result.report, "a JSON report: \(result.output)")
        #expect(result.status != 0)
        let failed = report.checks.filter { !$0.passed }
        #expect(failed.map(\.name) == ["races.takeover"], "\(failed.map { "\($0.name): \($0.reason)" })")
        #expect(failed.first?.reason.contains("the 409 names no holder") == true, "\(failed.first?.reason ?? "")")
    }

    // MARK: Helpers

    struct Tokens { var a: String; var b: String; var foreign: String }

    /// North (two agents, the number the seeded patients write to) and south (one agent, one patient of its own).
    static func clinics(_ server: TestServer) async throws -> Tokens {
        let north = try await server.addClinic("north", number: "+15550001111", agents: ["Aisha", "Bruno"])
        let south = try await server.addClinic("south", number: "+15550002222", agents: ["Chen"])
        let answer = try await server.twilioWebhook(TestServer.inbound(sid: "SM" + String(repeating: "5", count: 32),
                                                                        from: "+5511900000002", to: "+15550002222", body: "Oi"))
        #expect(answer.status == 200)
        return Tokens(a: north[0].token, b: north[1].token, foreign: south[0].token)
    }

    struct Report: Decodable {
        struct Check: Decodable { var name: String; var passed: Bool; var reason: String; var mutates: Bool }
        var passed: Bool
        var checks: [Check]
    }

    /// With `seedURL`, the command seeds its conversations through Twilio webhooks signed for that URL.
    static func conformance(server: String, tokens: Tokens, seedURL: String?) async throws
        -> (status: Int32, output: String, report: Report?) {
        var arguments = ["conformance", "--server", server, "--token", tokens.a, "--second-token", tokens.b,
                         "--foreign-token", tokens.foreign, "--json"]
        if let seedURL {
            arguments += ["--seed-twilio", TestServer.twilioToken, "--seed-number", "+15550001111", "--seed-url", seedURL]
        }
        let command = arguments
        // Waiting for the child blocks a thread; the in-process server answering it needs the concurrency pool.
        let (status, output) = try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result {
                    let running = try InboxProcess.launch(command)
                    let output = running.stdout.fileHandleForReading.readDataToEndOfFile()
                    running.process.waitUntilExit()
                    return (running.process.terminationStatus, String(decoding: output, as: UTF8.self))
                })
            }
        }
        return (status, output, try? JSONDecoder().decode(Report.self, from: Data(output.utf8)))
    }
}

/// A reverse proxy on 127.0.0.1 in front of a real server that breaks one kind of answer on purpose.
/// One thread per connection, so held long-polls do not block the requests that should wake them.
final class TamperingProxy: @unchecked Sendable {
    enum Tamper: Sendable {
        /// Every `GET /v1/sync` batch lists its messages backwards.
        case reverseSyncMessages
        /// Every `410 Gone` becomes `400 Bad Request` (same body).
        case goneAsBadRequest
        /// Every `409` loses the `holder` of its `ErrorBody`.
        case conflictWithoutHolder
    }

    let port: Int
    private let listener: Int32
    var baseURL: String { "http://127.0.0.1:\(port)" }

    init(target: String, tamper: Tamper) throws {
        let (socketFD, boundPort) = try RawSocket.listen(backlog: 64)
        port = boundPort
        listener = socketFD
        Thread.detachNewThread {
            while true {
                let connection = accept(socketFD, nil, nil)
                guard connection >= 0 else { return }  // closed by stop()
                Thread.detachNewThread { Self.serve(connection, target: target, tamper: tamper) }
            }
        }
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    /// Reads one request, forwards it, writes the (tampered) answer and closes the connection.
    private static func serve(_ connection: Int32, target: String, tamper: Tamper) {
        defer { close(connection) }
        var request = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var headerEnd: Int?
        while headerEnd == nil {
            let count = read(connection, &buffer, buffer.count)
            if count <= 0 { return }
            request += buffer[0..<count]
            headerEnd = request.firstRange(of: Array("\r\n\r\n".utf8))?.upperBound
        }
        let head = String(decoding: request[..<headerEnd!], as: UTF8.self).split(separator: "\r\n")
        let requestLine = head.first?.split(separator: " ") ?? []
        guard requestLine.count >= 2 else { return }
        var headers: [(name: String, value: String)] = []
        var contentLength = 0
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[..<colon])
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch name.lowercased() {
            case "content-length": contentLength = Int(value) ?? 0
            case "host", "connection", "expect", "accept-encoding": break
            default: headers.append((name, value))
            }
        }
        while request.count - headerEnd! < contentLength {
            let count = read(connection, &buffer, buffer.count)
            if count <= 0 { return }
            request += buffer[0..<count]
        }
        let method = String(requestLine[0])
        let path = String(requestLine[1])
        let body = method == "GET" ? nil : Array(request[headerEnd!...])
        let outgoing = HTTPClient.Request(method: method, url: target + path, headers: headers, body: body, timeout: 90)
        let result = Locked<HTTPClient.Response?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            result.value = try? await HTTPClient.shared.send(outgoing)
            done.signal()
        }
        done.wait()
        guard var response = result.value else { return }
        switch tamper {
        case .reverseSyncMessages where method == "GET" && path.hasPrefix("/v1/sync") && response.status == 200:
            if var batch = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any],
               let messages = batch["messages"] as? [Any] {
                batch["messages"] = Array(messages.reversed())
                response.body = Array((try? JSONSerialization.data(withJSONObject: batch)) ?? Data(response.body))
            }
        case .goneAsBadRequest where response.status == 410:
            response.status = 400
        case .conflictWithoutHolder where response.status == 409:
            if var error = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] {
                error["holder"] = nil
                response.body = Array((try? JSONSerialization.data(withJSONObject: error)) ?? Data(response.body))
            }
        default:
            break
        }
        var answer = "HTTP/1.1 \(response.status) Tampered\r\nContent-Length: \(response.body.count)\r\nConnection: close\r\n"
        if let type = response.headers["content-type"] { answer += "Content-Type: \(type)\r\n" }
        let bytes = Array((answer + "\r\n").utf8) + response.body
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
            if count <= 0 { return }
            written += count
        }
    }
}
