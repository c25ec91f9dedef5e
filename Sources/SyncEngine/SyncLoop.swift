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
        /// The server said whose token this is, and the mirror is bound to that agent (`changed`: a different
        /// agent or server than before, whose synced rows were dropped; their queued commands are held).
        case signedIn(WhoAmI, changed: Bool)
        /// Something failed that the agent should know about (also written to the log, never with message text).
        case problem(String)
        /// A catch-up's progress after each stored batch; nil once caught up. Only servers that send
        /// `remaining` make this non-nil.
        case catchingUp(CatchUpProgress?)
        /// The clinic's presence roster changed (only with `presence: true`). Never stored.
        case presence(PresenceRoster)
    }

    public struct Policy: Sendable {
        public var wait: Duration = .seconds(25)
        public var batchLimit = 5_000
        /// `syncOnce`: pages fetched ahead of the mirror, and the most written in one transaction. 8 pages of
        /// 10,000 messages: catch-up 18.1 s per million against 19.8 s with 4 (one write lasts up to ~1.5 s then).
        public var prefetchPages = 8
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
    private let logger: Logger
    private let outboxBell = Doorbell()
    /// Who the server says our token is; nil until `/v1/me` answered. The outbox waits for it.
    private var owner: Mirror.Owner?
    private var catchUp = CatchUpTracker()
    /// The presence roster stamp last seen ("" before the first); nil: this loop does not ask for presence.
    private var presenceStamp: String?

    /// `presence`: ask every long-poll for the clinic's roster (a terminal that shows who else is at the desk).
    public init(mirror: Mirror, api: ServerAPI, policy: Policy = Policy(), logger: Logger = Logger(label: "inbox.sync"),
                presence: Bool = false, onEvent: @escaping @Sendable (Event) -> Void = { _ in }) {
        presenceStamp = presence ? "" : nil
        self.mirror = mirror
        self.logger = logger
        self.api = api
        self.policy = policy
        self.onEvent = onEvent
    }

    /// Pulls until nothing is pending, then returns (`inbox sync --once`). Sends the outbox first.
    public func syncOnce() async throws {
        // First: until the server has said whose token this is, nothing is sent.
        let owner = try await bindToAgent()
        try await flushOutbox(as: owner)
        // Pipelined: later pages are fetched and decoded while earlier ones are written, and the pages already in
        // are written in one transaction (`PagePrefetcher`). Pages still commit in order, with the cursor of the
        // last, so stopping anywhere resumes exactly where the mirror is.
        let api = self.api
        let limit = policy.batchLimit
        var pages = PagePrefetcher(depth: policy.prefetchPages, from: try mirror.syncState()?.cursor) { cursor in
            try await api.changes(since: cursor, wait: .zero, limit: limit)
        }
        defer { pages.cancel() }
        while true {
            let ready: [PagePrefetcher.Page]
            do {
                ready = try await pages.takeReady()
            } catch ServerAPI.Failure.cursorReset {
                logger.notice("server reset our cursor; re-syncing from scratch")
                try mirror.resetCursor()
                pages.restart(from: nil)
                continue
            }
            guard let first = ready.first else { return }
            if try !mirror.apply(ready.map(\.batch), since: first.since) {
                // Another process moved the mirror's cursor: go on from there, never backwards.
                logger.notice("mirror cursor moved by another process; continuing from it")
                pages.restart(from: try mirror.syncState()?.cursor)
                continue
            }
            for page in ready { reportProgress(after: page.batch) }
        }
    }

    /// Tells the screen (or `inbox sync --once`) how far a catch-up has got, and once that it is over.
    private func reportProgress(after batch: SyncBatch) {
        let wasCatchingUp = catchUp.progress != nil
        let progress = catchUp.stored(batch, now: Mirror.now())
        if progress != nil || wasCatchingUp { onEvent(.catchingUp(progress)) }
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

    /// Asks the server whose token this is and binds the mirror to that agent. Only then may the outbox be
    /// sent, and only the rows that agent queued.
    private func bindToAgent() async throws -> Mirror.Owner {
        let me = try await api.whoAmI()
        let changed = try mirror.bind(server: api.server, agentId: me.agent.id, clinic: me.clinic)
        if changed { logger.notice("mirror bound to agent \(me.agent.id) on \(api.server)") }
        let owner = Mirror.Owner(server: api.server, agentId: me.agent.id)
        self.owner = owner
        onEvent(.signedIn(me, changed: changed))
        await outboxBell.ring()  // commands queued while we did not know who we are may go now
        return owner
    }

    private func pull(wait: Duration) async throws -> SyncBatch {
        let cursor = try mirror.syncState()?.cursor
        do {
            let batch = try await api.changes(since: cursor, wait: wait, limit: policy.batchLimit, presence: presenceStamp)
            if let roster = batch.presence, roster.stamp != presenceStamp {
                presenceStamp = roster.stamp
                onEvent(.presence(roster))
            }
            if try !mirror.apply(batch, since: cursor) {
                logger.notice("mirror cursor moved by another process; continuing from it")
                return SyncBatch(cursor: "", more: true)
            }
            reportProgress(after: batch)
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
                if !bound { _ = try await bindToAgent(); bound = true }
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
            // Nothing goes out before the server has said whose token this is (the pull loop asks first).
            guard let owner else {
                await waitForOutbox(timeout: .milliseconds(200))
                continue
            }
            do {
                try await flushOutbox(as: owner)
                failures = 0
                // Sleep until a command is queued, with a periodic look in case one came from another process.
                await waitForOutbox(timeout: .seconds(5))
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                failures += 1
                let delay = backoff(failures)
                logger.warning("sending the outbox failed (\(failures) in a row): \(error)")
                // Transport failures already show as the connection state; anything else is news.
                if (error as? ServerAPI.Failure)?.isRetryable != true {
                    onEvent(.problem("Sending queued commands failed: \(error)"))
                }
                try? await Task.sleep(for: delay)
            }
        }
    }

    /// Waits for the doorbell; cancelling the loop rings it, so stopping never waits out the timeout.
    private func waitForOutbox(timeout: Duration) async {
        let bell = outboxBell
        await withTaskCancellationHandler {
            await bell.wait(timeout: timeout)
        } onCancel: {
            Task { await bell.ring() }
        }
    }

    /// Sends `owner`'s pending commands in order. A transport failure stops the flush (order matters: a reply must
    /// not overtake the take-over before it); a refusal marks that command failed and goes on. Commands that cannot
    /// be read back are marked failed and reported first.
    func flushOutbox(as owner: Mirror.Owner) async throws {
        let unreadable = try mirror.takeUnreadableCommands()
        if !unreadable.isEmpty {
            for command in unreadable {
                logger.error("outbox row \(command.key) (\(command.action)) cannot be read: \(command.reason); kept as failed")
            }
            let count = unreadable.count
            onEvent(.problem(count == 1 ? "1 queued command could not be read: kept as failed, not sent (see the log)"
                                        : "\(count) queued commands could not be read: kept as failed, not sent (see the log)"))
            onEvent(.outboxChanged)
        }
        for entry in try mirror.pendingCommands(for: owner) {
            let result: CommandResult?
            do {
                result = try await api.send(entry.command, conversationId: entry.conversationId, key: entry.key)
            } catch where error.isRetryable {
                try mirror.commandAttemptFailed(key: entry.key, error: error.description)
                onEvent(.outboxChanged)
                throw error
            } catch {
                logger.notice("command \(entry.key) (\(entry.command.action)) refused: \(error)")
                try mirror.commandRefused(key: entry.key, error: error.description)
                onEvent(.outboxChanged)
                continue
            }
            if result == nil {
                logger.notice("command \(entry.key) (\(entry.command.action)) accepted; its answer was unreadable, its rows come through sync")
            }
            try mirror.commandSucceeded(key: entry.key, result: result)
            onEvent(.outboxChanged)
        }
    }
}
