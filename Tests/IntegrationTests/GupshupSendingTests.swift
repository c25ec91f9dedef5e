import CurlHTTP
import Foundation
import InboxModel
@testable import InboxServer
import Testing

@Suite("Gupshup sending and delivery events")
struct GupshupSendingTests {
    static let reminder = TemplateDefinition(name: "appointment_reminder", language: "en", category: .utility,
                                             body: "Hello {{1}}, this is a reminder of your appointment on {{2}}.")
    static let offer = TemplateDefinition(name: "whitening_offer", language: "en", category: .marketing,
                                          body: "Hi {{1}}, whitening is 20% off this month.")

    /// A Gupshup clinic whose patient has just written; returns the conversation.
    static func conversation() async throws -> (TestServer, FakeGupshup, NewAgent, String, Int64) {
        let gupshup = try await FakeGupshup.start()
        let (server, agent, token) = try await GupshupTests.start(gupshup: gupshup)
        try await server.store.saveTemplates([reminder, offer], clinic: "Sunrise")
        let hello = GupshupPayload.message("ABEGhello", type: "text", ["text": "hi"])
        #expect(try await server.gupshupWebhook(hello, token: token).status == 200)
        let conversation = try #require(try await server.everything(token: agent.token).conversations.first)
        return (server, gupshup, agent, token, conversation.id)
    }

    static func outbound(_ server: TestServer, _ agent: NewAgent, body: String) async throws -> Message? {
        try await server.everything(token: agent.token).messages.first { $0.direction == .outbound && $0.body == body }
    }

