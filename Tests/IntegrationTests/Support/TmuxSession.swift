import Foundation

/// A real terminal: the program runs inside tmux (its own server socket), keys go in with `send-keys` and the
/// screen comes back with `capture-pane`.
final class TmuxSession {
    let socket = "inbox-test-\(UUID().uuidString.prefix(8))"
    let name = "t"

    init(command: [String], width: Int = 120, height: Int = 40, environment: [String: String] = [:]) throws {
        let exports = environment.map { "\($0.key)=\(Self.quote($0.value))" }.joined(separator: " ")
        let line = (exports.isEmpty ? "" : "env \(exports) ") + command.map(Self.quote).joined(separator: " ")
        // No output pipe here: the tmux server it starts would inherit it and keep it open forever.
        try tmux(["new-session", "-d", "-s", name, "-x", String(width), "-y", String(height), line + "; sleep 60"],
                 capture: false)
    }

    deinit {
        // tmux 3.3a's kill-server can leave the server running while a pane's program lives on; ending the
        // session first closes the pane's terminal, and the client quits on the hang-up.
        _ = try? tmux(["kill-session", "-t", name])
        _ = try? tmux(["kill-server"])
    }

    /// Ends the session as a dropped SSH connection would: the pane's terminal goes away under the program.
    func end() throws { try tmux(["kill-session", "-t", name]) }
    func send(_ keys: String...) throws { try tmux(["send-keys", "-t", name] + keys) }
    func type(_ text: String) throws { try tmux(["send-keys", "-t", name, "-l", text]) }
    func screen() throws -> String { try tmux(["capture-pane", "-p", "-t", name]) }
    /// Pastes `text` the way a terminal does: in one write, line breaks as CR, and wrapped in ESC[200~ … ESC[201~
    /// when `bracketed` and the program asked for bracketed paste (tmux `paste-buffer -p`).
    func paste(_ text: String, bracketed: Bool) throws {
        try tmux(["set-buffer", "-b", "test-paste", "--", text])
        try tmux(["paste-buffer", "-d", "-b", "test-paste", "-t", name] + (bracketed ? ["-p"] : []))
    }
    /// The pid of the pane's shell (the program under test is its child).
    func shellPID() throws -> pid_t? {
        pid_t(try tmux(["display-message", "-p", "-t", name, "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines))
    }
    /// The program in the pane's foreground ("sleep" once the client has exited).
    func foregroundCommand() throws -> String {
        try tmux(["display-message", "-p", "-t", name, "#{pane_current_command}"]).trimmingCharacters(in: .newlines)
    }
    /// Appends everything the program writes to the terminal to `path` (to count bells, which no screen shows).
    func recordOutput(to path: String) throws { try tmux(["pipe-pane", "-o", "-t", name, "cat >> " + Self.quote(path)]) }
    func title() throws -> String { try tmux(["display-message", "-p", "-t", name, "#{pane_title}"]).trimmingCharacters(in: .newlines) }

    /// Polls the screen until `condition` holds; returns the last screen either way.
    func waitFor(timeout: Duration = .seconds(15), _ condition: (String) -> Bool) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        var last = ""
        while ContinuousClock.now < deadline {
            last = try screen()
            if condition(last) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        return last
    }

    /// Runs one tmux command with posix_spawn and waitpid. Not Foundation's Process: tmux's daemonized server
    /// inherits descriptors Process uses to watch its child, and Process then never sees the client exit.
    @discardableResult
    private func tmux(_ arguments: [String], capture: Bool = true) throws -> String {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("tmux-\(UUID().uuidString)").path
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, capture ? outputPath : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        // Nothing else crosses over: a tmux server outlives this call, and an inherited descriptor (another test's
        // output pipe, a build lock) would stay open as long as it lives, so a reader waiting for EOF never gets it.
        _ = Self.addCloseFrom(&actions, 3)
        let argv = (["tmux", "-L", socket] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawnp(&pid, "tmux", &actions, nil, argv, environ) == 0 else {
            throw InboxProcess.Failure(message: "could not start tmux")
        }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return capture ? ((try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "") : ""
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which Swift's Glibc module does not export.
    private static let addCloseFrom: @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32 = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else {
            fatalError("glibc 2.34 or later is needed: posix_spawn_file_actions_addclosefrom_np is missing")
        }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    static func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
