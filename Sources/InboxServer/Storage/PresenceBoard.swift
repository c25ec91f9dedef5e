import Foundation
import InboxModel

/// The clinic rosters of one process, in memory (the SQLite adapter's presence). Nothing here is written to disk.
final class PresenceBoard: @unchecked Sendable {
    private struct Entry {
        var clinicId: Int64
        var presence: AgentPresence
        var expiresAt: Millis
    }

    private let lock = NSLock()
    private var entries: [Int64: Entry] = [:]

    /// True when the clinic's roster changed (a renewal of the same report does not).
    func report(_ report: PresenceReport, agentId: Int64, clinicId: Int64, expiresAt: Millis) -> Bool {
        let presence = AgentPresence(agentId: agentId, report: report)
        return lock.withLock {
            let before = entries[agentId]
            entries[agentId] = Entry(clinicId: clinicId, presence: presence, expiresAt: expiresAt)
            return before?.presence != presence || before?.clinicId != clinicId
        }
    }

    func clear(agentId: Int64) -> Bool {
        lock.withLock { entries.removeValue(forKey: agentId) != nil }
    }

    func roster(clinicId: Int64, now: Millis) -> PresenceRoster {
        let live = lock.withLock {
            entries.values.filter { $0.clinicId == clinicId && $0.expiresAt > now }.map(\.presence)
        }
        return PresenceRoster(agents: live)
    }

    func expire(now: Millis) -> Set<Int64> {
        lock.withLock {
            let expired = entries.filter { $0.value.expiresAt <= now }
            for id in expired.keys { entries[id] = nil }
            return Set(expired.values.map(\.clinicId))
        }
    }
}
