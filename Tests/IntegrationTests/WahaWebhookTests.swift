import CurlHTTP
import Foundation
import InboxModel
import InboxServer
import Testing

/// WAHA webhook events, in the documented envelope (reference §5).
enum WahaPayload {
    static let session = "clinic-main"
    static let clinicNumber = "+15550002222"

    static func event(_ event: String, session: String = session, _ payload: [String: Any]) -> [UInt8] {
        jsonBytes(["id": "evt_01HXYZ\(UUID().uuidString.prefix(8))", "timestamp": 1_667_561_485_123, "event": event,
                   "session": session, "metadata": [:] as [String: Any],
                   "me": ["id": "15550002222@c.us", "pushName": "Sunrise Clinic"], "payload": payload,
                   "environment": ["tier": "CORE", "version": "2025.1.1"], "engine": "WEBJS"])
    }

    static func message(_ id: String, from: String, body: String?, fromMe: Bool = false, hasMedia: Bool = false,
                        media: [String: Any]? = nil, name: String? = nil) -> [String: Any] {
        var payload: [String: Any] = ["id": id, "timestamp": 1_667_561_485, "from": from, "fromMe": fromMe,
                                      "source": "app", "to": "15550002222@c.us", "body": body ?? NSNull(),
                                      "hasMedia": hasMedia, "ack": 1, "vCards": [] as [Any]]
        if hasMedia { payload["media"] = media ?? NSNull() }
        if let name { payload["_data"] = ["notifyName": name, "id": ["_serialized": id]] }
        return payload
    }

    static func ack(_ id: String, _ ack: Int, name: String) -> [String: Any] {
        ["id": id, "from": "15557654321@c.us", "participant": NSNull(), "fromMe": true, "ack": ack, "ackName": name]
    }
}

@Suite("WAHA webhooks and sending")
struct WahaWebhookTests {
    static let patient = "15557654321"

    private static func start(waha: FakeWaha? = nil, _ more: @escaping (inout ServerConfiguration) -> Void = { _ in })
        async throws -> (TestServer, NewAgent) {
        let server = try await TestServer.start { TestServer.providers(&$0, waha: waha); more(&$0) }
        let agent = try await server.addClinic("Sunrise", number: WahaPayload.clinicNumber, provider: .waha,
                                               providerRef: WahaPayload.session)[0]
        return (server, agent)
    }

    @Test("with an HMAC key, a forged or missing X-Webhook-Hmac → 403 and nothing stored")
    func signatures() async throws {
        let (server, agent) = try await Self.start { $0.maxWebhookBytes = 4096 }
        defer { Task { await server.stop() } }
        let body = WahaPayload.event("message", WahaPayload.message("false_\(Self.patient)@c.us_AAAA", from: "\(Self.patient)@c.us", body: "hi"))
        #expect(try await server.wahaWebhook(body, hmac: WahaWebhook.signature(body: body, key: "not-the-key")).status == 403)
        #expect(try await server.wahaWebhook(body, hmac: .some(nil)).status == 403)
        #expect(try await server.wahaWebhook(body, hmac: "00").status == 403)
        let huge = WahaPayload.event("message", WahaPayload.message("false_x@c.us_BIG", from: "\(Self.patient)@c.us",
                                                                    body: String(repeating: "a", count: 5000)))
        #expect(try await server.wahaWebhook(huge).status == 413)
        #expect(try await server.wahaWebhook(Array("{\"event\":".utf8)).status == 400)
        #expect(try await server.wahaWebhook(WahaPayload.event("message", ["from": "\(Self.patient)@c.us"])).status == 400)
        #expect(try await server.everything(token: agent.token).messages.isEmpty)

        let upper = WahaWebhook.signature(body: body, key: TestServer.wahaHmacKey).uppercased()
        #expect(try await server.wahaWebhook(body, hmac: upper).status == 200, "hex case does not matter")
        #expect(try await server.everything(token: agent.token).messages.map(\.body) == ["hi"])
    }

