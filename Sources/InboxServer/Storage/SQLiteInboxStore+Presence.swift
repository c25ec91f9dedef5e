import InboxModel

/// Presence on SQLite: the in-process `PresenceBoard`; a change wakes the clinic's long-polls.
extension SQLiteInboxStore {
    public func reportPresence(_ report: PresenceReport, agent: AuthenticatedAgent, expiresAt: Millis) async throws -> Bool {
        let changed = presence.report(report, agentId: agent.agent.id, clinicId: agent.clinicId, expiresAt: expiresAt)
        if changed { notifier.publish(clinicId: agent.clinicId) }
        return changed
    }

    public func clearPresence(agent: AuthenticatedAgent) async throws -> Bool {
        let changed = presence.clear(agentId: agent.agent.id)
        if changed { notifier.publish(clinicId: agent.clinicId) }
        return changed
    }

    public func presenceRoster(clinicId: Int64, now: Millis) async throws -> PresenceRoster {
        presence.roster(clinicId: clinicId, now: now)
    }

    public func expirePresence(now: Millis) async throws -> Set<Int64> {
        let clinics = presence.expire(now: now)
        for clinic in clinics { notifier.publish(clinicId: clinic) }
        return clinics
    }
}
