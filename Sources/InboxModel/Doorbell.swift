/// Wakes one waiting loop when there is work, or after a timeout. A ring while nobody waits is remembered, so a
/// ring that lands between "found nothing" and "wait" is not lost.
public actor Doorbell {
    private var rung = false
    private var waiter: CheckedContinuation<Void, Never>?
    private var generation = 0

    public init() {}

    public func ring() {
        if let waiter {
            self.waiter = nil
            waiter.resume()
        } else {
            rung = true
        }
    }

    /// Returns at the next ring (or at once if one is pending), or after `timeout`.
    public func wait(timeout: Duration) async {
        if rung {
            rung = false
            return
        }
        generation += 1
        let mine = generation
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.expire(mine)
        }
        await withCheckedContinuation { waiter = $0 }
        rung = false
        timer.cancel()
    }

    private func expire(_ mine: Int) {
        guard mine == generation, let waiter else { return }
        self.waiter = nil
        waiter.resume()
    }
}
