import CurlHTTP
import Foundation
import InboxModel
@testable import InboxServer
import Testing

/// Meta WhatsApp Cloud API payloads, in the documented shapes (reference §3.2–3.3).
enum MetaPayload {
    static let phoneNumberId = "106540352242922"
    static let clinicNumber = "+15550783881"

    /// One POST: each value becomes its own `entry` (Meta batches up to 1000 updates this way).
    static func webhook(_ values: [[String: Any]]) -> [UInt8] {
        jsonBytes(["object": "whatsapp_business_account",
                   "entry": values.enumerated().map { index, value in
                       ["id": "WABA\(index)", "changes": [["field": "messages", "value": value]]]
                   }])
    }

    static func value(phoneNumberId: String = phoneNumberId, contacts: [[String: Any]]? = nil,
                      messages: [[String: Any]] = [], statuses: [[String: Any]] = []) -> [String: Any] {
        var value: [String: Any] = ["messaging_product": "whatsapp",
                                    "metadata": ["display_phone_number": "15550783881", "phone_number_id": phoneNumberId]]
        if let contacts { value["contacts"] = contacts }
        if !messages.isEmpty { value["messages"] = messages }
        if !statuses.isEmpty { value["statuses"] = statuses }
        return value
    }

    static func contact(_ waId: String, name: String) -> [String: Any] {
        ["profile": ["name": name], "wa_id": waId]
    }

    /// Now, so the 24-hour window is open for replies.
    static var now: String { String(Int(Date().timeIntervalSince1970)) }

    static func message(_ id: String, from: String, type: String, timestamp: String = now,
                        _ content: [String: Any] = [:]) -> [String: Any] {
        var message: [String: Any] = ["from": from, "id": id, "timestamp": timestamp, "type": type]
        message.merge(content) { _, new in new }
        return message
    }

    static func text(_ id: String, from: String, _ body: String) -> [String: Any] {
        message(id, from: from, type: "text", ["text": ["body": body]])
    }

    static func status(_ wamid: String, _ status: String, errors: [[String: Any]]? = nil) -> [String: Any] {
        var object: [String: Any] = ["id": wamid, "status": status, "timestamp": "1749416400", "recipient_id": "16505551234"]
        if let errors { object["errors"] = errors }
        return object
    }
}

@Suite("Meta webhooks and sending")
struct MetaWebhookTests {
    static let patient = "16505551234"

    private static func start(meta: FakeMeta? = nil, _ more: @escaping (inout ServerConfiguration) -> Void = { _ in })
        async throws -> (TestServer, NewAgent) {
        let server = try await TestServer.start { TestServer.providers(&$0, meta: meta); more(&$0) }
        let agent = try await server.addClinic("Sunrise", number: MetaPayload.clinicNumber, provider: .meta,
                                               providerRef: MetaPayload.phoneNumberId)[0]
        return (server, agent)
    }

    @Test("GET verification echoes the raw challenge for the right token, 403 otherwise")
    func verification() async throws {
        let (server, _) = try await Self.start()
        defer { Task { await server.stop() } }
        let good = try await server.metaVerification(token: TestServer.metaVerifyToken, challenge: "1158201444")
        #expect(good.status == 200)
        #expect(good.text == "1158201444")
        #expect(good.headers["content-type"]?.hasPrefix("text/plain") == true)
        #expect(try await server.metaVerification(token: "wrong", challenge: "1").status == 403)
        #expect(try await server.metaVerification(mode: "unsubscribe", token: TestServer.metaVerifyToken, challenge: "1").status == 403)
        #expect(try await HTTPClient.shared.send(HTTPClient.Request(url: server.baseURL + "/webhooks/meta")).status == 403)
    }

    @Test("forged, unsigned or tampered → 403; malformed → 400; oversized → 413; none stores anything")
    func signatures() async throws {
        let (server, agent) = try await Self.start { $0.maxWebhookBytes = 4096 }
        defer { Task { await server.stop() } }
        let body = MetaPayload.webhook([MetaPayload.value(contacts: [MetaPayload.contact(Self.patient, name: "Sheena")],
                                                          messages: [MetaPayload.text("wamid.forged", from: Self.patient, "hi")])])
        let wrongSecret = MetaWebhook.signature(body: body, appSecret: "not-the-secret")
        #expect(try await server.metaWebhook(body, signature: wrongSecret).status == 403)
        #expect(try await server.metaWebhook(body, signature: .some(nil)).status == 403)
        #expect(try await server.metaWebhook(body, signature: "sha256=zz").status == 403)
        var tampered = body
        tampered[tampered.count / 2] ^= 0x01
        #expect(try await server.metaWebhook(tampered, signature: MetaWebhook.signature(body: body, appSecret: TestServer.metaAppSecret)).status == 403)
        #expect(try await server.metaWebhook(Array("{\"entry\": [".utf8)).status == 400)
        #expect(try await server.metaWebhook(Array("[1, 2]".utf8)).status == 400)
        let huge = MetaPayload.webhook([MetaPayload.value(messages: [MetaPayload.text("wamid.huge", from: Self.patient,
                                                                                      String(repeating: "a", count: 5000))])])
        #expect(try await server.metaWebhook(huge).status == 413)
        #expect(try await server.everything(token: agent.token).messages.isEmpty)

        #expect(try await server.metaWebhook(body).status == 200)
        #expect(try await server.everything(token: agent.token).messages.map(\.body) == ["hi"])
    }

