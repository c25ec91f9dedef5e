import Foundation
import InboxModel
import InboxServer
import Testing

/// Colleagues reach a running client through sync: no restart to see who joined, was renamed or left.
@Suite("Colleagues in a running client", .serialized)
struct ColleagueSyncTests {
    static let clinicNumber = "+15550003333"

    @Test("client A is running; `inbox agent add` in another process; A's transfer dialog lists the new colleague, and not once revoked")
    func transferListsColleagueAddedLater() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let aisha = try await server.addClinic("Sunrise", number: Self.clinicNumber)[0]
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SMc1", from: "+15557654321", to: Self.clinicNumber,
                                                              body: "Can I move my appointment?", name: "Maria Lopez"))
        let terminal = try TerminalTests.client(server, token: aisha.token)
        _ = try await terminal.waitFor { $0.contains("Maria Lopez") && $0.contains("online") }
        try terminal.send("Enter")
        _ = try await terminal.waitFor { $0.contains("Can I move my appointment?") }
        // Before: nobody else in the clinic.
        try terminal.send("a")
        let before = try await terminal.waitFor { $0.contains("no other agent") }
        #expect(before.contains("no other agent"), "\(before)")

        let output = try InboxProcess.run(["agent", "add", "Carla Mendes", "--clinic", "Sunrise"] + server.databaseArguments)
        let carlaId = try #require(output.split(separator: " ").dropFirst().first.flatMap { Int64($0) })
        // In the dialog, not only in the status line's roster (which lists her as soon as she exists).
        let screen = try await Self.openTransfer(terminal) { $0.contains("Give Maria Lopez to:") && $0.contains("Carla Mendes") }
        #expect(screen.contains("Transfer") && screen.contains("Carla Mendes"), "\(screen)")
        try terminal.send("Escape")
        _ = try await terminal.waitFor { !$0.contains("Give Maria Lopez to:") }

        // Revoked: no longer offered.
        try InboxProcess.run(["agent", "revoke", String(carlaId)] + server.databaseArguments)
        let after = try await Self.openTransfer(terminal) { $0.contains("no other agent") }
        #expect(!after.contains("Carla Mendes"), "\(after)")
    }

    /// Presses the transfer key until the screen satisfies `done` (the change is on its way through sync).
    static func openTransfer(_ terminal: TmuxSession, until done: @escaping (String) -> Bool) async throws -> String {
        // What a press of `a` shows: the dialog, or an error (kept until dismissed) that there is nobody to give to.
        let answered = { (screen: String) in screen.contains("Give Maria Lopez to:") || screen.contains("no other agent") }
        let deadline = ContinuousClock.now + .seconds(20)
        while true {
            // From a screen showing neither, so what shows next is this press's answer, not an earlier one. Esc closes
            // the dialog or dismisses the error; once neither shows it was taken on its own (a key that follows Esc
            // before the client has read it would read as Alt-key).
            if answered(try terminal.screen()) {
                try terminal.send("Escape")
                _ = try await terminal.waitFor { !answered($0) }
            }
            try terminal.send("a")
            var screen = try await terminal.waitFor(answered)
            // The dialog lists the colleagues the mirror had when it opened: give sync a moment before asking again.
            if !done(screen) { screen = try await terminal.waitFor(timeout: .seconds(1), done) }
            if done(screen) || ContinuousClock.now >= deadline { return screen }
        }
    }
}
