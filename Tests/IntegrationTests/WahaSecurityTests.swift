import CurlHTTP
import Foundation
import Hummingbird
import InboxModel
import InboxServer
import Testing

/// Forged and misdirected provider traffic: unsigned WAHA posts, a server without WAHA, statuses aimed across
/// clinics or providers, and media URLs that would carry the WAHA API key elsewhere.
@Suite("Forged and misdirected provider traffic: WAHA signatures, statuses kept to their channel, the WAHA key")
struct WahaSecurityTests {
    static let patient = "15557654321"
    static let chat = "\(patient)@c.us"

    /// Replies "Hello" in the agent's first conversation and waits until the provider took it; returns its id there.
    static func replySent(server: TestServer, token: String) async throws -> String {
        let conversation = try #require(try await server.everything(token: token).conversations.first)
        #expect(try await server.command(.reply(body: "Hello"), conversation: conversation.id, token: token).status == 200)
        var sent: Message?
        #expect(try await eventually {
            sent = try await server.everything(token: token).messages.first { $0.body == "Hello" && $0.status == .sent }
            return sent != nil
        })
        return try #require(sent?.providerMessageId)
    }

    static func incoming(_ id: String, session: String = WahaPayload.session, body: String = "hi") -> [UInt8] {
        WahaPayload.event("message", session: session, WahaPayload.message(id, from: chat, body: body))
    }

    @Test("without WAHA_HMAC_KEY unsigned posts get 403 and change nothing; the lab opt-in lets them in")
    func unsignedRefused() async throws {
        let server = try await TestServer.start { TestServer.providers(&$0); $0.waha.hmacKey = nil }
        defer { Task { await server.stop() } }
        let agent = try await server.addClinic("Sunrise", number: WahaPayload.clinicNumber, provider: .waha,
                                               providerRef: WahaPayload.session)[0]
        #expect(try await server.wahaWebhook(Self.incoming("false_\(Self.chat)_U1"), hmac: .some(nil)).status == 403)
        #expect(try await server.wahaWebhook(Self.incoming("false_\(Self.chat)_U2")).status == 403,
                "a signature is no use when the server has no key to check it with")
        #expect(try await server.everything(token: agent.token).messages.isEmpty)

        let lab = try await TestServer.start {
            TestServer.providers(&$0)
            $0.waha.hmacKey = nil
            $0.applyEnvironment(["INBOX_WAHA_ALLOW_UNSIGNED": "1"])
        }
        defer { Task { await lab.stop() } }
        let labAgent = try await lab.addClinic("Lab", number: WahaPayload.clinicNumber, provider: .waha,
                                               providerRef: WahaPayload.session)[0]
        #expect(try await lab.wahaWebhook(Self.incoming("false_\(Self.chat)_LAB"), hmac: .some(nil)).status == 200)
        #expect(try await lab.everything(token: labAgent.token).messages.map(\.body) == ["hi"])
    }

    @Test("a server with no WAHA number answers 404 on /webhooks/waha, signed or not")
    func noWahaNumber() async throws {
        let server = try await TestServer.start { TestServer.providers(&$0) }
        defer { Task { await server.stop() } }
        let agent = try await server.addClinic("Sunrise", number: "+15550001111")[0]
        #expect(try await server.wahaWebhook(Self.incoming("false_\(Self.chat)_A")).status == 404)
        #expect(try await server.wahaWebhook(Self.incoming("false_\(Self.chat)_B"), hmac: .some(nil)).status == 404)
        let ack = WahaPayload.event("message.ack", WahaPayload.ack("true_\(Self.chat)_X", 3, name: "READ"))
        #expect(try await server.wahaWebhook(ack).status == 404)
        #expect(try await server.everything(token: agent.token).messages.isEmpty)
    }

    @Test("an ack changes only a message sent through that session's number: not another clinic's, not another provider's")
    func acksStayInTheirChannel() async throws {
        let waha = try await FakeWaha.start()
        let meta = try await FakeMeta.start()
        let server = try await TestServer.start { TestServer.providers(&$0, meta: meta, waha: waha) }
        defer { Task { await server.stop(); await waha.stop(); await meta.stop() } }
        let sunrise = try await server.addClinic("Sunrise", number: WahaPayload.clinicNumber, provider: .waha,
                                                 providerRef: WahaPayload.session)[0]
        // Another clinic on the same server, with its own WAHA session and a Meta number.
        let other = try await server.addClinic("Elsewhere", number: "+15550009999", provider: .waha, providerRef: "other-session")[0]
        try await server.store.addNumber(MetaPayload.clinicNumber, clinic: "Elsewhere", provider: .meta,
                                         providerRef: MetaPayload.phoneNumberId)
        #expect(try await server.wahaWebhook(Self.incoming("false_\(Self.chat)_IN")).status == 200)
        let id = try await Self.replySent(server: server, token: sunrise.token)

        func status() async throws -> DeliveryStatus? {
            try await server.everything(token: sunrise.token).messages.first { $0.providerMessageId == id }?.status
        }
        // The other clinic's session, a Meta status and a Twilio callback all quote the id: none may touch it.
        let otherSession = WahaPayload.event("message.ack", session: "other-session", WahaPayload.ack(id, -1, name: "ERROR"))
        #expect(try await server.wahaWebhook(otherSession).status == 200)
        let metaStatus = MetaPayload.webhook([MetaPayload.value(statuses: [MetaPayload.status(id, "failed")])])
        #expect(try await server.metaWebhook(metaStatus).status == 200)
        let twilio = [("MessageSid", id), ("MessageStatus", "read"), ("AccountSid", "ACtest")]
        #expect(try await server.twilioWebhook(twilio, path: "/webhooks/twilio/status").status == 200)
        let unknownSession = WahaPayload.event("message.ack", session: "nobody", WahaPayload.ack(id, 3, name: "READ"))
        #expect(try await server.wahaWebhook(unknownSession).status == 200)
        #expect(try await status() == .sent, "every status above was answered before this read, and none applied")
        #expect(try await server.everything(token: other.token).messages.isEmpty)

        // The session that sent it: applied.
        let own = WahaPayload.event("message.ack", WahaPayload.ack(id, 3, name: "READ"))
        #expect(try await server.wahaWebhook(own).status == 200)
        #expect(try await status() == .read)
    }

    @Test("a Twilio status callback from another clinic's number, or quoting a patient's message, changes nothing")
    func twilioStatusesStayInTheirClinic() async throws {
        let twilio = try await FakeTwilio.start()
        let server = try await TestServer.start { $0.twilio.apiBase = twilio.baseURL }
        defer { Task { await server.stop(); await twilio.stop() } }
        let sunrise = try await server.addClinic("Sunrise", number: "+15550001111")[0]
        _ = try await server.addClinic("Elsewhere", number: "+15550002222")
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SMin", from: "+15557654321", to: "+15550001111", body: "hi"))
        let sid = try await Self.replySent(server: server, token: sunrise.token)
        func status(_ providerId: String) async throws -> DeliveryStatus? {
            try await server.everything(token: sunrise.token).messages.first { $0.providerMessageId == providerId }?.status
        }
        func callback(_ providerId: String, _ status: String, from: String) async throws -> Int {
            let form = [("MessageSid", providerId), ("MessageStatus", status), ("AccountSid", "ACtest"),
                        ("From", "whatsapp:\(from)"), ("To", "whatsapp:+15557654321")]
            return try await server.twilioWebhook(form, path: "/webhooks/twilio/status").status
        }
        #expect(try await callback(sid, "failed", from: "+15550002222") == 200)
        #expect(try await callback("SMin", "read", from: "+15550001111") == 200)
        #expect(try await status(sid) == .sent, "another clinic's number cannot fail Sunrise's reply")
        #expect(try await status("SMin") == .delivered, "a patient's message takes no delivery status")
        #expect(try await callback(sid, "read", from: "+15550001111") == 200)
        #expect(try await status(sid) == .read, "its own number's status applies")
    }

    @Test("the API key goes only to media URLs under WAHA_BASE_URL; anything else is not fetched, and agents see why")
    func apiKeyStaysHome() async throws {
        let waha = try await KeyRecorder.start()
        let elsewhere = try await KeyRecorder.start()
        defer { Task { await waha.stop(); await elsewhere.stop() } }
        let server = try await TestServer.start {
            TestServer.providers(&$0)
            $0.waha.baseURL = waha.baseURL
        }
        defer { Task { await server.stop() } }
        let agent = try await server.addClinic("Sunrise", number: WahaPayload.clinicNumber, provider: .waha,
                                               providerRef: WahaPayload.session)[0]
        func post(_ id: String, url: String) async throws {
            let event = WahaPayload.event("message", WahaPayload.message(id, from: Self.chat, body: "", hasMedia: true,
                                                                        media: ["url": url, "mimetype": "image/png"]))
            #expect(try await server.wahaWebhook(event).status == 200)
        }
        // Look-alikes of the base: another port, a host that starts with it, a path climbing out of it.
        let port = waha.baseURL.split(separator: ":").last.map(String.init) ?? ""
        try await post("false_\(Self.chat)_OFF", url: elsewhere.baseURL + "/api/files/x.png")
        try await post("false_\(Self.chat)_LOOK", url: "http://127.0.0.1.nip.io:\(port)/api/files/x.png")
        try await post("false_\(Self.chat)_USER", url: "http://127.0.0.1:\(port)@127.0.0.1:\(elsewhere.port)/x.png")
        // Positive control: a file under the base is fetched with the key.
        try await post("false_\(Self.chat)_HOME", url: waha.baseURL + "/api/files/x.png")

        #expect(try await eventually {
            let media = try await server.everything(token: agent.token).messages.compactMap(\.media)
            return media.count == 4 && media.allSatisfy { $0.state != .pending }
        })
        let messages = try await server.everything(token: agent.token).messages
        let home = try #require(messages.first { $0.providerMessageId == "false_\(Self.chat)_HOME" })
        #expect(home.media?.state == .stored)
        #expect(waha.keys == [TestServer.wahaApiKey])
        #expect(elsewhere.keys.isEmpty, "no request at all left for the foreign host")
        for suffix in ["OFF", "LOOK", "USER"] {
            let message = try #require(messages.first { $0.providerMessageId == "false_\(Self.chat)_\(suffix)" })
            #expect(message.media?.state == .failed)
            #expect(message.media?.error?.contains("WAHA_BASE_URL") == true)
        }
    }
}

/// A file server that records the `X-Api-Key` of every request and serves a PNG.
final class KeyRecorder: @unchecked Sendable {
    let recorder = ProviderRecorder<String, Int>(mode: 0)
    var baseURL: String { recorder.baseURL }
    var port: Int { recorder.port }
    var keys: [String] { recorder.sent }

    static func start() async throws -> KeyRecorder {
        let fake = KeyRecorder()
        let router = Router(context: BasicRequestContext.self)
        router.get("/**") { request, _ in
            _ = fake.recorder.record { _ in request.headers.first { $0.name.canonicalName == "x-api-key" }?.value ?? "" }
            return Response(status: .ok, headers: [.contentType: "image/png"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: SampleFiles.png)))
        }
        await fake.recorder.serve(router)
        return fake
    }

    func stop() async { await recorder.stop() }
}
