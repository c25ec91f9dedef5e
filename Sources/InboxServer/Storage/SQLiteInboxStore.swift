import Foundation
import GRDB
import Synchronization
import InboxModel
import InboxRecords

/// `InboxStore` on one SQLite file: the single-clinic (or small group) deployment.
///
/// SQLite serialises writers, so the change log's `seq` is assigned and committed in order: a reader never sees
/// seq N+1 before seq N. (`PostgresInboxStore` gives the same guarantee per clinic, with a counter row locked by
/// each writing transaction.)
public final class SQLiteInboxStore: InboxStore {
    let pool: DatabasePool
    let notifier: any ChangeNotifier
    let clock: @Sendable () -> Millis
    /// Whether a bot answers new conversations first; without one they start in the queue.
    let botAnswers: Bool
    /// A message that is exactly one of these (any case) opts the patient out of marketing messages.
    let optOutWords: Set<String>
    /// How long, and how many, statuses for unknown provider ids are parked (`applyStatuses`).
    let earlyStatusBounds: EarlyStatusBounds
    let pageCache = ClinicPageCache()
    let agentCache = Mutex(AgentTokenCache())
    /// Presence lives in memory beside one SQLite file: one process serves it, and a restart forgets it (clients
    /// report again within a heartbeat).
    let presence = PresenceBoard()

    public init(path: String, notifier: any ChangeNotifier, botAnswers: Bool = true,
                optOutWords: Set<String> = IngestRules.defaultOptOutWords,
                earlyStatusBounds: EarlyStatusBounds = EarlyStatusBounds(),
                clock: @escaping @Sendable () -> Millis = { Millis(Date().timeIntervalSince1970 * 1000) }) throws {
        try DatabaseFiles.prepare(path: path)
        pool = try DatabaseFiles.pool(at: path, .onDisk)
        try ServerSchema.migrator.migrate(pool)
        self.notifier = notifier
        self.clock = clock
        self.botAnswers = botAnswers
        self.optOutWords = Set(optOutWords.map { $0.uppercased() })
        self.earlyStatusBounds = earlyStatusBounds
    }

    /// Runs a write transaction and, once it has committed, wakes the long-polls of the clinics it touched.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database, inout Set<Int64>) throws -> T) async throws -> T {
        let (result, touched) = try await pool.write { db in
            var touched = Set<Int64>()
            let result = try body(db, &touched)
            return (result, touched)
        }
        for clinic in touched { notifier.publish(clinicId: clinic) }
        return result
    }

    /// Moves the entity to the head of the change log (one row per entity; REPLACE assigns a new seq).
    static func recordChange(_ db: Database, clinicId: Int64, kind: ChangeKind, id: Int64) throws {
        try db.executeCached("REPLACE INTO changes (clinic_id, kind, entity_id) VALUES (?, ?, ?)", [clinicId, kind.rawValue, id])
    }

    public func epoch() async throws -> String {
        try await pool.read { db in try String.fetchOne(db, sql: "SELECT value FROM server_meta WHERE key = 'epoch'") ?? "" }
    }

    // MARK: Administration

    public func addNumber(_ number: String, clinic: String, provider: ProviderKind, providerRef: String?) async throws {
        let now = clock()
        try await write { db, _ in
            let clinicId = try Self.clinicId(db, name: clinic, createAt: now)
            if let owner = try Int64.fetchOne(db, sql: "SELECT clinic_id FROM numbers WHERE number = ?", arguments: [number]),
               owner != clinicId {
                throw StoreError.invalid("\(number) already belongs to another clinic")
            }
            try db.execute(sql: """
                INSERT INTO numbers (number, clinic_id, provider, provider_ref, created_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(number) DO UPDATE SET provider = excluded.provider, provider_ref = excluded.provider_ref
                """, arguments: [number, clinicId, provider.rawValue, providerRef, now])
        }
    }

    static func clinicId(_ db: Database, name: String, createAt now: Millis) throws -> Int64 {
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM clinics WHERE name = ?", arguments: [name]) { return id }
        try db.execute(sql: "INSERT INTO clinics (name, created_at) VALUES (?, ?)", arguments: [name, now])
        return db.lastInsertedRowID
    }
}
