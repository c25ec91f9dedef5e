import Foundation
import GRDB
import InboxModel
import InboxRecords

/// Agents and their tokens: created, listed, renamed, re-roled, given a new token or revoked — by `inbox agent …`
/// from another process while the server runs. Every change moves the agent's row in the change log, which is both
/// how colleagues' clients learn of it and how the server notices it (`administrativeChanges`).
extension SQLiteInboxStore {
    public func addAgent(name: String, clinic: String, role: AgentRole) async throws -> NewAgent {
        let name = try AgentNames.valid(name)
        let token = Hashing.newToken()
        let hash = Hashing.sha256Hex(Data(token.utf8))
        let now = clock()
        return try await agentWrite { db, touched in
            let clinicId = try Self.clinicId(db, name: clinic, createAt: now)
            guard try Int64.fetchOne(db, sql: "SELECT id FROM agents WHERE clinic_id = ? AND name = ?",
                                     arguments: [clinicId, name]) == nil else {
                throw StoreError.invalid("clinic \(clinic) already has an agent named \(name)")
            }
            try db.execute(sql: "INSERT INTO agents (clinic_id, name, role, token_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [clinicId, name, role.rawValue, hash, now])
            let agent = Agent(id: db.lastInsertedRowID, name: name, role: role)
            try Self.recordChange(db, clinicId: clinicId, kind: .agent, id: agent.id)
            touched.insert(clinicId)
            return NewAgent(agent: agent, clinicId: clinicId, token: token)
        }
    }

    public func authenticate(tokenHash: String) async throws -> AuthenticatedAgent? {
        // Every long-poll authenticates, so hits are remembered; but only for as long as the agents are known not to
        // have changed (checked at most `AgentTokenCache.freshness` ago), so a revocation from another process
        // takes effect within that time even if nothing else notices it.
        let now = ContinuousClock.now
        let (known, clears) = agentCache.withLock { ($0.hit(tokenHash, at: now), $0.clears) }
        if let known { return known }
        let (stamp, found) = try await pool.read { db in
            let found = try db.rowCached("""
                SELECT \(Columns.list(Columns.agent, alias: "a")), a.clinic_id, c.name
                FROM agents a JOIN clinics c ON c.id = a.clinic_id
                WHERE a.token_hash = ? AND a.active = 1
                """, [tokenHash]).map {
                AuthenticatedAgent(agent: Agent(row: $0), clinicId: $0[Columns.agent.count], clinicName: $0[Columns.agent.count + 1])
            }
            return (try Self.agentStamp(db), found)
        }
        agentCache.withLock { $0.record(tokenHash, found, stamp: stamp, at: now, readAfterClear: clears) }
        return found
    }

    public func agentListing(clinic: String?) async throws -> [AgentListing] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(Columns.list(Columns.agent, alias: "a")), c.name, a.created_at, a.revoked_at
                FROM agents a JOIN clinics c ON c.id = a.clinic_id
                WHERE ? IS NULL OR c.name = ? ORDER BY c.name, a.id
                """, arguments: [clinic, clinic]).map {
                let n = Columns.agent.count
                return AgentListing(agent: Agent(row: $0), clinic: $0[n], createdAt: $0[n + 1], revokedAt: $0[n + 2])
            }
        }
    }

    public func revokeAgent(id: Int64) async throws -> Agent {
        // An unguessable hash nobody holds the token of: the UNIQUE column stays satisfied and nothing matches it.
        let unusable = "revoked:" + Hashing.newToken()
        let now = clock()
        return try await updateAgent(id: id) { db in
            try db.execute(sql: """
                UPDATE agents SET active = 0, revoked_at = COALESCE(revoked_at, ?), token_hash = ? WHERE id = ?
                """, arguments: [now, unusable, id])
            // Their patients must not wait for someone who is gone: back to the queue, as a hand-off.
            let held = try Row.fetchAll(db, sql: """
                SELECT id, clinic_id FROM conversations WHERE assigned_agent_id = ? AND status = 'assigned'
                """, arguments: [id])
            for row in held {
                try db.execute(sql: """
                    UPDATE conversations SET status = 'waiting', assigned_agent_id = NULL, waiting_since = ?,
                        handoff_reason = 'The agent who had it no longer has access', version = version + 1
                    WHERE id = ?
                    """, arguments: [now, row[0] as Int64])
                try Self.recordChange(db, clinicId: row[1], kind: .conversation, id: row[0])
            }
        }
    }

    public func rotateToken(agentId id: Int64) async throws -> NewAgent {
        let token = Hashing.newToken()
        let hash = Hashing.sha256Hex(Data(token.utf8))
        let agent = try await updateAgent(id: id, requireActive: true) { db in
            try db.execute(sql: "UPDATE agents SET token_hash = ? WHERE id = ?", arguments: [hash, id])
        }
        let clinicId = try await pool.read { db in try Int64.fetchOne(db, sql: "SELECT clinic_id FROM agents WHERE id = ?", arguments: [id]) } ?? 0
        return NewAgent(agent: agent, clinicId: clinicId, token: token)
    }

    public func renameAgent(id: Int64, to name: String) async throws -> Agent {
        let name = try AgentNames.valid(name)
        return try await updateAgent(id: id) { db in
            let clash = try Int64.fetchOne(db, sql: """
                SELECT other.id FROM agents other JOIN agents me ON me.clinic_id = other.clinic_id
                WHERE me.id = ? AND other.name = ? AND other.id <> me.id
                """, arguments: [id, name])
            guard clash == nil else { throw StoreError.invalid("the clinic already has an agent named \(name)") }
            try db.execute(sql: "UPDATE agents SET name = ? WHERE id = ?", arguments: [name, id])
        }
    }

    public func setRole(agentId id: Int64, role: AgentRole) async throws -> Agent {
        try await updateAgent(id: id) { db in
            try db.execute(sql: "UPDATE agents SET role = ? WHERE id = ?", arguments: [role.rawValue, id])
        }
    }

    public func administrativeChanges(after stamp: Int64?) async throws -> AdministrativeChanges {
        try await pool.read { db in
            let kinds = Self.administrativeKinds.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            let latest = try db.valueCached("SELECT MAX(seq) FROM changes WHERE kind IN (\(kinds))") as Int64? ?? 0
            guard let stamp, latest != stamp else { return AdministrativeChanges(stamp: latest, clinicIds: []) }
            let clinics = try Int64.fetchAll(db, sql: """
                SELECT DISTINCT clinic_id FROM changes WHERE seq > ? AND kind IN (\(kinds))
                """, arguments: [min(stamp, latest)])
            return AdministrativeChanges(stamp: latest, clinicIds: Set(clinics))
        }
    }

    public func forgetAuthenticatedTokens() {
        agentCache.withLock { $0.clear() }
    }

    public func confirmAuthenticatedTokens(asOf instant: ContinuousClock.Instant) {
        agentCache.withLock { $0.confirm(asOf: instant) }
    }

    /// Changes an existing agent, records it in the change log and forgets cached tokens; throws for an unknown id.
    private func updateAgent(id: Int64, requireActive: Bool = false,
                             _ change: @escaping @Sendable (Database) throws -> Void) async throws -> Agent {
        try await agentWrite { db, touched in
            guard let row = try Row.fetchOne(db, sql: "SELECT clinic_id, active FROM agents WHERE id = ?", arguments: [id]) else {
                throw StoreError.invalid("no agent with id \(id)")
            }
            if requireActive, !(row[1] as Bool) { throw StoreError.invalid("agent \(id) is revoked") }
            let clinicId: Int64 = row[0]
            try change(db)
            try Self.recordChange(db, clinicId: clinicId, kind: .agent, id: id)
            touched.insert(clinicId)
            return try Row.fetchOne(db, sql: "SELECT \(Columns.list(Columns.agent)) FROM agents WHERE id = ?", arguments: [id])
                .map { Agent(row: $0) }!
        }
    }

    /// A write to the agents table: once it commits, the token cache is dropped and then the clinic's long-polls
    /// are woken, in that order, so a woken poll re-authenticating cannot find the old token still cached.
    private func agentWrite<T: Sendable>(_ body: @escaping @Sendable (Database, inout Set<Int64>) throws -> T) async throws -> T {
        let (result, touched) = try await pool.write { db in
            var touched = Set<Int64>()
            let result = try body(db, &touched)
            return (result, touched)
        }
        forgetAuthenticatedTokens()
        for clinic in touched { notifier.publish(clinicId: clinic) }
        return result
    }

    /// Kinds of change that administration commands make, often from another process: the server watches them.
    static let administrativeKinds: [ChangeKind] = [.agent, .erasure, .template, .canned]

    /// Moves whenever any agent changes (the agent's change-log row gets a new seq).
    static func agentStamp(_ db: Database) throws -> Int64 {
        try db.valueCached("SELECT MAX(seq) FROM changes WHERE kind = 'agent'") as Int64? ?? 0
    }

}

/// Tokens that authenticated recently. Entries are trusted only while the agents' stamp they were read under is less
/// than `freshness` old; after that the next lookup re-reads the stamp and, if it moved, forgets everything.
/// The `AdministrationWatcher` reads the administrative stamp every 250 ms anyway: when it has not moved it
/// confirms the entries (and when it has, clears them), so in a running server they do not age out — otherwise
/// every held long-poll of the clinic would miss at once and read the database on the same wake-up.
struct AgentTokenCache {
    /// How long entries are trusted without a confirmation: the bound on a revocation should the watcher stall.
    static let freshness: Duration = .seconds(1)

    private var entries: [String: AuthenticatedAgent] = [:]
    private var stamp: Int64?
    private var checkedAt: ContinuousClock.Instant?
    /// Counts `clear()` calls: a lookup that read the database before a clear must not put back what it read.
    private(set) var clears: UInt64 = 0

    func hit(_ tokenHash: String, at now: ContinuousClock.Instant) -> AuthenticatedAgent? {
        guard let checkedAt, now - checkedAt < Self.freshness else { return nil }
        return entries[tokenHash]
    }

    mutating func record(_ tokenHash: String, _ agent: AuthenticatedAgent?, stamp newStamp: Int64, at now: ContinuousClock.Instant,
                         readAfterClear: UInt64) {
        guard readAfterClear == clears else { return }
        if stamp != newStamp { entries.removeAll() }
        stamp = newStamp
        checkedAt = now
        if let agent { entries[tokenHash] = agent } else { entries[tokenHash] = nil }
    }

    /// Entries recorded before `instant` were still valid then (no agent changed since they were read).
    mutating func confirm(asOf instant: ContinuousClock.Instant) {
        guard stamp != nil, let checkedAt, checkedAt < instant else { return }
        self.checkedAt = instant
    }

    mutating func clear() {
        clears &+= 1
        entries.removeAll()
        stamp = nil
        checkedAt = nil
    }
}
