/// How far a catch-up has got: what a new terminal shows while it pulls a clinic's history ("Catching up: 45 %
/// (450,000 of 1,000,000), about 12 s left") and what `inbox sync --once` draws as its progress bar.
///
/// Counts are changes (one per message, conversation, patient… in the clinic's log), which is what the server can
/// count cheaply; in a big clinic nearly all of them are messages.
public struct CatchUpProgress: Sendable, Equatable {
    /// Changes stored since this catch-up began.
    public var done: Int
    /// `done` plus what the server said was still pending after the last batch.
    public var total: Int
    public var startedAt: Millis
    public var updatedAt: Millis

    public init(done: Int, total: Int, startedAt: Millis, updatedAt: Millis) {
        self.done = done
        self.total = max(total, done)
        self.startedAt = startedAt
        self.updatedAt = updatedAt
    }

    /// 0…1.
    public var fraction: Double { total > 0 ? min(1, Double(done) / Double(total)) : 1 }

    public var percent: Int { Int((fraction * 100).rounded(.down)) }

    /// Seconds left at the rate so far; nil until there is a rate to go by (a second of work, or 1 % done).
    public var secondsLeft: Int? {
        let elapsed = Double(updatedAt - startedAt) / 1000
        guard done > 0, elapsed >= 1 || fraction >= 0.01, elapsed > 0 else { return nil }
        let rate = Double(done) / elapsed
        return Int((Double(total - done) / rate).rounded(.up))
    }

    /// "Catching up: 45 % (450,000 of 1,000,000), about 12 s left"
    public var summary: String {
        var text = "Catching up: \(percent) % (\(Self.grouped(done)) of \(Self.grouped(total)))"
        if let left = secondsLeft { text += ", about \(Self.duration(left)) left" }
        return text
    }

    /// 1,234,567
    public static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return value < 0 ? "-" + out : out
    }

    /// "12 s", "3 min", "1 h 5 min"
    static func duration(_ seconds: Int) -> String {
        if seconds < 90 { return "\(seconds) s" }
        let minutes = (seconds + 30) / 60
        if minutes < 60 { return "\(minutes) min" }
        return "\(minutes / 60) h \(minutes % 60) min"
    }
}

/// Folds sync answers into a `CatchUpProgress`. A catch-up starts at the first batch that says more is pending and
/// carries `remaining`; it ends (nil) at the first batch with nothing more pending.
public struct CatchUpTracker: Sendable, Equatable {
    public private(set) var progress: CatchUpProgress?

    public init() {}

    /// Call after each stored batch; returns the progress to show, nil when caught up (or the server does not
    /// say how much is left: older servers).
    @discardableResult
    public mutating func stored(_ batch: SyncBatch, now: Millis) -> CatchUpProgress? {
        guard batch.more, let remaining = batch.remaining else {
            progress = nil
            return nil
        }
        var current = progress ?? CatchUpProgress(done: 0, total: 0, startedAt: now, updatedAt: now)
        current.done += batch.changeCount
        current.total = current.done + max(0, remaining)
        current.updatedAt = now
        progress = current
        return current
    }
}
