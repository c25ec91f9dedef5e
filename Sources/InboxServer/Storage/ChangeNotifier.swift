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
}

/// The in-process notifier: per-clinic generations and the continuations of the requests waiting on them.
public final class LocalChangeNotifier: ChangeNotifier, @unchecked Sendable {
    private struct Waiter {
        let after: UInt64
        let continuation: CheckedContinuation<Bool, Never>
    }

    private let lock = NSLock()
    private var generations: [Int64: UInt64] = [:]
    private var waiters: [Int64: [UUID: Waiter]] = [:]

    public init() {}

    public func generation(clinicId: Int64) -> UInt64 {
        lock.withLock { generations[clinicId, default: 0] }
    }

    public func publish(clinicId: Int64) {
        let woken: [Waiter] = lock.withLock {
            generations[clinicId, default: 0] += 1
            return waiters.removeValue(forKey: clinicId).map { Array($0.values) } ?? []
        }
        for waiter in woken { waiter.continuation.resume(returning: true) }
    }

    public func wait(clinicId: Int64, after: UInt64, timeout: Duration) async -> Bool {
        let id = UUID()
        let timer = Task {
            try? await Task.sleep(for: timeout)
            self.resume(id, clinicId: clinicId, with: false)
        }
        defer { timer.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready: Bool = lock.withLock {
                    if generations[clinicId, default: 0] > after { return true }
                    waiters[clinicId, default: [:]][id] = Waiter(after: after, continuation: continuation)
                    return false
                }
                if ready { continuation.resume(returning: true) }
            }
        } onCancel: {
            self.resume(id, clinicId: clinicId, with: false)
        }
    }

    private func resume(_ id: UUID, clinicId: Int64, with value: Bool) {
        let waiter = lock.withLock { waiters[clinicId]?.removeValue(forKey: id) }
        waiter?.continuation.resume(returning: value)
    }

    public func releaseAll() {
        let all: [Waiter] = lock.withLock {
            defer { waiters.removeAll() }
            return waiters.values.flatMap(\.values)
        }
        for waiter in all { waiter.continuation.resume(returning: false) }
    }

    /// Requests currently held open (for the memory benchmark and health output).
    public var waitingCount: Int { lock.withLock { waiters.values.reduce(0) { $0 + $1.count } } }
}