    @Test("a reply and a template reach Gupshup in its documented form; events merge by precedence; failed carries the reason")
    func replyTemplateAndEvents() async throws {
        let (server, gupshup, agent, token, conversation) = try await Self.conversation()
        defer { Task { await server.stop(); await gupshup.stop() } }

        let first = try await server.command(.reply(body: "Hello from reception"), conversation: conversation, token: agent.token)
        #expect(first.status == 200, "\(String(decoding: first.body, as: UTF8.self))")
        #expect(try await eventually { try await Self.outbound(server, agent, body: "Hello from reception")?.status == .sent })
        let reply = try #require(gupshup.sent.first)
        #expect(reply.path == "/wa/api/v1/msg")
        #expect(reply.apiKey == GupshupPayload.apiKey)
        #expect(reply.contentType.hasPrefix("application/x-www-form-urlencoded"))
        #expect(reply.channel == "whatsapp")
        #expect(reply.source == String(GupshupPayload.clinicNumber.dropFirst()))
        #expect(reply.destination == GupshupPayload.patient)
        #expect(reply.appName == GupshupPayload.app)
        #expect(reply.message == ["type": "text", "text": "Hello from reception"])
        let replyId = try #require(reply.messageId)
        #expect(try await Self.outbound(server, agent, body: "Hello from reception")?.providerMessageId == replyId)

        // A template with a Gupshup id goes to the template API by id, its parameters in order.
        let send = TemplateSend(name: "appointment_reminder", language: "en", parameters: ["Sheena", "Monday 10:30"])
        #expect(try await server.command(.sendTemplate(send), conversation: conversation, token: agent.token).status == 200)
        #expect(try await eventually { gupshup.sent.count == 2 })
        let template = gupshup.sent[1]
        #expect(template.path == "/wa/api/v1/template/msg")
        #expect(template.apiKey == GupshupPayload.apiKey)
        #expect([template.channel, template.source, template.destination, template.appName]
                == ["whatsapp", String(GupshupPayload.clinicNumber.dropFirst()), GupshupPayload.patient, GupshupPayload.app])
        #expect(template.template?.id == GupshupPayload.reminderTemplateId)
        #expect(template.template?.params == ["Sheena", "Monday 10:30"])
        #expect(template.message == nil)
        // One without an id goes out as its rendered text, which Gupshup matches against the approved templates.
        let offer = TemplateSend(name: "whitening_offer", language: "en", parameters: ["Sheena"])
        #expect(try await server.command(.sendTemplate(offer), conversation: conversation, token: agent.token).status == 200)
        #expect(try await eventually { gupshup.sent.count == 3 })
        #expect(gupshup.sent[2].path == "/wa/api/v1/msg")
        #expect(gupshup.sent[2].message == ["type": "text", "text": "Hi Sheena, whitening is 20% off this month."])
        let templateId = try #require(template.messageId), offerId = try #require(gupshup.sent[2].messageId)
        #expect(try await eventually {
            try await server.everything(token: agent.token).messages.filter { $0.direction == .outbound && $0.status == .sent }.count == 3
        })

        // Forged failures for the offer (no token, another number's token) change nothing: it stays sent.
        let forged = GupshupPayload.event("failed", id: offerId, ["code": 1003, "reason": "Wallet Balance Low"])
        #expect(try await server.gupshupWebhook(forged, token: "").status == 403)
        #expect(try await server.gupshupWebhook(forged, token: String(token.reversed())).status == 403)
        #expect(try await Self.outbound(server, agent, body: "Hi Sheena, whitening is 20% off this month.")?.status == .sent)
        #expect(try await Self.outbound(server, agent, body: "Hi Sheena, whitening is 20% off this month.")?.error == nil)

        // Events for the reply: enqueued by Gupshup's id; sent, delivered and read by WhatsApp's id with gsId; read first.
        let wamid = "gBEGkYaYVSEEAgnZxQ3JmKK6Wvg"
        let events = [GupshupPayload.event("enqueued", id: replyId, ["whatsappMessageId": wamid, "type": "session"]),
                      GupshupPayload.event("read", id: wamid, gsId: replyId, ["ts": 1_592_311_836]),
                      GupshupPayload.event("sent", id: wamid, gsId: replyId, ["ts": "1592311830"]),
                      GupshupPayload.event("delivered", id: wamid, gsId: replyId, ["ts": 1_592_311_833]),
                      GupshupPayload.event("failed", id: templateId, ["code": 1002, "reason": "Number Does Not Exists On WhatsApp"]),
                      GupshupPayload.event("delivered", id: "gBEGoffer", gsId: offerId, ["ts": 1_592_311_840]),
                      GupshupPayload.event("deleted", id: "gBEGoffer", gsId: offerId)]
        for event in events { #expect(try await server.gupshupWebhook(event, token: token).status == 200) }

        let final = try await server.everything(token: agent.token).messages
        let message = { (id: String) in final.first { $0.providerMessageId == id } }
        #expect(message(replyId)?.status == .read)
        #expect(message(templateId)?.status == .failed)
        #expect(message(templateId)?.error == "Gupshup error 1002: Number Does Not Exists On WhatsApp")
        #expect(message(offerId)?.status == .delivered)
        #expect(message(offerId)?.error == nil)

        let mirror = try await server.syncedMirror(token: agent.token)
        let conversations = try await server.everything(token: agent.token).conversations
        let mirrored = try TestServer.mirroredMessages(mirror, conversations: conversations)
        #expect(mirrored.first { $0.providerMessageId == templateId }?.error == "Gupshup error 1002: Number Does Not Exists On WhatsApp")
        #expect(mirrored.first { $0.providerMessageId == replyId }?.status == .read)
    }

    @Test("an agent's image goes to Gupshup as a signed link Gupshup can download, with its caption")
    func media() async throws {
        let (server, gupshup, agent, _, conversation) = try await Self.conversation()
        defer { Task { await server.stop(); await gupshup.stop() } }
        let uploaded = try await HTTPClient.shared.send(HTTPClient.Request(method: "POST", url: server.baseURL + "/v1/media",
            headers: [("Authorization", "Bearer \(agent.token)"), ("Content-Type", "image/png")], body: SampleFiles.png))
        #expect(uploaded.status == 201)
        let upload = try JSONDecoder().decode(UploadedMedia.self, from: Data(uploaded.body))
        let send = MediaSend(uploadId: upload.uploadId, fileName: "scan.png", caption: "Your scan")
        #expect(try await server.command(.sendMedia(send), conversation: conversation, token: agent.token).status == 200)
        #expect(try await eventually { gupshup.sent.count == 1 })
        let message = try #require(gupshup.sent.first?.message)
        #expect(message["type"] == "image")
        #expect(message["caption"] == "Your scan")
        let link = try #require(message["originalUrl"])
        #expect(message["previewUrl"] == link)
        #expect(link.hasPrefix(server.baseURL + "/media/"))
        let download = try await HTTPClient.shared.send(HTTPClient.Request(url: link))
        #expect(download.status == 200)
        #expect(download.body == SampleFiles.png)
    }

    @Test("GupshupSender maps Gupshup's answers: submitted → sent, 429/5xx → retry, errors → rejected with the message")
    func senderOutcomes() async throws {
        let gupshup = try await FakeGupshup.start()
        defer { Task { await gupshup.stop() } }
        var settings = ServerConfiguration.GupshupSettings(apiKey: "key", appName: "FallbackApp", apiBase: gupshup.baseURL + "/")
        func job(_ body: String, ref: String? = nil) -> DeliveryJob {
            DeliveryJob(message: Message(id: 1, conversationId: 1, direction: .outbound, author: .agent, body: body,
                                         status: .pending, createdAt: 0),
                        provider: .gupshup, clinicNumber: GupshupPayload.clinicNumber, providerRef: ref,
                        patientPhone: "+" + GupshupPayload.patient, channelIdentity: "whatsapp:+" + GupshupPayload.patient, attempts: 0)
        }
        let sender = GupshupSender(settings: settings)
        guard case .rejected = await sender.send(job(String(repeating: "a", count: 4097))) else {
            Issue.record("a body over 4096 characters must be refused before any request"); return
        }
        #expect(gupshup.sent.isEmpty)
        guard case .sent(let id) = await sender.send(job("hi")) else { Issue.record("an accepted send is sent"); return }
        #expect(id == gupshup.sent.last?.messageId)
        #expect(gupshup.sent.last?.appName == "FallbackApp", "a number without a ref uses GUPSHUP_APP_NAME")
        _ = await sender.send(job("hi", ref: "OwnApp"))
        #expect(gupshup.sent.last?.appName == "OwnApp")

        gupshup.mode = .serverError
        #expect(await sender.send(job("hi")) == .retryable("Gupshup HTTP 500"))
        gupshup.mode = .refuse(status: 429, message: "Too Many Requests")
        #expect(await sender.send(job("hi")) == .retryable("Gupshup HTTP 429"))
        gupshup.mode = .refuse(status: 400, message: "Invalid Destination")
        #expect(await sender.send(job("hi")) == .rejected("Gupshup HTTP 400: Invalid Destination"))
        gupshup.mode = .refuse(status: 401, message: "Authentication Failed")
        #expect(await sender.send(job("hi")) == .rejected("Gupshup HTTP 401: Authentication Failed"))
        gupshup.mode = .refuse(status: 200, message: "Invalid App Details")
        #expect(await sender.send(job("hi")) == .rejected("Gupshup: Invalid App Details"))

        settings.apiKey = nil
        #expect(await GupshupSender(settings: settings).send(job("hi")) == .rejected("GUPSHUP_API_KEY is not set"))
        var environment = ServerConfiguration()
        environment.applyEnvironment(["GUPSHUP_API_KEY": "k", "GUPSHUP_APP_NAME": "App", "GUPSHUP_API_BASE": "http://fake",
                                      "GUPSHUP_TEMPLATE_IDS": "appointment_reminder/en=abc, whitening_offer=def,broken"])
        #expect(environment.gupshup.apiKey == "k" && environment.gupshup.appName == "App" && environment.gupshup.apiBase == "http://fake")
        #expect(environment.gupshup.templateId(name: "appointment_reminder", language: "en") == "abc")
        #expect(environment.gupshup.templateId(name: "appointment_reminder", language: "ar") == nil)
        #expect(environment.gupshup.templateId(name: "whitening_offer", language: "hi") == "def")
    }
}