    @Test("every documented message type, batched in two entries, shows up in sync and in a syncing mirror")
    func messageTypes() async throws {
        let (server, agent) = try await Self.start()
        defer { Task { await server.stop() } }
        let other = "447700900123"
        let first = MetaPayload.value(contacts: [MetaPayload.contact(Self.patient, name: "Sheena Nelson")], messages: [
            MetaPayload.message("wamid.text", from: Self.patient, type: "text", timestamp: "1749416383",
                                ["text": ["body": "Does it come in another color?"]]),
            MetaPayload.message("wamid.image", from: Self.patient, type: "image",
                                ["image": ["caption": "my rash", "mime_type": "image/jpeg", "sha256": "abc", "id": "1001"]]),
            MetaPayload.message("wamid.document", from: Self.patient, type: "document",
                                ["document": ["filename": "referral.pdf", "mime_type": "application/pdf", "sha256": "def", "id": "1002"]]),
            MetaPayload.message("wamid.audio", from: Self.patient, type: "audio",
                                ["audio": ["mime_type": "audio/ogg; codecs=opus", "sha256": "ghi", "id": "1003", "voice": true]]),
            MetaPayload.message("wamid.video", from: Self.patient, type: "video",
                                ["video": ["mime_type": "video/mp4", "sha256": "jkl", "id": "1004"]]),
            MetaPayload.message("wamid.sticker", from: Self.patient, type: "sticker",
                                ["sticker": ["mime_type": "image/webp", "sha256": "mno", "id": "1005", "animated": false]]),
            MetaPayload.message("wamid.location", from: Self.patient, type: "location",
                                ["location": ["latitude": 38.9, "longitude": -77.03, "name": "Clinic car park", "address": "1 Main St"]]),
            MetaPayload.message("wamid.contacts", from: Self.patient, type: "contacts",
                                ["contacts": [["name": ["formatted_name": "Jane Roe", "first_name": "Jane"],
                                               "phones": [["phone": "+1 555 010 9999", "wa_id": "15550109999", "type": "CELL"]]]]]),
        ])
        let second = MetaPayload.value(contacts: [MetaPayload.contact(Self.patient, name: "Sheena Nelson")], messages: [
            MetaPayload.message("wamid.button_reply", from: Self.patient, type: "interactive",
                                ["interactive": ["type": "button_reply", "button_reply": ["id": "yes", "title": "Yes, confirm"]]]),
            MetaPayload.message("wamid.list_reply", from: Self.patient, type: "interactive",
                                ["interactive": ["type": "list_reply", "list_reply": ["id": "tue", "title": "Tuesday 10:00", "description": "Dr Ali"]]]),
            MetaPayload.message("wamid.button", from: Self.patient, type: "button",
                                ["button": ["payload": "CONFIRM", "text": "Confirm appointment"], "context": ["from": "15550783881", "id": "wamid.tpl"]]),
            MetaPayload.message("wamid.reaction", from: Self.patient, type: "reaction",
                                ["reaction": ["message_id": "wamid.text", "emoji": "👍"]]),
            MetaPayload.message("wamid.order", from: Self.patient, type: "order", ["order": ["catalog_id": "1"]]),
        ])
        // A system message arrives without `contacts`, here from another patient.
        let system = MetaPayload.value(messages: [
            MetaPayload.message("wamid.system", from: other, type: "system",
                                ["system": ["body": "Sam changed from 447700900123 to 447700900999", "wa_id": "447700900999",
                                            "type": "user_changed_number"]]),
        ])
        // An entry for a number no clinic registered does not spoil the batch.
        let stranger = MetaPayload.value(phoneNumberId: "999999", messages: [MetaPayload.text("wamid.stranger", from: Self.patient, "hi")])
        #expect(try await server.metaWebhook(MetaPayload.webhook([first, second])).status == 200)
        #expect(try await server.metaWebhook(MetaPayload.webhook([system, stranger])).status == 200)

        let seen = try await server.everything(token: agent.token)
        let byId = Dictionary(uniqueKeysWithValues: seen.messages.compactMap { m in m.providerMessageId.map { ($0, m) } })
        #expect(byId.count == 13, "everything but the reaction and the unregistered number's message")
        #expect(byId["wamid.text"]?.body == "Does it come in another color?")
        #expect(byId["wamid.text"]?.providerTime == 1_749_416_383_000, "Meta's time is kept; createdAt is receipt")
        #expect(byId["wamid.text"]?.direction == .inbound)
        #expect(byId["wamid.image"]?.body == "my rash")
        let image = try #require(byId["wamid.image"]?.media)
        #expect([image.kind, image.mimeType, image.url] == ["image", "image/jpeg", "meta-media:1001"])
        #expect(image.state != .stored, "the fake Graph API serves no file")
        #expect(byId["wamid.document"]?.media?.kind == "document")
        #expect(byId["wamid.document"]?.media?.fileName == "referral.pdf")
        #expect(byId["wamid.document"]?.media?.mimeType == "application/pdf")
        #expect(byId["wamid.audio"]?.media?.kind == "audio")
        #expect(byId["wamid.video"]?.media?.kind == "video")
        #expect(byId["wamid.sticker"]?.media?.kind == "sticker")
        #expect(byId["wamid.location"]?.media?.kind == "location")
        #expect(byId["wamid.location"]?.media?.fileName == "Clinic car park")
        #expect(byId["wamid.contacts"]?.media?.kind == "contacts")
        #expect(byId["wamid.contacts"]?.body.contains("Jane Roe") == true)
        #expect(byId["wamid.contacts"]?.body.contains("+1 555 010 9999") == true)
        #expect(byId["wamid.button_reply"]?.body == "Yes, confirm")
        #expect(byId["wamid.list_reply"]?.body == "Tuesday 10:00")
        #expect(byId["wamid.button"]?.body == "Confirm appointment")
        #expect(byId["wamid.order"]?.body == "[unsupported: order]")
        #expect(byId["wamid.reaction"] == nil)
        #expect(byId["wamid.stranger"] == nil)

        let sheena = try #require(seen.patients.first { $0.channelIdentity == "whatsapp:+\(Self.patient)" })
        #expect(sheena.displayName == "Sheena Nelson")
        #expect(sheena.phone == "+\(Self.patient)")
        // The number change moved Sam's identity to the new number.
        let sam = try #require(seen.patients.first { $0.channelIdentity == "whatsapp:+447700900999" })
        #expect(sam.phone == "+447700900999")
        #expect(sam.displayName == "", "a system message has no profile name")
        let samConversation = try #require(seen.conversations.first { $0.patientId == sam.id })
        #expect(samConversation.provider == .meta)
        #expect(samConversation.clinicNumber == MetaPayload.clinicNumber)
        let systemMessage = try #require(byId["wamid.system"])
        #expect(systemMessage.conversationId == samConversation.id)
        #expect(systemMessage.author == .system, "WhatsApp speaking, not the patient")
        #expect(systemMessage.body == "Sam changed from 447700900123 to 447700900999")
        #expect(Set(seen.conversations.map(\.clinicNumber)) == [MetaPayload.clinicNumber])

        // The same rows land in a syncing client's mirror.
        let mirror = try await server.syncedMirror(token: agent.token)
        let mirrored = try TestServer.mirroredMessages(mirror, conversations: seen.conversations)
        #expect(Set(mirrored.compactMap(\.providerMessageId)) == Set(byId.keys))
        #expect(mirrored.first { $0.providerMessageId == "wamid.system" }?.body == systemMessage.body)
        #expect(mirrored.first { $0.providerMessageId == "wamid.document" }?.media?.fileName == "referral.pdf")
    }

