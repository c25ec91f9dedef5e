import ArgumentParser
import Foundation
import GRDB
import InboxRecords
import InboxServer
#if canImport(Glibc)
import Glibc
#endif

/// `inbox backup`: a consistent copy of the server's database while it runs, plus its media files.
struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the server's database (consistent, while it runs) and its media files.",
        discussion: """
            The database is copied with SQLite's online backup, so writes may go on meanwhile; the copy is the
            database as of one moment. The media folder (<db>.media/, or --media-dir / INBOX_MEDIA_DIR) is copied
            to FILE.media/. Every file is created 0600 (folders 0700). Restore with `inbox restore`.
            """)

    @Option(help: "The server's SQLite database.") var db: String
    @Option(help: "The backup file to create (refused if it exists).") var to: String
    @Option(help: "The server's media folder (default: <db>.media, or INBOX_MEDIA_DIR).") var mediaDir: String?

    func run() async throws {
        guard FileManager.default.fileExists(atPath: db) else { throw ValidationError("no database at \(db)") }
        guard !FileManager.default.fileExists(atPath: to) else {
            throw ValidationError("\(to) exists: choose a new file name (a backup never overwrites)")
        }
        // Not `SQLiteInboxStore`: a backup must not migrate the database it copies.
        let source = try DatabaseFiles.pool(at: db, .onDisk)
        try DatabaseFiles.prepare(path: to)
        let target = try DatabaseQueue(path: to)
        // One step (all pages at once) holds one read transaction: the copy is a single consistent moment.
        try source.backup(to: target)
        let check = try await target.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") }
        try target.close()
        guard check == "ok" else { throw ValidationError("the copy failed its integrity check: \(check ?? "?")") }
        let copied = try MediaCopy.copy(from: BackupPaths.mediaDirectory(database: db, explicit: mediaDir),
                                        to: BackupPaths.mediaDirectory(backup: to))
        print("backed up \(db) to \(to) (\(copied) media files to \(BackupPaths.mediaDirectory(backup: to)))")
    }
}

/// `inbox restore`: puts a backup in place of a server's database (the server must be stopped).
struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore a backup made by `inbox backup` as the server's database (the server must be stopped).",
        discussion: """
            Refuses while an `inbox serve` uses the database, and refuses to replace an existing database without
            --force. The backup is checked (PRAGMA integrity_check) before anything is replaced. The restored
            database gets a new cursor epoch: every client's next sync is answered with a cursor reset and pulls
            its mirror afresh, so no client keeps rows from after the backup. Media files are copied back into the
            media folder. Replies that were waiting for delivery at backup time are delivered again when the
            server starts.
            """)

    @Option(help: "The backup file made by `inbox backup`.") var from: String
    @Option(help: "The server's SQLite database to create or replace.") var db: String
    @Option(help: "The server's media folder (default: <db>.media, or INBOX_MEDIA_DIR).") var mediaDir: String?
    @Flag(help: "Replace an existing database.") var force = false

    func run() async throws {
        guard FileManager.default.fileExists(atPath: from) else { throw ValidationError("no backup at \(from)") }
        // Held until the restore is done, so a server cannot start on a half-restored database either.
        let lock = try ServerDatabaseLock(database: db)
        guard lock.acquire() else {
            throw ValidationError("an inbox server is using \(db): stop it first")
        }
        if FileManager.default.fileExists(atPath: db) && !force {
            throw ValidationError("\(db) exists: add --force to replace it with the backup")
        }
        let backup = try DatabaseQueue(path: from)
        let check = try await backup.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") }
        guard check == "ok" else { throw ValidationError("the backup failed its integrity check: \(check ?? "?")") }
        try DatabaseFiles.prepare(path: db)
        let target = try DatabaseFiles.pool(at: db, .onDisk)
        try backup.backup(to: target)
        try await target.write { db in
            try db.execute(sql: "UPDATE server_meta SET value = ? WHERE key = 'epoch'",
                           arguments: [String(UInt64.random(in: 1...UInt64(1) << 53), radix: 36)])
        }
        try target.close()
        try backup.close()
        let copied = try MediaCopy.copy(from: BackupPaths.mediaDirectory(backup: from),
                                        to: BackupPaths.mediaDirectory(database: db, explicit: mediaDir))
        print("restored \(from) to \(db) (\(copied) media files); clients will resync from scratch")
    }
}

enum BackupPaths {
    static func mediaDirectory(database: String, explicit: String?) -> String {
        explicit ?? ProcessInfo.processInfo.environment["INBOX_MEDIA_DIR"].flatMap { $0.isEmpty ? nil : $0 }
            ?? MediaFiles.defaultDirectory(forDatabase: database)
    }

    static func mediaDirectory(backup: String) -> String { backup + ".media" }
}

/// Copies the media tree (`xx/<sha256>` files), skipping files already there: content-addressed, so a file of
/// the same name has the same bytes. Folders 0700, files 0600.
enum MediaCopy {
    static func copy(from source: String, to target: String) throws -> Int {
        let files = FileManager.default
        guard files.fileExists(atPath: source) else { return 0 }
        try files.createDirectory(atPath: target, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var copied = 0
        for case let relative as String in files.enumerator(atPath: source)?.allObjects ?? [] {
            let from = source + "/" + relative, to = target + "/" + relative
            var isDirectory: ObjCBool = false
            guard files.fileExists(atPath: from, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                try files.createDirectory(atPath: to, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } else if !files.fileExists(atPath: to), !relative.hasSuffix(".tmp") {
                try files.copyItem(atPath: from, toPath: to)
                try files.setAttributes([.posixPermissions: 0o600], ofItemAtPath: to)
                copied += 1
            }
        }
        return copied
    }
}

/// An advisory lock beside the database (`<db>.lock`) that `inbox serve` holds while it runs: a second server on
/// the same database (double deliveries) and a restore under a running server are refused. The kernel releases
/// it when the process ends, however it ends.
final class ServerDatabaseLock {
    private let descriptor: Int32

    init(database: String) throws {
        try DatabaseFiles.prepare(path: database + ".lock")
        descriptor = open(database + ".lock", O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else { throw ValidationError("cannot open \(database).lock") }
    }

    /// False when another process holds it.
    func acquire() -> Bool { flock(descriptor, LOCK_EX | LOCK_NB) == 0 }

    deinit { close(descriptor) }
}
