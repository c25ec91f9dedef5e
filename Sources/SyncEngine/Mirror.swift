import Foundation
import GRDB
import InboxModel
import InboxRecords

/// The client's local SQLite mirror of its clinic: synced rows, the sync cursor, the outbox and drafts.
///
/// The terminal paints from here before any network call; the sync loop writes each batch together with its
/// cursor in one transaction, so a crash at any point resumes from a cursor that matches the data.
public final class Mirror: Sendable {
    public let path: String
    let pool: DatabasePool

    public init(path: String) throws {
        self.path = path
        try DatabaseFiles.prepare(path: path)
        pool = try DatabaseFiles.pool(at: path)
        try MirrorSchema.migrator.migrate(pool)
    }

    /// The default location: `$XDG_DATA_HOME/inbox/mirror.sqlite` (or `~/.local/share/inbox/…`).
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share"
        return base + "/inbox/mirror.sqlite"
    }

    // MARK: Sync state

    public struct SyncState: Sendable, Equatable {
        public var server: String
        public var agentId: Int64?
        public var clinic: String?
        public var cursor: String?
    }

    public func syncState() throws -> SyncState? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT server, agent_id, clinic, cursor FROM sync_state WHERE id = 1").map {
                SyncState(server: $0[0], agentId: $0[1], clinic: $0[2], cursor: $0[3])
            }
        }
    }

    /// Binds the mirror to a server and agent; returns true when that changed the binding. A different server or
    /// agent means the synced rows are not ours: they are dropped and the cursor starts over. The outbox and the
    /// drafts are kept: each row belongs to the agent and server it was written under, is only ever sent with
    /// that agent's credentials, and waits (held) until that agent signs in here again.
    @discardableResult
    public func bind(server: String, agentId: Int64, clinic: String? = nil) throws -> Bool {
        try pool.write { db in
            let current = try Row.fetchOne(db, sql: "SELECT server, agent_id FROM sync_state WHERE id = 1")
            if let current, current[0] as String == server, current[1] as Int64? == agentId {
                if let clinic { try db.execute(sql: "UPDATE sync_state SET clinic = ? WHERE id = 1", arguments: [clinic]) }
                return false
            }
            if current != nil { try Self.clearSyncedRows(db) }
            try db.execute(sql: """
                INSERT INTO sync_state (id, server, agent_id, clinic, cursor) VALUES (1, ?, ?, ?, NULL)
                ON CONFLICT(id) DO UPDATE SET server = excluded.server, agent_id = excluded.agent_id,
                    clinic = excluded.clinic, cursor = NULL
                """, arguments: [server, agentId, clinic])
            return true
        }
    }

    /// Stores a batch and its cursor atomically. Rows are upserts, so a replayed batch changes nothing.
    public func apply(_ batch: SyncBatch, now: Millis = Mirror.now()) throws {
        try pool.write { db in try Self.store(db, batch, now: now) }
    }

    /// Stores a batch fetched from cursor `since`, unless the mirror's cursor has moved meanwhile (another process
    /// syncing the same mirror stored it, or newer rows, first). Returns false when the batch was dropped.
    @discardableResult
    public func apply(_ batch: SyncBatch, since: String?, now: Millis = Mirror.now()) throws -> Bool {
        try apply([batch], since: since, now: now)
    }

    /// Batches fetched one after another from cursor `since`, stored in order in one transaction with the last
    /// one's cursor (a catch-up: every commit writes again each index page it touched, so fewer commits are
    /// faster). Returns false, storing none, when the mirror's cursor has moved from `since`.
    @discardableResult
    public func apply(_ batches: [SyncBatch], since: String?, now: Millis = Mirror.now()) throws -> Bool {
        try pool.write { db in
            let current = try String.fetchOne(db, sql: "SELECT cursor FROM sync_state WHERE id = 1")
            guard current == since else { return false }
            for batch in batches { try Self.store(db, batch, now: now) }
            return true
        }
    }

    private static func store(_ db: Database, _ batch: SyncBatch, now: Millis) throws {
        try write(db, batch, from: .syncBatch)
        try applyErasures(db, batch.erasures)
        try db.execute(sql: "UPDATE sync_state SET cursor = ?, last_sync_at = ? WHERE id = 1",
                       arguments: [batch.cursor, now])
    }

    /// The server no longer knows our cursor: drop synced rows (not the outbox or drafts) and start over.
    public func resetCursor() throws {
        try pool.write { db in
            try Self.clearSyncedRows(db)
            try db.execute(sql: "UPDATE sync_state SET cursor = NULL WHERE id = 1")
        }
    }

    private static func clearSyncedRows(_ db: Database) throws {
        for table in MirrorSchema.syncedTables { try db.execute(sql: "DELETE FROM \(table)") }
    }

    public static func now() -> Millis { Millis(Date().timeIntervalSince1970 * 1000) }

    /// Read access for queries and tests.
    public func read<T>(_ body: (Database) throws -> T) throws -> T { try pool.read(body) }
}
