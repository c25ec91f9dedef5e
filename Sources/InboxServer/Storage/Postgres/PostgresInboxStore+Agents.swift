import Foundation
import InboxModel
import InboxRecords
import PostgresNIO

/// Agents and their tokens, as `SQLiteInboxStore+Agents`. Every change moves the agent's change-log row and the
/// administrative stamp, and its commit NOTIFYs every instance, which drop remembered tokens before waking the
/// clinic's long-polls (a revoked token's held poll then answers 401 on every instance).
extension PostgresInboxStore {
    public func addAgent(name: String, clinic: String, role: AgentRole) async throws -> NewAgent {
        let name = try AgentNames.valid(name)
        let token = Hashing.newToken()
        let hash = Hashing.sha256Hex(Data(token.utf8))
        let now = clock()
        return try await write { db in
            let clinicId = try await Self.clinicId(db, name: clinic, createAt: now)
            guard try await !db.exists("SELECT 1 FROM agents WHERE clinic_id = \(clinicId) AND name = \(name)") else {
                throw StoreError.invalid("clinic \(clinic) already has an agent named \(name)")
            }
            guard let id = try await db.int("""
                INSERT INTO agents (clinic_id, name, role, token_hash, created_at)
                VALUES (\(clinicId), \(name), \(role.rawValue), \(hash), \(now)) RETURNING id
                """) else { throw StoreError.invalid("could not add agent \(name)") }
            db.recordChange(clinicId: clinicId, kind: .agent, id: id)
            return NewAgent(agent: Agent(id: id, name: name, role: role), clinicId: clinicId, token: token)
        }
    }

    public func authenticate(tokenHash: String) async throws -> AuthenticatedAgent? {
        // As SQLite's: hits are trusted only while the administrative stamp they were read under is fresh, so a
        // revocation takes effect within `AgentTokenCache.freshness` even if its notification were lost.
        let now = ContinuousClock.now
        let (known, clears) = agentCache.withLock { ($0.hit(tokenHash, at: now), $0.clears) }
        if let known { return known }
        let (stamp, found) = try await read { db in
            let found = try await db.row("""
                SELECT a.id, a.name, a.role, a.active, a.clinic_id, c.name
                FROM agents a JOIN clinics c ON c.id = a.clinic_id
                WHERE a.token_hash = \(tokenHash) AND a.active
                """).map {
                AuthenticatedAgent(agent: try PGDecode.agent($0), clinicId: try $0.int(4), clinicName: try $0.string(5))
            }
            return (try await Self.administrativeStamp(db), found)
        }
        agentCache.withLock { $0.record(tokenHash, found, stamp: stamp, at: now, readAfterClear: clears) }
        return found
    }

    public func agentListing(clinic: String?) async throws -> [AgentListing] {
        try await rows("""
            SELECT a.id, a.name, a.role, a.active, c.name, a.created_at, a.revoked_at
            FROM agents a JOIN clinics c ON c.id = a.clinic_id
            WHERE \(clinic)::text IS NULL OR c.name = \(clinic) ORDER BY c.name, a.id
            """).map {
            AgentListing(agent: try PGDecode.agent($0), clinic: try $0.string(4), createdAt: try $0.int(5),
                         revokedAt: try $0.optionalInt(6))
        }
    }

    public func revokeAgent(id: Int64) async throws -> Agent {
        let unusable = "revoked:" + Hashing.newToken()
        let now = clock()
        return try await updateAgent(id: id) { db in
            try await db.execute("""
                UPDATE agents SET active = FALSE, revoked_at = COALESCE(revoked_at, \(now)), token_hash = \(unusable)
                WHERE id = \(id)
                """)
            // Their patients must not wait for someone who is gone: back to the queue, as a hand-off.
            let held = try await db.rows("""
                UPDATE conversations SET status = 'waiting', assigned_agent_id = NULL, waiting_since = \(now),
                    handoff_reason = 'The agent who had it no longer has access', version = version + 1
                WHERE assigned_agent_id = \(id) AND status = 'assigned' RETURNING id, clinic_id
                """)
            for row in held { db.recordChange(clinicId: try row.int(1), kind: .conversation, id: try row.int(0)) }
        }
    }

    public func rotateToken(agentId id: Int64) async throws -> NewAgent {
        let token = Hashing.newToken()
        let hash = Hashing.sha256Hex(Data(token.utf8))
        let agent = try await updateAgent(id: id, requireActive: true) { db in
            try await db.execute("UPDATE agents SET token_hash = \(hash) WHERE id = \(id)")
        }
        let clinicId = try await rows("SELECT clinic_id FROM agents WHERE id = \(id)").first?.int(0) ?? 0
        return NewAgent(agent: agent, clinicId: clinicId, token: token)
    }

    public func renameAgent(id: Int64, to name: String) async throws -> Agent {
        let name = try AgentNames.valid(name)
        return try await updateAgent(id: id) { db in
            let clash = try await db.exists("""
                SELECT other.id FROM agents other JOIN agents me ON me.clinic_id = other.clinic_id
                WHERE me.id = \(id) AND other.name = \(name) AND other.id <> me.id
                """)
            guard !clash else { throw StoreError.invalid("the clinic already has an agent named \(name)") }
            try await db.execute("UPDATE agents SET name = \(name) WHERE id = \(id)")
        }
    }

    public func setRole(agentId id: Int64, role: AgentRole) async throws -> Agent {
        try await updateAgent(id: id) { db in
            try await db.execute("UPDATE agents SET role = \(role.rawValue) WHERE id = \(id)")
        }
    }

    /// The stamp is global (one counter row moved by every administrative commit, in commit order); each clinic
    /// remembers the stamp of its last administrative change.
    public func administrativeChanges(after stamp: Int64?) async throws -> AdministrativeChanges {
        try await read { db in
            let latest = try await Self.administrativeStamp(db)
            guard let stamp, latest != stamp else { return AdministrativeChanges(stamp: latest, clinicIds: []) }
            let clinics = try await db.rows("SELECT id FROM clinics WHERE admin_stamp > \(min(stamp, latest))")
            return AdministrativeChanges(stamp: latest, clinicIds: Set(try clinics.map { try $0.int(0) }))
        }
    }

    public func forgetAuthenticatedTokens() {
        agentCache.withLock { $0.clear() }
    }

    public func confirmAuthenticatedTokens(asOf instant: ContinuousClock.Instant) {
        agentCache.withLock { $0.confirm(asOf: instant) }
    }

    static func administrativeStamp(_ db: PostgresWrite) async throws -> Int64 {
        try await db.int("SELECT stamp FROM admin_counter WHERE id = 1") ?? 0
    }

    /// Changes an existing agent (row locked) and records it; throws for an unknown id.
    private func updateAgent(id: Int64, requireActive: Bool = false,
                             _ change: @escaping @Sendable (PostgresWrite) async throws -> Void) async throws -> Agent {
        try await write { db in
            guard let row = try await db.row("SELECT clinic_id, active FROM agents WHERE id = \(id) FOR UPDATE") else {
                throw StoreError.invalid("no agent with id \(id)")
            }
            if requireActive, !(try row.bool(1)) { throw StoreError.invalid("agent \(id) is revoked") }
            let clinicId = try row.int(0)
            try await change(db)
            db.recordChange(clinicId: clinicId, kind: .agent, id: id)
            guard let agent = try await db.row("SELECT id, name, role, active FROM agents WHERE id = \(id)") else {
                throw StoreError.invalid("no agent with id \(id)")
            }
            return try PGDecode.agent(agent)
        }
    }
}
