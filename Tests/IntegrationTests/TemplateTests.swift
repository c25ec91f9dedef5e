import CurlHTTP
import Foundation
import InboxModel
@testable import InboxServer
import SyncEngine
import Testing

@Suite("Templates and the 24-hour window")
struct TemplateTests {
    static let patient = "16505551234"
    static let reminder = TemplateDefinition(name: "appointment_reminder", language: "en", category: .utility,
                                             body: "Hello {{1}}, this is a reminder of your appointment on {{2}}.",
                                             twilioContentSid: "HXb5b62575e6e4ff6129ad7c8efe1f983e")
    static let offer = TemplateDefinition(name: "whitening_offer", language: "en", category: .marketing,
                                          body: "Hi {{1}}, whitening is 20% off this month.")
    static let recordatorio = TemplateDefinition(name: "appointment_reminder", language: "es", category: .utility,
                                                 body: "Hola {{1}}, le recordamos su cita el {{2}}.")

    /// A Meta clinic whose patient last wrote `hoursAgo` hours ago.
    static func metaConversation(hoursAgo: Int) async throws -> (TestServer, FakeMeta, NewAgent, Int64) {
        let meta = try await FakeMeta.start()
        let server = try await TestServer.start { TestServer.providers(&$0, meta: meta) }
        let agent = try await server.addClinic("Sunrise", number: MetaPayload.clinicNumber, provider: .meta,
                                               providerRef: MetaPayload.phoneNumberId)[0]
        try await server.store.saveTemplates([reminder, offer, recordatorio], clinic: "Sunrise")
        let sentAt = String(Int(Date().timeIntervalSince1970) - hoursAgo * 3600)
        let inbound = MetaPayload.message("wamid.old", from: patient, type: "text", timestamp: sentAt, ["text": ["body": "hi"]])
        _ = try await server.metaWebhook(MetaPayload.webhook([MetaPayload.value(
            contacts: [MetaPayload.contact(patient, name: "Sheena")], messages: [inbound])]))
        let conversation = try #require(try await server.everything(token: agent.token).conversations.first)
        return (server, meta, agent, conversation.id)
    }

    static func error(_ response: HTTPClient.Response) throws -> ErrorBody {
        try JSONDecoder().decode(ErrorBody.self, from: Data(response.body))
    }

