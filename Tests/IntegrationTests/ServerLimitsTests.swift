import CurlHTTP
import Foundation
import InboxServer
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Clients that connect and say nothing, or send half a request, must not take the server down.
@Suite("Server limits")
struct ServerLimitsTests {
    @Test("1,100 idle connections at an open-file limit of 1,024: syncs and signed webhooks answered, p99 < 100 ms; SIGTERM stops it within 5 s")
    func idleFlood() async throws {
        RawSocket.raiseOwnOpenFileLimit(to: 4_096)
        var server = try ServerProcess.prepare()
        defer { server.remove() }
        try server.start(openFileLimit: 1_024)
        let limits = try String(contentsOfFile: "/proc/\(server.pid)/limits", encoding: .utf8)
        let openFiles = limits.split(separator: "\n").first { $0.hasPrefix("Max open files") }.map(String.init) ?? ""
        #expect(openFiles.split(separator: " ").contains("1024"), "the server runs with the limit: \(openFiles)")

        // Opened in batches the server has accepted before the next: a burst of a thousand connects overflows the
        // accept backlog, and the kernel (SYN cookies) then completes handshakes the server never sees.
        var idle: [Int32] = []
        defer { RawSocket.closeAll(idle) }
        while idle.count < 1_100 {
            idle += try RawSocket.connectMany(100, port: server.port)
            let opened = idle.count
            let accepted = try await eventually(timeout: .seconds(20)) {
                let metrics = try await Self.metrics(server.baseURL)
                return metrics.value("inbox_connections_open")
                    + metrics.value(#"inbox_connections_closed_by_guard_total{reason="evicted_idle"}"#) >= Double(opened)
            }
            try #require(accepted, "the server accepted \(opened) idle connections")
        }
        // Over the cap (1,024 less the descriptors kept for the database and providers), the oldest idle ones went.
        #expect(try await Self.metrics(server.baseURL).value(#"inbox_connections_closed_by_guard_total{reason="evicted_idle"}"#) >= 150)

        var latencies: [Double] = []
        for index in 0..<100 {
            let clock = ContinuousClock()
            var response = try await Self.timed(clock, into: &latencies) { try await server.sync() }
            #expect(response.status == 200)
            response = try await Self.timed(clock, into: &latencies) { try await server.twilioWebhook(sid: "SMflood\(index)") }
            #expect(response.status == 200)
        }
        latencies.sort()
        let p99 = latencies[latencies.count * 99 / 100 - 1]
        print("idle flood: \(latencies.count) requests, p50 \(latencies[latencies.count / 2]) ms, p99 \(p99) ms, max \(latencies.last ?? 0) ms")
        #expect(p99 < 100, "p99 \(p99) ms")
        #expect(server.running?.process.isRunning == true, "no crash")

        let stopped = try await server.terminate(deadline: .seconds(5))
        #expect(stopped != nil, "SIGTERM stopped the server within 5 s")
        #expect(server.running?.process.terminationReason == .exit)
    }

    @Test("a request whose body never completes, and a connection that says nothing, are closed; a long-poll is not")
    func slowClientsAreCutOff() async throws {
        let server = try await TestServer.start {
            $0.connections.headerTimeout = .milliseconds(300)
            $0.connections.bodyTimeout = .milliseconds(300)
            $0.connections.idleTimeout = .milliseconds(300)
        }
        defer { Task { await server.stop() } }
        let token = try #require(try await server.addClinic("Sunrise", number: "+15550001111").first?.token)

        // Control: a whole request on a raw socket is answered.
        let whole = try RawSocket.connect(port: server.port)
        defer { close(whole) }
        RawSocket.send(whole, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(RawSocket.readToEnd(whole).text.hasPrefix("HTTP/1.1 200"))

        // Content-Length promises 1,000 bytes; three arrive.
        let start = ContinuousClock.now
        let partial = try RawSocket.connect(port: server.port)
        defer { close(partial) }
        RawSocket.send(partial, "POST /webhooks/twilio HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nabc")
        let cut = RawSocket.readToEnd(partial)
        #expect(cut.closed, "the half-sent request's connection was closed")
        #expect(ContinuousClock.now - start < .seconds(5))

        let silent = try RawSocket.connect(port: server.port)
        defer { close(silent) }
        #expect(RawSocket.readToEnd(silent).closed, "a connection that sends nothing is closed")

        // Held long-polls are requests in progress: the idle timeout does not cut them.
        let held = ContinuousClock.now
        let poll = try await server.sync(token: token, since: try await server.everything(token: token).cursor, timeout: 1_200)
        #expect(poll.status == 200)
        #expect(ContinuousClock.now - held >= .milliseconds(1_100), "the poll was held for its whole wait")
    }

    @Test("when every connection is busy, a newcomer is refused at once and the held long-polls are kept")
    func busyCapRefusesNewcomers() async throws {
        let server = try await TestServer.start { $0.connections.maxConnections = 2 }
        defer { Task { await server.stop() } }
        let token = try #require(try await server.addClinic("Sunrise", number: "+15550001111").first?.token)
        let cursor = try await server.everything(token: token).cursor
        let notifier = server.app.notifier

        let polls = try (0..<2).map { _ in try RawSocket.connect(port: server.port) }
        defer { RawSocket.closeAll(polls) }
        // Held long enough to still be held when the newcomer has been turned away, however slow the machine.
        for poll in polls {
            RawSocket.send(poll, "GET /v1/sync?timeout=5000&since=\(cursor) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nConnection: close\r\n\r\n")
        }
        #expect(try await eventually { notifier.waitingCount == 2 }, "both polls are held")

        let newcomer = try RawSocket.connect(port: server.port)
        defer { close(newcomer) }
        RawSocket.send(newcomer, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let refused = RawSocket.readToEnd(newcomer)
        #expect(refused.closed && refused.text.isEmpty, "refused without an answer")
        #expect(notifier.waitingCount == 2, "the busy connections were kept")
        for poll in polls { #expect(RawSocket.readToEnd(poll).text.hasPrefix("HTTP/1.1 200"), "the held poll is answered") }
        #expect(try await server.sync(token: token).status == 200, "room again once they are done")
    }

    static func timed(_ clock: ContinuousClock, into latencies: inout [Double],
                      _ request: () async throws -> HTTPClient.Response) async throws -> HTTPClient.Response {
        let start = clock.now
        let response = try await request()
        let elapsed = clock.now - start
        latencies.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
        return response
    }

    static func metrics(_ base: String) async throws -> MetricsText {
        let response = try await HTTPClient.shared.send(HTTPClient.Request(url: base + "/metrics", timeout: 10))
        return MetricsText(String(decoding: response.body, as: UTF8.self))
    }
}

/// The Prometheus text exposition, read back.
struct MetricsText {
    let text: String

    init(_ text: String) { self.text = text }

    /// The value of the sample whose name and labels are exactly `sample`, e.g. `inbox_webhooks_total{provider="twilio",outcome="accepted"}`.
    func value(_ sample: String) -> Double {
        for line in text.split(separator: "\n") where line.hasPrefix(sample + " ") {
            return Double(line.dropFirst(sample.count + 1).split(separator: " ").first ?? "") ?? 0
        }
        return 0
    }
}
