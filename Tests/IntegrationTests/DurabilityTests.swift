import Foundation
import GRDB
import InboxRecords
@testable import InboxServer
import SyncEngine
import Testing

/// What a commit promises. The server answers a webhook 200 or an agent's command only after its commit, and nobody
/// sends those again, so its commits must be on disk (the WAL synced). A mirror's commits may be lost to a power cut:
/// the server sends every row again, since the mirror's cursor never runs ahead of its rows.
@Suite("Durability")
struct DurabilityTests {
    static func scratch() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("inbox-durability-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.path
    }

    static func synchronous(_ pool: DatabasePool) throws -> Int? {
        try pool.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
    }

    @Test("the server's SQLite writer syncs every commit (synchronous = FULL); a mirror's appends (NORMAL); both in WAL")
    func commitLevels() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteInboxStore(path: directory + "/server.sqlite", notifier: LocalChangeNotifier())
        #expect(try Self.synchronous(store.pool) == 2)
        let journal = try await store.pool.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(journal == "wal")
        // GRDB turns WAL on after `prepareDatabase` and sets NORMAL as it does: the level must survive that.
        let mirror = try DatabaseFiles.pool(at: directory + "/mirror.sqlite")
        #expect(try Self.synchronous(mirror) == 1)
        let onDisk = try DatabaseFiles.pool(at: directory + "/copy.sqlite", .onDisk)
        #expect(try Self.synchronous(onDisk) == 2)
    }
}
