import Foundation
import InboxModel
import InboxServer
import Testing

/// Issue 10 items 1, 3 and 7 as a receptionist meets them: the real client in tmux against a real server.
@Suite("Notes, canned replies and the palette in the terminal", .serialized)
struct NotesTerminalTests {
    static let clinicNumber = "+15550001111"

    @Test("/ad + Enter inserts the address reply with the patient's name; edited and sent, it is one provider request")
    func cannedReplyInTheComposer() async throws {
        let twilio = try await FakeTwilio.start()
        let server = try await TestServer.start { $0.twilio.apiBase = twilio.baseURL }
        defer { Task { await server.stop(); await twilio.stop() } }
        let bea = try await server.addClinic("Sunrise", number: Self.clinicNumber, agents: ["Bea"])[0]
        try await server.store.saveCannedReplies([
            CannedReplyDefinition(shortcode: "address", body: "Hello {{first_name}}, {{clinic}} is at 12 Harbour Road."),
            CannedReplyDefinition(shortcode: "hours", body: "We are open 8-18, {{name}}."),
        ], clinic: "Sunrise")
        try await TeamFlowTerminalTests.maria(server)
        let terminal = try TeamFlowTerminalTests.client(server, bea)
        try await TeamFlowTerminalTests.takeFirstWaiting(terminal)

        try terminal.send("r")
        _ = try await terminal.waitFor { $0.contains("canned reply") }  // the composer's hint: / opens the picker
        try terminal.type("/ad")
        var screen = try await terminal.waitFor { $0.contains("Canned replies") && $0.contains("/address") }
        #expect(screen.contains("Hello Maria, Sunrise is at 12 Harbour Road."), "the picker shows it filled:\n\(screen)")
        try terminal.send("Enter")
        screen = try await terminal.waitFor { !$0.contains("Canned replies") && $0.contains("12 Harbour Road.") }
        #expect(twilio.sent.isEmpty, "choosing only inserts")
        try terminal.type(" See you at 10!")
        try terminal.send("Enter")
        #expect(try await eventually { twilio.sent.count == 1 })
        #expect(twilio.sent.map(\.body) == ["Hello Maria, Sunrise is at 12 Harbour Road. See you at 10!"])
        screen = try await terminal.waitFor { $0.contains("See you at 10!") && !$0.contains("sending") }
        let replies = try await server.everything(token: bea.token).messages.filter { $0.author == .agent }
        #expect(replies.map(\.body) == ["Hello Maria, Sunrise is at 12 Harbour Road. See you at 10!"], "one reply, once")
    }

    @Test("p writes a note a colleague's terminal shows as a note; : runs a command by name (80×24)")
    func noteAndPaletteAt80x24() async throws {
        let twilio = try await FakeTwilio.start()
        let server = try await TestServer.start { $0.twilio.apiBase = twilio.baseURL }
        defer { Task { await server.stop(); await twilio.stop() } }
        let agents = try await server.addClinic("Sunrise", number: Self.clinicNumber, agents: ["Bea", "Ben"])
        try await TeamFlowTerminalTests.maria(server)
        let bea = try TeamFlowTerminalTests.client(server, agents[0], width: 80, height: 24)
        try await TeamFlowTerminalTests.takeFirstWaiting(bea)

        try bea.send("p")
        _ = try await bea.waitFor { $0.contains("Private note") }
        try bea.type("Call after 5pm only")
        try bea.send("Enter")
        _ = try await bea.waitFor { $0.contains("NOTE You") && $0.contains("Call after 5pm only") }

        let ben = try TeamFlowTerminalTests.client(server, agents[1], width: 80, height: 24)
        _ = try await ben.waitFor { $0.contains("online") }
        try ben.send("5")  // the Team tab: Bea holds it
        _ = try await ben.waitFor { $0.contains("Maria Lopez") }
        try ben.send("Enter")
        var screen = try await ben.waitFor { $0.contains("NOTE Bea") }
        #expect(screen.contains("Call after 5pm only") && screen.contains("Bea took this conversation from the queue"),
                "the note and the activity line reach Ben:\n\(screen)")

        // Bea closes it from the palette.
        try bea.type(":")
        _ = try await bea.waitFor { $0.contains("Commands") }
        try bea.type("clo")
        try bea.send("Tab")
        _ = try await bea.waitFor { $0.contains(":close") }
        try bea.send("Enter")
        _ = try await bea.waitFor { $0.contains("Close Maria Lopez's conversation?") }
        try bea.type("y")
        screen = try await bea.waitFor { $0.contains("Bea closed this conversation") }
        #expect(screen.contains("Bea closed this conversation"), "\(screen)")
        #expect(twilio.sent.isEmpty, "neither the note nor the close reached the patient")
    }
}
