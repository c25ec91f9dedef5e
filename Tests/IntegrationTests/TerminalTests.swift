import CurlHTTP
import Foundation
import GRDB
import InboxModel
import InboxServer
import Testing

/// The client in a real terminal (tmux) against a real server.
@Suite("Terminal client", .serialized)
struct TerminalTests {
    static let clinicNumber = "+15550001111"

    static func client(_ server: TestServer, token: String, width: Int = 120, height: Int = 40,
                       environment: [String: String] = [:]) throws -> TmuxSession {
        let home = server.directory.appendingPathComponent("home").path
        return try TmuxSession(command: [InboxProcess.binary, "--server", server.baseURL, "--token", token,
                                         "--mirror", server.directory.appendingPathComponent("mirror.sqlite").path],
                               width: width, height: height,
                               environment: ["HOME": home, "XDG_CONFIG_HOME": home + "/config", "TERM": "xterm-256color",
                                             "LANG": "C.UTF-8"].merging(environment) { _, new in new })
    }

    @Test("o saves a patient's photo to the downloads folder; A attaches a file from disk and it reaches Twilio")
    func attachments() async throws {
        let twilio = try await FakeTwilio.start()
        twilio.shelf.require(authorization: "Basic " + Data("ACtest:\(TestServer.twilioToken)".utf8).base64EncodedString())
        twilio.shelf.put("ME1", contentType: "image/png", bytes: SampleFiles.png)
        let server = try await TestServer.start { $0.twilio.apiBase = twilio.baseURL }
        defer { Task { await server.stop(); await twilio.stop() } }
        let agent = try await server.addClinic("Sunrise", number: Self.clinicNumber)[0]
        let inbound = TestServer.inbound(sid: "SMphoto", from: "+15557654321", to: Self.clinicNumber, body: "my rash",
                                         name: "Maria Lopez").map { $0.0 == "NumMedia" ? ("NumMedia", "1") : $0 }
            + [("MediaUrl0", twilio.baseURL + "/media/ME1"), ("MediaContentType0", "image/png")]
        _ = try await server.twilioWebhook(inbound)
        let downloads = server.directory.appendingPathComponent("downloads").path
        let invoice = server.directory.appendingPathComponent("invoice.pdf").path
        FileManager.default.createFile(atPath: invoice, contents: Data(SampleFiles.pdf))

        let terminal = try Self.client(server, token: agent.token, environment: ["INBOX_DOWNLOADS": downloads])
        _ = try await terminal.waitFor { $0.contains("Maria Lopez") && $0.contains("online") }
        try terminal.send("Enter")
        _ = try await terminal.waitFor { $0.contains("[image] ME1") && $0.contains("o to save") }
        try terminal.send("o")
        _ = try await terminal.waitFor { $0.contains("Files in this conversation") }
        try terminal.send("Enter")
        _ = try await terminal.waitFor { $0.contains("Saved to") || $0.contains("Opened") }
        let saved = try FileManager.default.contentsOfDirectory(atPath: downloads)
        #expect(saved.count == 1 && saved[0].hasSuffix("-ME1"), "\(saved)")
        #expect(FileManager.default.contents(atPath: downloads + "/" + saved[0]).map(Array.init) == SampleFiles.png)

        try terminal.send("A")
        _ = try await terminal.waitFor { $0.contains("Attach a file") }
        try terminal.type(invoice)
        try terminal.send("Enter")
        let screen = try await terminal.waitFor { $0.contains("[document] invoice.pdf") && $0.contains("✓") }
        #expect(screen.contains("[document] invoice.pdf"))
        #expect(try await eventually { twilio.sent.first?.mediaURL != nil })
        let link = try #require(twilio.sent.first?.mediaURL)
        #expect(try await HTTPClient.shared.send(HTTPClient.Request(url: link)).body == SampleFiles.pdf)
    }

