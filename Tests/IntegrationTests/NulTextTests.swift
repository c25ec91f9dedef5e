import CurlHTTP
import Foundation
import InboxModel
import InboxServer
import SyncEngine
import Testing

/// U+0000 in patients' text: stored whole on the server and in a syncing client's mirror; refused in agents' text.
@Suite("NUL in text: stored whole, refused from agents")
struct NulTextTests {
    static let text = "before\u{0}after"
    static let name = "Nu\u{0}ll"

    @Test("Twilio: body and profile name with NUL reach the server and a syncing mirror whole")
    func twilio() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let agent = try await server.addClinic("Sunrise", number: "+15550001111")[0]
        let form = TestServer.inbound(sid: "SMnul", from: "+15557654321", to: "+15550001111", body: Self.text, name: Self.name)
        #expect(FormEncoding.encode(form).contains("before%00after"), "the NUL travels percent-encoded, as Twilio sends it")
        #expect(try await server.twilioWebhook(form).status == 200)
        try await Self.expectWhole(server, token: agent.token, providerId: "SMnul")
    }

    @Test("Meta: body and profile name with NUL reach the server and a syncing mirror whole")
    func meta() async throws {
        let server = try await TestServer.start { TestServer.providers(&$0) }
        defer { Task { await server.stop() } }
        let agent = try await server.addClinic("Sunrise", number: MetaPayload.clinicNumber, provider: .meta,
                                               providerRef: MetaPayload.phoneNumberId)[0]
        let body = MetaPayload.webhook([MetaPayload.value(contacts: [MetaPayload.contact("16505551234", name: Self.name)],
                                                          messages: [MetaPayload.text("wamid.nul", from: "16505551234", Self.text)])])
        #expect(String(decoding: body, as: UTF8.self).contains("before\\u0000after"))
        #expect(try await server.metaWebhook(body).status == 200)
        try await Self.expectWhole(server, token: agent.token, providerId: "wamid.nul")
    }

    @Test("an agent reply, caption or template parameter holding NUL is refused with 422 and nothing is queued")
    func agentText() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let agent = try await server.addClinic("Sunrise", number: "+15550001111")[0]
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SMin", from: "+15557654321", to: "+15550001111", body: "hi"))
        let conversation = try #require(try await server.everything(token: agent.token).conversations.first)
        try await server.store.saveTemplates([TemplateDefinition(name: "reminder", language: "en", category: .utility,
                                                                 body: "Hello {{1}}")], clinic: "Sunrise")

        let refused = try await server.command(.reply(body: "see\u{0}you"), conversation: conversation.id, token: agent.token)
        #expect(refused.status == 422)
        #expect(try JSONDecoder().decode(ErrorBody.self, from: Data(refused.body)).error == "invalid_text")
        let template = TemplateSend(name: "reminder", language: "en", parameters: ["Sam\u{0}"])
        #expect(try await server.command(.sendTemplate(template), conversation: conversation.id, token: agent.token).status == 422)
        #expect(try await server.everything(token: agent.token).messages.map(\.direction) == [.inbound])
        // Positive control: the same reply without the NUL goes through.
        #expect(try await server.command(.reply(body: "see you"), conversation: conversation.id, token: agent.token).status == 200)
    }

    static func expectWhole(_ server: TestServer, token: String, providerId: String) async throws {
        let seen = try await server.everything(token: token)
        let message = try #require(seen.messages.first { $0.providerMessageId == providerId })
        #expect(message.body == text)
        #expect(message.body.unicodeScalars.count == 12)
        #expect(seen.patients.first?.displayName == name)
        #expect(seen.conversations.first?.lastMessagePreview == text)

        let mirror = try await server.syncedMirror(token: token)
        let detail = try #require(try mirror.conversationDetail(message.conversationId))
        #expect(detail.messages.first { $0.providerMessageId == providerId }?.body == text)
        #expect(detail.patient?.displayName == name)
        #expect(detail.conversation.lastMessagePreview == text)
        let agentId = try #require(try mirror.signedInAgent()).id
        let queue = try mirror.queue(.bot, agentId: agentId).rows + mirror.queue(.waiting, agentId: agentId).rows
        #expect(queue.first?.patientName == name)
    }
}
