import CurlHTTP
import Foundation
import GRDB
import InboxModel
import InboxServer
import Testing

@Suite("Backup and restore")
struct BackupTests {
    @Test("a backup taken while webhooks flow restores to a sound database that serves sync; old cursors get a cursor reset")
    func backupUnderWriteLoad() async throws {
        var server = try ServerProcess.prepare()
        defer { server.remove() }
        try server.start()
        // A media file as the fetcher leaves them: <db>.media/<2 hex>/<sha256>.
        let media = server.db + ".media/ab"
        try FileManager.default.createDirectory(atPath: media, withIntermediateDirectories: true)
        let mediaName = "ab" + String(repeating: "0", count: 62)
        FileManager.default.createFile(atPath: media + "/" + mediaName, contents: Data("file".utf8),
                                       attributes: [.posixPermissions: 0o600])

        for index in 0..<20 { #expect(try await server.twilioWebhook(sid: "SMbefore\(index)").status == 200) }
        let oldCursor = try JSONDecoder().decode(SyncBatch.self, from: Data(try await server.sync().body)).cursor

        // Writers keep going while the backup runs.
        let writer = server
        let writing = Task {
            var sent = 0
            while !Task.isCancelled && sent < 2_000 {
                _ = try await writer.twilioWebhook(sid: "SMduring\(sent)", from: "+1555888\(String(format: "%04d", sent % 50))")
                sent += 1
            }
            return sent
        }
        #expect(try await eventually { try await Self.messageCount(writer) >= 40 }, "writes are flowing")
        let backup = server.directory.appendingPathComponent("backup.sqlite").path
        let output = try InboxProcess.run(["backup", "--db", server.db, "--to", backup])
        #expect(output.contains("backed up"))
        let duringBackup = try await writing.value
        writing.cancel()
        #expect(duringBackup > 20)
        #expect(try Self.mode(backup) == 0o600)
        #expect(try Self.mode(backup + ".media/ab/" + mediaName) == 0o600)
        #expect(throws: InboxProcess.Failure.self, "a backup never overwrites") {
            try InboxProcess.run(["backup", "--db", server.db, "--to", backup])
        }
        #expect(throws: InboxProcess.Failure.self, "no restore over a database a server is using") {
            try InboxProcess.run(["restore", "--from", backup, "--db", server.db, "--force"])
        }
        _ = try await server.terminate()

        let copy = try DatabaseQueue(path: backup)
        #expect(try await copy.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") } == "ok")
        let backedUp = try await copy.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM messages") } ?? 0
        try copy.close()
        #expect(backedUp >= 20)

        // Restore beside the original and serve from it.
        let restoredPath = server.directory.appendingPathComponent("restored.sqlite").path
        var restored = ServerProcess(directory: server.directory, db: restoredPath, databaseArguments: ["--db", restoredPath],
                                     token: server.token)
        try InboxProcess.run(["restore", "--from", backup, "--db", restored.db])
        #expect(throws: InboxProcess.Failure.self, "an existing database is replaced only with --force") {
            try InboxProcess.run(["restore", "--from", backup, "--db", restored.db])
        }
        try InboxProcess.run(["restore", "--from", backup, "--db", restored.db, "--force"])
        #expect(FileManager.default.fileExists(atPath: restored.db + ".media/ab/" + mediaName))
        try restored.start()
        defer { restored.running?.kill() }

        let reset = try await restored.sync(since: oldCursor)
        #expect(reset.status == 410)
        #expect(String(decoding: reset.body, as: UTF8.self).contains("cursor_reset"))
        var synced = 0
        var cursor: String?
        while true {
            let batch = try JSONDecoder().decode(SyncBatch.self, from: Data(try await restored.sync(since: cursor).body))
            synced += batch.messages.count
            cursor = batch.cursor
            if !batch.more { break }
        }
        #expect(synced == backedUp, "the restored server serves every message of the backup")
        #expect(try await restored.twilioWebhook(sid: "SMafter").status == 200, "and takes new ones")
        _ = try await restored.terminate()
    }

    static func messageCount(_ server: ServerProcess) async throws -> Int {
        let queue = try sharedDatabase(server.db)
        defer { try? queue.close() }
        return try await queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM messages") } ?? 0
    }

    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int ?? 0) & 0o777
    }
}
