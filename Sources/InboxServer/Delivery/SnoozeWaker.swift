import Foundation
import InboxModel
import Logging
import ServiceLifecycle

/// Brings snoozed conversations back when their time comes: twice a second it asks the store to wake what is due.
/// The snooze ends are stored, so a restart (or another instance) picks up where this one stopped.
struct SnoozeWaker: Service {
    let store: any InboxStore
    let logger: Logger
    var period: Duration = .milliseconds(500)
    var clock: @Sendable () -> Millis = { Millis(Date().timeIntervalSince1970 * 1000) }

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    while try await store.wakeSnoozed(now: clock()) >= SnoozeRules.wakeBatch {}
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("waking snoozed conversations failed: \(error)")
                }
                try await Task.sleep(for: period)
            }
        }
    }
}
