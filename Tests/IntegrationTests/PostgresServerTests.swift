import CurlHTTP
import Foundation
import InboxModel
import InboxServer
import Testing

/// The server on PostgreSQL, over HTTP on 127.0.0.1 as clients and providers reach it; two instances share one
/// database where the test says so, as behind a load balancer.
@Suite("Postgres server", .serialized)
struct PostgresServerTests {
    static let number = "+15550002222"

    @Test("agents, numbers, ingest, sync pages in order, replies and idempotent replay work on PostgreSQL")
    func basics() async throws {
        let server = try await TestServer.start(database: .postgres)
        defer { Task { await server.stop() } }
        let agents = try await server.addClinic("Harbour", number: Self.number, agents: ["Aisha", "Ben"])
        for index in 0..<5 {
            let answer = try await server.twilioWebhook(TestServer.inbound(sid: "SMbasic\(index)", from: "+15557000001",
                                                                           to: Self.number, body: "message \(index)"))
            #expect(answer.status == 200)
        }
        // A redelivered webhook is stored once.
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SMbasic0", from: "+15557000001", to: Self.number, body: "message 0"))

        // Paged two changes at a time, the pages arrive in seq order and end with more = false.
        var cursor: String?
        var seqs: [Int64] = []
        var messages: [Message] = []
        var pages = 0
        while true {
            var url = "\(server.baseURL)/v1/sync?limit=2"
            if let cursor { url += "&since=\(cursor)" }
            let response = try await HTTPClient.shared.send(HTTPClient.Request(url: url, headers: [("Authorization", "Bearer \(agents[0].token)")]))
            #expect(response.status == 200)
            let batch = try JSONDecoder().decode(SyncBatch.self, from: Data(response.body))
            messages += batch.messages
            if batch.more { #expect((batch.remaining ?? 0) > 0, "a catching-up page says how much is left") }
            seqs.append(try #require(Int64(batch.cursor.split(separator: ".").last ?? "")))
            cursor = batch.cursor
            pages += 1
            if !batch.more { break }
        }
        #expect(pages > 2)
        #expect(seqs == seqs.sorted() && Set(seqs).count == seqs.count, "cursors only move forward: \(seqs)")
        #expect(messages.map(\.body) == (0..<5).map { "message \($0)" })
        let conversation = try #require(messages.first?.conversationId)

        // A reply, its replay (same bytes), and the key reused for another body (422, nothing stored).
        let first = try await server.command(.reply(body: "See you at 9"), conversation: conversation, token: agents[0].token, key: "k1")
        let again = try await server.command(.reply(body: "See you at 9"), conversation: conversation, token: agents[0].token, key: "k1")
        let reused = try await server.command(.reply(body: "Other"), conversation: conversation, token: agents[0].token, key: "k1")
        #expect(first.status == 200)
        #expect(again.status == 200 && again.body == first.body)
        #expect(reused.status == 422)
        let refusal = try JSONDecoder().decode(ErrorBody.self, from: Data(reused.body))
        #expect(refusal.error == "idempotency_key_reused")

        // The colleague is told who holds it, as on SQLite.
        let taken = try await server.command(.takeOver, conversation: conversation, token: agents[1].token)
        #expect(taken.status == 409)
        let conflict = try JSONDecoder().decode(ErrorBody.self, from: Data(taken.body))
        #expect(conflict.holder?.id == agents[0].agent.id)

        let seen = try await server.everything(token: agents[1].token)
        #expect(seen.messages.filter { $0.direction == .outbound }.map(\.body) == ["See you at 9"])
        #expect(seen.conversations.first?.assignedAgentId == agents[0].agent.id)
        #expect(Set(seen.agents.map(\.name)) == ["Aisha", "Ben"])
    }

    @Test("two instances: a webhook posted to A reaches a client long-polling B within 1 s")
    func crossInstanceWakeUp() async throws {
        let a = try await TestServer.start(database: .postgres)
        let b = try await TestServer.start(database: .postgres, sharing: a)
        defer { Task { await b.stop(); await a.stop() } }
        let agents = try await a.addClinic("Harbour", number: Self.number)
        let token = agents[0].token
        let start = try await b.everything(token: token)
        // B hears A's commits once its listening connection is up (it connects after B starts serving).
        #expect(try await eventually { (b.app.notifier as? PostgresChangeNotifier)?.isListening == true })

        async let polled = b.sync(token: token, since: start.cursor, timeout: 20_000)
        // The long-poll is held on B before the webhook goes to A.
        #expect(try await eventually { b.app.notifier.waitingCount == 1 })
        let sent = ContinuousClock.now
        _ = try await a.twilioWebhook(TestServer.inbound(sid: "SMcross1", from: "+15557000002", to: Self.number, body: "hello B"))
        let response = try await polled
        let elapsed = ContinuousClock.now - sent
        let batch = try JSONDecoder().decode(SyncBatch.self, from: Data(response.body))
        #expect(batch.messages.map(\.body) == ["hello B"])
        #expect(elapsed < .seconds(1), "woken after \(elapsed)")
    }

    @Test("two instances: take-over races between agents on different instances have one winner each")
    func takeOverRacesAcrossInstances() async throws {
        let a = try await TestServer.start(database: .postgres)
        let b = try await TestServer.start(database: .postgres, sharing: a)
        defer { Task { await b.stop(); await a.stop() } }
        let (agents, ids) = try await CommandTests.waitingConversations(a, count: 30)
        for id in ids {
            async let first = a.command(.takeOver, conversation: id, token: agents[0].token)
            async let second = b.command(.takeOver, conversation: id, token: agents[1].token)
            let answers = try await [first, second]
            #expect(answers.map(\.status).sorted() == [200, 409], "conversation \(id)")
            let winner = try #require(answers.firstIndex { $0.status == 200 }.map { agents[$0].agent })
            let loser = try #require(answers.first { $0.status == 409 })
            #expect(try JSONDecoder().decode(ErrorBody.self, from: Data(loser.body)).holder == winner)
        }
    }

    @Test("two instances with delivery workers: each reply reaches the provider exactly once")
    func repliesSentOnce() async throws {
        let twilio = try await FakeTwilio.start()
        let a = try await TestServer.start(database: .postgres) { $0.twilio.apiBase = twilio.baseURL }
        let b = try await TestServer.start(database: .postgres, sharing: a) { $0.twilio.apiBase = twilio.baseURL }
        defer { Task { await b.stop(); await a.stop(); await twilio.stop() } }
        let (agents, ids) = try await CommandTests.waitingConversations(a, count: 10)
        for (index, id) in ids.enumerated() {
            let server = index.isMultiple(of: 2) ? a : b
            let answer = try await server.command(.reply(body: "reply \(index)"), conversation: id, token: agents[0].token)
            #expect(answer.status == 200)
        }
        #expect(try await eventually { twilio.sent.count >= ids.count })
        #expect(try await eventually {
            try await a.everything(token: agents[0].token).messages.filter { $0.direction == .outbound && $0.status == .pending }.isEmpty
        })
        #expect(twilio.sent.map(\.body).sorted() == ids.indices.map { "reply \($0)" }.sorted())
    }

