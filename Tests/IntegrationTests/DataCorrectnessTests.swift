import CurlHTTP
import Foundation
import GRDB
import InboxModel
import InboxServer
import SyncEngine
import Testing

/// What the server stores must be what happened: receipt order, WhatsApp's window for the bot, WhatsApp's own
/// notices, and conversation writes that do not lose a race.
@Suite("Server data: receipt time, the bot's window, system notices, compare-and-set")
struct DataCorrectnessTests {
    static let patient = "16505551234"

    static func metaClinic(meta: FakeMeta? = nil, runBot: Bool = false) async throws -> (TestServer, NewAgent) {
        let server = try await TestServer.start { TestServer.providers(&$0, meta: meta); $0.runBot = runBot }
        let agent = try await server.addClinic("Sunrise", number: MetaPayload.clinicNumber, provider: .meta,
                                               providerRef: MetaPayload.phoneNumberId)[0]
        return (server, agent)
    }

    static func metaText(_ id: String, from: String = patient, _ body: String, sentSecondsAgo: Int = 0) -> [UInt8] {
        let sent = String(Int(Date().timeIntervalSince1970) - sentSecondsAgo)
        return MetaPayload.webhook([MetaPayload.value(contacts: [MetaPayload.contact(from, name: "Sheena")], messages: [
            MetaPayload.message(id, from: from, type: "text", timestamp: sent, ["text": ["body": body]])])])
    }

    static func nowMillis() -> Millis { Millis(Date().timeIntervalSince1970 * 1000) }

    @Test("a late webhook is placed and timed by receipt; the provider's time is kept as providerTime")
    func receiptTime() async throws {
        let (server, agent) = try await Self.metaClinic()
        defer { Task { await server.stop() } }
        #expect(try await server.metaWebhook(Self.metaText("wamid.first", "first")).status == 200)
        let beforeLate = Self.nowMillis()
        // Meta redelivers a message sent three days ago (e.g. after an outage).
        #expect(try await server.metaWebhook(Self.metaText("wamid.late", "late", sentSecondsAgo: 3 * 86_400)).status == 200)

        let seen = try await server.everything(token: agent.token)
        let first = try #require(seen.messages.first { $0.providerMessageId == "wamid.first" })
        let late = try #require(seen.messages.first { $0.providerMessageId == "wamid.late" })
        #expect(late.createdAt >= beforeLate, "createdAt is when the server received it")
        #expect(late.createdAt >= first.createdAt && late.id > first.id)
        let providerTime = try #require(late.providerTime)
        #expect(abs(providerTime - (beforeLate - 3 * 86_400_000)) < 5_000)
        let conversation = try #require(seen.conversations.first)
        #expect(conversation.lastMessagePreview == "late", "the timeline's newest is the one received last")
        #expect(conversation.lastMessageAt == late.createdAt)
        #expect(conversation.lastInboundAt == first.providerTime, "the window still runs from the newest sending time")

        let mirror = try await server.syncedMirror(token: agent.token)
        let detail = try #require(try mirror.conversationDetail(conversation.id))
        #expect(detail.messages.map(\.body) == ["first", "late"])
    }

