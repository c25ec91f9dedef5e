import InboxModel

/// Times, durations and sizes as the screens print them. Local time is UTC plus the offset in the app's
/// settings, computed with integer arithmetic so snapshots do not depend on the machine's time zone.
enum Formatting {
    typealias LocalDate = CivilDate

    static func localSeconds(_ time: Millis, offset: Int) -> Int {
        Int(floorDiv(time, 1000)) + offset
    }

    /// "14:05"
    static func clock(_ time: Millis, offset: Int) -> String {
        let secondsOfDay = floorMod(localSeconds(time, offset: offset), 86_400)
        return twoDigits(secondsOfDay / 3600) + ":" + twoDigits(secondsOfDay % 3600 / 60)
    }

    static func date(_ time: Millis, offset: Int) -> LocalDate { CivilDate(time, offset: offset) }

    static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// "3 Nov", or "3 Nov 2023" for another year.
    static func shortDate(_ time: Millis, now: Millis, offset: Int) -> String {
        let day = date(time, offset: offset)
        let label = "\(day.day) \(months[day.month - 1])"
        return day.year == date(now, offset: offset).year ? label : label + " \(day.year)"
    }

    /// "Today", "Yesterday", "Mon 11 Mar", or "Mon 11 Mar 2023" for another year.
    static func dayLabel(_ time: Millis, now: Millis, offset: Int) -> String {
        let day = date(time, offset: offset)
        let today = date(now, offset: offset)
        if day.dayNumber == today.dayNumber { return "Today" }
        if day.dayNumber == today.dayNumber - 1 { return "Yesterday" }
        var label = "\(weekdays[day.weekday]) \(day.day) \(months[day.month - 1])"
        if day.year != today.year { label += " \(day.year)" }
        return label
    }

    /// A waiting timer in at most five columns: "45s", "12m", "3h05", "2d".
    static func age(_ millis: Millis) -> String {
        let seconds = max(0, millis / 1000)
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m" }
        if seconds < 86_400 { return "\(seconds / 3600)h" + twoDigits(Int(seconds % 3600 / 60)) }
        return "\(seconds / 86_400)d"
    }

    /// "14h 05m", "0h 12m".
    static func hoursAndMinutes(_ millis: Millis) -> String {
        let minutes = max(0, millis / 60_000)
        return "\(minutes / 60)h " + twoDigits(Int(minutes % 60)) + "m"
    }

    static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    static func floorDiv<T: BinaryInteger>(_ a: T, _ b: T) -> T {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    static func floorMod(_ a: Int, _ b: Int) -> Int { ((a % b) + b) % b }
}
