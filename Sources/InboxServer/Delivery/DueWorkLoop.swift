import InboxModel
import Logging
import ServiceLifecycle

/// The loop both background workers run (deliveries out, media in): take what is due, do it concurrently, then
/// sleep until the next due time or a ring of the doorbell. Never longer than five seconds, so work queued by
/// another process (`inbox deadletter retry`) is picked up without a ring.
struct DueWorkLoop {
    let doorbell: Doorbell
    let logger: Logger
    let name: String
    /// Set at graceful shutdown: no new batch is taken; the one in flight finishes.
    let stopping: Locked<Bool>
    /// What the loop takes as now when it works out how long to sleep (the reminder worker's clock can be moved).
    var now: @Sendable () -> Millis = { DeliveryWorker.now() }

    func run<Job: Sendable>(isolation: isolated (any Actor)? = #isolation,
                            due: () async throws -> [Job], nextDue: () async throws -> Millis?,
                            perform: @escaping @Sendable (Job) async -> Void) async {
        while !Task.isCancelled && !stopping.value {
            do {
                let jobs = try await due()
                if jobs.isEmpty {
                    let wait = min(5_000, try await nextDue().map { max(1, $0 - now()) } ?? 5_000)
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

    /// Runs `loop` as a service of the server's group. At graceful shutdown the loop takes no new work, and the
    /// jobs in flight get `drain` to finish and record their outcome (a provider request cut off mid-way would be
    /// sent again after a restart); whatever is still running after that is cancelled.
    func serve(drain: Duration, _ loop: @escaping @Sendable () async -> Void) async {
        let work = Task { await loop() }
        let deadline = Locked<Task<Void, Never>?>(nil)
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await work.value
            } onGracefulShutdown: { [stopping, doorbell, logger, name] in
                stopping.value = true
                Task { await doorbell.ring() }
                deadline.value = Task {
                    guard (try? await Task.sleep(for: drain)) != nil else { return }
                    logger.warning("\(name): jobs still running after the shutdown drain of \(drain); cancelling them")
                    work.cancel()
                }
            }
        } onCancel: {
            work.cancel()
        }
        deadline.value?.cancel()
    }
}
