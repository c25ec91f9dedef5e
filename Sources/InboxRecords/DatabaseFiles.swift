import Foundation
import GRDB

/// Patient data is medical: database files are created owner-only before SQLite opens them.
/// SQLite gives the `-wal` and `-shm` files the mode of the database file, so they inherit 0600.
public enum DatabaseFiles {
    public static func prepare(path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let files = FileManager.default
        if !files.fileExists(atPath: directory) {
            try files.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                      attributes: [.posixPermissions: 0o700])
        }
        if !files.fileExists(atPath: path) {
            guard files.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
            }
        }
        try files.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
    }

    /// How far a commit must reach before it returns.
    public enum Durability: String, Sendable {
        /// A commit is an append to the WAL; a power cut may lose the last ones. For a client's mirror, whose
        /// every row the server sends again.
        case replayable = "NORMAL"
        /// A commit is on disk before it returns (the WAL is synced): for the server, whose 200 to a webhook or an
        /// agent's command is a promise nobody will send the data again. About 0.25 ms more per commit here.
        case onDisk = "FULL"
    }

    /// A WAL pool on `path`, its writer at the synchronous level `durability` asks for.
    public static func pool(at path: String, _ durability: Durability = .replayable) throws -> DatabasePool {
        var config = Configuration()
        config.busyMode = .timeout(10)
        let pool = try DatabasePool(path: path, configuration: config)
        // Set here, not in `prepareDatabase`: turning WAL on, the pool sets its writer to NORMAL after that runs.
        try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = \(durability.rawValue)") }
        return pool
    }
}