    @Test("outside the window: free text is refused with no provider request; a template reaches Meta as template JSON")
    func outsideWindow() async throws {
        let (server, meta, agent, conversation) = try await Self.metaConversation(hoursAgo: 25)
        defer { Task { await server.stop(); await meta.stop() } }

        let refused = try await server.command(.reply(body: "Are you coming?"), conversation: conversation, token: agent.token)
        #expect(refused.status == 422)
        #expect(try Self.error(refused).error == "window_closed")
        #expect(try Self.error(refused).message.contains("template"))

        let send = TemplateSend(name: "appointment_reminder", language: "en", parameters: ["Sheena", "Monday 10:30"])
        #expect(try await server.command(.sendTemplate(send), conversation: conversation, token: agent.token).status == 200)
        #expect(try await eventually { meta.sent.count == 1 })
        let request = try #require(meta.sent.first?.message)
        #expect(request.type == "template")
        #expect(request.to == "+\(Self.patient)")
        #expect(request.text == nil)
        #expect(request.template?.name == "appointment_reminder")
        #expect(request.template?.language.code == "en")
        #expect(request.template?.components?.map(\.type) == ["body"])
        #expect(request.template?.components?.first?.parameters.map(\.type) == ["text", "text"])
        #expect(request.template?.components?.first?.parameters.compactMap(\.text) == ["Sheena", "Monday 10:30"])

        // Agents see the text as the patient will read it, and its delivery state.
        #expect(try await eventually {
            try await server.everything(token: agent.token).messages.contains {
                $0.body == "Hello Sheena, this is a reminder of your appointment on Monday 10:30." && $0.status == .sent
            }
        })
        #expect(meta.sent.count == 1, "the refused reply never went out")
    }

    @Test("inside the window a template goes out too; wrong parameters and unknown templates are refused before sending")
    func insideWindowAndRefusals() async throws {
        let (server, meta, agent, conversation) = try await Self.metaConversation(hoursAgo: 0)
        defer { Task { await server.stop(); await meta.stop() } }
        let spanish = TemplateSend(name: "appointment_reminder", language: "es", parameters: ["Sheena", "lunes"])
        #expect(try await server.command(.sendTemplate(spanish), conversation: conversation, token: agent.token).status == 200)
        #expect(try await eventually { meta.sent.count == 1 })
        #expect(meta.sent.first?.message?.template?.language.code == "es")

        for (send, code) in [
            (TemplateSend(name: "appointment_reminder", language: "en", parameters: ["Sheena"]), "template_parameters"),
            (TemplateSend(name: "appointment_reminder", language: "en", parameters: ["Sheena", "two\nlines"]), "template_parameters"),
            (TemplateSend(name: "no_such_template", language: "en", parameters: []), "unknown_template"),
            (TemplateSend(name: "appointment_reminder", language: "fr", parameters: ["a", "b"]), "unknown_template"),
        ] {
            let response = try await server.command(.sendTemplate(send), conversation: conversation, token: agent.token)
            #expect(response.status == 422)
            #expect(try Self.error(response).error == code)
        }
        // The refusals stored nothing, and the one template's outcome is recorded: nothing is left to send.
        var outbound: [Message] = []
        #expect(try await eventually {
            outbound = try await server.everything(token: agent.token).messages.filter { $0.direction == .outbound }
            return outbound.allSatisfy { $0.status != .pending }
        })
        #expect(outbound.count == 1)
        #expect(meta.sent.count == 1)
    }

    @Test("after STOP, marketing templates are refused and utility ones still go out")
    func optedOutMarketing() async throws {
        let (server, meta, agent, conversation) = try await Self.metaConversation(hoursAgo: 0)
        defer { Task { await server.stop(); await meta.stop() } }
        _ = try await server.metaWebhook(MetaPayload.webhook([MetaPayload.value(
            contacts: [MetaPayload.contact(Self.patient, name: "Sheena")],
            messages: [MetaPayload.text("wamid.stop", from: Self.patient, "STOP")])]))
        #expect(try await eventually { try await server.everything(token: agent.token).patients.first?.optedOut == true })

        let offer = TemplateSend(name: "whitening_offer", language: "en", parameters: ["Sheena"])
        let refused = try await server.command(.sendTemplate(offer), conversation: conversation, token: agent.token)
        #expect(refused.status == 422)
        #expect(try Self.error(refused).error == "opted_out")
        let reminder = TemplateSend(name: "appointment_reminder", language: "en", parameters: ["Sheena", "Friday"])
        #expect(try await server.command(.sendTemplate(reminder), conversation: conversation, token: agent.token).status == 200)
        #expect(try await eventually { meta.sent.count == 1 })
        #expect(meta.sent.first?.message?.template?.name == "appointment_reminder")
    }

    @Test("through Twilio: a Content SID sends ContentSid and ContentVariables; without one the rendered text is the Body")
    func twilioTemplates() async throws {
        let twilio = try await FakeTwilio.start()
        let server = try await TestServer.start { $0.twilio.apiBase = twilio.baseURL }
        defer { Task { await server.stop(); await twilio.stop() } }
        let agent = try await server.addClinic("Sunrise", number: "+15550001111")[0]
        try await server.store.saveTemplates([Self.reminder, Self.offer], clinic: "Sunrise")
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SMin", from: "+15557654321", to: "+15550001111", body: "hi"))
        let conversation = try await server.everything(token: agent.token).conversations[0].id

        let reminder = TemplateSend(name: "appointment_reminder", language: "en", parameters: ["Ana", "Monday"])
        #expect(try await server.command(.sendTemplate(reminder), conversation: conversation, token: agent.token).status == 200)
        #expect(try await eventually { twilio.sent.count == 1 })
        let withSid = try #require(twilio.sent.first)
        #expect(withSid.contentSid == Self.reminder.twilioContentSid)
        #expect(withSid.contentVariables == #"{"1":"Ana","2":"Monday"}"#)
        #expect(withSid.body == "")
        #expect(withSid.to == "whatsapp:+15557654321")

        let offer = TemplateSend(name: "whitening_offer", language: "en", parameters: ["Ana"])
        #expect(try await server.command(.sendTemplate(offer), conversation: conversation, token: agent.token).status == 200)
        #expect(try await eventually { twilio.sent.count == 2 })
        #expect(twilio.sent.last?.body == "Hi Ana, whitening is 20% off this month.")
        #expect(twilio.sent.last?.contentSid == nil)
    }

    @Test("templates reach a syncing mirror, the patient's language first; `inbox template import` replaces by name and language")
    func mirrorAndImport() async throws {
        let (server, meta, agent, conversation) = try await Self.metaConversation(hoursAgo: 0)
        defer { Task { await server.stop(); await meta.stop() } }
        let mirror = try Mirror(path: server.directory.path + "/mirror.sqlite")
        let loop = SyncLoop(mirror: mirror, api: ServerAPI(server: server.baseURL, token: agent.token))
        try await loop.syncOnce()
        let detail = try #require(try mirror.conversationDetail(conversation))
        #expect(Set(detail.templates.map { "\($0.name)/\($0.language)" })
                == ["appointment_reminder/en", "appointment_reminder/es", "whitening_offer/en"])

        // The admin's file, imported from another process against the same database.
        let file = server.directory.appendingPathComponent("templates.toml")
        try """
            [[template]]
            name = "appointment_reminder"
            language = "es"
            category = "utility"
            body = "Hola {{1}}: su cita es el {{2}}."

            [[template]]
            name = "results_ready"
            language = "en"
            category = "utility"
            body = "Your results are ready, {{1}}."
            """.write(to: file, atomically: true, encoding: .utf8)
        let output = try InboxProcess.run(["template", "import", file.path, "--clinic", "Sunrise"] + server.databaseArguments)
        #expect(output.contains("2 templates saved"))
        #expect(try InboxProcess.run(["template", "list", "--clinic", "Sunrise"] + server.databaseArguments).contains("results_ready"))

        try await loop.syncOnce()
        let after = try #require(try mirror.conversationDetail(conversation))
        #expect(after.templates.count == 4)
        #expect(after.templates.first { $0.language == "es" }?.body == "Hola {{1}}: su cita es el {{2}}.")
    }

    @Test("templates.toml: bad categories, gapped parameters, bad names and duplicates are refused with the reason")
    func templateFileRefusals() throws {
        func problem(_ text: String) -> String? {
            do { _ = try TemplateFile.parse(text); return nil } catch { return error.description }
        }
        let entry = { (name: String, category: String, body: String) in
            "[[template]]\nname = \"\(name)\"\nlanguage = \"en\"\ncategory = \"\(category)\"\nbody = \"\(body)\"\n"
        }
        #expect(problem(entry("ok", "utility", "Hi {{1}}")) == nil)
        #expect(problem(entry("ok", "promo", "Hi"))?.contains("category") == true)
        #expect(problem(entry("ok", "utility", "Hi {{1}} {{3}}"))?.contains("without gaps") == true)
        #expect(problem(entry("Bad Name", "utility", "Hi"))?.contains("lower-case") == true)
        #expect(problem(entry("ok", "utility", "Hi") + entry("ok", "utility", "Hello"))?.contains("twice") == true)
        #expect(problem("[[template]]\nname = 1")?.contains("templates file") == true)

        // The documented example is a valid file.
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/templates.example.toml")
        let templates = try TemplateFile.parse(String(contentsOf: example, encoding: .utf8))
        #expect(templates.count == 5)
        #expect(templates.filter { $0.category == .marketing }.map(\.name) == ["checkup_offer"])
    }
}
