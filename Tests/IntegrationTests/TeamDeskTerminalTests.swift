import Foundation
import InboxModel
import InboxServer
import Testing

/// Issue 10 items 4–6 as the desk meets them: real clients in tmux against a real server on 127.0.0.1.
@Suite("Team desk in the terminal", .serialized)
struct TeamDeskTerminalTests {
    static let number = "+15550007777"

    static func maria(_ server: TestServer, sid: String, body: String = "Can someone call me about my results?") async throws {
        _ = try await server.twilioWebhook(TestServer.inbound(sid: sid, from: "+15557654321", to: number, body: body,
                                                              name: "Maria Lopez"))
    }

    static func client(_ server: TestServer, _ agent: NewAgent, width: Int = 120, height: Int = 40) throws -> TmuxSession {
        try TeamFlowTerminalTests.client(server, agent, width: width, height: height)
    }

    /// Opens the first waiting conversation (Maria's).
    static func openMaria(_ terminal: TmuxSession) async throws {
        _ = try await terminal.waitFor { $0.contains("Maria Lopez") && $0.contains("online") }
        try terminal.send("Enter")
        let screen = try await terminal.waitFor { $0.contains("Can someone call me") }
        #expect(screen.contains("Can someone call me"), "\(screen)")
    }

    /// Bells the program rang (BEL outside the OSC sequences that set the title).
    static func bells(in path: String) -> Int {
        let bytes = Array((try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data())
        var count = 0
        var inOSC = false
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if !inOSC, byte == 0x1B, index + 1 < bytes.count, bytes[index + 1] == 0x5D { inOSC = true; index += 2; continue }
            if inOSC, byte == 0x07 || (byte == 0x1B && index + 1 < bytes.count && bytes[index + 1] == 0x5C) { inOSC = false }
            else if !inOSC, byte == 0x07 { count += 1 }
            index += 1
        }
        return count
    }

    @Test("B opens Maria and types: A sees \"Ben is viewing\" then \"Ben is typing…\" within 2 s; B quits and the mark goes")
    func presenceAcrossTwoTerminals() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let agents = try await server.addClinic("Sunrise", number: Self.number, agents: ["Amal", "Ben"])
        let (amal, ben) = (agents[0], agents[1])
        try await Self.maria(server, sid: "SMd1")

        let a = try Self.client(server, amal)
        try await Self.openMaria(a)
        let b = try Self.client(server, ben)
        var screen = try await a.waitFor { $0.contains("Ben ●") }
        #expect(screen.contains("Ben ●"), "A's roster shows Ben online:\n\(screen)")
        _ = try await b.waitFor { $0.contains("Maria Lopez") && $0.contains("online") }

        var began = ContinuousClock.now
        try b.send("Enter")
        screen = try await a.waitFor(timeout: .seconds(5)) { $0.contains("Ben is viewing") }
        var waited = ContinuousClock.now - began
        #expect(screen.contains("Ben is viewing"), "\(screen)")
        #expect(waited < .seconds(2), "viewing shown \(waited) after B opened it")

        _ = try await b.waitFor { $0.contains("Can someone call me") }
        try b.send("r")
        began = ContinuousClock.now
        try b.type("We can ca")
        screen = try await a.waitFor(timeout: .seconds(5)) { $0.contains("Ben is typing…") }
        waited = ContinuousClock.now - began
        #expect(screen.contains("Ben is typing…"), "\(screen)")
        #expect(waited < .seconds(2), "typing shown \(waited) after B typed")

