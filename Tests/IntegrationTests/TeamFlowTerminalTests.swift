import Foundation
import InboxModel
import InboxServer
import Testing

/// Issue 8 items 5 and 6 as a receptionist meets them: real clients in tmux against a real server on 127.0.0.1.
@Suite("Team flow in the terminal", .serialized)
struct TeamFlowTerminalTests {
    static let clinicNumber = "+15550001111"

    /// One client per agent: its own mirror and home, so two can run side by side.
    static func client(_ server: TestServer, _ agent: NewAgent, width: Int = 120, height: Int = 40) throws -> TmuxSession {
        let home = server.directory.appendingPathComponent("home-\(agent.agent.id)").path
        let mirror = server.directory.appendingPathComponent("mirror-\(agent.agent.id).sqlite").path
        return try TmuxSession(command: [InboxProcess.binary, "--server", server.baseURL, "--token", agent.token,
                                         "--mirror", mirror],
                               width: width, height: height,
                               environment: ["HOME": home, "XDG_CONFIG_HOME": home + "/config", "TERM": "xterm-256color",
                                             "LANG": "C.UTF-8"])
    }

    static func maria(_ server: TestServer, sid: String = "SM1") async throws {
        _ = try await server.twilioWebhook(TestServer.inbound(sid: sid, from: "+15557654321", to: clinicNumber,
                                                              body: "Can someone call me about my results?",
                                                              name: "Maria Lopez"))
    }

    /// Opens the first waiting conversation and takes it over; returns when the screen says it is mine.
    static func takeFirstWaiting(_ terminal: TmuxSession) async throws {
        _ = try await terminal.waitFor { $0.contains("Maria Lopez") && $0.contains("online") }
        try terminal.send("Enter")
        _ = try await terminal.waitFor { $0.contains("Can someone call me") }
        try terminal.send("t")
        let screen = try await terminal.waitFor { $0.contains("Maria Lopez is yours") }
        #expect(screen.contains("Maria Lopez is yours"), "\(screen)")
    }

    @Test("an admin takes over an agent's conversation from the Team tab; the agent sees who did it and cannot take it back")
    func adminTakesOverFromTheTeamTab() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let bea = try await server.addClinic("Sunrise", number: Self.clinicNumber, agents: ["Bea"])[0]
        let sara = try await server.store.addAgent(name: "Sara", clinic: "Sunrise", role: .admin)
        try await Self.maria(server)

        let beaScreen = try Self.client(server, bea)
        try await Self.takeFirstWaiting(beaScreen)

        let saraScreen = try Self.client(server, sara)
        _ = try await saraScreen.waitFor { $0.contains("5 Team (1)") && $0.contains("online") }
        try saraScreen.send("5")
        var screen = try await saraScreen.waitFor { $0.contains("Maria Lopez · Bea") }
        #expect(screen.contains("Maria Lopez · Bea"), "the Team tab lists it with its holder:\n\(screen)")
        try saraScreen.send("Enter")
        _ = try await saraScreen.waitFor { $0.contains("Can someone call me") }
        try saraScreen.send("t")
        screen = try await saraScreen.waitFor { $0.contains("Maria Lopez is yours") }
        #expect(screen.contains("Maria Lopez is yours"), "\(screen)")

        screen = try await beaScreen.waitFor { $0.contains("Sara (admin) took this conversation from Bea") }
        #expect(screen.contains("Sara (admin) took this conversation from Bea"), "the holder is told who:\n\(screen)")
        try beaScreen.send("t")
        screen = try await beaScreen.waitFor { $0.contains("only they or an admin") }
        #expect(screen.contains("Taken by Sara; only they or an admin can transfer it"), "\(screen)")

        let conversation = try await server.everything(token: bea.token).conversations.last
        #expect(conversation?.assignedAgentId == sara.agent.id)
    }

    @Test("x asks before closing (n keeps it, y closes it); O reopens it from the Closed tab and a reply goes out")
    func confirmCloseThenReopen() async throws {
        let twilio = try await FakeTwilio.start()
        let server = try await TestServer.start { $0.twilio.apiBase = twilio.baseURL }
        defer { Task { await server.stop(); await twilio.stop() } }
        let bea = try await server.addClinic("Sunrise", number: Self.clinicNumber, agents: ["Bea"])[0]
        try await Self.maria(server)
        let terminal = try Self.client(server, bea)
        try await Self.takeFirstWaiting(terminal)

        try terminal.send("x")
        var screen = try await terminal.waitFor { $0.contains("Close Maria Lopez's conversation?") }
        #expect(screen.contains("Close Maria Lopez's conversation?"), "\(screen)")
        try terminal.send("n")
        screen = try await terminal.waitFor { !$0.contains("Close Maria Lopez's conversation?") }
        #expect(!screen.contains("Closing"), "n closes nothing:\n\(screen)")

        try terminal.send("x")
        _ = try await terminal.waitFor { $0.contains("Close Maria Lopez's conversation?") }
        try terminal.send("y")
        screen = try await terminal.waitFor { $0.contains("Closed Maria Lopez's conversation") }
        #expect(screen.contains("Closed Maria Lopez's conversation"), "the message says when it is done:\n\(screen)")
        #expect(!screen.contains("Closing"), "and \"Closing …\" is gone")
        #expect(try await server.everything(token: bea.token).conversations.last?.status == .closed)

        try terminal.send("4")
        _ = try await terminal.waitFor { $0.contains("4 Closed (1)") && $0.contains("Maria Lopez") }
        try terminal.send("O")
        screen = try await terminal.waitFor { $0.contains("Reopened Maria Lopez's conversation: reply as usual") }
        #expect(screen.contains("Reopened Maria Lopez's conversation: reply as usual"), "\(screen)")
        let reopened = try await server.everything(token: bea.token).conversations.last
        #expect(reopened?.status == .assigned && reopened?.assignedAgentId == bea.agent.id)
        _ = try await terminal.waitFor { $0.contains("Bea reopened this conversation") }  // the mirror has it too

        try terminal.send("r")
        try terminal.type("We can call you at 3pm")
        try terminal.send("Enter")
        screen = try await terminal.waitFor { $0.contains("We can call you at 3pm") && $0.contains("✓") }
        #expect(try await eventually { twilio.sent.map(\.body) == ["We can call you at 3pm"] })
    }
}
