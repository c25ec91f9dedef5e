import CurlHTTP
import Foundation
import InboxModel
import InboxServer
import Testing

/// Presence (docs/protocol.md §14) against a real server on 127.0.0.1, on SQLite or (INBOX_TEST_DATABASE=postgres)
/// PostgreSQL: a report wakes colleagues' held polls with the roster, expires on its own, never crosses clinics,
/// and never enters the change log.
@Suite("Presence", .serialized)
struct PresenceTests {
    static let number = "+15550002222"

    static func report(_ server: TestServer, token: String, _ report: PresenceReport) async throws -> HTTPClient.Response {
        try await HTTPClient.shared.send(HTTPClient.Request(
            method: "POST", url: server.baseURL + "/v1/presence",
            headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")],
            body: Array(try JSONEncoder().encode(report))))
    }

    static func leave(_ server: TestServer, token: String) async throws -> HTTPClient.Response {
        try await HTTPClient.shared.send(HTTPClient.Request(method: "DELETE", url: server.baseURL + "/v1/presence",
                                                            headers: [("Authorization", "Bearer \(token)")]))
    }

    /// A sync that asks for presence; `timeout` in ms.
    static func poll(_ server: TestServer, token: String, since: String?, stamp: String, timeout: Int) async throws -> SyncBatch {
        var url = "\(server.baseURL)/v1/sync?timeout=\(timeout)&presence=\(stamp)"
        if let since { url += "&since=\(since)" }
        let response = try await HTTPClient.shared.send(HTTPClient.Request(
            url: url, headers: [("Authorization", "Bearer \(token)")], timeout: Double(timeout) / 1000 + 10))
        #expect(response.status == 200, "\(String(decoding: response.body, as: UTF8.self))")
        return try JSONDecoder().decode(SyncBatch.self, from: Data(response.body))
    }

    /// Everything there is, then the roster as it stands: the cursor and stamp a client holds when it starts waiting.
    static func caughtUp(_ server: TestServer, token: String) async throws -> (cursor: String, roster: PresenceRoster) {
        var batch = try await poll(server, token: token, since: nil, stamp: "", timeout: 0)
        while batch.more { batch = try await poll(server, token: token, since: batch.cursor, stamp: "", timeout: 0) }
        return (batch.cursor, try #require(batch.presence))
    }

    @Test("a colleague's report wakes a held poll with the roster within 2 s; another clinic never sees it")
    func reportWakesHeldPolls() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let agents = try await server.addClinic("Sunrise", number: Self.number, agents: ["Amal", "Ben"])
        let (amal, ben) = (agents[0], agents[1])
        let other = try await server.addClinic("Moonrise", number: "+15550003333", agents: ["Omar"])[0]

        let start = try await Self.caughtUp(server, token: amal.token)
        #expect(start.roster.agents.isEmpty)
        async let woken = Self.poll(server, token: amal.token, since: start.cursor, stamp: start.roster.stamp, timeout: 20_000)
        #expect(try await eventually { server.app.notifier.waitingCount == 1 }, "Amal's poll is held before the report")
        let reported = ContinuousClock.now
        #expect(try await Self.report(server, token: ben.token, PresenceReport(conversationId: 42, typing: true)).status == 204)
        let batch = try await woken
        let waited = ContinuousClock.now - reported
        #expect(waited < .seconds(2), "woken \(waited) after the report")
        let entry = try #require(batch.presence?.entry(for: ben.agent.id))
        #expect(entry == AgentPresence(agentId: ben.agent.id, state: .online, conversationId: 42, typing: true))
        #expect(batch.cursor == start.cursor, "presence is not data: the cursor does not move")
        #expect(batch.isEmpty)

        // Another clinic's roster has nobody from Sunrise, and a poll without `presence` carries none.
        let moon = try await Self.caughtUp(server, token: other.token)
        #expect(moon.roster.agents.isEmpty)
        let plain = try JSONDecoder().decode(SyncBatch.self, from: Data(try await server.sync(token: amal.token).body))
        #expect(plain.presence == nil)
    }

