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

    /// WAL with `synchronous = NORMAL`: a commit is an append, and what a power cut loses is replayed by the
    /// other side (the server redelivers changes; providers redeliver webhooks).
    public static func configuration() -> Configuration {
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        return config
    }
}
