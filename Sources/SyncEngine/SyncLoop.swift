import Foundation
import InboxModel
import Logging

/// Keeps a mirror in step with the server: long-polls from the stored cursor, applies each batch with its cursor
/// in one transaction, and sends the outbox. Failures back off exponentially with jitter and are reported, never
/// swallowed.
public actor SyncLoop {
    public enum Event: Sendable {
        case connection(ConnectionState)
        /// A batch was stored: the screen should re-read what it shows.
        case applied(SyncBatch)
        /// The outbox changed (a command went out, or was refused).
        case outboxChanged
    }

    public struct Policy: Sendable {
        public var wait: Duration = .seconds(25)
        public var batchLimit = 5_000
        public var baseBackoff: Duration = .milliseconds(500)
        public var maxBackoff: Duration = .seconds(30)
        /// After this many failures in a row the state shows "offline since" rather than "reconnecting".
        public var offlineAfter = 3

        public init() {}
    }

    private let mirror: Mirror
    private let api: ServerAPI
    private let policy: Policy
    private let onEvent: @Sendable (Event) -> Void
    private let logger = Logger(label: "inbox.sync")
    private let outboxBell = Doorbell()

    public init(mirror: Mirror, api: ServerAPI, policy: Policy = Policy(), onEvent: @escaping @Sendable (Event) -> Void = { _ in }) {
        self.mirror = mirror
        self.api = api
        self.policy = policy
        self.onEvent = onEvent
    }

    /// Pulls until nothing is pending, then returns (`inbox sync --once`). Sends the outbox first.
    public func syncOnce() async throws {
        try await bindToAgent()  // first: a different agent's queued commands are dropped, never sent as us
        try await flushOutbox()
        // Pipelined: batch n+1 is fetched and decoded while batch n is written. Batches still commit in order,
        // each with its own cursor, so stopping anywhere resumes exactly where the mirror is.
        let api = self.api
        let limit = policy.batchLimit
        func fetch(_ cursor: String?) -> Task<SyncBatch, any Error> {
            Task { try await api.changes(since: cursor, wait: .zero, limit: limit) }
        }
        var inFlight: Task<SyncBatch, any Error>? = fetch(try mirror.syncState()?.cursor)
        while let pending = inFlight {
            let batch: SyncBatch
            do {
                batch = try await pending.value
            } catch ServerAPI.Failure.cursorReset {
                logger.notice("server reset our cursor; re-syncing from scratch")
                try mirror.resetCursor()
                inFlight = fetch(nil)
                continue
            }
            inFlight = batch.more ? fetch(batch.cursor) : nil
            do {
                try mirror.apply(batch)
            } catch {
                inFlight?.cancel()
                throw error
            }
        }
    }

    /// Runs until cancelled: the pull loop and the outbox sender side by side.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.pullForever() }
            group.addTask { await self.sendForever() }
        }
    }

    /// Call after enqueueing a command so it goes out now.
    public nonisolated func outboxChanged() {
        Task { await outboxBell.ring() }
    }

    private func bindToAgent() async throws {
        let me = try await api.whoAmI()
        try mirror.bind(server: api.server, agentId: me.agent.id, clinic: me.clinic)
    }

    private func pull(wait: Duration) async throws -> SyncBatch {
        let cursor = try mirror.syncState()?.cursor
        do {
            let batch = try await api.changes(since: cursor, wait: wait, limit: policy.batchLimit)
            try mirror.apply(batch)
            return batch
        } catch ServerAPI.Failure.cursorReset {
            logger.notice("server reset our cursor; re-syncing from scratch")
            try mirror.resetCursor()
            return SyncBatch(cursor: "", more: true)
        }
    }

    private func pullForever() async {
        var failures = 0
        var offlineSince: Millis?
        var bound = false
        var announcedOnline = false
        onEvent(.connection(.connecting))
        while !Task.isCancelled {
            do {
                if !bound { try await bindToAgent(); bound = true }
                // A short first pull proves the connection before the long wait.
                let batch = try await pull(wait: announcedOnline ? policy.wait : .zero)
                if !announcedOnline {
                    announcedOnline = true
                    onEvent(.connection(.online))
                }
                failures = 0
                offlineSince = nil
                if !batch.isEmpty { onEvent(.applied(batch)) }
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                failures += 1
                announcedOnline = false
                let delay = backoff(failures)
                let now = Mirror.now()
                let reason = "\(error)"
                if failures >= policy.offlineAfter {
                    offlineSince = offlineSince ?? now
                    onEvent(.connection(.offline(since: offlineSince ?? now, lastError: reason)))
                } else {
                    let retryAt = now + Millis(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)
                    onEvent(.connection(.reconnecting(retryAt: retryAt, lastError: reason)))
                }
                logger.warning("sync failed (\(failures) in a row): \(reason)")
                try? await Task.sleep(for: delay)
            }
        }
    }

    /// Exponential backoff with jitter (50–100 % of the ceiling): reconnecting terminals spread out.
    func backoff(_ failures: Int) -> Duration {
        let ceiling = min(policy.maxBackoff, policy.baseBackoff * (1 << min(failures - 1, 16)))
        return ceiling * Double.random(in: 0.5...1.0)
    }

    private func sendForever() async {
        var failures = 0
        while !Task.isCancelled {
            do {
                try await flushOutbox()
                failures = 0
                // Sleep until a command is queued, with a periodic look in case one came from another process.
                await outboxBell.wait(timeout: .seconds(5))
            } catch {
                failures += 1
                try? await Task.sleep(for: backoff(failures))
            }
        }
    }

    /// Sends pending commands in order. A transport failure stops the flush (order matters: a reply must not
    /// overtake the take-over before it); a refusal marks that command failed and goes on.
    func flushOutbox() async throws {
        for entry in try mirror.pendingCommands() {
            let result: CommandResult?
            do {
                result = try await api.send(entry.command, conversationId: entry.conversationId, key: entry.key)
            } catch where error.isRetryable {
                try mirror.commandAttemptFailed(key: entry.key, error: error.description)
                onEvent(.outboxChanged)
                throw error
            } catch {
                try mirror.commandRefused(key: entry.key, error: error.description)
                onEvent(.outboxChanged)
                continue
            }
            try mirror.commandSucceeded(key: entry.key, result: result)
            onEvent(.outboxChanged)
        }
    }
}