    @Test("a report expires on its own when its client vanishes (held polls are woken), and DELETE leaves at once")
    func expiryAndLeave() async throws {
        let server = try await TestServer.start { $0.presenceTimeout = 1_000 }
        defer { Task { await server.stop() } }
        let agents = try await server.addClinic("Sunrise", number: Self.number, agents: ["Amal", "Ben"])
        let (amal, ben) = (agents[0], agents[1])
        _ = try await Self.report(server, token: ben.token, PresenceReport(conversationId: 7))
        let seen = try await Self.caughtUp(server, token: amal.token)
        #expect(seen.roster.entry(for: ben.agent.id)?.conversationId == 7)

        // Ben's client is gone: no renewal. Amal's held poll is answered when the report expires (1 s, swept each second),
        // well before the poll's own 20 s.
        let began = ContinuousClock.now
        let expired = try await Self.poll(server, token: amal.token, since: seen.cursor, stamp: seen.roster.stamp, timeout: 20_000)
        #expect(expired.presence?.entry(for: ben.agent.id) == nil)
        #expect(ContinuousClock.now - began < .seconds(6), "answered \(ContinuousClock.now - began) after the poll began")

        _ = try await Self.report(server, token: ben.token, PresenceReport(conversationId: 8))
        let back = try await Self.caughtUp(server, token: amal.token)
        #expect(back.roster.entry(for: ben.agent.id)?.conversationId == 8)
        #expect(try await Self.leave(server, token: ben.token).status == 204)
        let gone = try await Self.caughtUp(server, token: amal.token)
        #expect(gone.roster.entry(for: ben.agent.id) == nil)
    }

    @Test("reports are rate-limited per agent (429 with Retry-After) and a malformed one is refused")
    func rateLimitAndMalformed() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let ben = try await server.addClinic("Sunrise", number: Self.number, agents: ["Ben"])[0]
        var statuses: [Int] = []
        for index in 0..<(PresenceRules.allowance + 3) {
            statuses.append(try await Self.report(server, token: ben.token, PresenceReport(conversationId: Int64(index))).status)
        }
        #expect(statuses.prefix(PresenceRules.allowance).allSatisfy { $0 == 204 })
        #expect(statuses.suffix(3).allSatisfy { $0 == 429 }, "\(statuses)")
        let refused = try await Self.report(server, token: ben.token, PresenceReport())
        #expect(refused.status == 429)
        #expect(refused.headers["retry-after"] == "1")

        let zed = try await server.addClinic("Other", number: "+15550004444", agents: ["Zed"])[0]
        let malformed = try await HTTPClient.shared.send(HTTPClient.Request(
            method: "POST", url: server.baseURL + "/v1/presence",
            headers: [("Authorization", "Bearer \(zed.token)")], body: Array("{not json".utf8)))
        #expect(malformed.status == 400)
        let anonymous = try await HTTPClient.shared.send(HTTPClient.Request(method: "POST", url: server.baseURL + "/v1/presence", body: []))
        #expect(anonymous.status == 401)
    }

    @Test("two instances on one PostgreSQL: a report to one wakes a poll held by the other within 2 s",
          .enabled(if: ProcessInfo.processInfo.environment["INBOX_TEST_DATABASE"] == "postgres"))
    func acrossInstances() async throws {
        let a = try await TestServer.start(database: .postgres)
        let b = try await TestServer.start(database: .postgres, sharing: a)
        defer { Task { await b.stop(); await a.stop() } }
        let agents = try await a.addClinic("Sunrise", number: Self.number, agents: ["Amal", "Ben"])
        let (amal, ben) = (agents[0], agents[1])
        #expect(try await eventually { (b.app.notifier as? PostgresChangeNotifier)?.isListening == true })
        let start = try await Self.caughtUp(b, token: amal.token)
        async let woken = Self.poll(b, token: amal.token, since: start.cursor, stamp: start.roster.stamp, timeout: 20_000)
        #expect(try await eventually { b.app.notifier.waitingCount == 1 }, "Amal's poll is held on B before the report to A")
        let reported = ContinuousClock.now
        #expect(try await Self.report(a, token: ben.token, PresenceReport(conversationId: 5)).status == 204)
        let batch = try await woken
        #expect(batch.presence?.entry(for: ben.agent.id)?.conversationId == 5)
        #expect(ContinuousClock.now - reported < .seconds(2), "woken \(ContinuousClock.now - reported) after the report")
    }
}
