import Foundation
import Logging

/// The terminal client's log: `$XDG_STATE_HOME/inbox/inbox.log` (default `~/.local/state/inbox/inbox.log`),
/// 0600 in a 0700 folder. While the full-screen client runs, stderr belongs to the screen, so sync and outbox
/// failures are written here (and the ones the agent must act on also reach the status line). Lines carry ids,
/// counts and reasons, never message text.
public struct ClientLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let file: ClientLogFile

    public init(label: String, file: ClientLogFile, level: Logger.Level = .info) {
        self.label = label
        self.file = file
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = metadata
        if let extra = event.metadata { fields.merge(extra) { _, new in new } }
        let suffix = fields.isEmpty ? "" : " " + fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let stamp = ISO8601DateFormatter.string(from: Date(), timeZone: .gmt, formatOptions: [.withInternetDateTime])
        file.append("\(stamp) \(event.level) \(label): \(event.message)\(suffix)\n")
    }
}

/// An append-only log file, opened once and shared by every logger. A file over `maxBytes` at open is kept as
/// `<path>.1`, so the log stays bounded across runs.
public final class ClientLogFile: Sendable {
    public let path: String
    private let descriptor: Int32

    public init(path: String, maxBytes: Int = 5 << 20) throws {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        if let size = try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int, size > maxBytes {
            _ = rename(path, path + ".1")
        }
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        fchmod(descriptor, 0o600)  // an older file keeps its mode otherwise
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// One `write` per line: with O_APPEND, lines from several threads never interleave mid-line.
    func append(_ line: String) {
        var bytes = Array(line.utf8)
        _ = bytes.withUnsafeMutableBytes { write(descriptor, $0.baseAddress, $0.count) }
    }

    /// `$XDG_STATE_HOME/inbox/inbox.log`, else `~/.local/state/inbox/inbox.log`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.local/state"
        return base + "/inbox/inbox.log"
    }
}
