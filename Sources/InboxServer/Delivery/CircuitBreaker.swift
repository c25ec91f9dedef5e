import InboxModel

/// One provider's breaker. After `threshold` transient failures in a row the provider is left alone for
/// `cooldown` (deliveries wait instead of burning their retries), then one delivery probes it again.
struct CircuitBreaker: Sendable {
    enum Transition: Equatable { case opened(until: Millis), closed }

    let threshold: Int
    let cooldown: Millis
    private(set) var consecutiveFailures = 0
    private(set) var openUntil: Millis?

    init(threshold: Int, cooldown: Millis) {
        self.threshold = threshold
        self.cooldown = cooldown
    }

    func allows(at now: Millis) -> Bool { openUntil.map { now >= $0 } ?? true }

    mutating func recordSuccess() -> Transition? {
        let wasTripped = consecutiveFailures >= threshold
        consecutiveFailures = 0
        openUntil = nil
        return wasTripped ? .closed : nil
    }

    /// A transient failure. Past the threshold every further failure (the probes) re-opens the breaker.
    mutating func recordFailure(at now: Millis) -> Transition? {
        consecutiveFailures += 1
        guard consecutiveFailures >= threshold else { return nil }
        openUntil = now + cooldown
        return .opened(until: now + cooldown)
    }
}
