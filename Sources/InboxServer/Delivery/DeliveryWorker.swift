import Foundation
import InboxModel
import Logging
import ServiceLifecycle

/// Hands pending outbound messages to their providers, retrying with exponential backoff and jitter; a message
/// that exhausts its attempts, or that the provider refuses, becomes `failed` with the provider's reason.
/// A service of the server's group: at shutdown it takes no new deliveries, and those in flight finish and are
/// recorded (within the drain) rather than being cut off and sent again after a restart.
public actor DeliveryWorker: Service {
    public struct Policy: Sendable {
        public var maxAttempts: Int
        public var baseDelay: Millis
        public var maxDelay: Millis

        /// Transient failures in a row that open a provider's circuit breaker, and how long it stays open.
        public var breakerThreshold: Int
        public var breakerCooldown: Millis

        public init(maxAttempts: Int = 6, baseDelay: Millis = 1_000, maxDelay: Millis = 5 * 60_000,
                    breakerThreshold: Int = 5, breakerCooldown: Millis = 30_000) {
            self.maxAttempts = maxAttempts
            self.baseDelay = baseDelay
            self.maxDelay = maxDelay
            self.breakerThreshold = breakerThreshold
            self.breakerCooldown = breakerCooldown
        }

        /// Delay before attempt `attempt + 1`: base·2^attempt, capped, with ±25 % jitter so retries of many
        /// messages do not arrive at the provider in lockstep.
        func delay(afterAttempt attempt: Int) -> Millis {
            let exponential = min(maxDelay, baseDelay << min(attempt, 20))
            let jitter = Millis(Double(exponential) * Double.random(in: -0.25...0.25))
            return max(1, exponential + jitter)
        }
    }

    private let store: any InboxStore
    private let senders: [ProviderKind: any ProviderSender]
    private let policy: Policy
    private let logger: Logger
    private let doorbell = Doorbell()
    private let stopping = Locked(false)
    private let shutdownDrain: Duration
    private var breakers: [ProviderKind: CircuitBreaker] = [:]
    /// The clinic numbers whose deliveries failed while a breaker was tripping: they are shown as degraded.
    private var degradedNumbers: [ProviderKind: Set<String>] = [:]

    public init(store: any InboxStore, senders: [ProviderKind: any ProviderSender], policy: Policy = Policy(),
                shutdownDrain: Duration = .seconds(10), logger: Logger = Logger(label: "inbox.delivery")) {
        self.store = store
        self.senders = senders
        self.policy = policy
        self.shutdownDrain = shutdownDrain
        self.logger = logger
        for provider in senders.keys { ServerMetrics.circuitBreaker(provider: provider.rawValue, open: false) }
    }

    /// Something new is due: look now rather than at the next timer.
    public func poke() async {
        await doorbell.ring()
    }

    public func run() async {
        let loop = DueWorkLoop(doorbell: doorbell, logger: logger, name: "delivery", stopping: stopping)
        await loop.serve(drain: shutdownDrain) { await self.work(loop) }
    }

    private func work(_ loop: DueWorkLoop) async {
        await loop.run(
            due: {
                try await store.dueDeliveries(now: Self.now(), limit: 32, excluding: openBreakers())
            },
            // A breaker that closes makes its provider's deliveries due again.
            nextDue: {
                let reopen = breakers.values.compactMap(\.openUntil).filter { $0 > Self.now() }.min()
                return [try await store.nextDeliveryTime(excluding: openBreakers()), reopen].compactMap { $0 }.min()
            },
            perform: { job in await self.deliver(job) })
    }

    /// Providers whose breaker is open now: their deliveries wait for it to close.
    private func openBreakers() -> [ProviderKind] {
        Array(breakers.filter { !$0.value.allows(at: Self.now()) }.keys)
    }

    private func deliver(_ job: DeliveryJob) async {
        guard let sender = senders[job.provider] else {
            try? await store.deliveryFailed(messageId: job.message.id, error: "No \(job.provider.rawValue) credentials configured",
                                            retryAt: nil)
            ServerMetrics.delivery(provider: job.provider.rawValue, outcome: "failed")
            return
        }
        let outcome = await sender.send(job)
        await updateBreaker(job, outcome)
        ServerMetrics.delivery(provider: job.provider.rawValue, outcome: metricsOutcome(outcome, attempts: job.attempts))
        // Message text never goes to logs: ids and outcomes only.
        do {
            switch outcome {
            case .sent(let providerId):
                try await store.deliverySucceeded(messageId: job.message.id, providerMessageId: providerId)
            case .retryable(let reason) where job.attempts + 1 < policy.maxAttempts:
                logger.warning("delivery of message \(job.message.id) failed (attempt \(job.attempts + 1)): \(reason)")
                try await store.deliveryFailed(messageId: job.message.id, error: reason,
                                               retryAt: Self.now() + policy.delay(afterAttempt: job.attempts))
            case .retryable(let reason), .rejected(let reason):
                logger.warning("delivery of message \(job.message.id) failed for good: \(reason)")
                try await store.deliveryFailed(messageId: job.message.id, error: reason, retryAt: nil)
            }
        } catch {
            logger.error("recording delivery of message \(job.message.id): \(error)")
        }
    }

    private func metricsOutcome(_ outcome: SendOutcome, attempts: Int) -> String {
        switch outcome {
        case .sent: "sent"
        case .retryable where attempts + 1 < policy.maxAttempts: "retrying"
        case .retryable: "failed"
        case .rejected: "rejected"
        }
    }

    /// Transient failures trip the provider's breaker; refusals say nothing about the channel and do not.
    private func updateBreaker(_ job: DeliveryJob, _ outcome: SendOutcome) async {
        var breaker = breakers[job.provider]
            ?? CircuitBreaker(threshold: policy.breakerThreshold, cooldown: policy.breakerCooldown)
        let transition: CircuitBreaker.Transition?
        switch outcome {
        case .sent: transition = breaker.recordSuccess()
        case .retryable: transition = breaker.recordFailure(at: Self.now())
        case .rejected: transition = nil
        }
        breakers[job.provider] = breaker
        if case .retryable = outcome { degradedNumbers[job.provider, default: []].insert(job.clinicNumber) }
        switch transition {
        case .opened:
            ServerMetrics.circuitBreaker(provider: job.provider.rawValue, open: true)
            logger.warning("\(job.provider.rawValue) keeps failing: pausing its deliveries for \(policy.breakerCooldown) ms")
            for number in degradedNumbers[job.provider] ?? [] {
                try? await store.setChannelHealth(clinicNumber: number, provider: job.provider, state: "degraded",
                                                  detail: "Deliveries keep failing; retrying automatically")
            }
        case .closed:
            ServerMetrics.circuitBreaker(provider: job.provider.rawValue, open: false)
            for number in degradedNumbers.removeValue(forKey: job.provider) ?? [] {
                try? await store.setChannelHealth(clinicNumber: number, provider: job.provider, state: "ok", detail: nil)
            }
        case nil:
            if case .sent = outcome { degradedNumbers[job.provider] = nil }
        }
    }

    static func now() -> Millis { Millis(Date().timeIntervalSince1970 * 1000) }
}