    @Test("messages: text, media, undownloaded media; own, group, message.any and unknown sessions are ignored")
    func messages() async throws {
        let (server, agent) = try await Self.start()
        defer { Task { await server.stop() } }
        let from = "\(Self.patient)@c.us"
        let events = [
            WahaPayload.event("message", WahaPayload.message("false_\(from)_TEXT", from: from, body: "Hi there!", name: "Omar")),
            WahaPayload.event("message", WahaPayload.message("false_\(from)_IMG", from: from, body: "the scan", hasMedia: true,
                                                             media: ["url": "http://waha:3000/api/files/clinic-main/IMG.jpg",
                                                                     "mimetype": "image/jpeg", "filename": NSNull(), "error": NSNull()])),
            WahaPayload.event("message", WahaPayload.message("false_\(from)_PDF", from: from, body: nil, hasMedia: true,
                                                             media: ["url": "http://waha:3000/api/files/clinic-main/PDF.pdf",
                                                                     "mimetype": "application/pdf", "filename": "results.pdf"])),
            WahaPayload.event("message", WahaPayload.message("false_\(from)_LOST", from: from, body: "", hasMedia: true)),
            // Not a patient's message to the clinic: all answered 200, none stored.
            WahaPayload.event("message", WahaPayload.message("true_\(from)_OWN", from: from, body: "from the phone", fromMe: true)),
            WahaPayload.event("message", WahaPayload.message("false_1203630@g.us_GRP", from: "120363000000000000@g.us", body: "group")),
            WahaPayload.event("message.any", WahaPayload.message("false_\(from)_ANY", from: from, body: "any")),
            WahaPayload.event("message", session: "someone-else", WahaPayload.message("false_\(from)_ELSE", from: from, body: "else")),
        ]
        for event in events { #expect(try await server.wahaWebhook(event).status == 200) }

        let seen = try await server.everything(token: agent.token)
        let byId = Dictionary(uniqueKeysWithValues: seen.messages.compactMap { m in m.providerMessageId.map { ($0, m) } })
        #expect(byId.count == 4)
        #expect(byId["false_\(from)_TEXT"]?.body == "Hi there!")
        #expect(byId["false_\(from)_TEXT"]?.providerTime == 1_667_561_485_000, "WAHA's time is kept; createdAt is receipt")
        #expect(byId["false_\(from)_IMG"]?.body == "the scan")
        let image = try #require(byId["false_\(from)_IMG"]?.media)
        #expect([image.kind, image.mimeType, image.url] == ["image", "image/jpeg", "http://waha:3000/api/files/clinic-main/IMG.jpg"])
        #expect(byId["false_\(from)_PDF"]?.media?.kind == "document")
        #expect(byId["false_\(from)_PDF"]?.media?.fileName == "results.pdf")
        #expect(byId["false_\(from)_LOST"]?.media?.kind == "file", "WAHA did not download it, but one was sent")
        let patient = try #require(seen.patients.first)
        #expect(seen.patients.count == 1)
        #expect(patient.channelIdentity == "whatsapp:+\(Self.patient)")
        #expect(patient.phone == "+\(Self.patient)")
        #expect(patient.displayName == "Omar")
        #expect(seen.conversations.map(\.provider) == [.waha])
        #expect(seen.conversations.map(\.clinicNumber) == [WahaPayload.clinicNumber])

        let mirror = try await server.syncedMirror(token: agent.token)
        let mirrored = try TestServer.mirroredMessages(mirror, conversations: seen.conversations)
        #expect(Set(mirrored.compactMap(\.providerMessageId)) == Set(byId.keys), "the same messages in a syncing mirror")
        #expect(mirrored.first { $0.providerMessageId == "false_\(from)_TEXT" }?.body == "Hi there!")
    }

    @Test("a redelivered WAHA message id is stored once")
    func dedupe() async throws {
        let (server, agent) = try await Self.start()
        defer { Task { await server.stop() } }
        let body = WahaPayload.event("message", WahaPayload.message("false_\(Self.patient)@c.us_REPEAT", from: "\(Self.patient)@c.us", body: "once"))
        for _ in 0..<3 { #expect(try await server.wahaWebhook(body).status == 200) }
        #expect(try await server.everything(token: agent.token).messages.count == 1)
    }

    @Test("an agent reply reaches WAHA's sendText with the API key; acks update delivery state by precedence")
    func replyAndAcks() async throws {
        let waha = try await FakeWaha.start()
        let (server, agent) = try await Self.start(waha: waha)
        defer { Task { await server.stop(); await waha.stop() } }
        let from = "\(Self.patient)@c.us"
        #expect(try await server.wahaWebhook(WahaPayload.event("message", WahaPayload.message("false_\(from)_IN", from: from, body: "hi"))).status == 200)
        let conversation = try #require(try await server.everything(token: agent.token).conversations.first)

        func reply(_ text: String) async throws -> Message? {
            #expect(try await server.command(.reply(body: text), conversation: conversation.id, token: agent.token).status == 200)
            var sent: Message?
            _ = try await eventually {
                sent = try await server.everything(token: agent.token).messages.first { $0.body == text && $0.status == .sent }
                return sent != nil
            }
            return sent
        }
        let first = try #require(try await reply("Hello from reception"))
        let request = try #require(waha.sent.first)
        #expect(request.apiKey == TestServer.wahaApiKey)
        #expect(request.session == WahaPayload.session)
        #expect(request.chatId == from)
        #expect(request.text == "Hello from reception")
        let firstId = try #require(request.messageId)
        #expect(first.providerMessageId == firstId, "the id object's _serialized is what acks quote")

        waha.mode = .acceptStringId
        let second = try #require(try await reply("Second"))
        let secondId = try #require(waha.sent.last?.messageId)
        #expect(second.providerMessageId == secondId, "a plain string id works too")

        let acks = [WahaPayload.ack(firstId, 2, name: "DEVICE"), WahaPayload.ack(firstId, 1, name: "SERVER"),
                    WahaPayload.ack(firstId, 0, name: "PENDING"), WahaPayload.ack(secondId, -1, name: "ERROR"),
                    WahaPayload.ack(secondId, 4, name: "PLAYED")]
        for ack in acks { #expect(try await server.wahaWebhook(WahaPayload.event("message.ack", ack)).status == 200) }
        var messages = try await server.everything(token: agent.token).messages
        #expect(messages.first { $0.id == first.id }?.status == .delivered, "a late SERVER ack never undoes DEVICE")
        #expect(messages.first { $0.id == second.id }?.status == .read)

        #expect(try await server.wahaWebhook(WahaPayload.event("message.ack", WahaPayload.ack(firstId, 3, name: "READ"))).status == 200)
        messages = try await server.everything(token: agent.token).messages
        #expect(messages.first { $0.id == first.id }?.status == .read)

        // While the session is not WORKING WAHA answers 422: retried, then failed with WAHA's reason.
        waha.mode = .sessionNotReady
        #expect(try await server.command(.reply(body: "Third"), conversation: conversation.id, token: agent.token).status == 200)
        var third: Message?
        #expect(try await eventually {
            third = try await server.everything(token: agent.token).messages.first { $0.body == "Third" && $0.status == .failed }
            return third != nil
        })
        #expect(third?.error?.contains("Session status is not as expected") == true)
        #expect(waha.sent.filter { $0.text == "Third" }.count == 3, "TestServer allows three attempts")
    }

    @Test("session.status reaches syncing clients as channel health")
    func sessionStatus() async throws {
        let (server, agent) = try await Self.start()
        defer { Task { await server.stop() } }
        let status = { (state: String) in WahaPayload.event("session.status", ["name": WahaPayload.session, "status": state]) }
        #expect(try await server.wahaWebhook(status("SCAN_QR_CODE")).status == 200)
        var channels = try await server.everything(token: agent.token).channels
        #expect(channels.count == 1)
        #expect(channels.first?.clinicNumber == WahaPayload.clinicNumber)
        #expect(channels.first?.provider == .waha)
        #expect(channels.first?.state == "SCAN_QR_CODE")
        #expect(channels.first?.detail?.contains("QR code") == true)
        #expect(channels.first?.isHealthy == false)

        let before = try await server.everything(token: agent.token).cursor
        #expect(try await server.wahaWebhook(status("SCAN_QR_CODE")).status == 200)
        let repeated = try JSONDecoder().decode(SyncBatch.self, from: Data(try await server.sync(token: agent.token, since: before).body))
        #expect(repeated.channels.isEmpty, "a repeated state is not news")

        #expect(try await server.wahaWebhook(status("WORKING")).status == 200)
        channels = try await server.everything(token: agent.token).channels
        #expect(channels.map(\.state) == ["WORKING"])
        #expect(channels.first?.isHealthy == true)
        // Unknown sessions are dropped with 200.
        #expect(try await server.wahaWebhook(WahaPayload.event("session.status", session: "nobody", ["status": "FAILED"])).status == 200)
        #expect(try await server.everything(token: agent.token).channels.map(\.state) == ["WORKING"])
    }
}
