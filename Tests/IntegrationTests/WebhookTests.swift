import CurlHTTP
import Foundation
import InboxModel
import InboxServer
import Testing

@Suite("Twilio webhooks")
struct WebhookTests {
    static let clinicNumber = "+15550001111"

    @Test("a signed message is stored; a forged one gets 403 and stores nothing")
    func signatures() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let agent = try await server.addClinic("Sunrise", number: Self.clinicNumber)[0]

        let forged = try await server.twilioWebhook(TestServer.inbound(sid: "SMforged", from: "+15557654321", to: Self.clinicNumber, body: "x"),
                                                    signature: "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
        #expect(forged.status == 403)
        var unsigned = TestServer.inbound(sid: "SMunsigned", from: "+15557654321", to: Self.clinicNumber, body: "x")
        let wrongKey = TwilioSignature(authToken: "not-the-token").sign(url: server.baseURL + "/webhooks/twilio", parameters: unsigned)
        #expect(try await server.twilioWebhook(unsigned, signature: wrongKey).status == 403)
        // A signature over other parameters does not cover a tampered body.
        let signedOriginal = TwilioSignature(authToken: TestServer.twilioToken).sign(url: server.baseURL + "/webhooks/twilio", parameters: unsigned)
        unsigned[5] = ("Body", "tampered")
        #expect(try await server.twilioWebhook(unsigned, signature: signedOriginal).status == 403)
        #expect(try await server.everything(token: agent.token).messages.isEmpty)

        let good = try await server.twilioWebhook(TestServer.inbound(sid: "SMgood", from: "+15557654321", to: Self.clinicNumber,
                                                                     body: "Hello, I have a question", name: "Omar"))
        #expect(good.status == 200)
        #expect(good.text.contains("<Response/>"))
        let seen = try await server.everything(token: agent.token)
        #expect(seen.messages.map(\.body) == ["Hello, I have a question"])
        #expect(seen.patients.first?.displayName == "Omar")
        #expect(seen.patients.first?.channelIdentity == "whatsapp:+15557654321")
        #expect(seen.conversations.first?.status == .waiting, "with no bot, a new conversation goes to the queue")
    }

    @Test("malformed → 400, oversized → 413, unknown number → 404; none stores anything")
    func badInput() async throws {
        let server = try await TestServer.start { $0.maxWebhookBytes = 4096 }
        defer { Task { await server.stop() } }
        let agent = try await server.addClinic("Sunrise", number: Self.clinicNumber)[0]
        let url = server.baseURL + "/webhooks/twilio"

        let badEncoding = try await HTTPClient.shared.send(HTTPClient.Request(
            method: "POST", url: url, headers: [("Content-Type", "application/x-www-form-urlencoded"), ("X-Twilio-Signature", "x")],
            body: Array("MessageSid=%ZZ&From=%".utf8)))
        #expect(badEncoding.status == 400)

        let missingSid = [("From", "whatsapp:+15557654321"), ("To", "whatsapp:\(Self.clinicNumber)"), ("Body", "hi")]
        #expect(try await server.twilioWebhook(missingSid).status == 400)

        let huge = TestServer.inbound(sid: "SMhuge", from: "+15557654321", to: Self.clinicNumber, body: String(repeating: "a", count: 5000))
        #expect(try await server.twilioWebhook(huge).status == 413)

        let elsewhere = TestServer.inbound(sid: "SMelsewhere", from: "+15557654321", to: "+15559999999", body: "hi")
        #expect(try await server.twilioWebhook(elsewhere).status == 404)

        #expect(try await server.everything(token: agent.token).messages.isEmpty)
    }

    @Test("a redelivered MessageSid is stored once")
    func dedupe() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let agent = try await server.addClinic("Sunrise", number: Self.clinicNumber)[0]
        let message = TestServer.inbound(sid: "SMrepeat", from: "+15557654321", to: Self.clinicNumber, body: "once")
        for _ in 0..<3 { #expect(try await server.twilioWebhook(message).status == 200) }
        #expect(try await server.everything(token: agent.token).messages.count == 1)
    }

