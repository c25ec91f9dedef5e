import Foundation
import InboxModel

/// Wakes long-polls when a clinic's data changes. In one process this is `LocalChangeNotifier`; several server
/// instances on PostgreSQL would publish with NOTIFY and wait with LISTEN behind the same two calls.
public protocol ChangeNotifier: Sendable {
    /// A count that grows with every commit touching the clinic; read it before querying for changes.
    func generation(clinicId: Int64) -> UInt64
    /// Returns when the clinic's generation exceeds `after`, or after `timeout`. True when woken by a change.
    func wait(clinicId: Int64, after: UInt64, timeout: Duration) async -> Bool
    func publish(clinicId: Int64)
    /// Shutting down: answer every held long-poll now (with whatever it has, usually nothing).
    func releaseAll()
    /// Requests currently held open by this process (metrics, benchmarks, tests).
    var waitingCount: Int { get }
}

/// The in-process notifier: per-clinic generations and the continuations of the requests waiting on them.
///
/// A wait ends exactly once, by whichever comes first: a publish, its timeout, its task's cancellation or
/// shutdown. The timeout and the cancellation may fire before the continuation is even registered (a busy
/// machine, a zero-length timeout); each wait therefore has a slot that remembers such an early end, and the
/// registration that follows resumes at once instead of leaving a continuation behind forever.
public final class LocalChangeNotifier: ChangeNotifier, @unchecked Sendable {
    private enum Slot {
        /// Waiting, continuation not registered yet.
        case pending
        case waiting(after: UInt64, CheckedContinuation<Bool, Never>)
        /// Ended (by timeout or cancellation) before the continuation arrived.
        case ended(Bool)
    }

    private let lock = NSLock()
    private var generations: [Int64: UInt64] = [:]
    /// When each clinic last published: a woken long-poll's wake-up latency is measured from it.
    private var publishedAt: [Int64: ContinuousClock.Instant] = [:]
    private var slots: [Int64: [UInt64: Slot]] = [:]
    private var nextWaitId: UInt64 = 0
    private var closed = false
    /// Timeouts: one sweeper task for all held waits (started when the first wait registers, gone when none is
    /// left) instead of a timer task per wait, which cost every long-poll a task, a sleep and a cancellation.
    /// The sweeper sleeps until the earliest deadline, so held polls cost no wake-ups until one is due (a sweep
    /// every 20 ms cost an idle server with held polls 50 wake-ups a second). A wait due before the sweeper's next
    /// wake-up replaces it.
    private var deadlines: [Int64: [UInt64: ContinuousClock.Instant]] = [:]
    private var sweeper: (id: UInt64, due: ContinuousClock.Instant, task: Task<Void, Never>)?
    private var nextSweeperId: UInt64 = 0
    /// How late a timeout may fire: deadlines this close together end in one sweep.
    static let sweepSlack: Duration = .milliseconds(20)

    public init() {}

    public func generation(clinicId: Int64) -> UInt64 {
        lock.withLock { generations[clinicId, default: 0] }
    }

    public func publish(clinicId: Int64) {
        let woken: [CheckedContinuation<Bool, Never>] = lock.withLock {
            generations[clinicId, default: 0] += 1
            publishedAt[clinicId] = .now
            guard var clinicSlots = slots[clinicId] else { return [] }
            var woken: [CheckedContinuation<Bool, Never>] = []
            for (id, slot) in clinicSlots {
                switch slot {
                case .waiting(_, let continuation):
                    woken.append(continuation)
                    clinicSlots[id] = nil
                    deadlines[clinicId]?[id] = nil
                case .pending:
                    // Registration will see the new generation and return at once.
                    break
                case .ended:
                    break
                }
            }
            slots[clinicId] = clinicSlots.isEmpty ? nil : clinicSlots
            if deadlines[clinicId]?.isEmpty == true { deadlines[clinicId] = nil }
            return woken
        }
        for continuation in woken { continuation.resume(returning: true) }
    }

