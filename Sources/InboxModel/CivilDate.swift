/// A calendar date from a count of days since 1970-01-01 and back, in integers: InboxModel imports no Foundation,
/// and the screens must not depend on the machine's time zone (snapshots). Howard Hinnant's civil_from_days and
/// days_from_civil, which hold for every proleptic Gregorian date.
public struct CivilDate: Sendable, Equatable {
    public var year: Int
    /// 1…12
    public var month: Int
    public var day: Int
    /// 0 = Sunday
    public var weekday: Int
    /// Days since 1970-01-01, for comparing dates.
    public var dayNumber: Int64

    public static let weekdayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    public static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    public init(dayNumber days: Int64) {
        let z = days + 719_468
        let era = Self.floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = Int(doy - (153 * mp + 2) / 5 + 1)
        month = Int(mp < 10 ? mp + 3 : mp - 9)
        year = Int(yoe + era * 400 + (month <= 2 ? 1 : 0))
        weekday = Int(Self.floorMod(days + 4, 7))
        dayNumber = days
    }

    /// The date at `time`, `offset` seconds east of UTC.
    public init(_ time: Millis, offset: Int) {
        self.init(dayNumber: Self.floorDiv(Self.floorDiv(time, 1000) + Int64(offset), 86_400))
    }

    /// Days since 1970-01-01 of a civil date.
    public static func dayNumber(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }
    public static func floorMod(_ a: Int64, _ b: Int64) -> Int64 { a - floorDiv(a, b) * b }
}
