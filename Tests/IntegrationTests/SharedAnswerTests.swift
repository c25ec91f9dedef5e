import CurlHTTP
import Foundation
import InboxModel
import InboxServer
import Testing

/// Long-polls woken by one commit get one encoded answer, shared; an agent's own read horizons still reach only
/// that agent.
@Suite("Shared sync answers")
struct SharedAnswerTests {
    static let clinicNumber = "+15550001111"

    @Test("polls woken by the same webhook get byte-identical answers; read horizons stay per agent")
    func sharedBytesAndPrivateHorizons() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let agents = try await server.addClinic("Sunrise", number: Self.clinicNumber, agents: ["Aisha", "Bilal", "Chen"])
        let cursor = try await server.everything(token: agents[0].token).cursor

        async let first = server.sync(token: agents[0].token, since: cursor, timeout: 20_000)
        async let second = server.sync(token: agents[1].token, since: cursor, timeout: 20_000)
        #expect(try await eventually { server.app.notifier.waitingCount == 2 }, "both polls are held before the webhook")
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SMshare", from: "+15557654321", to: Self.clinicNumber,
                                                              body: "one answer"))
        let (a, b) = try await (first, second)
        #expect(a.status == 200 && b.status == 200)
        let batch = try JSONDecoder().decode(SyncBatch.self, from: Data(a.body))
        #expect(batch.messages.map(\.body) == ["one answer"])
        #expect(a.body == b.body)

        // Aisha reads the message: her next answer from the same cursor carries her horizon, the others' do not.
        let message = try #require(batch.messages.first)
        #expect(try await server.command(.markRead(upToMessageId: message.id), conversation: message.conversationId,
                                         token: agents[0].token).status == 200)
        let hers = try JSONDecoder().decode(SyncBatch.self, from: Data(try await server.sync(token: agents[0].token, since: cursor).body))
        #expect(hers.readHorizons.map(\.messageId) == [message.id])
        let bilal = try await server.sync(token: agents[1].token, since: cursor)
        let chen = try await server.sync(token: agents[2].token, since: cursor)
        #expect(try JSONDecoder().decode(SyncBatch.self, from: Data(bilal.body)).readHorizons.isEmpty)
        #expect(bilal.body == chen.body)
        #expect(bilal.body != a.body)  // the log moved on (the read), so this is a new page, not the stale bytes
    }
}
