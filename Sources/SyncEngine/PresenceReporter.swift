import Foundation
import InboxModel
import Logging
import Synchronization

/// Sends this terminal's presence (`POST /v1/presence`): at once when it changes (coalesced to one call per
/// `PresenceRules.minimumInterval`), and every `PresenceRules.heartbeat` while it does not, so the server keeps it
/// alive; `leave()` removes it when the app quits. Presence is never written to the mirror.
public final class PresenceReporter: Sendable {
    private struct State {
        var wanted: PresenceReport?
        var left = false
    }

    private let api: ServerAPI
    private let logger: Logger
    private let state = Mutex(State())
    private let bell = Doorbell()

    public init(api: ServerAPI, logger: Logger = Logger(label: "inbox.presence")) {
        self.api = api
        self.logger = logger
    }

    /// What the terminal shows now; cheap to call on every frame (only a change rings the sender).
    public func update(_ report: PresenceReport) {
        let changed = state.withLock { state -> Bool in
            guard !state.left, state.wanted != report else { return false }
            state.wanted = report
            return true
        }
        if changed { Task { await bell.ring() } }
    }

    /// Sends until cancelled or `leave()`.
    public func run() async {
        var sent: PresenceReport?
        var sentAt: Millis = 0
        var failures = 0
        while !Task.isCancelled {
            let (wanted, left) = state.withLock { ($0.wanted, $0.left) }
            if left { return }
            let now = Mirror.now()
            if let wanted, wanted != sent || now - sentAt >= PresenceRules.heartbeat {
                let sinceLast = now - sentAt
                if sinceLast < PresenceRules.minimumInterval {
                    try? await Task.sleep(for: .milliseconds(PresenceRules.minimumInterval - sinceLast))
                    continue
                }
                do {
                    try await api.reportPresence(wanted)
                    sent = wanted
                    failures = 0
                } catch {
                    // Offline or refused: the connection state already says so; try again at the next heartbeat.
                    failures += 1
                    if failures == 1 { logger.notice("presence report failed: \(error)") }
                    sent = nil
                }
                sentAt = Mirror.now()
            }
            let wait = failures > 0 ? PresenceRules.heartbeat / 2 : max(50, PresenceRules.heartbeat - (Mirror.now() - sentAt))
            await withTaskCancellationHandler {
                await bell.wait(timeout: .milliseconds(wait))
            } onCancel: {
                Task { await bell.ring() }
            }
        }
    }

    /// The app is quitting: no more reports, and the clinic sees this agent leave now (best effort, short timeout).
    public func leave() async {
        state.withLock { $0.left = true }
        await bell.ring()
        try? await api.leavePresence()
    }
}