        // B leaves: Esc out of the composer (the draft is kept), q quits.
        try b.send("Escape")
        // Apart: Esc followed at once by q reads as Alt-q.
        _ = try await b.waitFor { !$0.contains("Alt-Enter newline") }
        try b.send("q")
        _ = try await b.waitFor { screen in (try? b.foregroundCommand()) == "sleep" || screen.contains("y quit") }
        if (try? b.foregroundCommand()) != "sleep" { try b.send("y") }  // the question about B's draft
        _ = try await b.waitFor { _ in (try? b.foregroundCommand()) == "sleep" }
        #expect(try b.foregroundCommand() == "sleep", "B's client has quit")
        began = ContinuousClock.now
        screen = try await a.waitFor(timeout: .seconds(Double(PresenceRules.timeout) / 1000 + 3)) {
            !$0.contains("Ben is") && $0.contains("Ben ○")
        }
        #expect(!screen.contains("Ben is viewing") && !screen.contains("Ben is typing"), "\(screen)")
        #expect(screen.contains("Ben ○"), "the roster says Ben is offline:\n\(screen)")
        #expect(ContinuousClock.now - began < .milliseconds(PresenceRules.timeout + 2_000))
    }

    @Test("z → Custom → 2s: Maria leaves the Waiting tab and comes back by herself with a bell; a message brings her back early")
    func snoozeComesBackWithABell() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let amal = try await server.addClinic("Sunrise", number: Self.number, agents: ["Amal"])[0]
        try await Self.maria(server, sid: "SMz1")
        let output = server.directory.appendingPathComponent("amal.out").path
        let a = try Self.client(server, amal)
        try a.recordOutput(to: output)
        _ = try await a.waitFor { $0.contains("1 Waiting (1)") && $0.contains("online") }

        try a.send("z")
        var screen = try await a.waitFor { $0.contains("Bring Maria Lopez back") }
        #expect(screen.contains("Tomorrow 09:00") && screen.contains("Custom…"), "\(screen)")
        try a.send("Down", "Down", "Down", "Enter")
        _ = try await a.waitFor { $0.contains("Until:") }
        try a.type("2s")
        try a.send("Enter")
        screen = try await a.waitFor { $0.contains("1 Waiting (0)") && $0.contains("6 Snoozed (1)") }
        #expect(screen.contains("6 Snoozed (1)"), "snoozed, out of Waiting:\n\(screen)")
        let bellsBefore = Self.bells(in: output)

        screen = try await a.waitFor { $0.contains("1 Waiting (1)") && !$0.contains("Snoozed (1)") }
        #expect(screen.contains("1 Waiting (1)"), "back by itself:\n\(screen)")
        // Bells are at least 10 s apart (AppSettings.bellCooldown), and Maria's arrival rang one at start.
        #expect(try await eventually(timeout: .seconds(13)) { Self.bells(in: output) > bellsBefore }, "with a bell")

        // Snoozed for an hour, the patient writing brings her back at once.
        try a.send("z")
        _ = try await a.waitFor { $0.contains("Bring Maria Lopez back") }
        try a.send("Enter")  // 1 hour
        _ = try await a.waitFor { $0.contains("6 Snoozed (1)") }
        let bellsSnoozed = Self.bells(in: output)
        try await Self.maria(server, sid: "SMz2", body: "Hello again?")
        screen = try await a.waitFor { $0.contains("1 Waiting (1)") && !$0.contains("Snoozed (1)") }
        #expect(screen.contains("1 Waiting (1)"), "\(screen)")
        // Bells are at least 10 s apart (AppSettings.bellCooldown): this one may wait for the cooldown.
        #expect(try await eventually(timeout: .seconds(13)) { Self.bells(in: output) > bellsSnoozed }, "with a bell")
    }

    @Test("concurrent profile edits: A's save wins, B sees the refusal and A's name, nothing is overwritten")
    func concurrentProfileEdits() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let agents = try await server.addClinic("Sunrise", number: Self.number, agents: ["Amal", "Ben"])
        let (amal, ben) = (agents[0], agents[1])
        try await Self.maria(server, sid: "SMe1")
        let a = try Self.client(server, amal)
        let b = try Self.client(server, ben)
        try await Self.openMaria(a)
        try await Self.openMaria(b)

        // Both open the editor on version 1.
        try a.send("P")
        try b.send("P")
        _ = try await a.waitFor { $0.contains("Patient profile") }
        _ = try await b.waitFor { $0.contains("Patient profile") }
        try a.send("C-u")
        try a.type("Maria Lopez-Amal")
        try a.send("Enter")
        var screen = try await a.waitFor { $0.contains("Saved Maria Lopez-Amal's profile") }
        #expect(screen.contains("Saved Maria Lopez-Amal's profile"), "\(screen)")

        try b.send("C-u")
        try b.type("Maria B")
        try b.send("Enter")
        screen = try await b.waitFor { $0.contains("Someone else saved this profile first") }
        #expect(screen.contains("Someone else saved this profile first"), "B is told:\n\(screen)")
        screen = try await b.waitFor { $0.contains("Maria Lopez-Amal") }
        #expect(screen.contains("Maria Lopez-Amal"), "and sees the current value:\n\(screen)")
        let patient = try await server.everything(token: amal.token).patients.last
        #expect(patient?.displayName == "Maria Lopez-Amal" && patient?.version == 2)
        _ = try await a.waitFor { $0.contains("Amal edited the patient's profile (name)") }
    }
}
