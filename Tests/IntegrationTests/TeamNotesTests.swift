import CurlHTTP
import Foundation
import InboxModel
import InboxServer
import SyncEngine
import Testing

/// Issue 10 items 1–3 on a real server: private notes (offline-first, exactly once, never to a provider or the AI),
/// the activity log, canned replies from the CLI to the mirror.
@Suite("Team notes, activity log, canned replies", .serialized)
struct TeamNotesTests {
    static let clinicNumber = "+15550001111"

    @Test("a note written offline goes out once when the server is back, reaches a colleague's mirror, and no provider or AI sees it")
    func offlineNote() async throws {
        let twilio = try await FakeTwilio.start()
        let meta = try await FakeMeta.start()
        let waha = try await FakeWaha.start()
        let ai = try await FakeClinicAI.start()
        ai.mode = .reply("Hello from the clinic AI")
        let postgres = ProcessInfo.processInfo.environment["INBOX_TEST_DATABASE"] == "postgres"
            ? try await PostgresTestDatabase.create() : nil
        var server = try ServerProcess.prepare(postgresURL: postgres?.url)
        defer {
            server.remove()
            Task { await twilio.stop(); await meta.stop(); await waha.stop(); await ai.stop(); await postgres?.drop() }
        }
        let environment = ["TWILIO_API_BASE": twilio.baseURL, "META_GRAPH_BASE": meta.baseURL, "META_ACCESS_TOKEN": "meta-token",
                           "WAHA_BASE_URL": waha.baseURL]
        try InboxProcess.run(["clinic", "ai-hook", "Sunrise", ai.baseURL + "/ai"] + server.databaseArguments)
        let bilalToken = try InboxProcess.run(["agent", "add", "Bilal", "--clinic", "Sunrise"] + server.databaseArguments)
            .split(separator: "\n").last.map(String.init) ?? ""
        try server.start(environment: environment, bot: true)

        // A patient writes; the clinic's AI answers (one request to the hook, one reply through Twilio).
        #expect(try await server.twilioWebhook(sid: "SMnote1", body: "Can I come on Friday?").status == 200)
        #expect(try await eventually(timeout: .seconds(20)) { twilio.sent.count == 1 && ai.sent.count == 1 })
        let mirror = try Mirror(path: server.directory.appendingPathComponent("aisha.sqlite").path)
        let api = ServerAPI(server: server.baseURL, token: server.token)
        try await SyncLoop(mirror: mirror, api: api).syncOnce()
        let conversation = try #require(try await Self.everything(server, token: server.token).conversations.first?.id)

        // The server goes away; Aisha writes a note, which waits in her outbox.
        let port = server.port
        #expect(try await server.terminate() != nil)
        let secret = "NOTE-Z7Q: patient owes 40 EUR, do not mention on WhatsApp"
        let key = try mirror.enqueue(.note(body: secret), conversationId: conversation)
        let loop = SyncLoop(mirror: mirror, api: api)
        let syncing = Task { await loop.run() }
        defer { syncing.cancel() }
        #expect(try mirror.pendingCommands().map(\.key) == [key], "kept while the server is down")

        // The server returns on the same address: the note goes out, once.
        try server.start(environment: environment, port: port, bot: true)
        #expect(try await eventually(timeout: .seconds(30)) { try mirror.pendingCommands().isEmpty })
        let notes = try await Self.everything(server, token: bilalToken).messages.filter { $0.author == .note }
        #expect(notes.map(\.body) == [secret])
        #expect(notes.first?.clientKey == key && notes.first?.status == .delivered && notes.first?.agentId != nil)

        // Bilal's mirror has it, searchable; Aisha's shows it in the conversation.
        let bilal = try Mirror(path: server.directory.appendingPathComponent("bilal.sqlite").path)
        try await SyncLoop(mirror: bilal, api: ServerAPI(server: server.baseURL, token: bilalToken)).syncOnce()
        #expect(try bilal.conversationDetail(conversation)?.messages.filter { $0.author == .note }.map(\.body) == [secret])
        #expect(try bilal.search("Z7Q").contains { $0.conversationId == conversation })
        #expect(try await eventually { try mirror.conversationDetail(conversation)?.messages.contains { $0.body == secret } == true })

        // The patient writes again: the AI is asked again, without the note.
        #expect(try await server.twilioWebhook(sid: "SMnote2", body: "And is parking free?").status == 200)
        #expect(try await eventually(timeout: .seconds(20)) { ai.sent.count == 2 && twilio.sent.count == 2 })
        #expect(ai.sent.last?.messages.contains("And is parking free?") == true, "the hook saw the conversation")
        #expect(!ai.sent.flatMap(\.messages).contains { $0.contains("Z7Q") }, "the AI hook never saw the note")
        #expect(twilio.sent.map(\.body) == ["Hello from the clinic AI", "Hello from the clinic AI"])
        #expect(!twilio.sent.contains { $0.body.contains("Z7Q") })
        #expect(meta.sent.isEmpty && waha.sent.isEmpty, "no other provider was called at all")
        let outbound = try await Self.everything(server, token: bilalToken).messages.filter { $0.direction == .outbound }
        #expect(outbound.filter { $0.author == .bot }.count == 2 && outbound.filter { $0.author == .note }.count == 1)
    }