    @Test("take over a waiting conversation, type and send a reply: the server stores it and the screen shows it sent")
    func takeOverAndReply() async throws {
        let twilio = try await FakeTwilio.start()
        let server = try await TestServer.start { $0.twilio.apiBase = twilio.baseURL }
        defer { Task { await server.stop(); await twilio.stop() } }
        let agent = try await server.addClinic("Sunrise", number: Self.clinicNumber)[0]
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SM1", from: "+15557654321", to: Self.clinicNumber,
                                                              body: "Can someone call me about my results?", name: "Maria Lopez"))

        let terminal = try Self.client(server, token: agent.token)
        var screen = try await terminal.waitFor { $0.contains("Maria Lopez") && $0.contains("online") }
        #expect(screen.contains("Waiting (1)"), "\(screen)")
        try terminal.send("Enter")
        screen = try await terminal.waitFor { $0.contains("Can someone call me") }
        try terminal.send("t")
        screen = try await terminal.waitFor { $0.contains("yours") }
        #expect(screen.contains("yours"), "\(screen)")
        try terminal.send("r")
        try terminal.type("We will call you at 3pm")
        try terminal.send("Enter")
        screen = try await terminal.waitFor { $0.contains("We will call you at 3pm") && $0.contains("✓") }
        #expect(screen.contains("We will call you at 3pm"))
        #expect(screen.contains("✓"), "the reply shows as sent:\n\(screen)")

        let stored = try await server.everything(token: agent.token)
        let reply = stored.messages.first { $0.body == "We will call you at 3pm" }
        #expect(reply?.author == .agent)
        #expect(reply?.agentId == agent.agent.id)
        #expect(stored.conversations.first?.assignedAgentId == agent.agent.id)
        #expect(try await eventually { twilio.sent.map(\.body) == ["We will call you at 3pm"] })

        try terminal.send("Escape")
        // Apart: a key that follows Esc before the client has read it reads as Alt-key. The composer's hints go once
        // the Esc has been taken on its own.
        _ = try await terminal.waitFor { !$0.contains("Alt-Enter") }
        try terminal.send("q")
        screen = try await terminal.waitFor { !$0.contains("Waiting (") }
        #expect(!screen.contains("Waiting ("), "q leaves the full-screen client")
    }

    @Test("hostile text (escape sequences, CR, BS, bidi overrides, invalid UTF-8) cannot move the layout or the title")
    func hostileText() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let agent = try await server.addClinic("Sunrise", number: Self.clinicNumber)[0]
        let esc = "\u{1B}"
        let name = "\(esc)]2;PWNED\u{07}Evil\(esc)[2J\(esc)[31mName\u{202E}gnp.exe"
        let bodies = [
            "clear\(esc)[2J\(esc)[Hscreen",
            "colour\(esc)[41;37mred\(esc)[0m and title \(esc)]0;PWNED\(esc)\\ done",
            "carriage\rreturn and back\u{08}\u{08}space",
            "bidi \u{202E}override\u{202C} and \u{2067}isolate\u{2069}",
            "c1 \u{9B}31m csi",
        ]
        for (index, body) in bodies.enumerated() {
            _ = try await server.twilioWebhook(TestServer.inbound(sid: "SMh\(index)", from: "+15557654321",
                                                                  to: Self.clinicNumber, body: body, name: name))
        }
        var media = TestServer.inbound(sid: "SMmedia", from: "+15557654321", to: Self.clinicNumber, body: "", name: name)
        media.removeAll { $0.0 == "NumMedia" }
        media += [("NumMedia", "1"), ("MediaContentType0", "application/pdf"),
                  ("MediaUrl0", "https://media.example/\(esc)]2;PWNED\u{07}scan\(esc)[2J.pdf")]
        _ = try await server.twilioWebhook(media)
        // Invalid UTF-8 cannot come through Twilio's form encoding; a backend could still store it.
        let pool = try sharedDatabase(server.dbPath)
        try await pool.write { db in
            // "invalid", 0xFF 0xFE, a truncated 2-byte sequence (0xC3 0x28), "bytes"
            try db.execute(sql: "UPDATE messages SET body = CAST(X'696E76616C6964FFFEC3286279746573' AS TEXT) WHERE provider_message_id = 'SMh0'")
        }
        _ = try await server.store.applyStatus(StatusReport(providerMessageId: "SMh0", status: .read))  // a no-op that must not fail

        let terminal = try Self.client(server, token: agent.token)
        var screen = try await terminal.waitFor { $0.contains("Waiting (1)") }
        let titleBefore = try terminal.title()
        try terminal.send("Enter")
        screen = try await terminal.waitFor { $0.contains("override") && $0.contains("scan") }
        #expect(screen.contains("override") && screen.contains("scan"), "\(screen)")

        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count >= 40, "the screen still has every row")
        // Every pane border stands in the same column on every framed row.
        let framed = lines.dropFirst(2).prefix(30)
        let borderColumns = Set(framed.map { line in line.enumerated().filter { "│├┤┬┴".contains($0.element) }.map(\.offset) })
        #expect(borderColumns.count == 1, "borders moved:\n\(screen)")
        #expect(screen.contains("␛"), "escape is shown, not obeyed")
        #expect(screen.contains("�"), "invalid bytes and C1 show as U+FFFD")
        #expect(!screen.contains("\u{202E}") && !screen.contains("\u{2067}"))
        #expect(screen.contains("carriagereturn"), "CR is dropped")
        #expect(screen.contains("Waiting (1)"), "nothing cleared the screen")
        let title = try terminal.title()
        #expect(!title.contains("PWNED"), "title: \(title)")
        #expect(title == titleBefore || title.hasPrefix("inbox"), "title: \(title)")
    }

    @Test("when its terminal goes away (SSH dropped, tmux pane killed) the client keeps the draft and exits")
    func hangUpEndsTheClient() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let agent = try await server.addClinic("Sunrise", number: Self.clinicNumber)[0]
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SM1", from: "+15557654321", to: Self.clinicNumber,
                                                              body: "hello", name: "Noor"))
        let terminal = try Self.client(server, token: agent.token)
        _ = try await terminal.waitFor { $0.contains("Noor") && $0.contains("online") }
        try terminal.send("t")
        try terminal.send("r")
        try terminal.type("half-written answer")
        _ = try await terminal.waitFor { $0.contains("half-written answer") }
        let shell = try #require(try terminal.shellPID())
        let client = try #require(Self.childProcesses(of: shell).first, "the client runs under the pane's shell")

        try terminal.end()
        #expect(try await eventually(timeout: .seconds(15)) { kill(client, 0) != 0 },
                "the client is still running 15 s after its terminal hung up")
        let mirror = try DatabaseQueue(path: server.directory.appendingPathComponent("mirror.sqlite").path)
        let drafts = try await mirror.read { try String.fetchAll($0, sql: "SELECT body FROM drafts") }
        #expect(drafts.contains("half-written answer"))
    }

    static func childProcesses(of parent: pid_t) -> [pid_t] {
        let text = (try? String(contentsOfFile: "/proc/\(parent)/task/\(parent)/children", encoding: .utf8)) ?? ""
        return text.split(separator: " ").compactMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    @Test("at 80×24 the sidebar folds away and nothing wraps into another pane")
    func narrowTerminal() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let agent = try await server.addClinic("Sunrise", number: Self.clinicNumber)[0]
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SM1", from: "+15557654321", to: Self.clinicNumber,
                                                              body: String(repeating: "long words wrap here ", count: 20), name: "Noor"))
        let terminal = try Self.client(server, token: agent.token, width: 80, height: 24)
        _ = try await terminal.waitFor { $0.contains("Noor") }
        try terminal.send("Enter")
        let screen = try await terminal.waitFor { $0.contains("long words") }
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.allSatisfy { $0.count <= 80 })
        #expect(!screen.contains("Language") && !screen.contains("Replies"), "the sidebar is folded at 80 columns:\n\(screen)")
        let borderColumns = Set(lines.dropFirst(2).prefix(18).map { line in line.enumerated().filter { "│├┤".contains($0.element) }.map(\.offset) })
        #expect(borderColumns.count == 1, "\(screen)")
    }
}
