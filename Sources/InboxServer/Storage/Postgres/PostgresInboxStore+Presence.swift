import InboxModel
import PostgresNIO

/// Presence on PostgreSQL: the UNLOGGED `presence` table, so every instance behind the load balancer sees every
/// agent's report; a change touches the clinic, whose NOTIFY at commit wakes its long-polls on all instances.
extension PostgresInboxStore {
    public func reportPresence(_ report: PresenceReport, agent: AuthenticatedAgent, expiresAt: Millis) async throws -> Bool {
        let now = clock()
        let next = AgentPresence(agentId: agent.agent.id, report: report)
        return try await write { db in
            // Locked: two reports of one agent racing across instances decide "changed" one after the other.
            let before = try await db.row("""
                SELECT clinic_id, state, conversation_id, typing FROM presence
                WHERE agent_id = \(agent.agent.id) AND expires_at > \(now) FOR UPDATE
                """).map { row in
                (clinic: try row.int(0),
                 presence: AgentPresence(agentId: agent.agent.id, state: AgentPresence.State(rawValue: try row.string(1)) ?? .online,
                                         conversationId: try row.optionalInt(2), typing: try row.bool(3)))
            }
            try await db.execute("""
                INSERT INTO presence (agent_id, clinic_id, state, conversation_id, typing, expires_at)
                VALUES (\(agent.agent.id), \(agent.clinicId), \(next.state.rawValue), \(next.conversationId), \(next.typing), \(expiresAt))
                ON CONFLICT (agent_id) DO UPDATE SET clinic_id = EXCLUDED.clinic_id, state = EXCLUDED.state,
                    conversation_id = EXCLUDED.conversation_id, typing = EXCLUDED.typing, expires_at = EXCLUDED.expires_at
                """)
            let changed = before?.presence != next || before?.clinic != agent.clinicId
            if changed { db.touch(agent.clinicId) }
            return changed
        }
    }

    public func clearPresence(agent: AuthenticatedAgent) async throws -> Bool {
        try await write { db in
            let removed = try await db.row("DELETE FROM presence WHERE agent_id = \(agent.agent.id) RETURNING clinic_id") != nil
            if removed { db.touch(agent.clinicId) }
            return removed
        }
    }

    public func presenceRoster(clinicId: Int64, now: Millis) async throws -> PresenceRoster {
        let found = try await rows("""
            SELECT agent_id, state, conversation_id, typing FROM presence
            WHERE clinic_id = \(clinicId) AND expires_at > \(now)
            """)
        return PresenceRoster(agents: try found.map { row in
            AgentPresence(agentId: try row.int(0), state: AgentPresence.State(rawValue: try row.string(1)) ?? .online,
                          conversationId: try row.optionalInt(2), typing: try row.bool(3))
        })
    }

    public func expirePresence(now: Millis) async throws -> Set<Int64> {
        // Cheap when nothing expired (an index probe); each expired row is deleted by exactly one instance.
        guard try await rows("SELECT 1 FROM presence WHERE expires_at <= \(now) LIMIT 1").first != nil else { return [] }
        return try await write { db in
            let clinics = Set(try await db.rows("DELETE FROM presence WHERE expires_at <= \(now) RETURNING clinic_id")
                .map { try $0.int(0) })
            for clinic in clinics { db.touch(clinic) }
            return clinics
        }
    }
}