    @Test("delivery statuses merge by precedence: a late 'delivered' never overrides 'read'")
    func statusPrecedence() async throws {
        let twilio = try await FakeTwilio.start()
        let server = try await TestServer.start { $0.twilio.apiBase = twilio.baseURL }
        defer { Task { await server.stop(); await twilio.stop() } }
        let agent = try await server.addClinic("Sunrise", number: Self.clinicNumber)[0]
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SMin", from: "+15557654321", to: Self.clinicNumber, body: "hi"))
        let conversation = try await server.everything(token: agent.token).conversations[0]
        #expect(try await server.command(.reply(body: "Hello from reception"), conversation: conversation.id, token: agent.token).status == 200)

        var outbound: Message?
        #expect(try await eventually {
            outbound = try await server.everything(token: agent.token).messages.first { $0.direction == .outbound && $0.status == .sent }
            return outbound != nil
        })
        let sid = try #require(outbound?.providerMessageId)
        for status in ["read", "delivered", "sent"] {
            let callback = [("MessageSid", sid), ("MessageStatus", status), ("AccountSid", "ACtest")]
            #expect(try await server.twilioWebhook(callback, path: "/webhooks/twilio/status").status == 200)
        }
        let final = try await server.everything(token: agent.token).messages.first { $0.id == outbound?.id }
        #expect(final?.status == .read)
        #expect(twilio.sent.count == 1)
        #expect(twilio.sent.first?.body == "Hello from reception")
        #expect(twilio.sent.first?.to == "whatsapp:+15557654321")

        // A second message Twilio accepted, then reported undeliverable: outside the window (63016).
        #expect(try await server.command(.reply(body: "Are you there?"), conversation: conversation.id, token: agent.token).status == 200)
        var second: Message?
        #expect(try await eventually {
            second = try await server.everything(token: agent.token).messages.first { $0.body == "Are you there?" && $0.status == .sent }
            return second != nil
        })
        let failed = [("MessageSid", try #require(second?.providerMessageId)), ("MessageStatus", "undelivered"),
                      ("AccountSid", "ACtest"), ("ErrorCode", "63016"),
                      ("ErrorMessage", "Failed to send freeform message because you are outside the allowed window")]
        #expect(try await server.twilioWebhook(failed, path: "/webhooks/twilio/status").status == 200)
        let marked = try await server.everything(token: agent.token).messages.first { $0.id == second?.id }
        #expect(marked?.status == .failed)
        #expect(marked?.error?.hasPrefix("Twilio error 63016") == true, "\(marked?.error ?? "nil")")
    }
}

@Suite("Status races")
struct StatusRaceTests {
    @Test("a status that arrives before the send's answer is recorded is applied when the id lands")
    func earlyStatus() async throws {
        // The delivery worker's first try fails at once and its retry is a minute away, so it cannot record its own
        // failure over the answer this test records (the default three quick tries could, on a slow machine).
        let server = try await TestServer.start { $0.delivery = .init(maxAttempts: 3, baseDelay: 60_000, maxDelay: 60_000) }
        defer { Task { await server.stop() } }
        let agent = try await server.addClinic("Sunrise", number: WebhookTests.clinicNumber)[0]
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SMin", from: "+15557654321", to: WebhookTests.clinicNumber, body: "hi"))
        let conversation = try await server.everything(token: agent.token).conversations[0]
        // No provider is reachable (api base points at a closed port): the reply stays pending meanwhile.
        let reply = try await server.command(.reply(body: "Hello"), conversation: conversation.id, token: agent.token)
        let message = try #require(try JSONDecoder().decode(CommandResult.self, from: Data(reply.body)).message)

        // The provider's callbacks race its answer to the send.
        try await server.store.applyStatus(StatusReport(providerMessageId: "SMrace", status: .delivered))
        try await server.store.applyStatus(StatusReport(providerMessageId: "SMrace", status: .read))
        try await server.store.deliverySucceeded(messageId: message.id, providerMessageId: "SMrace")

        let stored = try await server.everything(token: agent.token).messages.first { $0.id == message.id }
        #expect(stored?.status == .read)
        #expect(stored?.providerMessageId == "SMrace")
    }
}

@Suite("Opt-out")
struct OptOutTests {
    @Test("'STOP' opts the patient out, 'START' back in; a sentence containing stop does not")
    func stopAndStart() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let agent = try await server.addClinic("Sunrise", number: WebhookTests.clinicNumber)[0]
        func optedOut() async throws -> Bool? { try await server.everything(token: agent.token).patients.first?.optedOut }
        func say(_ body: String, _ id: String) async throws {
            _ = try await server.twilioWebhook(TestServer.inbound(sid: id, from: "+15557654321", to: WebhookTests.clinicNumber, body: body))
        }
        try await say("Please don't stop my treatment", "SM1")
        #expect(try await optedOut() == false)
        try await say(" stop. ", "SM2")
        #expect(try await optedOut() == true)
        try await say("START", "SM3")
        #expect(try await optedOut() == false)
    }
}
