import InboxModel
import Logging

/// The loop both background workers run (deliveries out, media in): take what is due, do it concurrently, then
/// sleep until the next due time or a ring of the doorbell. Never longer than five seconds, so work queued by
/// another process (`inbox deadletter retry`) is picked up without a ring.
struct DueWorkLoop {
    let doorbell: Doorbell
    let logger: Logger
    let name: String

    func run<Job: Sendable>(isolation: isolated (any Actor)? = #isolation,
                            due: () async throws -> [Job], nextDue: () async throws -> Millis?,
                            perform: @escaping @Sendable (Job) async -> Void) async {
        while !Task.isCancelled {
            do {
                let jobs = try await due()
                if jobs.isEmpty {
                    let wait = min(5_000, try await nextDue().map { max(1, $0 - DeliveryWorker.now()) } ?? 5_000)
                    await doorbell.wait(timeout: .milliseconds(wait))
                    continue
                }
                await withTaskGroup(of: Void.self) { group in
                    for job in jobs { group.addTask { await perform(job) } }
                }
            } catch {
                logger.error("\(name) loop: \(error)")
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