    static func everything(_ server: ServerProcess, token: String) async throws -> SyncBatch {
        var all = SyncBatch(cursor: "")
        var cursor: String?
        while true {
            var url = "\(server.baseURL)/v1/sync?timeout=0"
            if let cursor { url += "&since=\(cursor)" }
            let response = try await HTTPClient.shared.send(HTTPClient.Request(url: url, headers: [("Authorization", "Bearer \(token)")]))
            let batch = try JSONDecoder().decode(SyncBatch.self, from: Data(response.body))
            all.messages += batch.messages
            all.conversations += batch.conversations
            all.cannedReplies += batch.cannedReplies
            cursor = batch.cursor
            if !batch.more { return all }
        }
    }

    @Test("notes: any agent, any conversation (held by a colleague, closed), idempotent, refused when blank")
    func noteRules() async throws {
        let twilio = try await FakeTwilio.start()
        let server = try await TestServer.start { $0.twilio.apiBase = twilio.baseURL }
        defer { Task { await server.stop(); await twilio.stop() } }
        let (bea, sara, id) = try await TeamCommandTests.beaHoldsOne(server)
        let ben = try await server.store.addAgent(name: "Ben", clinic: "Sunrise", role: .agent)

        let first = try await server.command(.note(body: "Allergic to penicillin"), conversation: id, token: ben.token, key: "n1")
        #expect(first.status == 200, "Ben notes Bea's conversation")
        let again = try await server.command(.note(body: "Allergic to penicillin"), conversation: id, token: ben.token, key: "n1")
        #expect(again.body == first.body, "replayed, not written twice")
        let result = try JSONDecoder().decode(CommandResult.self, from: Data(first.body))
        #expect(result.message?.author == .note && result.message?.agentId == ben.agent.id && (result.message?.id ?? 0) > 0)
        #expect(result.conversation.assignedAgentId == bea.agent.id, "the conversation is unchanged")
        #expect(try await server.command(.note(body: "  \n "), conversation: id, token: sara.token).status == 422)
        #expect(try await server.command(.close, conversation: id, token: bea.token).status == 200)
        #expect(try await server.command(.note(body: "Closed: called back"), conversation: id, token: sara.token).status == 200)

        let batch = try await server.everything(token: bea.token)
        #expect(batch.messages.filter { $0.author == .note }.map(\.body) == ["Allergic to penicillin", "Closed: called back"])
        let preview = batch.conversations.last { $0.id == id }?.lastMessagePreview
        #expect(preview == "I need a person", "the queue preview stays the patient's")
        // Deliveries go out in order: the reply after the notes is the first and only thing Twilio receives.
        #expect(try await server.command(.reopen, conversation: id, token: sara.token).status == 200)
        #expect(try await server.command(.reply(body: "We are back"), conversation: id, token: sara.token).status == 200)
        // Twilio counts the request before the server records its answer, so wait for the status too.
        let delivered = try await eventually {
            let status = try await server.everything(token: bea.token).messages.first { $0.body == "We are back" }?.status
            return status != nil && status != .pending
        }
        #expect(delivered, "the reply leaves pending once Twilio has answered")
        #expect(twilio.sent.map(\.body) == ["We are back"], "a note is never delivered")
    }

