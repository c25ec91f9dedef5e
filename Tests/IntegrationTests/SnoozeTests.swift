import CurlHTTP
import Foundation
import InboxModel
import InboxServer
import Testing

/// Snooze (issue 10 item 5) against a real server, on SQLite or PostgreSQL: the server wakes a snoozed conversation
/// when its time comes (stored, so across restarts) or when the patient writes, with a line in its activity log.
@Suite("Snooze", .serialized)
struct SnoozeTests {
    static let number = "+15550005555"

    static func maria(_ server: TestServer, sid: String, body: String = "Hello, I need an appointment") async throws {
        let response = try await server.twilioWebhook(TestServer.inbound(sid: sid, from: "+15557654321", to: number,
                                                                          body: body, name: "Maria Lopez"))
        #expect(response.status == 200)
    }

    static func conversation(_ server: TestServer, token: String) async throws -> Conversation? {
        try await server.everything(token: token).conversations.last
    }

    static func now() -> Millis { Millis(Date().timeIntervalSince1970 * 1000) }

    @Test("snoozed for 2 s it comes back by itself, with \"Back from snooze\" in its timeline")
    func comesBackWhenDue() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let amal = try await server.addClinic("Sunrise", number: Self.number, agents: ["Amal"])[0]
        try await Self.maria(server, sid: "SMs1")
        let id = try #require(try await Self.conversation(server, token: amal.token)).id

        let until = Self.now() + 2_000
        let snoozed = try await server.command(.snooze(until: until), conversation: id, token: amal.token)
        #expect(snoozed.status == 200, "\(String(decoding: snoozed.body, as: UTF8.self))")
        let result = try JSONDecoder().decode(CommandResult.self, from: Data(snoozed.body))
        #expect(result.conversation.snoozedUntil == until)
        #expect(result.conversation.status == .waiting, "snooze changes no hands")
        let all = try await server.everything(token: amal.token)
        #expect(all.messages.contains { $0.author == .system && $0.body.hasPrefix("Amal snoozed this conversation until") })

        #expect(try await eventually(timeout: .seconds(15)) {
            try await Self.conversation(server, token: amal.token)?.snoozedUntil == nil
        })
        #expect(Self.now() >= until, "not before its time")
        let after = try await server.everything(token: amal.token)
        #expect(after.messages.contains { $0.author == .system && $0.body == "Back from snooze" })
    }

    @Test("the patient writing wakes a snoozed conversation early")
    func patientWakesItEarly() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let amal = try await server.addClinic("Sunrise", number: Self.number, agents: ["Amal"])[0]
        try await Self.maria(server, sid: "SMp1")
        let id = try #require(try await Self.conversation(server, token: amal.token)).id
        #expect(try await server.command(.snooze(until: Self.now() + 3_600_000), conversation: id, token: amal.token).status == 200)
        #expect(try await Self.conversation(server, token: amal.token)?.snoozedUntil != nil)
        try await Self.maria(server, sid: "SMp2", body: "Are you there?")
        let woken = try #require(try await Self.conversation(server, token: amal.token))
        #expect(woken.id == id && woken.snoozedUntil == nil)
    }

    @Test("a snooze in the past, beyond 90 days, or on a closed conversation is refused; unsnooze ends one")
    func refusalsAndUnsnooze() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let amal = try await server.addClinic("Sunrise", number: Self.number, agents: ["Amal"])[0]
        try await Self.maria(server, sid: "SMr1")
        let id = try #require(try await Self.conversation(server, token: amal.token)).id
        for until in [Self.now() - 1_000, Self.now() + 91 * 86_400_000] {
            let refused = try await server.command(.snooze(until: until), conversation: id, token: amal.token)
            #expect(refused.status == 422)
            #expect(try JSONDecoder().decode(ErrorBody.self, from: Data(refused.body)).error == "invalid_snooze")
        }
        #expect(try await server.command(.snooze(until: Self.now() + 60_000), conversation: id, token: amal.token).status == 200)
        let woken = try await server.command(.unsnooze, conversation: id, token: amal.token)
        #expect(try JSONDecoder().decode(CommandResult.self, from: Data(woken.body)).conversation.snoozedUntil == nil)
        #expect(try await server.everything(token: amal.token).messages.contains { $0.body == "Amal ended the snooze" })

        #expect(try await server.command(.close, conversation: id, token: amal.token).status == 200)
        let closed = try await server.command(.snooze(until: Self.now() + 60_000), conversation: id, token: amal.token)
        #expect(closed.status == 422)
        #expect(try JSONDecoder().decode(ErrorBody.self, from: Data(closed.body)).error == "conversation_closed")
    }

    @Test("the snooze end is stored: a store opened afresh on the same database wakes it at the injected time")
    func survivesRestart() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let amal = try await server.addClinic("Sunrise", number: Self.number, agents: ["Amal"])[0]
        try await Self.maria(server, sid: "SMx1")
        let id = try #require(try await Self.conversation(server, token: amal.token)).id
        let until = Self.now() + 7 * 86_400_000
        #expect(try await server.command(.snooze(until: until), conversation: id, token: amal.token).status == 200)

        // A second store on the same database stands in for the restarted server (its clock is the argument).
        let restarted: any InboxStore
        var close: () async -> Void = {}
        if let postgres = server.postgres {
            let store = try await PostgresInboxStore.open(url: postgres.url, notifier: PostgresChangeNotifier())
            restarted = store
            close = { await store.close() }
        } else {
            restarted = try SQLiteInboxStore(path: server.dbPath, notifier: LocalChangeNotifier())
        }
        #expect(try await restarted.wakeSnoozed(now: until - 1) == 0, "not before its time")
        #expect(try await restarted.wakeSnoozed(now: until) == 1)
        #expect(try await restarted.wakeSnoozed(now: until + 1) == 0, "once")
        await close()
        #expect(try await eventually { try await Self.conversation(server, token: amal.token)?.snoozedUntil == nil })
    }
}
