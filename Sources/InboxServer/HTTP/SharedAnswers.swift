import Foundation
import InboxModel
import NIOCore

/// Sync answers shared between the long-polls of one clinic: while a clinic's generation (`ChangeNotifier`) stays
/// the same, every poll asking from the same cursor with the same limit gets the same page (read horizons, which are
/// private to each agent, aside). So the first poll to ask reads the page and encodes it once; the
/// polls asking meanwhile wait for that one read instead of making their own ("single flight"), and later ones take
/// the bytes as they are. Polls parked at the head of the log find "nothing new" here without a database read.
///
/// Why the generation is enough: a poll reads it *before* asking. A commit that the shared read did not see
/// committed after that read began, so its publish — which bumps the generation — comes after too: either the poll
/// read the bumped generation (and so a different entry), or the publish wakes the poll's wait, which compares with
/// the generation the poll read.
final class SharedAnswers: @unchecked Sendable {
    struct Key: Hashable {
        var clinicId: Int64
        var after: Int64
        var limit: Int
    }

    /// A page encoded for every agent of the clinic, without read horizons. With `hasReadChanges` some agents have
    /// horizons in it: each poll then reads its own, and those with none take these bytes.
    struct Answer: Sendable {
        var body: ByteBuffer
        var lastSeq: Int64
        var hasReadChanges: Bool
    }

    private struct Entry {
        var generation: UInt64
        var made: ContinuousClock.Instant
        var flight: Task<Answer, any Error>
    }

    /// How long an answer is given out. A commit made by another process on the same SQLite file (an admin
    /// command the `AdministrationWatcher` does not report) bumps no generation; a poll starting later than this
    /// reads the database itself and sees it, as before. The polls one commit wakes all ask within milliseconds.
    static let reuse: Duration = .seconds(1)

    private let lock = NSLock()
    /// Per clinic, by cursor and limit: the newest generation's answers (older generations are never asked again).
    private var entries: [Int64: [Key: Entry]] = [:]
    private var count = 0
    /// Catching-up terminals ask from many cursors once each: past this, completed entries are dropped.
    private let capacity = 4_096

    /// The answer for `key` at `generation`: shared when another poll read it, else read by `read` (whose answer
    /// is then shared). `read` runs in its own task, so a poll that goes away does not cancel the others' answer.
    func answer(for key: Key, generation: UInt64, read: @escaping @Sendable () async throws -> Answer) async throws -> Answer {
        let now = ContinuousClock.now
        let flight: Task<Answer, any Error> = lock.withLock {
            if let entry = entries[key.clinicId]?[key] {
                if entry.generation == generation && now - entry.made < Self.reuse { return entry.flight }
                // A poll that read its generation before a newer answer was made: its own read, not kept.
                if entry.generation > generation { return Task { try await read() } }
            }
            let flight = Task { try await read() }
            var clinic = entries[key.clinicId] ?? [:]
            if let newest = clinic.values.map(\.generation).max(), newest < generation {
                count -= clinic.count
                clinic.removeAll(keepingCapacity: true)
            }
            if count >= capacity {
                entries.removeAll(keepingCapacity: true)
                clinic.removeAll(keepingCapacity: true)
                count = 0
            }
            if clinic.updateValue(Entry(generation: generation, made: now, flight: flight), forKey: key) == nil { count += 1 }
            entries[key.clinicId] = clinic
            return flight
        }
        do {
            return try await flight.value
        } catch {
            // A failed read is not shared with later polls.
            lock.withLock {
                if let entry = entries[key.clinicId]?[key], entry.generation == generation {
                    entries[key.clinicId]?[key] = nil
                    count -= 1
                }
            }
            throw error
        }
    }
}

/// The clinic's presence roster as read at a generation, shared like the page: every poll one presence change
/// wakes asks for the same roster at once, and on PostgreSQL each would otherwise read the presence table itself.
/// A roster change (a report, a client leaving, the sweeper expiring one) wakes the clinic and so moves the
/// generation; the same `reuse` bound covers another process's report on a shared SQLite file.
final class SharedRosters: @unchecked Sendable {
    private struct Entry {
        var generation: UInt64
        var made: ContinuousClock.Instant
        var flight: Task<PresenceRoster, any Error>
    }

    private let lock = NSLock()
    /// One per clinic: the newest generation's.
    private var entries: [Int64: Entry] = [:]

    func roster(clinicId: Int64, generation: UInt64,
                read: @escaping @Sendable () async throws -> PresenceRoster) async throws -> PresenceRoster {
        let now = ContinuousClock.now
        let flight: Task<PresenceRoster, any Error> = lock.withLock {
            if let entry = entries[clinicId], entry.generation == generation, now - entry.made < SharedAnswers.reuse {
                return entry.flight
            }
            let flight = Task { try await read() }
            if (entries[clinicId]?.generation ?? 0) <= generation {
                entries[clinicId] = Entry(generation: generation, made: now, flight: flight)
            }
            return flight
        }
        do {
            return try await flight.value
        } catch {
            // A failed read is not shared with later polls.
            lock.withLock { if entries[clinicId]?.generation == generation { entries[clinicId] = nil } }
            throw error
        }
    }
}
