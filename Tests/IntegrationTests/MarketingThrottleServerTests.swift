import CurlHTTP
import Foundation
import InboxModel
@testable import InboxServer
import Testing

/// A real server (SQLite, or PostgreSQL with INBOX_TEST_DATABASE=postgres) and the fake Meta: marketing templates
/// beyond the clinic's limit are refused before any provider request.
@Suite("Marketing throttle")
struct MarketingThrottleServerTests {
    static let offer = TemplateSend(name: "whitening_offer", language: "en", parameters: ["Sheena"])
    static let reminder = TemplateSend(name: "appointment_reminder", language: "en", parameters: ["Sheena", "Monday"])

    @Test("a second marketing template inside 24 hours is refused with no provider request; a utility template goes")
    func secondOfferRefused() async throws {
        let (server, meta, agent, conversation) = try await TemplateTests.metaConversation(hoursAgo: 0)
        defer { Task { await server.stop(); await meta.stop() } }

        #expect(try await server.command(.sendTemplate(Self.offer), conversation: conversation, token: agent.token).status == 200)
        #expect(try await eventually { meta.sent.count == 1 })

        let refused = try await server.command(.sendTemplate(Self.offer), conversation: conversation, token: agent.token)
        #expect(refused.status == 422)
        let body = try TemplateTests.error(refused)
        #expect(body.error == "marketing_limit")
        #expect(body.message.contains("in the last 24 hours (the clinic allows 1)"))
        #expect(body.message.contains("next can go in 2"))  // "in 23 h 59 min" or "in 24 h"

        // The utility template is not throttled, and it is the only request after the first offer.
        #expect(try await server.command(.sendTemplate(Self.reminder), conversation: conversation, token: agent.token).status == 200)
        let outbound = try await Self.settledOutbound(server, token: agent.token)
        #expect(outbound.count == 2, "the refused offer stored no message")
        #expect(meta.sent.compactMap { $0.message?.template?.name } == ["whitening_offer", "appointment_reminder"])
    }

    /// The agents' outbound messages once each one's delivery outcome is recorded. Meta counts a request before the
    /// server records its answer, so from then on every request the server will ever make for them has been counted.
    static func settledOutbound(_ server: TestServer, token: String) async throws -> [Message] {
        var outbound: [Message] = []
        let settled = try await eventually {
            outbound = try await server.everything(token: token).messages.filter { $0.direction == .outbound && $0.author == .agent }
            return !outbound.isEmpty && outbound.allSatisfy { $0.status != .pending }
        }
        #expect(settled, "a message still waits for its outcome: \(outbound.map(\.status))")
        return outbound
    }

    @Test("`inbox clinic marketing-limit` raises the daily limit; the 30-day limit then refuses, naming it")
    func clinicLimits() async throws {
        let (server, meta, agent, conversation) = try await TemplateTests.metaConversation(hoursAgo: 0)
        defer { Task { await server.stop(); await meta.stop() } }
        let shown = try InboxProcess.run(["clinic", "marketing-limit", "Sunrise"] + server.databaseArguments)
        #expect(shown.contains("at most 1 marketing template(s) per patient in any 24 hours, 4 in any 30 days"))
        let set = try InboxProcess.run(["clinic", "marketing-limit", "Sunrise", "--per-day", "2", "--per-30-days", "2"]
                                       + server.databaseArguments)
        #expect(set.contains("at most 2 marketing template(s) per patient in any 24 hours, 2 in any 30 days"))

        for expected in 1...2 {
            #expect(try await server.command(.sendTemplate(Self.offer), conversation: conversation, token: agent.token).status == 200)
            #expect(try await eventually { meta.sent.count == expected })
        }
        let refused = try await server.command(.sendTemplate(Self.offer), conversation: conversation, token: agent.token)
        #expect(refused.status == 422)
        #expect(try TemplateTests.error(refused).message.contains("in the last 30 days (the clinic allows 2)"))
        #expect(try await Self.settledOutbound(server, token: agent.token).count == 2, "the refused offer stored no message")
        #expect(meta.sent.count == 2)

        // Back to the standard limits: still refused (2 sends today, 1 allowed).
        _ = try InboxProcess.run(["clinic", "marketing-limit", "Sunrise", "--standard"] + server.databaseArguments)
        let again = try await server.command(.sendTemplate(Self.offer), conversation: conversation, token: agent.token)
        #expect(try TemplateTests.error(again).message.contains("2 marketing templates in the last 24 hours (the clinic allows 1)"))
    }
}