    @Test("an agent added through another store on the database (its own pool, no listener of the server's) reaches a held long-poll within 2 s")
    func shellAdministrationWakes() async throws {
        let server = try await TestServer.start(database: .postgres)
        defer { Task { await server.stop() } }
        let agents = try await server.addClinic("Harbour", number: Self.number)
        let token = agents[0].token
        let start = try await server.everything(token: token)
        let database = try #require(server.postgres)
        // The shell's store: its own pool and notifier, as `inbox agent add --database …` would open.
        let shell = try await PostgresInboxStore.open(url: database.url, notifier: PostgresChangeNotifier())
        // The server hears the shell's commit once its listening connection is up (it connects after serving starts).
        #expect(try await eventually { (server.app.notifier as? PostgresChangeNotifier)?.isListening == true })

        async let polled = server.sync(token: token, since: start.cursor, timeout: 20_000)
        #expect(try await eventually { server.app.notifier.waitingCount == 1 })
        let sent = ContinuousClock.now
        _ = try await shell.addAgent(name: "Chidi", clinic: "Harbour", role: .agent)
        let response = try await polled
        let elapsed = ContinuousClock.now - sent
        await shell.close()
        let batch = try JSONDecoder().decode(SyncBatch.self, from: Data(response.body))
        #expect(batch.agents.map(\.name) == ["Chidi"])
        #expect(elapsed < .seconds(2), "woken after \(elapsed)")
    }

    @Test("`inbox agent add --database` (the real CLI, another process) reaches a client long-polling within 2 s; its revoke answers 401")
    func cliAdministrationWakes() async throws {
        let server = try await TestServer.start(database: .postgres)
        defer { Task { await server.stop() } }
        let agents = try await server.addClinic("Harbour", number: Self.number)
        let token = agents[0].token
        let start = try await server.everything(token: token)
        // The server hears the CLI's commit once its listening connection is up (it connects after serving starts).
        #expect(try await eventually { (server.app.notifier as? PostgresChangeNotifier)?.isListening == true })

        let polled = Task { (try await server.sync(token: token, since: start.cursor, timeout: 20_000), ContinuousClock.now) }
        #expect(try await eventually { server.app.notifier.waitingCount == 1 })
        let sent = ContinuousClock.now
        _ = try InboxProcess.run(["agent", "add", "Chidi", "--clinic", "Harbour"] + server.databaseArguments)
        // When the poll was answered, not when this test got round to reading it (after the command's exit).
        let (response, answered) = try await polled.value
        #expect(answered - sent < .seconds(2), "woken \(answered - sent) after the command started")
        #expect(try JSONDecoder().decode(SyncBatch.self, from: Data(response.body)).agents.map(\.name) == ["Chidi"])

        _ = try InboxProcess.run(["agent", "revoke", String(agents[0].agent.id)] + server.databaseArguments)
        #expect(try await eventually(timeout: .seconds(1)) { try await server.sync(token: token).status == 401 })
    }
}
