import Foundation
import Logging
import ServiceLifecycle

/// `inbox agent revoke`, `inbox template import` and `inbox patient erase` run in another process, on the same
/// database, so the server's in-process notifier never hears of them. Every `interval` this reads one number
/// (the newest change-log seq of those kinds); when it moved, remembered tokens are dropped and the clinics it
/// touched get their long-polls woken: held polls of a revoked token are answered 401, the others receive the change.
struct AdministrationWatcher: Service {
    static let interval: Duration = .milliseconds(250)

    let store: any InboxStore
    let notifier: any ChangeNotifier
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown { [store] in
            var stamp = try? await store.administrativeChanges(after: nil).stamp
            // Tokens remembered before that first read are not covered by the confirmations below.
            store.forgetAuthenticatedTokens()
            while !Task.isCancelled {
                try await Task.sleep(for: Self.interval)
                do {
                    let began = ContinuousClock.now
                    let changes = try await store.administrativeChanges(after: stamp)
                    guard changes.stamp != stamp else {
                        store.confirmAuthenticatedTokens(asOf: began)
                        continue
                    }
                    // Cache first, then wake: a woken poll re-authenticating must read the database.
                    store.forgetAuthenticatedTokens()
                    for clinic in changes.clinicIds { notifier.publish(clinicId: clinic) }
                    stamp = changes.stamp
                } catch is CancellationError {
                    return
                } catch {
                    logger.error("administration watcher: \(error)")
                }
            }
        }
    }
}
