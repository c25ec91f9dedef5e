import Foundation
import Logging
import PostgresNIO

/// One write transaction on one pooled connection, with the change log it builds up.
///
/// Changes are collected while the transaction runs and written at its end (`flush`): each clinic's counter row is
/// moved once, by the number of changes, and its lock is then held only until commit. Writers of one clinic
/// serialise on that row lock at the very end of their work, so seqs N and N+1 are always committed in that order
/// (a reader never sees N+1 without N), while everything before the flush runs concurrently. Counter rows are
/// locked in clinic-id order, and nothing else is locked after them, so the flush itself cannot deadlock.
///
/// Used by one task at a time (the transaction's), hence `@unchecked Sendable`.
final class PostgresWrite: @unchecked Sendable {
    let connection: PostgresConnection
    let logger: Logger
    /// Clinics whose data this transaction changed: woken after commit, here and (NOTIFY) on other instances.
    private(set) var touched = Set<Int64>()
    /// Clinics whose agents, templates or erasures changed: token caches are dropped everywhere.
    private(set) var administrative = Set<Int64>()
    private var pending: [Change] = []
    private var pendingIndex: [Change: Int] = [:]

    /// Kinds of change that administration commands make, often from a shell on another machine: they move the
    /// administrative stamp and tell every instance to drop its remembered tokens.
    static let administrativeKinds: Set<ChangeKind> = [.agent, .erasure, .template, .canned]

    struct Change: Hashable {
        var clinicId: Int64
        var kind: ChangeKind
        var entityId: Int64
    }

    init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    // MARK: Statements

    @discardableResult
    func rows(_ query: PostgresQuery) async throws -> [PGRow] {
        try await connection.query(query, logger: logger).collect().map(PGRow.init)
    }

    func row(_ query: PostgresQuery) async throws -> PGRow? {
        try await rows(query).first
    }

    func execute(_ query: PostgresQuery) async throws {
        _ = try await connection.query(query, logger: logger).collect()
    }

    func int(_ query: PostgresQuery) async throws -> Int64? {
        try await row(query).flatMap { try $0.optionalInt(0) }
    }

    func exists(_ query: PostgresQuery) async throws -> Bool {
        try await row(query) != nil
    }

    // MARK: The change log

    /// Moves the entity to the head of its clinic's change log when the transaction ends (one row per entity).
    func recordChange(clinicId: Int64, kind: ChangeKind, id: Int64) {
        let change = Change(clinicId: clinicId, kind: kind, entityId: id)
        // Recorded twice: it takes the later position, as SQLite's REPLACE would give it.
        if let index = pendingIndex[change] {
            pending.remove(at: index)
            pendingIndex = Dictionary(uniqueKeysWithValues: pending.enumerated().map { ($1, $0) })
        }
        pendingIndex[change] = pending.count
        pending.append(change)
        touch(clinicId)
        if Self.administrativeKinds.contains(kind) { administrative.insert(clinicId) }
    }

    /// What has been collected so far: a savepoint rolled back must take its changes with it.
    struct Mark {
        fileprivate var pending: [Change]
        fileprivate var touched: Set<Int64>
        fileprivate var administrative: Set<Int64>
    }

    func mark() -> Mark { Mark(pending: pending, touched: touched, administrative: administrative) }

    func rollBack(to mark: Mark) {
        pending = mark.pending
        pendingIndex = Dictionary(uniqueKeysWithValues: pending.enumerated().map { ($1, $0) })
        touched = mark.touched
        administrative = mark.administrative
    }

    /// Wakes the clinic after commit even when no row moved in its change log.
    func touch(_ clinicId: Int64) { touched.insert(clinicId) }

    /// Writes the collected changes with fresh seqs, moves the administrative stamp, and queues the NOTIFY that
    /// PostgreSQL delivers to every listening instance when (and only if) the transaction commits.
    func flush() async throws {
        let changes = pending
        pending = []
        pendingIndex = [:]
        let byClinic = Dictionary(grouping: changes, by: \.clinicId)
        for clinicId in byClinic.keys.sorted() {
            let clinicChanges = byClinic[clinicId]!
            let count = Int64(clinicChanges.count)
            let kinds = clinicChanges.map(\.kind.rawValue)
            let ids = clinicChanges.map(\.entityId)
            // One statement: the counter moves by the count (taking its row lock) and the changes get the seqs
            // it makes room for, in the order they were recorded.
            try await execute("""
                WITH counter AS (
                    INSERT INTO clinic_counters (clinic_id, seq) VALUES (\(clinicId), \(count))
                    ON CONFLICT (clinic_id) DO UPDATE SET seq = clinic_counters.seq + EXCLUDED.seq
                    RETURNING seq)
                INSERT INTO changes (clinic_id, seq, kind, entity_id)
                SELECT \(clinicId), counter.seq - \(count) + t.o, t.k, t.e
                FROM counter, unnest(\(kinds)::text[], \(ids)::int8[]) WITH ORDINALITY AS t(k, e, o)
                ON CONFLICT (clinic_id, kind, entity_id) DO UPDATE SET seq = EXCLUDED.seq
                """)
        }
        if !administrative.isEmpty {
            let clinics = administrative.sorted()
            try await execute("""
                WITH stamp AS (UPDATE admin_counter SET stamp = stamp + 1 WHERE id = 1 RETURNING stamp)
                UPDATE clinics SET admin_stamp = (SELECT stamp FROM stamp) WHERE id = ANY(\(clinics)::int8[])
                """)
        }
        guard !touched.isEmpty else { return }
        let payloads = touched.sorted().map { administrative.contains($0) ? "a\($0)" : "\($0)" }
        try await execute("""
            SELECT pg_notify(\(PostgresChangeNotifier.channel), p) FROM unnest(\(payloads)::text[]) AS t(p)
            """)
    }

    /// Removes change-log rows (an erasure), including any still collected for them, so nothing comes back.
    func deleteChanges(kind: ChangeKind, ids: [Int64]) async throws {
        guard !ids.isEmpty else { return }
        let drop = Set(ids)
        pending.removeAll { $0.kind == kind && drop.contains($0.entityId) }
        pendingIndex = Dictionary(uniqueKeysWithValues: pending.enumerated().map { ($1, $0) })
        try await execute("DELETE FROM changes WHERE kind = \(kind.rawValue) AND entity_id = ANY(\(ids)::int8[])")
    }
}
