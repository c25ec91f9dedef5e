import CNcursesw
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Hands the terminal to `$VISUAL` / `$EDITOR` (fallback `vi`) to write a reply, then takes it back.
///
/// The editor runs in the client's own process group, as `system(3)` and git run editors, not in a group of its
/// own. The client is in the terminal's foreground group whenever it draws, so the editor is too, and may read
/// and write the terminal without being stopped (SIGTTIN/SIGTTOU) — the bug of Foundation's `Process`, which puts
/// the child in a new background group. A separate group would need the terminal handed over with `tcsetpgrp`
/// and back, with SIGTTOU ignored around both, and it would break job control: Ctrl-Z would stop the editor while
/// the shell still waited on the client. In one group, Ctrl-Z stops editor and client as one job and `fg` resumes
/// both; while the editor runs the client ignores Ctrl-C and Ctrl-\ (they are for the editor) and lets Ctrl-Z stop
/// it (see `cnc_child_signals_begin`). Input typed meanwhile is discarded when the terminal comes back.
enum ExternalEditor {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Returns the file's text after the editor exits successfully. A non-zero exit (or a signal) throws, and the
    /// caller leaves the draft alone; an emptied file is returned as such and the reducer keeps the draft.
    static func edit(_ text: String, terminal: any Terminal,
                     environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("inbox-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("reply.txt")
        // The draft may hold patient details: readable by the agent only.
        guard FileManager.default.createFile(atPath: file.path, contents: Data(text.utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw Failure(description: "could not create a file for the editor")
        }
        let editor = [environment["VISUAL"], environment["EDITOR"]].compactMap { $0 }.first { !$0.isEmpty } ?? "vi"
        terminal.suspend()
        defer { terminal.resume() }
        // The editor setting may carry arguments ("code -w"); the file name is passed separately, never spliced.
        let status = try runInForeground(["/bin/sh", "-c", "\(editor) \"$1\"", "inbox-editor", file.path])
        guard status == 0 else {
            throw Failure(description: "the editor \(status > 0 ? "exited with status \(status)" : "was killed by signal \(-status)"); the draft is unchanged")
        }
        var edited = try String(contentsOf: file, encoding: .utf8)
        while edited.hasSuffix("\n") { edited.removeLast() }
        return edited
    }

    /// Runs `arguments` in the client's process group and waits for it. Returns its exit status, or minus the
    /// signal that killed it.
    static func runInForeground(_ arguments: [String]) throws -> Int32 {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child starts with default signal handling and nothing blocked, whatever the client changed.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGPIPE, SIGCHLD, SIGWINCH] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        cnc_child_signals_begin()
        defer { cnc_child_signals_end() }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, arguments[0], nil, &attributes, argv, environ)
        guard spawned == 0 else {
            throw Failure(description: "could not start the editor: \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { throw Failure(description: "lost the editor: \(String(cString: strerror(errno)))") }
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift cannot see.
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : -signal
    }
}