    @Test("outside the 24-hour window the bot sends nothing and hands off; inside it, it answers (control)")
    func botWindow() async throws {
        let meta = try await FakeMeta.start()
        let (server, agent) = try await Self.metaClinic(meta: meta, runBot: true)
        defer { Task { await server.stop(); await meta.stop() } }
        // Control: a patient inside the window gets the bot's answer at the fake Meta.
        #expect(try await server.metaWebhook(Self.metaText("wamid.fresh", from: "16505550000", "hi")).status == 200)
        #expect(try await eventually { meta.sent.contains { $0.to == "+16505550000" } })

        // A message sent 26 hours ago, delivered now: WhatsApp would refuse free text, so the bot sends none.
        #expect(try await server.metaWebhook(Self.metaText("wamid.stale", "hi", sentSecondsAgo: 26 * 3600)).status == 200)
        var handedOff: Conversation?
        #expect(try await eventually {
            let seen = try await server.everything(token: agent.token)
            let patient = seen.patients.first { $0.phone == "+\(Self.patient)" }
            handedOff = seen.conversations.first { $0.patientId == patient?.id && $0.status == .waiting }
            return handedOff != nil
        })
        #expect(handedOff?.handoffReason == "24-hour window closed")
        let messages = try await server.everything(token: agent.token).messages.filter { $0.conversationId == handedOff?.id }
        // The activity log's hand-off line is the only other row: nothing the bot would send.
        #expect(messages.map(\.author) == [.patient, .system], "no bot message was stored or queued")
        #expect(messages.allSatisfy { $0.author != .bot })
        #expect(!meta.sent.contains { $0.to == "+\(Self.patient)" }, "the fake Meta received nothing for that patient")
    }

    @Test("outside the window, the clinic's bot_window_closed template goes out as a template and a human follows up")
    func botWindowTemplate() async throws {
        let meta = try await FakeMeta.start()
        let (server, agent) = try await Self.metaClinic(meta: meta, runBot: true)
        defer { Task { await server.stop(); await meta.stop() } }
        try await server.store.saveTemplates([TemplateDefinition(
            name: BotRules.windowClosedTemplateName, language: "en", category: .utility,
            body: "Hello {{1}}, thank you for your message. Our reception team will answer you here.")], clinic: "Sunrise")
        #expect(try await server.metaWebhook(Self.metaText("wamid.stale", "hi", sentSecondsAgo: 30 * 3600)).status == 200)

        #expect(try await eventually { meta.sent.contains { $0.to == "+\(Self.patient)" } })
        let request = try #require(meta.sent.first { $0.to == "+\(Self.patient)" }?.message)
        #expect(request.type == "template", "a template, never free text")
        #expect(request.template?.name == BotRules.windowClosedTemplateName)
        #expect(request.template?.components?.first?.parameters.compactMap(\.text) == ["Sheena"])
        let seen = try await server.everything(token: agent.token)
        #expect(seen.conversations.first?.status == .waiting)
        #expect(seen.conversations.first?.handoffReason == "24-hour window closed")
        #expect(seen.messages.first { $0.author == .bot }?.body
                == "Hello Sheena, thank you for your message. Our reception team will answer you here.")
    }

    @Test("Meta system messages are stored as system, and a number change moves the patient to the new number")
    func systemNotice() async throws {
        let (server, agent) = try await Self.metaClinic()
        defer { Task { await server.stop() } }
        let old = "447700900123", new = "447700900999"
        #expect(try await server.metaWebhook(Self.metaText("wamid.hello", from: old, "hello")).status == 200)
        let notice = MetaPayload.webhook([MetaPayload.value(messages: [
            MetaPayload.message("wamid.changed", from: old, type: "system",
                                ["system": ["body": "Sam changed from \(old) to \(new)", "wa_id": new, "type": "user_changed_number"]]),
        ])])
        #expect(try await server.metaWebhook(notice).status == 200)
        #expect(try await server.metaWebhook(Self.metaText("wamid.again", from: new, "it's me, new phone")).status == 200)

        let seen = try await server.everything(token: agent.token)
        #expect(seen.patients.count == 1, "one patient, not a second one for the new number")
        let patient = try #require(seen.patients.first)
        #expect(patient.channelIdentity == "whatsapp:+\(new)")
        #expect(patient.phone == "+\(new)")
        #expect(Set(seen.messages.map(\.conversationId)).count == 1, "the new number's message lands in the same conversation")
        let byId = Dictionary(uniqueKeysWithValues: seen.messages.compactMap { m in m.providerMessageId.map { ($0, m) } })
        #expect(byId["wamid.changed"]?.author == .system)
        #expect(byId["wamid.hello"]?.author == .patient)
        #expect(byId["wamid.again"]?.author == .patient)
        let mirror = try await server.syncedMirror(token: agent.token)
        let conversationId = try #require(seen.conversations.first).id
        let detail = try #require(try mirror.conversationDetail(conversationId))
        #expect(detail.messages.map(\.author) == [.patient, .system, .patient])
        #expect(detail.patient?.phone == "+\(new)")
    }

    /// Another writer (a second server on a shared database, say) saves the conversation between this writer's
    /// read and its compare-and-set: simulated by a trigger that bumps the version whenever a message is added.
    static func interleaveWriter(_ server: TestServer) throws {
        let db = try sharedDatabase(server.dbPath)
        try db.write { try $0.execute(sql: """
            CREATE TRIGGER another_writer AFTER INSERT ON messages BEGIN
                UPDATE conversations SET version = version + 1 WHERE id = NEW.conversation_id;
            END
            """) }
    }

    @Test("a compare-and-set lost to another writer is retried on the fresh row: ingest, agent reply and bot all land")
    func compareAndSetRetried() async throws {
        let twilio = try await FakeTwilio.start()
        let server = try await TestServer.start { $0.twilio.apiBase = twilio.baseURL; $0.runBot = true }
        defer { Task { await server.stop(); await twilio.stop() } }
        let agent = try await server.addClinic("Sunrise", number: "+15550001111")[0]
        try Self.interleaveWriter(server)

        // Ingest, then the bot's answer: both lose the race once and are applied again.
        #expect(try await server.twilioWebhook(TestServer.inbound(sid: "SM1", from: "+15557654321", to: "+15550001111", body: "hi")).status == 200)
        var conversation: Conversation?
        #expect(try await eventually {
            let seen = try await server.everything(token: agent.token)
            conversation = seen.conversations.first
            return seen.messages.contains { $0.author == .bot } && conversation?.lastMessagePreview != "hi"
        })
        let botReply = try #require(try await server.everything(token: agent.token).messages.first { $0.author == .bot })
        #expect(conversation?.lastInboundAt != nil, "ingest's write of the window landed")
        #expect(conversation?.lastMessagePreview == String(botReply.body.prefix(120)), "the bot's write landed")

        // An agent's reply: taken over, stored, and the conversation shows it.
        let id = try #require(conversation?.id)
        #expect(try await server.command(.reply(body: "Reception here"), conversation: id, token: agent.token).status == 200)
        let after = try #require(try await server.everything(token: agent.token).conversations.first)
        #expect(after.lastMessagePreview == "Reception here")
        #expect(after.status == .assigned && after.assignedAgentId == agent.agent.id)
    }

    @Test("a compare-and-set that keeps failing fails the webhook visibly (500) and stores nothing; redelivery then stores it")
    func compareAndSetFailsVisibly() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let agent = try await server.addClinic("Sunrise", number: "+15550001111")[0]
        let form = TestServer.inbound(sid: "SMcas", from: "+15557654321", to: "+15550001111", body: "hello")
        let db = try sharedDatabase(server.dbPath)
        // Every save of a conversation is lost to "another writer".
        try await db.write { try $0.execute(sql: "CREATE TRIGGER always_changed BEFORE UPDATE ON conversations BEGIN SELECT RAISE(IGNORE); END") }
        #expect(try await server.twilioWebhook(form).status == 500)
        #expect(try await server.everything(token: agent.token).messages.isEmpty, "nothing half-written")

        try await db.write { try $0.execute(sql: "DROP TRIGGER always_changed") }
        #expect(try await server.twilioWebhook(form).status == 200, "Twilio's redelivery")
        let seen = try await server.everything(token: agent.token)
        #expect(seen.messages.map(\.body) == ["hello"])
        #expect(seen.conversations.first?.lastMessagePreview == "hello")
    }

    @Test("statuses for unknown ids are parked within an age and a per-provider count, and still apply when the send lands")
    func earlyStatusesBounded() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("inbox-early-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("server.sqlite").path
        let clock = Locked<Millis>(1_000_000_000)
        let store = try SQLiteInboxStore(path: path, notifier: LocalChangeNotifier(),
                                         earlyStatusBounds: EarlyStatusBounds(maxAge: 3_600_000, maxPerProvider: 50),
                                         clock: { clock.value })
        func parked() throws -> [String: Int] {
            try DatabaseQueue(path: path).read { db in
                Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT COALESCE(provider, ''), COUNT(*) FROM early_statuses GROUP BY 1")
                    .map { ($0[0] as String, $0[1] as Int) })
            }
        }
        try await store.applyStatuses((0..<80).map { StatusReport(providerMessageId: "waha-\($0)", status: .read, provider: .waha) })
        try await store.applyStatuses((0..<10).map { StatusReport(providerMessageId: "meta-\($0)", status: .read, provider: .meta) })
        #expect(try parked() == ["waha": 50, "meta": 10], "WAHA's noise is capped and evicts none of Meta's")

        clock.value += 2 * 3_600_000
        try await store.applyStatuses([StatusReport(providerMessageId: "twilio-new", status: .delivered, provider: .twilio)])
        #expect(try parked() == ["twilio": 1], "older than an hour: gone")

        // A parked status still applies to the message it was for, when it came through that message's channel.
        try await store.addNumber("+15550001111", clinic: "Sunrise", provider: .twilio, providerRef: nil)
        let outcome = try await store.ingest(InboundMessage(provider: .twilio, clinicNumber: "+15550001111",
                                                            channelIdentity: "whatsapp:+15557654321", phone: "+15557654321",
                                                            profileName: nil, providerMessageId: "SMin", body: "hi", receivedAt: 0))
        guard case .stored(let conversationId, _, _) = outcome else { Issue.record("not stored"); return }
        let agent = try await store.addAgent(name: "Aisha", clinic: "Sunrise", role: .agent)
        let me = try #require(try await store.authenticate(tokenHash: Hashing.sha256Hex(Data(agent.token.utf8))))
        let reply = try await store.execute(.reply(body: "ok"), conversationId: conversationId, by: me, key: "k1", requestHash: "h")
        #expect(reply.status == 200)
        let messageId = try #require(try JSONDecoder().decode(CommandResult.self, from: Data(reply.body)).message?.id)
        // Parked before the send's answer is recorded: Twilio's own status for this number, and a Meta one.
        try await store.applyStatuses([
            StatusReport(providerMessageId: "SMout", status: .read, provider: .meta, clinicNumber: "+15550001111"),
            StatusReport(providerMessageId: "SMout", status: .delivered, provider: .twilio, clinicNumber: "+15550001111"),
        ])
        try await store.deliverySucceeded(messageId: messageId, providerMessageId: "SMout")
        let page = try await store.changes(for: me, after: 0, limit: 1000)
        #expect(page.batch.messages.first { $0.id == messageId }?.status == .delivered,
                "Twilio's parked status applied; Meta's, for the same id, did not (it said read)")
    }
}
