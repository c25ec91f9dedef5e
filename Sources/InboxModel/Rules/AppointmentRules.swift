/// Appointment reminders, decided without I/O: when a reminder is due, what the template is filled with, which
/// answers mean what, and what an answer does to the appointment and the conversation.
public enum AppointmentRules {
    /// How long before an appointment its reminder goes out, unless the server says otherwise
    /// (`INBOX_REMINDER_LEAD_HOURS`).
    public static let defaultLead: Millis = 24 * 3_600_000

    // MARK: When

    /// A scheduled appointment is due for its reminder from `lead` before it starts until it starts: one imported
    /// late (less than `lead` ahead) is reminded at once, one already past is never reminded.
    public static func isDue(_ appointment: Appointment, now: Millis, lead: Millis) -> Bool {
        appointment.status == .scheduled && appointment.startsAt > now && appointment.startsAt <= dueCutoff(now: now, lead: lead)
    }

    /// Appointments starting after `now` and at or before this are due (what the stores' claims select).
    public static func dueCutoff(now: Millis, lead: Millis) -> Millis { now + max(0, lead) }

    /// When the next reminder falls due, given the earliest scheduled appointment still ahead.
    public static func nextDue(earliestStart: Millis?, lead: Millis) -> Millis? {
        earliestStart.map { $0 - max(0, lead) }
    }

    /// The patient's next appointment: the soonest not cancelled that has not started yet.
    public static func next(_ appointments: [Appointment], now: Millis) -> Appointment? {
        appointments.filter { $0.status.isUpcoming && $0.startsAt >= now }.min { ($0.startsAt, $0.id) < ($1.startsAt, $1.id) }
    }

    // MARK: The reminder

    /// The values of the reminder template's `{{1}}`…`{{4}}`, in this order: the patient's name, the doctor, the
    /// day ("Tue 8 Dec") and the time ("10:30"), in the clinic's local time. A template uses as many as it has
    /// placeholders; nil when it has more than four (the reminder cannot fill it).
    public static func reminderParameters(templateBody: String, patientName: String, appointment: Appointment) -> [String]? {
        let count = TemplateBody.parameterNumbers(in: templateBody).max() ?? 0
        let values = [patientName.isEmpty ? "there" : patientName, appointment.doctor,
                      day(appointment.startsAt, offset: appointment.utcOffset),
                      clock(appointment.startsAt, offset: appointment.utcOffset)]
        guard count <= values.count else { return nil }
        let parameters = values.prefix(count).map { TemplateBody.problem(inParameter: $0) == nil ? $0 : sanitized($0) }
        return Array(parameters)
    }

    /// Template parameters may not hold newlines or tabs (Meta refuses them): they become spaces.
    private static func sanitized(_ value: String) -> String {
        String(value.unicodeScalars.map { $0 == "\n" || $0 == "\r" || $0 == "\t" ? " " : Character($0) })
    }

    /// "Tue 8 Dec 10:30, Dr Rahman": how agents and the hand-off reason name the appointment.
    public static func describe(_ appointment: Appointment) -> String {
        "\(day(appointment.startsAt, offset: appointment.utcOffset)) \(clock(appointment.startsAt, offset: appointment.utcOffset)), \(appointment.doctor)"
    }

    /// "10:30" at `offset` seconds east of UTC.
    public static func clock(_ time: Millis, offset: Int) -> String {
        let seconds = floorMod(floorDiv(time, 1000) + Int64(offset), 86_400)
        return twoDigits(Int(seconds / 3600)) + ":" + twoDigits(Int(seconds % 3600 / 60))
    }

    /// "Tue 8 Dec" at `offset` seconds east of UTC.
    public static func day(_ time: Millis, offset: Int) -> String {
        let (_, month, day, weekday) = civil(time, offset: offset)
        return "\(weekdays[weekday]) \(day) \(months[month - 1])"
    }

    /// "Tue" at `offset` seconds east of UTC.
    public static func weekday(_ time: Millis, offset: Int) -> String { weekdays[civil(time, offset: offset).weekday] }

    static let weekdays = CivilDate.weekdayNames
    static let months = CivilDate.monthNames

    /// (year, month 1…12, day, weekday 0 = Sunday) at `offset` seconds east of UTC.
    static func civil(_ time: Millis, offset: Int) -> (year: Int, month: Int, day: Int, weekday: Int) {
        let date = CivilDate(time, offset: offset)
        return (date.year, date.month, date.day, date.weekday)
    }