    @Test("a redelivered wamid is stored once")
    func dedupe() async throws {
        let (server, agent) = try await Self.start()
        defer { Task { await server.stop() } }
        let body = MetaPayload.webhook([MetaPayload.value(contacts: [MetaPayload.contact(Self.patient, name: "Sheena")],
                                                          messages: [MetaPayload.text("wamid.repeat", from: Self.patient, "once")])])
        for _ in 0..<3 { #expect(try await server.metaWebhook(body).status == 200) }
        #expect(try await server.everything(token: agent.token).messages.count == 1)
    }

    @Test("an agent reply reaches Meta as documented JSON; statuses merge by precedence, failures carry Meta's error")
    func replyAndStatuses() async throws {
        let meta = try await FakeMeta.start()
        let (server, agent) = try await Self.start(meta: meta)
        defer { Task { await server.stop(); await meta.stop() } }
        let inbound = MetaPayload.webhook([MetaPayload.value(contacts: [MetaPayload.contact(Self.patient, name: "Sheena")],
                                                             messages: [MetaPayload.text("wamid.in", from: Self.patient, "hi")])])
        #expect(try await server.metaWebhook(inbound).status == 200)
        let conversation = try #require(try await server.everything(token: agent.token).conversations.first)

        var sent: [Message] = []
        for text in ["Hello from reception", "Second", "Third"] {
            #expect(try await server.command(.reply(body: text), conversation: conversation.id, token: agent.token).status == 200)
            #expect(try await eventually {
                sent = try await server.everything(token: agent.token).messages.filter { $0.direction == .outbound && $0.status == .sent }
                return sent.contains { $0.body == text }
            })
        }
        #expect(meta.sent.count == 3)
        let request = try #require(meta.sent.first { $0.body == "Hello from reception" })
        #expect(request.authorization == "Bearer \(TestServer.metaAccessToken)")
        #expect(request.contentType.hasPrefix("application/json"))
        #expect(request.version == "v21.0")
        #expect(request.phoneNumberId == MetaPayload.phoneNumberId)
        #expect(request.to == "+\(Self.patient)")
        #expect(request.message?.messaging_product == "whatsapp")
        #expect(request.message?.recipient_type == "individual")
        #expect(request.message?.type == "text")
        #expect(request.message?.text?.preview_url == false)
        let wamid = { (body: String) in meta.sent.first { $0.body == body }?.wamid }
        for message in sent { #expect(message.providerMessageId == wamid(message.body)) }

        // read before delivered; delivered after failed; failed alone.
        let first = try #require(wamid("Hello from reception")), second = try #require(wamid("Second")),
            third = try #require(wamid("Third"))
        let reengagement = [["code": 131047, "title": "Re-engagement message",
                             "message": "Re-engagement message",
                             "error_data": ["details": "Message failed to send because more than 24 hours have passed"]]]
        let statuses = [MetaPayload.status(first, "read"), MetaPayload.status(first, "delivered"),
                        MetaPayload.status(second, "failed", errors: reengagement), MetaPayload.status(second, "delivered"),
                        MetaPayload.status(third, "failed", errors: reengagement), MetaPayload.status(third, "sent")]
        #expect(try await server.metaWebhook(MetaPayload.webhook([MetaPayload.value(statuses: statuses)])).status == 200)

        let final = try await server.everything(token: agent.token).messages
        let status = { (wamid: String) in final.first { $0.providerMessageId == wamid } }
        #expect(status(first)?.status == .read)
        #expect(status(second)?.status == .delivered, "proof of arrival outranks a failure")
        #expect(status(second)?.error == nil)
        #expect(status(third)?.status == .failed)
        #expect(status(third)?.error == "Meta error 131047: Re-engagement message")
    }

