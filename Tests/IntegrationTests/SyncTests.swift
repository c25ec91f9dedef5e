import CurlHTTP
import Foundation
import GRDB
import InboxModel
import InboxServer
import SyncEngine
import Testing

@Suite("Sync and mirror")
struct SyncTests {
    static let clinicNumber = "+15550001111"

    @Test("a held long-poll answers within milliseconds of the clinic's next commit")
    func longPollWakes() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let agent = try await server.addClinic("Sunrise", number: Self.clinicNumber)[0]
        let cursor = try await server.everything(token: agent.token).cursor

        async let held = server.sync(token: agent.token, since: cursor, timeout: 20_000)
        #expect(try await eventually { server.app.notifier.waitingCount == 1 }, "the poll is held, not answered at once")
        let sent = ContinuousClock.now
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SMwake", from: "+15557654321", to: Self.clinicNumber, body: "wake up"))
        let response = try await held
        let answered = ContinuousClock.now
        let batch = try JSONDecoder().decode(SyncBatch.self, from: Data(response.body))
        #expect(batch.messages.map(\.body) == ["wake up"])
        #expect(answered - sent < .seconds(2))
        #expect(batch.cursor != cursor)
    }

    @Test("an empty long-poll times out with the same cursor; a bad token gets 401")
    func timeoutAndAuth() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let agent = try await server.addClinic("Sunrise", number: Self.clinicNumber)[0]
        let cursor = try await server.everything(token: agent.token).cursor
        let response = try await server.sync(token: agent.token, since: cursor, timeout: 300)
        #expect(try JSONDecoder().decode(SyncBatch.self, from: Data(response.body)).cursor == cursor)
        #expect(try await server.sync(token: "wrong").status == 401)
    }

    @Test("a cursor from another database gets 410; the mirror drops its rows and re-syncs, keeping the outbox")
    func cursorReset() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let agent = try await server.addClinic("Sunrise", number: Self.clinicNumber)[0]
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SM1", from: "+15557654321", to: Self.clinicNumber, body: "one"))
        #expect(try await server.sync(token: agent.token, since: "otherepoch.5").status == 410)
        #expect(try await server.sync(token: agent.token, since: "garbage").status == 410)

        let mirror = try Mirror(path: server.directory.path + "/mirror.sqlite")
        let loop = SyncLoop(mirror: mirror, api: ServerAPI(server: server.baseURL, token: agent.token))
        try await loop.syncOnce()
        // Pretend the mirror came from an older server database, with a stray row and a queued command.
        try mirror.apply(SyncBatch(cursor: "otherepoch.99999", messages: [
            Message(id: 777, conversationId: 1, direction: .inbound, author: .patient, body: "ghost", status: .delivered, createdAt: 0)]))
        try mirror.enqueue(.markRead(upToMessageId: 1), conversationId: 999_999)
        try await loop.syncOnce()
        let bodies = try mirror.read { db in try String.fetchAll(db, sql: "SELECT body FROM messages ORDER BY id") }
        #expect(bodies == ["one"])
        #expect(try mirror.outboxEntries().count == 1, "the refused command stays visible as failed")
        #expect(try mirror.outboxEntries().first?.state == .failed)
    }

    @Test("mirror and server files are owner-only (0600)")
    func filePermissions() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let agent = try await server.addClinic("Sunrise", number: Self.clinicNumber)[0]
        let mirrorPath = server.directory.path + "/nested/mirror.sqlite"
        let mirror = try Mirror(path: mirrorPath)  // held open: SQLite removes the -wal file on last close
        try await SyncLoop(mirror: mirror, api: ServerAPI(server: server.baseURL, token: agent.token)).syncOnce()
        // On PostgreSQL the server keeps no file of its own.
        let serverFiles = server.postgres == nil ? [server.dbPath, server.dbPath + "-wal"] : []
        for path in [mirrorPath, mirrorPath + "-wal"] + serverFiles {
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(path)")
        }
        #expect(mirror.path == mirrorPath)
    }

    @Test("a provider that keeps failing: retries with backoff, then 'failed' with the provider's reason in the mirror")
    func deliveryFailureIsVisible() async throws {
        let twilio = try await FakeTwilio.start()
        twilio.mode = .serverError
        let server = try await TestServer.start { $0.twilio.apiBase = twilio.baseURL }
        defer { Task { await server.stop(); await twilio.stop() } }
        let agent = try await server.addClinic("Sunrise", number: Self.clinicNumber)[0]
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SMin", from: "+15557654321", to: Self.clinicNumber, body: "hi"))
        let conversation = try await server.everything(token: agent.token).conversations[0].id
        #expect(try await server.command(.reply(body: "Hello"), conversation: conversation, token: agent.token).status == 200)

        let mirror = try Mirror(path: server.directory.path + "/mirror.sqlite")
        let loop = SyncLoop(mirror: mirror, api: ServerAPI(server: server.baseURL, token: agent.token))
        #expect(try await eventually {
            try await loop.syncOnce()
            return try mirror.read { db in try String.fetchOne(db, sql: "SELECT status FROM messages WHERE direction = 'outbound'") } == "failed"
        })
        #expect(twilio.sent.count == 3, "one try and two retries (maxAttempts 3)")
        let reason = try mirror.read { db in try String.fetchOne(db, sql: "SELECT error FROM messages WHERE direction = 'outbound'") }
        #expect(reason?.contains("500") == true)

        // A refusal is final at once and carries Twilio's own words.
        twilio.mode = .reject(code: 63016, message: "Outside messaging window")
        #expect(try await server.command(.reply(body: "Again"), conversation: conversation, token: agent.token).status == 200)
        #expect(try await eventually {
            try await loop.syncOnce()
            // NULL until the refusal is recorded.
            let errors = try mirror.read { db in try String?.fetchAll(db, sql: "SELECT error FROM messages WHERE body = 'Again'") }
            return errors.first??.contains("63016") == true
        })
    }

    @Test("the bot shows its menu, books through its flow, hands off on request with a reason, stays silent while an agent holds the conversation, and resumes after hand-back")
    func botHandoff() async throws {
        let twilio = try await FakeTwilio.start()
        let server = try await TestServer.start { $0.twilio.apiBase = twilio.baseURL; $0.runBot = true }
        defer { Task { await server.stop(); await twilio.stop() } }
        let agent = try await server.addClinic("Sunrise", number: Self.clinicNumber)[0]
        var sid = 0
        func patient(_ text: String, answered: Int) async throws {
            sid += 1
            _ = try await server.twilioWebhook(TestServer.inbound(sid: "SM\(sid)", from: "+15557654321", to: Self.clinicNumber, body: text))
            #expect(try await eventually { twilio.sent.count == answered }, "after \"\(text)\"")
        }
        try await patient("Hello", answered: 1)
        #expect(twilio.sent.last?.body.contains("1 Book an appointment") == true)
        try await patient("1", answered: 2)
        #expect(twilio.sent.last?.body.contains("Which time") == true)
        try await patient("2", answered: 3)
        #expect(twilio.sent.last?.body == "You're booked for tomorrow at 14:00. Reply 4 to check it or 3 to cancel.")
        #expect(try await server.everything(token: agent.token).conversations.first?.status == .bot)

        try await patient("I want to talk to staff", answered: 4)
        #expect(try await eventually { try await server.everything(token: agent.token).conversations.first?.status == .waiting })
        let conversation = try await server.everything(token: agent.token).conversations[0]
        #expect(conversation.handoffReason == "Patient asked for staff")
        #expect(try await server.command(.takeOver, conversation: conversation.id, token: agent.token).status == 200)
        sid += 1
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SM\(sid)", from: "+15557654321", to: Self.clinicNumber, body: "hello?"))

        // Proved by what follows rather than by a pause: the bot answers in turn and deliveries go out in order, so
        // an answer to "hello?" would be stored before, and reach Twilio before, the answer after the hand-back.
        #expect(try await server.command(.handBack, conversation: conversation.id, token: agent.token).status == 200)
        try await patient("what is the status of my appointment?", answered: 5)
        #expect(twilio.sent.last?.body.contains("confirmed") == true, "the bot answers again after hand-back")
        let timeline = try await server.everything(token: agent.token).messages.filter { $0.conversationId == conversation.id }
            .sorted { $0.id < $1.id }
        let held = try #require(timeline.firstIndex { $0.body == "hello?" })
        let asked = try #require(timeline.firstIndex { $0.body == "what is the status of my appointment?" })
        #expect(!timeline[held..<asked].contains { $0.author == .bot }, "the bot never speaks in a conversation a human holds")
        #expect(twilio.sent.count == 5)
    }
}
