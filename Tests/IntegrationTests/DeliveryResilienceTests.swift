import Foundation
import InboxModel
import InboxServer
import Testing

@Suite("Delivery resilience")
struct DeliveryResilienceTests {
    static let clinicNumber = "+15550001111"

    /// A clinic with one conversation the agent holds, replying through a fake Twilio.
    static func setUp(_ configure: @escaping (inout ServerConfiguration) -> Void) async throws
        -> (TestServer, FakeTwilio, NewAgent, Int64) {
        let twilio = try await FakeTwilio.start()
        let server = try await TestServer.start { config in
            config.twilio.apiBase = twilio.baseURL
            configure(&config)
        }
        let agent = try await server.addClinic("Sunrise", number: clinicNumber)[0]
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SMin", from: "+15557654321", to: clinicNumber, body: "hi"))
        let conversation = try await server.everything(token: agent.token).conversations[0].id
        return (server, twilio, agent, conversation)
    }

    @Test("a provider that keeps failing opens the breaker: agents see the channel degraded, then ok once it recovers")
    func circuitBreaker() async throws {
        let (server, twilio, agent, conversation) = try await Self.setUp {
            $0.delivery = .init(maxAttempts: 50, baseDelay: 10, maxDelay: 20, breakerThreshold: 3, breakerCooldown: 400)
        }
        defer { Task { await server.stop(); await twilio.stop() } }
        twilio.mode = .serverError
        #expect(try await server.command(.reply(body: "One"), conversation: conversation, token: agent.token).status == 200)
        #expect(try await eventually { try await server.everything(token: agent.token).channels.first?.state == "degraded" })
        #expect(twilio.sent.count >= 3)
        // While open, the provider is left alone: the third failure opens the breaker for 400 ms, and the probe after
        // it fails and opens it again. Measured between the requests Twilio received, so a slow test cannot miss one.
        #expect(try await eventually { twilio.sent.count >= 5 }, "two probes after the breaker opened")
        let arrivals = twilio.sent.map(\.receivedAt)
        for index in 3..<arrivals.count {
            // 400 ms less a little for the breaker's clock (whole milliseconds of wall time, not this monotonic one).
            #expect(arrivals[index] - arrivals[index - 1] >= .milliseconds(390),
                    "request \(index + 1) came \(arrivals[index] - arrivals[index - 1]) after the one before")
        }

        twilio.mode = .accept
        #expect(try await eventually {
            try await server.everything(token: agent.token).messages.first { $0.body == "One" }?.status == .sent
        })
        #expect(try await eventually { try await server.everything(token: agent.token).channels.first?.state == "ok" })
    }

    @Test("while a provider's breaker is open, its overdue rows do not count as due: the worker sleeps until it closes")
    func openBreakerIsNotDue() async throws {
        let (server, twilio, agent, conversation) = try await Self.setUp {
            $0.delivery = .init(maxAttempts: 50, baseDelay: 10, maxDelay: 20, breakerThreshold: 1, breakerCooldown: 60_000)
        }
        defer { Task { await server.stop(); await twilio.stop() } }
        twilio.mode = .serverError
        #expect(try await server.command(.reply(body: "One"), conversation: conversation, token: agent.token).status == 200)
        #expect(try await eventually { try await server.everything(token: agent.token).channels.first?.state == "degraded" })
        // The retry is due 10 ms after the failure, inside the minute the breaker stays open.
        #expect(try await eventually {
            (try await server.store.nextDeliveryTime(excluding: [])).map { $0 <= Millis(Date().timeIntervalSince1970 * 1000) } ?? false
        })
        #expect(try await server.store.nextDeliveryTime(excluding: [.twilio]) == nil)
        #expect(twilio.sent.count == 1, "the open breaker holds the retry back")
    }

    @Test("a message that fails for good is a dead letter; `inbox deadletter retry` delivers it once the provider is back")
    func deadLetterRetry() async throws {
        let (server, twilio, agent, conversation) = try await Self.setUp {
            $0.delivery = .init(maxAttempts: 2, baseDelay: 10, maxDelay: 20)
        }
        defer { Task { await server.stop(); await twilio.stop() } }
        twilio.mode = .serverError
        #expect(try await server.command(.reply(body: "Your results are ready"), conversation: conversation, token: agent.token).status == 200)
        #expect(try await eventually { try await server.store.deadLetters().count == 1 })
        let letter = try #require(try await server.store.deadLetters().first)
        #expect(letter.reason.contains("500"))
        #expect(letter.conversationId == conversation)

        // The admin's view, from another process against the same database file: ids and reasons, no text.
        let listed = try InboxProcess.run(["deadletter", "list"] + server.databaseArguments)
        #expect(listed.contains("\(letter.messageId)\t"))
        #expect(!listed.contains("Your results are ready"))

        twilio.mode = .accept
        let failedAttempts = twilio.sent.count
        try InboxProcess.run(["deadletter", "retry", String(letter.messageId)] + server.databaseArguments)
        #expect(try await eventually(timeout: .seconds(15)) {
            try await server.everything(token: agent.token).messages.first { $0.id == letter.messageId }?.status == .sent
        })
        #expect(twilio.sent.count == failedAttempts + 1, "delivered exactly once after the retry")
        #expect(try await server.store.deadLetters().isEmpty)
    }
}
