import Foundation
import Testing

/// `inbox demo` as a newcomer first meets it.
@Suite("Demo")
struct DemoTests {
    @Test("the demo's first screen already shows a clinic mid-morning: at least five patients waiting, a colleague's conversation and a closed one")
    func demoOpensAlive() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("inbox-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let started = ContinuousClock.now
        let terminal = try TmuxSession(command: [InboxProcess.binary, "demo"],
                                       environment: ["HOME": home.path, "XDG_CONFIG_HOME": home.path + "/config",
                                                     "XDG_DATA_HOME": home.path + "/data", "XDG_STATE_HOME": home.path + "/state",
                                                     "TERM": "xterm-256color", "LANG": "C.UTF-8"])
        defer { try? terminal.end() }
        let screen = try await terminal.waitFor(timeout: .seconds(2)) { Self.count("Waiting", in: $0) ?? 0 >= 5 }
        #expect(ContinuousClock.now - started < .seconds(2.5))
        #expect(Self.count("Waiting", in: screen) ?? 0 >= 5, "the first screen:\n\(screen)")
        #expect(Self.count("Team", in: screen) ?? 0 >= 1, "a colleague holds one:\n\(screen)")
        #expect(Self.count("Closed", in: screen) ?? 0 >= 1, "one was closed this morning:\n\(screen)")
        #expect(screen.contains("Layla Haddad") || screen.contains("Anjali Rao") || screen.contains("Tom Becker"))
    }

    /// The number in a tab label such as "1 Waiting (6)".
    static func count(_ tab: String, in screen: String) -> Int? {
        guard let label = screen.range(of: tab + " (") else { return nil }
        return Int(screen[label.upperBound...].prefix { $0.isNumber })
    }
}
