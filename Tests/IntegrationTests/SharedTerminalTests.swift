import Foundation
import InboxModel
import SyncEngine
import Testing

/// One reception PC, two agents: the real client (tmux) against a real server.
@Suite("Terminal: shared reception PC", .serialized)
struct SharedTerminalTests {
    @Test("signing in as Bilal on Aisha's terminal holds her queued replies and the status line says whose they are")
    func heldRepliesOnTheStatusLine() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let agents = try await server.addClinic("Sunrise", number: TerminalTests.clinicNumber, agents: ["Aisha", "Bilal"])
        let (aisha, bilal) = (agents[0], agents[1])
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SM1", from: "+15557654321", to: TerminalTests.clinicNumber,
                                                              body: "Please call me", name: "Maria Lopez"))
        let conversation = try #require(try await server.everything(token: aisha.token).conversations.first).id
        #expect(try await server.command(.takeOver, conversation: conversation, token: aisha.token).status == 200)

        // Aisha's terminal (the mirror the client below opens) with three replies she queued while offline.
        let mirror = try Mirror(path: server.directory.appendingPathComponent("mirror.sqlite").path)
        try await SyncLoop(mirror: mirror, api: ServerAPI(server: server.baseURL, token: aisha.token)).syncOnce()
        for text in ["one", "two", "three"] { try mirror.enqueue(.reply(body: "Aisha says \(text)"), conversationId: conversation) }

        let terminal = try TerminalTests.client(server, token: bilal.token)
        let screen = try await terminal.waitFor { $0.contains(" Bilal · online") && $0.contains("held") }
        #expect(screen.contains("3 replies from Aisha held: log in as Aisha to send"), "\(screen)")
        #expect(try await server.everything(token: aisha.token).messages.filter { $0.author == .agent }.isEmpty,
                "nothing went out with Bilal's token")
        #expect(try mirror.heldCommands().map(\.count) == [3], "held, not lost")
    }
}