    /// Days since 1970-01-01 of a civil date.
    static func days(year: Int, month: Int, day: Int) -> Int64 { CivilDate.dayNumber(year: year, month: month, day: day) }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { CivilDate.floorDiv(a, b) }
    private static func floorMod(_ a: Int64, _ b: Int64) -> Int64 { CivilDate.floorMod(a, b) }
    private static func twoDigits(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    // MARK: Input

    /// A time as the clinic's system writes it: `2026-12-08T10:30[:00][Z|±HH:MM]` (a space may replace the T).
    /// Returns the wall-clock time read as if it were UTC, and the offset when the text carries one; nil when it
    /// is not such a time.
    public static func parseTime(_ text: String) -> (wallClock: Millis, offset: Int?)? {
        let scalars = Array(text.trimmingWhitespace().unicodeScalars)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= scalars.count else { return nil }
            var value = 0
            for scalar in scalars[range] {
                guard (48...57).contains(scalar.value) else { return nil }
                value = value * 10 + Int(scalar.value - 48)
            }
            return value
        }
        guard scalars.count >= 16, scalars[4] == "-", scalars[7] == "-", scalars[10] == "T" || scalars[10] == " ",
              scalars[13] == ":", let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60 else { return nil }
        var rest = 16
        var second = 0
        if rest < scalars.count, scalars[rest] == ":" {
            guard let value = number(rest + 1..<rest + 3), value < 60 else { return nil }
            second = value
            rest += 3
        }
        var offset: Int?
        if rest < scalars.count {
            let sign = scalars[rest]
            if sign == "Z", rest + 1 == scalars.count {
                offset = 0
            } else if sign == "+" || sign == "-", let hours = number(rest + 1..<rest + 3), hours <= 14 {
                var minutes = 0
                var end = rest + 3
                if end < scalars.count, scalars[end] == ":" { end += 1 }
                if end < scalars.count {
                    guard let value = number(end..<end + 2), value < 60, end + 2 == scalars.count else { return nil }
                    minutes = value
                }
                offset = (sign == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)
            } else {
                return nil
            }
        }
        // A day past the month's end (31 Feb) is refused rather than rolled over.
        guard civil(days(year: year, month: month, day: day) * 86_400_000, offset: 0).month == month else { return nil }
        let seconds = days(year: year, month: month, day: day) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        return (seconds * 1000, offset)
    }

    /// Why an appointment cannot be kept as given, or nil.
    public static func problem(phone: String, name: String, doctor: String, template: String) -> String? {
        let digits = phone.dropFirst()
        if !phone.hasPrefix("+") || digits.count < 7 || digits.count > 15 || !digits.allSatisfy({ $0.isASCII && $0.isNumber }) {
            return "the phone must be an E.164 number such as +971501234567"
        }
        if doctor.trimmingWhitespace().isEmpty { return "the doctor is missing" }
        if doctor.count > 80 || name.count > 200 { return "the name or doctor is too long" }
        if [name, doctor].contains(where: { $0.unicodeScalars.contains { $0.properties.generalCategory == .control } }) {
            return "the name or doctor holds control characters"
        }
        if template.trimmingWhitespace().isEmpty { return "the reminder template is missing" }
        return nil
    }

    // MARK: The patient's answer

    public enum Answer: String, Sendable, Equatable, CaseIterable {
        case confirm, reschedule, cancel
    }

    /// What a reply button's id says: `appt:<id>:confirm` (the reminder's own buttons) or a bare `confirm`.
    public static func answer(replyId: String) -> (answer: Answer, appointmentId: Int64?)? {
        let parts = replyId.lowercased().split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 3, parts[0] == "appt", let id = Int64(parts[1]), let answer = Answer(rawValue: String(parts[2])) {
            return (answer, id)
        }
        if parts.count == 1, let answer = Answer(rawValue: String(parts[0])) { return (answer, nil) }
        return nil
    }

