import Foundation
import InboxServer
import Testing

@Suite("Change notifier")
struct ChangeNotifierTests {
    @Test("waits that time out or are cancelled before they register leave nothing behind; a publish still wakes a waiter")
    func noLeakedContinuations() async throws {
        let notifier = LocalChangeNotifier()
        // Zero-length timeouts fire before or while the continuation is registered.
        await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<2_000 { group.addTask { await notifier.wait(clinicId: 1, after: 0, timeout: .zero) } }
            for await woken in group { #expect(!woken) }
        }
        // Cancelled before, during and after registering.
        let cancelled = (0..<2_000).map { _ in Task { await notifier.wait(clinicId: 1, after: 0, timeout: .seconds(60)) } }
        for task in cancelled { task.cancel() }
        for task in cancelled { #expect(await task.value == false) }
        #expect(notifier.waitingCount == 0, "no continuation left registered")

        // Positive control: a held wait is woken by a publish.
        let waiting = Task { await notifier.wait(clinicId: 1, after: 0, timeout: .seconds(10)) }
        #expect(try await eventually { notifier.waitingCount == 1 })
        notifier.publish(clinicId: 1)
        #expect(await waiting.value == true)

        // After shutdown, held and later waits are answered at once.
        let held = Task { await notifier.wait(clinicId: 2, after: 0, timeout: .seconds(10)) }
        #expect(try await eventually { notifier.waitingCount == 1 })
        notifier.releaseAll()
        #expect(await held.value == false)
        let start = ContinuousClock.now
        #expect(await notifier.wait(clinicId: 2, after: 0, timeout: .seconds(10)) == false)
        #expect(ContinuousClock.now - start < .seconds(5), "at once, not at its 10 s timeout")
    }

    @Test("a timeout ends at its deadline, not before, whatever the order waits came in: a short wait after a long one is not held to the long one's sweep")
    func timeoutsInAnyOrder() async throws {
        let notifier = LocalChangeNotifier()
        let long = Task { await notifier.wait(clinicId: 1, after: 0, timeout: .seconds(60)) }
        #expect(try await eventually { notifier.waitingCount == 1 })
        for timeout in [Duration.milliseconds(200), .milliseconds(100)] {
            let start = ContinuousClock.now
            #expect(await notifier.wait(clinicId: 2, after: 0, timeout: timeout) == false)
            let waited = ContinuousClock.now - start
            #expect(waited >= timeout, "not early")
            #expect(waited < .seconds(5), "at its own deadline, not the 60 s one")
        }
        notifier.publish(clinicId: 1)
        #expect(await long.value == true)
    }
}
