/// How many marketing templates one patient may receive from a clinic: patients who get offers every day block
/// the number, and WhatsApp lowers the number's quality rating (and then its sending limit) for every report.
/// Utility and authentication templates (reminders, codes) are about the patient's own care and never counted.
public struct MarketingLimits: Sendable, Equatable, Codable {
    /// In any 24 hours.
    public var perDay: Int
    /// In any 30 days.
    public var perMonth: Int

    public init(perDay: Int, perMonth: Int) {
        self.perDay = perDay
        self.perMonth = perMonth
    }

    /// A clinic that set nothing: one offer a day, four a month.
    public static let standard = MarketingLimits(perDay: 1, perMonth: 4)

    public static let day: Millis = 24 * 60 * 60 * 1000
    public static let month: Millis = 30 * day

    /// Why the values cannot be limits, or nil.
    public var problem: String? {
        if perDay < 0 || perMonth < 0 { return "limits cannot be negative" }
        if perDay > perMonth { return "the daily limit (\(perDay)) cannot be above the 30-day one (\(perMonth))" }
        return nil
    }
}

/// The marketing throttle of docs/protocol.md §7.5, decided without I/O from the patient's recent marketing sends.
public enum MarketingThrottle {
    /// How far back the sends that can still count go.
    public static let lookBack = MarketingLimits.month

    /// The refusal for one more marketing template to a patient who was sent marketing templates at `sentAt`
    /// (any order; sends that failed for good are not in it), or nil when it may go out. When both limits are
    /// reached it names the one that lasts longer, so "the next can go in …" is true.
    public static func refusal(limits: MarketingLimits, sentAt: [Millis], now: Millis) -> CommandRefusal? {
        let recent = sentAt.filter { $0 > now - MarketingLimits.month }.sorted(by: >)
        var blocking: (next: Millis, count: Int, limit: Int, span: String)?
        for (limit, window, span) in [(limits.perDay, MarketingLimits.day, "24 hours"),
                                      (limits.perMonth, MarketingLimits.month, "30 days")] {
            let inWindow = recent.filter { $0 > now - window }
            guard inWindow.count >= limit else { continue }
            guard limit > 0 else {
                return CommandRefusal(422, "marketing_limit",
                                      "This clinic sends no marketing templates (its limit is 0); utility templates still go.")
            }
            // The limit-th newest send leaves the window first; then one more may go.
            let next = inWindow[limit - 1] + window
            if next > blocking?.next ?? .min { blocking = (next, inWindow.count, limit, span) }
        }
        guard let blocking else { return nil }
        let templates = blocking.count == 1 ? "template" : "templates"
        return CommandRefusal(422, "marketing_limit", """
            Marketing limit: the patient already got \(blocking.count) marketing \(templates) in the last \(blocking.span) \
            (the clinic allows \(blocking.limit)); the next can go \(wait(blocking.next - now)). Utility templates still go.
            """)
    }

    /// "in 23 h 5 min", "in 4 days", "in 3 min".
    static func wait(_ remaining: Millis) -> String {
        let minutes = max(1, (remaining + 59_999) / 60_000)
        if minutes < 60 { return "in \(minutes) min" }
        let hours = minutes / 60
        if hours < 48 { return minutes % 60 == 0 ? "in \(hours) h" : "in \(hours) h \(minutes % 60) min" }
        return "in \((hours + 23) / 24) days"
    }
}