    public func wait(clinicId: Int64, after: UInt64, timeout: Duration) async -> Bool {
        let registered: UInt64? = lock.withLock {
            if closed || generations[clinicId, default: 0] > after { return nil }
            nextWaitId &+= 1
            slots[clinicId, default: [:]][nextWaitId] = .pending
            let deadline = ContinuousClock.now + timeout
            deadlines[clinicId, default: [:]][nextWaitId] = deadline
            if sweeper.map({ deadline < $0.due }) ?? true { scheduleSweep(at: deadline) }
            return nextWaitId
        }
        guard let id = registered else { return generation(clinicId: clinicId) > after }
        let woken = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready: Bool? = lock.withLock {
                    switch slots[clinicId]?[id] {
                    case .ended(let value):
                        removeSlot(id, clinicId: clinicId)
                        return value
                    case .pending where closed:
                        removeSlot(id, clinicId: clinicId)
                        return false
                    case .pending where generations[clinicId, default: 0] > after:
                        removeSlot(id, clinicId: clinicId)
                        return true
                    case .pending:
                        slots[clinicId, default: [:]][id] = .waiting(after: after, continuation)
                        return nil
                    case .waiting, nil:
                        // Unreachable: only this call registers, and a slot is removed only once it is resumed.
                        return false
                    }
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            self.end(id, clinicId: clinicId, with: false)
        }
        if woken, let published = lock.withLock({ publishedAt[clinicId] }) {
            ServerMetrics.wakeUp(after: .now - published)
        }
        return woken
    }

    /// Ends a wait by timeout or cancellation: resumes it if registered, else marks it for its registration.
    private func end(_ id: UInt64, clinicId: Int64, with value: Bool) {
        let continuation: CheckedContinuation<Bool, Never>? = lock.withLock {
            switch slots[clinicId]?[id] {
            case .waiting(_, let continuation):
                removeSlot(id, clinicId: clinicId)
                return continuation
            case .pending:
                slots[clinicId, default: [:]][id] = .ended(value)
                deadlines[clinicId]?[id] = nil
                if deadlines[clinicId]?.isEmpty == true { deadlines[clinicId] = nil }
                return nil
            case .ended, nil:
                return nil
            }
        }
        continuation?.resume(returning: value)
    }

    private func removeSlot(_ id: UInt64, clinicId: Int64) {
        slots[clinicId]?[id] = nil
        if slots[clinicId]?.isEmpty == true { slots[clinicId] = nil }
        deadlines[clinicId]?[id] = nil
        if deadlines[clinicId]?.isEmpty == true { deadlines[clinicId] = nil }
    }

    /// Replaces the sweeper with one that wakes at `due` (called with the lock held).
    private func scheduleSweep(at due: ContinuousClock.Instant) {
        sweeper?.task.cancel()
        nextSweeperId &+= 1
        let id = nextSweeperId
        sweeper = (id, due, Task.detached { [weak self] in await self?.sweep(id, from: due) })
    }

    /// Ends the waits whose timeout has passed, sleeping until the earliest one, until no wait is left.
    private func sweep(_ id: UInt64, from due: ContinuousClock.Instant) async {
        var due = due
        while true {
            // Cancelled: a wait due earlier scheduled another sweeper, which now owns the deadlines.
            guard (try? await Task.sleep(until: due + Self.sweepSlack, clock: .continuous)) != nil else { return }
            let now = ContinuousClock.now
            let swept: (expired: [(Int64, UInt64)], more: Bool)? = lock.withLock {
                guard sweeper?.id == id else { return nil }
                var expired: [(Int64, UInt64)] = []
                var next: ContinuousClock.Instant?
                for (clinicId, waits) in deadlines {
                    for (id, deadline) in waits {
                        if deadline <= now { expired.append((clinicId, id)) } else { next = min(next ?? deadline, deadline) }
                    }
                }
                for (clinicId, id) in expired {
                    deadlines[clinicId]?[id] = nil
                    if deadlines[clinicId]?.isEmpty == true { deadlines[clinicId] = nil }
                }
                // Nothing left to time out: stop; the next wait starts a new sweeper.
                sweeper = next.map { (id: id, due: $0, task: sweeper!.task) }
                if let next { due = next }
                return (expired, next != nil)
            }
            guard let swept else { return }
            for (clinicId, id) in swept.expired { end(id, clinicId: clinicId, with: false) }
            if !swept.more { return }
        }
    }

    /// Answers every held long-poll, and every later one at once: the server is going away.
    public func releaseAll() {
        let all: [CheckedContinuation<Bool, Never>] = lock.withLock {
            closed = true
            var all: [CheckedContinuation<Bool, Never>] = []
            for (clinicId, clinicSlots) in slots {
                for (id, slot) in clinicSlots {
                    if case .waiting(_, let continuation) = slot {
                        all.append(continuation)
                        slots[clinicId]?[id] = nil
                        deadlines[clinicId]?[id] = nil
                    }
                }
            }
            slots = slots.filter { !$0.value.isEmpty }
            return all
        }
        for continuation in all { continuation.resume(returning: false) }
    }

    /// Requests currently held open (for the memory benchmark, health output and metrics).
    public var waitingCount: Int {
        lock.withLock {
            slots.values.reduce(0) { total, clinicSlots in
                total + clinicSlots.values.filter { if case .waiting = $0 { true } else { false } }.count
            }
        }
    }
}