    @Test("MetaSender: 4097 characters are refused before any request; errors map to rejected or retryable")
    func senderOutcomes() async throws {
        let meta = try await FakeMeta.start()
        defer { Task { await meta.stop() } }
        let sender = MetaSender(accessToken: "token", graphBase: meta.baseURL)
        func job(_ body: String, ref: String? = MetaPayload.phoneNumberId) -> DeliveryJob {
            DeliveryJob(message: Message(id: 1, conversationId: 1, direction: .outbound, author: .agent, body: body,
                                         status: .pending, createdAt: 0),
                        provider: .meta, clinicNumber: MetaPayload.clinicNumber, providerRef: ref,
                        patientPhone: "+\(Self.patient)", channelIdentity: "whatsapp:+\(Self.patient)", attempts: 0)
        }
        guard case .rejected = await sender.send(job(String(repeating: "a", count: 4097))) else {
            Issue.record("a 4097-character body must be refused"); return
        }
        guard case .rejected = await sender.send(job("hi", ref: nil)) else {
            Issue.record("a number without a phone_number_id cannot be sent from"); return
        }
        #expect(meta.sent.isEmpty)

        guard case .sent(let wamid) = await sender.send(job(String(repeating: "a", count: 4096))) else {
            Issue.record("4096 characters are allowed"); return
        }
        #expect(wamid == meta.sent.last?.wamid)

        meta.mode = .reject(status: 400, code: 131030, message: "Recipient phone number not in allowed list")
        #expect(await sender.send(job("hi")) == .rejected("Meta error 131030: Recipient phone number not in allowed list"))
        meta.mode = .reject(status: 400, code: 130429, message: "Rate limit hit")
        #expect(await sender.send(job("hi")) == .retryable("Meta error 130429: Rate limit hit"))
        meta.mode = .serverError
        #expect(await sender.send(job("hi")) == .retryable("Meta HTTP 500"))
        meta.mode = .reject(status: 429, code: 80007, message: "Rate limit")
        #expect(await sender.send(job("hi")) == .retryable("Meta HTTP 429"))
    }
}
