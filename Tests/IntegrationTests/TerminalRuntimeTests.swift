import Foundation
import InboxModel
import InboxServer
import Testing

/// The terminal runtime end to end: the real client in tmux against a real server on 127.0.0.1 — the external
/// editor, pasting, channel health, focus and Esc at 80×24, and quitting on a terminal without an alternate screen.
@Suite("Terminal runtime", .serialized)
struct TerminalRuntimeTests {
    static let clinicNumber = TerminalTests.clinicNumber

    /// A server with one waiting patient, a fake Twilio, and the client opened on that conversation, taken over.
    static func takenOver(width: Int = 120, height: Int = 40, environment: [String: String] = [:],
                          configure: @escaping (inout ServerConfiguration) -> Void = { _ in })
        async throws -> (TestServer, FakeTwilio, TmuxSession) {
        let twilio = try await FakeTwilio.start()
        let server = try await TestServer.start { config in
            config.twilio.apiBase = twilio.baseURL
            configure(&config)
        }
        let agent = try await server.addClinic("Sunrise", number: clinicNumber)[0]
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SM1", from: "+15557654321", to: clinicNumber,
                                                              body: "Can I move my appointment?", name: "Maria Lopez"))
        let terminal = try TerminalTests.client(server, token: agent.token, width: width, height: height,
                                                environment: environment)
        _ = try await terminal.waitFor { $0.contains("Maria Lopez") && $0.contains("online") }
        try terminal.send("Enter")
        _ = try await terminal.waitFor { $0.contains("Can I move my appointment?") }
        try terminal.send("t")
        let screen = try await terminal.waitFor { $0.contains("yours") }
        #expect(screen.contains("yours"), "\(screen)")
        return (server, twilio, terminal)
    }

    /// The composer's rows: between the composer's separator and the bottom border.
    static func composer(_ screen: String) -> String {
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let separator = lines.lastIndex(where: { $0.contains("├") }),
              let bottom = lines.lastIndex(where: { $0.contains("└") }), separator < bottom else { return "" }
        return lines[(separator + 1)..<bottom].joined(separator: "\n")
    }

    @Test("e: $EDITOR owns the terminal, its text lands in the composer unsent, keys typed meanwhile are dropped, a failed or emptied edit keeps the draft, and the client answers keys afterwards")
    func externalEditor() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("editor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let mode = directory.appendingPathComponent("mode")
        let script = directory.appendingPathComponent("editor.sh")
        // `stty` changes the terminal's modes: an editor outside the terminal's foreground process group is stopped
        // right there (SIGTTOU), so the "started" file proves it owns the terminal. In "write" mode it then waits
        // until the keys the test types are queued on the terminal, so they exist when it returns and must be
        // thrown away by the client.
        try """
            #!/bin/bash
            dir='\(directory.path)'
            mode=$(cat "$dir/mode")
            stty -echo && stty echo || exit 9
            echo started > "$dir/started-$mode"
            case "$mode" in
              fail) exit 3 ;;
              empty) : > "$1"; exit 0 ;;
              write)
                for i in $(seq 200); do read -t 0 && break; sleep 0.05; done
                printf 'Edited in the editor\\nsecond line\\n' > "$1"
                exit 0 ;;
            esac
            """.write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: script.path)

        let (server, twilio, terminal) = try await Self.takenOver(environment: ["EDITOR": script.path, "VISUAL": ""])
        defer { Task { await server.stop(); await twilio.stop() } }
        try terminal.send("r")
        try terminal.type("Draft kept")
        _ = try await terminal.waitFor { Self.composer($0).contains("Draft kept") }
        try terminal.send("Escape")
        // Apart: a key that follows Esc before the client has read it reads as Alt-key. The composer's hints go once
        // the Esc has been taken on its own.
        _ = try await terminal.waitFor { !$0.contains("Alt-Enter") }

        func runEditor(_ name: String) async throws {
            try name.write(to: mode, atomically: true, encoding: .utf8)
            try terminal.send("e")
            #expect(try await eventually {
                FileManager.default.fileExists(atPath: directory.appendingPathComponent("started-\(name)").path)
            }, "the editor (\(name)) ran with the terminal in its hands")
        }

        try await runEditor("fail")
        var screen = try await terminal.waitFor { $0.contains("exited with status 3") }
        #expect(screen.contains("the draft is unchanged"), "\(screen)")
        #expect(Self.composer(screen).contains("Draft kept"), "\(screen)")

        try await runEditor("empty")
        screen = try await terminal.waitFor { $0.contains("left the file empty") }
        #expect(Self.composer(screen).contains("Draft kept"), "\(screen)")

        try await runEditor("write")
        try terminal.type("junk")
        try terminal.send("Enter")
        screen = try await terminal.waitFor { Self.composer($0).contains("Edited in the editor") }
        let composer = Self.composer(screen)
        #expect(composer.contains("Edited in the editor") && composer.contains("second line"), "\(screen)")
        #expect(!screen.contains("junk"), "keys typed while the editor ran never reach the client:\n\(screen)")
        #expect(!composer.contains("Draft kept"), "\(screen)")

        // Still answering keys: the composer has focus; type, then send. Exactly one message reaches Twilio, so the
        // returned text was not sent by itself and the Enter typed into the editor's terminal never arrived.
        try terminal.type(" thanks")
        _ = try await terminal.waitFor { Self.composer($0).contains("second line thanks") }
        try terminal.send("Enter")
        #expect(try await eventually { !twilio.sent.isEmpty })
        _ = try await terminal.waitFor { $0.contains("second line thanks") && $0.contains("✓") }
        #expect(twilio.sent.map(\.body) == ["Edited in the editor\nsecond line thanks"])
    }

    @Test("paste: three lines pasted (bracketed, and as a fast burst without brackets) go into the composer; Enter sends each as ONE message")
    func pasteSendsOneMessage() async throws {
        let (server, twilio, terminal) = try await Self.takenOver()
        defer { Task { await server.stop(); await twilio.stop() } }
        try terminal.send("r")
        _ = try await terminal.waitFor { $0.contains("Alt-Enter") }  // the composer's hints: it has focus

        try terminal.paste("First line\nSecond line\nThird line", bracketed: true)
        var screen = try await terminal.waitFor { Self.composer($0).contains("Third line") }
        #expect(Self.composer(screen).contains("First line"), "\(screen)")
        try terminal.send("M-Enter")  // Alt-Enter: a line of my own
        try terminal.type("Fourth")
        _ = try await terminal.waitFor { Self.composer($0).contains("Fourth") }
        try terminal.send("Enter")
        #expect(try await eventually { !twilio.sent.isEmpty })
        screen = try await terminal.waitFor { $0.contains("Fourth") && $0.contains("✓") && !Self.composer($0).contains("Fourth") }
        #expect(twilio.sent.map(\.body) == ["First line\nSecond line\nThird line\nFourth"], "one request, every line")

        // A terminal without bracketed paste: the lines arrive in one burst, faster than anyone types.
        try terminal.paste("Burst one\nBurst two\nBurst three", bracketed: false)
        screen = try await terminal.waitFor { Self.composer($0).contains("Burst three") }
        #expect(Self.composer(screen).contains("Burst one"), "\(screen)")
        try await Task.sleep(for: .milliseconds(150))  // a person's pause: input within 50 ms would continue the paste
        try terminal.send("Enter")
        #expect(try await eventually { twilio.sent.count >= 2 })
        _ = try await terminal.waitFor { !Self.composer($0).contains("Burst") }
        #expect(twilio.sent.map(\.body) == ["First line\nSecond line\nThird line\nFourth", "Burst one\nBurst two\nBurst three"])
    }

    @Test("a WhatsApp outage shows: status line, the conversation's header and why the reply waits; it clears when the provider recovers")
    func channelHealthIsVisible() async throws {
        let (server, twilio, terminal) = try await Self.takenOver {
            $0.delivery = .init(maxAttempts: 50, baseDelay: 10, maxDelay: 20, breakerThreshold: 3, breakerCooldown: 1_000)
        }
        defer { Task { await server.stop(); await twilio.stop() } }
        twilio.mode = .serverError
        try terminal.send("r")
        try terminal.type("Are you still there?")
        try terminal.send("Enter")
        let screen = try await terminal.waitFor { $0.contains("WhatsApp channel degraded: retrying") && $0.contains("reply waits") }
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count >= 40 && lines[38].contains("WhatsApp channel degraded: retrying"), "status line:\n\(screen)")
        #expect(lines[1].contains("channel degraded"), "the conversation's header:\n\(screen)")
        #expect(screen.contains("1 reply waits"), "\(screen)")

        twilio.mode = .accept
        let recovered = try await terminal.waitFor(timeout: .seconds(20)) { !$0.contains("WhatsApp channel") && $0.contains("✓") }
        #expect(!recovered.contains("WhatsApp channel"), "\(recovered)")
        #expect(twilio.sent.last?.body == "Are you still there?")
    }

    @Test("at 80×24: Esc returns from the conversation to the queue, j moves again, the focused pane is marked, and the hints keep n, ? and q")
    func escapeReturnsToTheQueue() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let agent = try await server.addClinic("Sunrise", number: Self.clinicNumber)[0]
        for (index, name) in ["Maria Lopez", "Noor Haddad"].enumerated() {
            _ = try await server.twilioWebhook(TestServer.inbound(sid: "SM\(index)", from: "+1555765432\(index)",
                                                                  to: Self.clinicNumber, body: "Hello from \(name)", name: name))
        }
        let terminal = try TerminalTests.client(server, token: agent.token, width: 80, height: 24)
        _ = try await terminal.waitFor { $0.contains("Maria Lopez") && $0.contains("Noor Haddad") && $0.contains("1/2") }
        try terminal.send("Enter")
        var screen = try await terminal.waitFor { $0.contains("─ Maria Lopez · waiting") || $0.contains("━ Maria Lopez · waiting") }
        let layout = ScreenLayout(width: 80, height: 24, sidebarShown: false)
        /// The top border's character above the right end of a pane.
        func border(_ screen: String, above pane: Rect) -> Character? {
            let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
            guard lines.count > 1 else { return nil }
            let row = Array(lines[1])
            return row.indices.contains(pane.maxX - 2) ? row[pane.maxX - 2] : nil
        }
        #expect(border(screen, above: layout.conversation) == "━", "the conversation is focused:\n\(screen)")
        #expect(border(screen, above: layout.queue) == "─", "\(screen)")
        try terminal.send("j")  // scrolls the conversation, not the queue
        try terminal.send("Escape")
        screen = try await terminal.waitFor { border($0, above: layout.queue) == "━" }
        #expect(border(screen, above: layout.queue) == "━", "Esc focuses the queue:\n\(screen)")
        #expect(border(screen, above: layout.conversation) == "─", "\(screen)")
        #expect(screen.contains("1/2"), "\(screen)")
        // The Esc was taken on its own (the queue has the focus), so this j cannot join it as Alt-j.
        try terminal.send("j")
        screen = try await terminal.waitFor { $0.contains("2/2") }
        #expect(screen.contains("2/2"), "j moves the queue selection again:\n\(screen)")
        let hints = screen.split(separator: "\n").last.map(String.init) ?? ""
        #expect(hints.contains("n next waiting") && hints.contains("help"), "\(hints)")
        #expect(hints.contains("q quit"), "\(hints)")
        try terminal.send("Enter")
        screen = try await terminal.waitFor { $0.contains("Noor Haddad · waiting") }
        let conversationHints = screen.split(separator: "\n").last.map(String.init) ?? ""
        #expect(conversationHints.contains("n next waiting") && conversationHints.contains("q quit"), "\(conversationHints)")
    }

    @Test("TERM=linux (no alternate screen): quitting clears the screen, so no patient text is left behind")
    func quittingClearsAScreenWithoutAlternateScreen() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let agent = try await server.addClinic("Sunrise", number: Self.clinicNumber)[0]
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SM1", from: "+15557654321", to: Self.clinicNumber,
                                                              body: "My test results are private", name: "Maria Lopez"))
        let terminal = try TerminalTests.client(server, token: agent.token, environment: ["TERM": "linux"])
        _ = try await terminal.waitFor { $0.contains("Maria Lopez") && $0.contains("online") }
        try terminal.send("Enter")
        var screen = try await terminal.waitFor { $0.contains("My test results are private") }
        #expect(screen.contains("My test results are private"))
        try terminal.send("q")
        screen = try await terminal.waitFor { (try? terminal.foregroundCommand()) == "sleep" && !$0.contains("Maria") }
        #expect(try terminal.foregroundCommand() == "sleep", "the client exited")
        #expect(!screen.contains("Maria Lopez") && !screen.contains("private"), "patient text left on screen:\n\(screen)")
    }

    @Test("TERM=linux: a client killed with SIGTERM clears the screen too")
    func killedClientClearsTheScreen() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let agent = try await server.addClinic("Sunrise", number: Self.clinicNumber)[0]
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SM1", from: "+15557654321", to: Self.clinicNumber,
                                                              body: "Please call me", name: "Maria Lopez"))
        let terminal = try TerminalTests.client(server, token: agent.token, environment: ["TERM": "linux"])
        var screen = try await terminal.waitFor { $0.contains("Maria Lopez") && $0.contains("online") }
        #expect(screen.contains("Maria Lopez"))
        let shell = try #require(try terminal.shellPID())
        let client = try #require(Self.childPID(of: shell), "the client runs under the pane's shell")
        #expect(kill(client, SIGTERM) == 0)
        screen = try await terminal.waitFor { (try? terminal.foregroundCommand()) == "sleep" && !$0.contains("Maria") }
        #expect(try terminal.foregroundCommand() == "sleep", "the client exited")
        #expect(!screen.contains("Maria Lopez"), "patient text left on screen:\n\(screen)")
    }

    @Test("bracketed paste is off once the client has quit")
    func bracketedPasteIsTurnedOffAtExit() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let agent = try await server.addClinic("Sunrise", number: Self.clinicNumber)[0]
        let home = server.directory.appendingPathComponent("home").path
        let client = [InboxProcess.binary, "--server", server.baseURL, "--token", agent.token,
                      "--mirror", server.directory.appendingPathComponent("mirror.sqlite").path]
        // After the client, `cat -v` shows the bytes a paste brings: ^[[200~ if the terminal still brackets them.
        let terminal = try TmuxSession(command: ["sh", "-c", client.map(TmuxSession.quote).joined(separator: " ") + "; echo client-exited; cat -v"],
                                       environment: ["HOME": home, "XDG_CONFIG_HOME": home + "/config",
                                                     "TERM": "xterm-256color", "LANG": "C.UTF-8"])
        _ = try await terminal.waitFor { $0.contains("online") }
        try terminal.send("q")
        _ = try await terminal.waitFor { $0.contains("client-exited") }
        try terminal.paste("after-exit", bracketed: true)
        try terminal.send("Enter")
        let screen = try await terminal.waitFor { $0.components(separatedBy: "after-exit").count >= 3 }
        #expect(screen.components(separatedBy: "after-exit").count >= 3, "the tty's echo and cat's copy:\n\(screen)")
        #expect(!screen.contains("[200~") && !screen.contains("[201~"), "bracketed paste left on:\n\(screen)")
    }

    /// The first child of `parent`, from /proc (the client under tmux's `sh -c`).
    static func childPID(of parent: pid_t) -> pid_t? {
        let children = (try? String(contentsOfFile: "/proc/\(parent)/task/\(parent)/children", encoding: .utf8)) ?? ""
        return children.split(separator: " ").first.flatMap { pid_t($0) }
    }
}
