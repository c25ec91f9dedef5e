import Foundation

/// Hands the terminal to `$VISUAL` / `$EDITOR` (fallback `vi`) to write a reply, then takes it back.
enum ExternalEditor {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // The editor setting may carry arguments ("code -w"); the file name is passed separately, never spliced.
        process.arguments = ["-c", "\(editor) \"$1\"", "inbox-editor", file.path]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "the editor exited with status \(process.terminationStatus); the draft is unchanged")
        }
        var edited = try String(contentsOf: file, encoding: .utf8)
        while edited.hasSuffix("\n") { edited.removeLast() }
        return edited
    }
}
