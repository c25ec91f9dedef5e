import Foundation

/// Runs the real `inbox` executable built beside the tests.
struct InboxProcess {
    static var binary: String {
        if let explicit = ProcessInfo.processInfo.environment["INBOX_BIN"] { return explicit }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/inbox").path
    }

    /// Runs to completion; returns stdout. Throws on a non-zero exit.
    @discardableResult
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let process = try launch(arguments, environment: environment)
        let output = process.stdout.fileHandleForReading.readDataToEndOfFile()
        process.process.waitUntilExit()
        guard process.process.terminationStatus == 0 else {
            throw Failure(message: "inbox \(arguments.joined(separator: " ")) exited \(process.process.terminationStatus)")
        }
        return String(decoding: output, as: UTF8.self)
    }

    struct Failure: Error, CustomStringConvertible { var message: String; var description: String { message } }

    struct Running {
        let process: Process
        let stdout: Pipe

        func kill() {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }

        /// Reads stdout lines until one matches, e.g. the server's "listening on" line.
        func waitForLine(containing needle: String) throws -> String {
            var buffer = ""
            let handle = stdout.fileHandleForReading
            while true {
                let chunk = handle.availableData
                guard !chunk.isEmpty else { throw Failure(message: "process ended before printing \(needle)") }
                buffer += String(decoding: chunk, as: UTF8.self)
                if let line = buffer.split(separator: "\n").first(where: { $0.contains(needle) }) { return String(line) }
            }
        }
    }

    static func launch(_ arguments: [String], environment: [String: String] = [:]) throws -> Running {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["INBOX_LOG_LEVEL": "error"].merging(environment) { $1 }) { $1 }
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        return Running(process: process, stdout: stdout)
    }
}