    @Test("the activity log: take over, transfer, assign, hand back, close, reopen and the AI's hand-off write lines")
    func activityLog() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let agents = try await server.addClinic("Sunrise", number: Self.clinicNumber, agents: ["Amal", "Ben", "Sara"])
        let (amal, ben, sara) = (agents[0], agents[1], agents[2])
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SMlog1", from: "+15557654321", to: Self.clinicNumber,
                                                              body: "Hello", name: "Maria Lopez"))
        let id = try #require(try await server.everything(token: amal.token).conversations.first?.id)
        #expect(try await server.command(.takeOver, conversation: id, token: amal.token).status == 200)
        #expect(try await server.command(.transfer(toAgentId: sara.agent.id), conversation: id, token: amal.token).status == 200)
        #expect(try await server.command(.handBack, conversation: id, token: sara.token).status == 200)
        #expect(try await server.command(.transfer(toAgentId: ben.agent.id), conversation: id, token: sara.token).status == 200)
        #expect(try await server.command(.close, conversation: id, token: ben.token).status == 200)
        #expect(try await server.command(.reopen, conversation: id, token: amal.token).status == 200)
        // The AI hands a second conversation off.
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SMlog2", from: "+15557654322", to: Self.clinicNumber,
                                                              body: "Hi", name: "Omar"))
        let other = try #require(try await server.everything(token: amal.token).conversations.last { $0.id != id }?.id)
        #expect(try await server.command(.takeOver, conversation: other, token: amal.token).status == 200)
        #expect(try await server.command(.handBack, conversation: other, token: amal.token).status == 200)
        try await server.store.applyBotDecision(BotDecision(reply: nil, handOff: .init(reason: "wants a person")),
                                                memory: nil, conversationId: other)

        let lines = try await server.everything(token: ben.token).messages.filter { $0.author == .system }
        #expect(lines.filter { $0.conversationId == id }.map(\.body) == [
            "Amal took this conversation from the queue",
            "Amal transferred this conversation to Sara",
            "Sara handed this conversation back to the AI",
            "Sara assigned this conversation to Ben",
            "Ben closed this conversation",
            "Amal reopened this conversation",
        ])
        #expect(lines.filter { $0.conversationId == id }.map(\.agentId)
                == [amal, amal, sara, sara, ben, amal].map { Optional($0.agent.id) })
        #expect(lines.filter { $0.conversationId == other }.map(\.body) == [
            "Amal took this conversation from the queue", "Amal handed this conversation back to the AI",
            "The AI handed this conversation to the team: wants a person",
        ])
        #expect(lines.last { $0.conversationId == other }?.agentId == nil, "the AI is no agent")
        #expect(lines.allSatisfy { $0.direction == .outbound && $0.status == .delivered })
    }

    @Test("inbox canned add, import, list and remove reach a syncing mirror")
    func cannedFromTheCLI() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let agent = try await server.addClinic("Sunrise", number: Self.clinicNumber)[0]
        let mirror = try Mirror(path: server.directory.appendingPathComponent("mirror.sqlite").path)
        let loop = SyncLoop(mirror: mirror, api: ServerAPI(server: server.baseURL, token: agent.token))
        let syncing = Task { await loop.run() }
        defer { syncing.cancel() }

        let added = try InboxProcess.run(["canned", "add", "address", "--clinic", "Sunrise",
                                          "--body", "Hello {{first_name}}, {{clinic}} is at 12 Harbour Road."] + server.databaseArguments)
        #expect(added.contains("/address saved"))
        let file = server.directory.appendingPathComponent("canned.toml")
        try """
            [[canned]]
            shortcode = "hours"
            body = "We are open 8:00–18:00, {{name}}."

            [[canned]]
            shortcode = "parking"
            body = "Free parking behind the building."
            """.write(to: file, atomically: true, encoding: .utf8)
        #expect(try InboxProcess.run(["canned", "import", file.path, "--clinic", "Sunrise"] + server.databaseArguments)
            .contains("2 canned replies saved"))
        #expect(throws: InboxProcess.Failure.self) {
            try InboxProcess.run(["canned", "add", "Bad Code", "--clinic", "Sunrise", "--body", "x"] + server.databaseArguments)
        }
        #expect(try await eventually { try mirror.cannedReplies().map(\.shortcode) == ["address", "hours", "parking"] })

        #expect(try InboxProcess.run(["canned", "remove", "hours", "--clinic", "Sunrise"] + server.databaseArguments).contains("removed"))
        #expect(throws: InboxProcess.Failure.self) {
            try InboxProcess.run(["canned", "remove", "hours", "--clinic", "Sunrise"] + server.databaseArguments)
        }
        let listed = try InboxProcess.run(["canned", "list", "--clinic", "Sunrise"] + server.databaseArguments)
        #expect(listed.contains("/address") && listed.contains("/parking") && !listed.contains("/hours"))
        #expect(try await eventually { try mirror.cannedReplies().map(\.shortcode) == ["address", "parking"] },
                "the removal reaches the mirror")
    }
}
