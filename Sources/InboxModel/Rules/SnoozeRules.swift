/// Snooze (`z`): a conversation leaves the active tabs until a time, then comes back ringing like a hand-off.
/// The server owns the clock: it wakes due conversations (`SnoozeWaker`) and the patient writing wakes one early
/// (`IngestRules.conversation`). Decided here without I/O.
public enum SnoozeRules {
    /// The longest snooze: past this a conversation should be closed, not forgotten.
    public static let longest: Millis = 90 * 86_400_000
    /// How many due conversations one wake-up pass takes (the rest follow in the next pass).
    public static let wakeBatch = 200

    /// The conversation snoozed until `until`, or why not.
    public static func snooze(_ conversation: Conversation, until: Millis, now: Millis) throws(CommandRefusal) -> Conversation {
        if conversation.status == .closed { throw .conversationClosed }
        guard until > now else {
            throw CommandRefusal(status: 422, body: ErrorBody(error: "invalid_snooze", message: "A snooze must end in the future."))
        }
        guard until - now <= longest else {
            throw CommandRefusal(status: 422, body: ErrorBody(error: "invalid_snooze",
                                                              message: "A snooze may last at most 90 days; close the conversation instead."))
        }
        var next = conversation
        next.snoozedUntil = until
        return next
    }

    /// Woken (by an agent, by the clock or by the patient); nil when it was not snoozed.
    public static func wake(_ conversation: Conversation) -> Conversation? {
        guard conversation.snoozedUntil != nil else { return nil }
        var next = conversation
        next.snoozedUntil = nil
        return next
    }

    /// Whether the server's clock has reached the snooze's end.
    public static func isDue(_ conversation: Conversation, now: Millis) -> Bool {
        conversation.snoozedUntil.map { $0 <= now } ?? false
    }

    /// The end as the activity log states it: the server knows no agent's time zone, so in UTC ("09:00 UTC",
    /// "Dec 9 09:00 UTC" when not within a day).
    public static func describe(_ until: Millis, now: Millis) -> String {
        let day: Millis = 86_400_000
        let ofDay = ((until % day) + day) % day
        func two(_ value: Millis) -> String { value < 10 ? "0\(value)" : "\(value)" }
        var time = "\(two(ofDay / 3_600_000)):\(two(ofDay / 60_000 % 60))"
        if until - now < 120_000 { time += ":\(two(ofDay / 1000 % 60))" }  // a short snooze says exactly when
        guard until - now >= day else { return time + " UTC" }
        let date = CivilDate(dayNumber: until / day)
        return "\(CivilDate.monthNames[date.month - 1]) \(date.day) \(time) UTC"
    }
}

/// The snooze choices of the `z` picker, computed on the client in the agent's own time zone.
public enum SnoozeChoice: Sendable, Equatable, CaseIterable {
    case oneHour, tomorrowMorning, nextWeek, custom

    public var label: String {
        switch self {
        case .oneHour: "1 hour"
        case .tomorrowMorning: "Tomorrow 09:00"
        case .nextWeek: "Next week (Monday 09:00)"
        case .custom: "Custom…"
        }
    }

    /// When the snooze ends; nil for `custom` (typed). `utcOffset` is the agent's time zone in seconds.
    public func until(now: Millis, utcOffset: Int) -> Millis? {
        let day: Millis = 86_400_000
        let offset = Millis(utcOffset) * 1000
        let localMidnight = ((now + offset) / day) * day - offset
        switch self {
        case .oneHour: return now + 3_600_000
        case .tomorrowMorning: return localMidnight + day + 9 * 3_600_000
        case .nextWeek:
            // 1970-01-01 was a Thursday: days since then, plus 3, mod 7 is the weekday with Monday = 0.
            let weekday = (((now + offset) / day) + 3) % 7
            return localMidnight + (7 - weekday) * day + 9 * 3_600_000
        case .custom: return nil
        }
    }

    /// A typed snooze: "2s", "30m", "2h", "3d", "1w" (from now), or "14:30" (today, or tomorrow once past).
    public static func parse(_ text: String, now: Millis, utcOffset: Int) -> Millis? {
        let text = text.trimmingWhitespace().lowercased()
        if let colon = text.firstIndex(of: ":"), let hour = Int(text[..<colon]),
           let minute = Int(text[text.index(after: colon)...]), (0..<24).contains(hour), (0..<60).contains(minute) {
            let day: Millis = 86_400_000
            let offset = Millis(utcOffset) * 1000
            let localMidnight = ((now + offset) / day) * day - offset
            let today = localMidnight + Millis(hour) * 3_600_000 + Millis(minute) * 60_000
            return today > now ? today : today + day
        }
        guard let unit = text.last, let amount = Int(text.dropLast()), amount > 0 else { return nil }
        let scale: Millis
        switch unit {
        case "s": scale = 1000
        case "m": scale = 60_000
        case "h": scale = 3_600_000
        case "d": scale = 86_400_000
        case "w": scale = 7 * 86_400_000
        default: return nil
        }
        let (value, overflow) = Millis(amount).multipliedReportingOverflow(by: scale)
        return overflow ? nil : now + value
    }
}