    /// The words that answer a reminder, in English, Arabic and Hindi (Devanagari and romanised). A reply button's
    /// title is matched the same way ("Confirm", "تأكيد", "पुष्टि करें").
    public static let words: [Answer: [String]] = [
        .confirm: ["confirm", "confirmed", "yes", "ok", "okay", "i will come", "i'll come", "i will be there",
                   "i'll be there", "see you",
                   "تأكيد", "اكد", "اؤكد", "مؤكد", "نعم", "موافق", "تمام", "اكيد", "سأحضر",
                   "पुष्टि", "पुष्टि करें", "हाँ", "हां", "जी हाँ", "ठीक है", "कन्फर्म", "आऊंगा", "आऊंगी",
                   "haan", "han", "theek hai"],
        .reschedule: ["reschedule", "change", "change time", "change the time", "move", "postpone", "another time",
                      "another day", "different time",
                      "تغيير", "تغيير الموعد", "تاجيل", "اجل", "اعادة جدولة", "موعد اخر", "وقت اخر",
                      "बदलें", "बदलना", "समय बदलें", "रीशेड्यूल", "दूसरा समय", "दूसरा दिन", "बदल दो",
                      "badlo", "reschedule karo"],
        .cancel: ["cancel", "cancel it", "cancelled", "can't come", "cannot come", "can not come", "won't come",
                  "الغاء", "الغي", "الغاء الموعد", "لن احضر", "لا استطيع الحضور",
                  "रद्द", "रद्द करें", "रद्द करो", "कैंसल", "नहीं आ सकता", "नहीं आ सकती",
                  "cancel karo"],
    ]

    /// What a patient's free words answer, or nil when they do not clearly answer the reminder: a short message
    /// (up to eight words) naming exactly one of the answers. "Yes, confirmed 👍" confirms; "Can I change it or
    /// cancel?" names two and is left to staff; a paragraph is left to staff.
    public static func answer(text: String) -> Answer? {
        let tokens = normalizedWords(text)
        guard !tokens.isEmpty, tokens.count <= 8 else { return nil }
        let padded = " " + tokens.joined(separator: " ") + " "
        let found = Answer.allCases.filter { answer in
            (words[answer] ?? []).contains { padded.contains(" " + normalizedWords($0).joined(separator: " ") + " ") }
        }
        return found.count == 1 ? found[0] : nil
    }

    /// Lowercased words without punctuation, symbols or Arabic diacritics, with Arabic alef and hamza forms unified
    /// (أ إ آ ٱ → ا, ؤ → و, ئ → ي), so "أؤكد" and "اؤكد" read alike.
    static func normalizedWords(_ text: String) -> [String] {
        var cleaned = String.UnicodeScalarView()
        for scalar in text.lowercased().unicodeScalars {
            switch scalar.value {
            case 0x064B...0x0652, 0x0670, 0x0640: continue  // harakat, superscript alef, tatweel
            case 0x0622, 0x0623, 0x0625, 0x0671: cleaned.append("\u{0627}")
            case 0x0624: cleaned.append("\u{0648}")
            case 0x0626: cleaned.append("\u{064A}")
            case 0x2019: cleaned.append("'")
            default:
                let category = scalar.properties.generalCategory
                let keep = scalar == "'" || !(category.isPunctuation || category == .otherSymbol || category == .mathSymbol
                    || category == .modifierSymbol || category == .control || category == .format)
                cleaned.append(keep ? scalar : " ")
            }
        }
        return String(cleaned).split(whereSeparator: { $0.isWhitespace }).map(String.init)
    }

    /// The appointment after the patient's answer.
    public static func status(after answer: Answer) -> AppointmentStatus {
        switch answer {
        case .confirm: .confirmed
        case .reschedule: .rescheduleRequested
        case .cancel: .cancelled
        }
    }

    /// Which appointments a reply may answer: the reminded ones, then a confirmed one (the patient may still ask to
    /// move or cancel it), never a cancelled one or one already past.
    public static func answerable(_ appointment: Appointment, now: Millis) -> Bool {
        appointment.startsAt > now && [.reminded, .confirmed, .rescheduleRequested].contains(appointment.status)
    }

    /// "Reschedule" goes to staff: the conversation is handed off with a reason an agent reads in the queue.
    public static func handOff(for answer: Answer, appointment: Appointment, now: Millis) -> ConversationEvent? {
        guard answer == .reschedule else { return nil }
        return .handOff(reason: "Wants to reschedule \(describe(appointment))",
                        summary: "The patient answered the appointment reminder asking for another time; the appointment is kept until staff move or cancel it.",
                        at: now)
    }

    /// A patient who writes something else after a reminder, on a server with no bot to answer, reaches staff.
    public static let unansweredReason = "Wrote after an appointment reminder"
}
