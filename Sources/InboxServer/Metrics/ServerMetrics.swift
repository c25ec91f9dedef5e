import Foundation
import Metrics
import Prometheus

/// The server's operational metrics, recorded through swift-metrics with swift-prometheus behind it and served
/// as Prometheus text at `/metrics`. Labels carry providers, outcomes and states only: never a phone number, a
/// name, a clinic or message text.
public enum ServerMetrics {
    /// The process's registry. `MetricsSystem` can be bootstrapped once per process, and several servers may
    /// run in one (the tests, the demo): they share it, so counters are per process.
    public static var registry: PrometheusCollectorRegistry { bootstrapped }

    private static let bootstrapped: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[Name.wakeUpLatency] = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// Makes sure the backend is in place before the first metric is created (a metric created before the
    /// bootstrap would go to the no-op backend for good).
    public static func bootstrap() { _ = bootstrapped }

    enum Name {
        static let webhooks = "inbox_webhooks_total"
        static let deliveries = "inbox_deliveries_total"
        static let breakerOpen = "inbox_circuit_breaker_open"
        static let longPolls = "inbox_long_polls_held"
        static let wakeUpLatency = "inbox_long_poll_wake_up_seconds"
        static let outboxDepth = "inbox_outbox_depth"
        static let deadLetters = "inbox_dead_letters"
        static let connectionsOpen = "inbox_connections_open"
        static let connectionsClosed = "inbox_connections_closed_by_guard_total"
    }

    /// A provider webhook answered: `outcome` is `accepted`, `forbidden`, `too_large`, `rejected` or `error`.
    public static func webhook(provider: String, outcome: String) {
        bootstrap()
        Counter(label: Name.webhooks, dimensions: [("provider", provider), ("outcome", outcome)]).increment()
    }

    /// A delivery attempt ended: `sent`, `retrying`, `failed` (for good) or `rejected` (refused by the provider).
    static func delivery(provider: String, outcome: String) {
        bootstrap()
        Counter(label: Name.deliveries, dimensions: [("provider", provider), ("outcome", outcome)]).increment()
    }

    static func circuitBreaker(provider: String, open: Bool) {
        bootstrap()
        Gauge(label: Name.breakerOpen, dimensions: [("provider", provider)]).record(open ? 1 : 0)
    }

    /// Made once: every woken long-poll records here, and making a timer looks it up in the factory under a lock.
    private static let wakeUpTimer: Metrics.Timer = {
        bootstrap()
        return Metrics.Timer(label: Name.wakeUpLatency)
    }()

    /// Time from a commit's publish to the held long-poll it woke resuming.
    static func wakeUp(after latency: Duration) {
        wakeUpTimer.recordNanoseconds(
            latency.components.seconds * 1_000_000_000 + latency.components.attoseconds / 1_000_000_000)
    }

    static func connectionsOpen(_ count: Int) {
        bootstrap()
        Gauge(label: Name.connectionsOpen).record(count)
    }

    /// `evicted_idle` (the oldest idle connection closed to make room) or `refused_busy` (every one was busy).
    static func connectionClosedByGuard(reason: String) {
        bootstrap()
        Counter(label: Name.connectionsClosed, dimensions: [("reason", reason)]).increment()
    }

    /// Gauges read at scrape time from the server being scraped.
    struct Snapshot {
        var longPollsHeld: Int
        var outboxDepth: Int
        var deadLetters: Int
    }

    /// The registry's text, after setting the scraped server's gauges.
    static func exposition(_ snapshot: Snapshot) -> [UInt8] {
        bootstrap()
        Gauge(label: Name.longPolls).record(snapshot.longPollsHeld)
        Gauge(label: Name.outboxDepth).record(snapshot.outboxDepth)
        Gauge(label: Name.deadLetters).record(snapshot.deadLetters)
        return registry.emitToBuffer()
    }
}
