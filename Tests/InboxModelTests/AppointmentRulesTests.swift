import InboxModel
import Testing

@Suite struct AppointmentRulesTests {
    static let start: Millis = 1_796_725_800_000  // 2026-12-08T10:30:00Z, a Tuesday

    static func appointment(status: AppointmentStatus = .scheduled, offset: Int = 4 * 3600) -> Appointment {
        Appointment(id: 7, patientId: 1, clinicNumber: "+15550001111", startsAt: start, utcOffset: offset, doctor: "Dr Rahman",
                    template: "appointment_reminder", language: "en", status: status, updatedAt: 0)
    }

    @Test func dueFromTheLeadTimeUntilItStarts() {
        let lead = AppointmentRules.defaultLead
        let appointment = Self.appointment()
        #expect(!AppointmentRules.isDue(appointment, now: Self.start - lead - 1, lead: lead))
        #expect(AppointmentRules.isDue(appointment, now: Self.start - lead, lead: lead))
        #expect(AppointmentRules.isDue(appointment, now: Self.start - 1, lead: lead))
        #expect(!AppointmentRules.isDue(appointment, now: Self.start, lead: lead))  // already started: never
        #expect(!AppointmentRules.isDue(Self.appointment(status: .cancelled), now: Self.start - 1, lead: lead))
        #expect(!AppointmentRules.isDue(Self.appointment(status: .reminded), now: Self.start - 1, lead: lead))
        #expect(AppointmentRules.nextDue(earliestStart: Self.start, lead: lead) == Self.start - lead)
    }

    @Test func templateParametersInTheClinicsTime() {
        let body = "Hi {{1}}, {{2}} sees you on {{3}} at {{4}}."
        let parameters = AppointmentRules.reminderParameters(templateBody: body, patientName: "Layla", appointment: Self.appointment())
        #expect(parameters == ["Layla", "Dr Rahman", "Tue 8 Dec", "14:30"])
        #expect(AppointmentRules.reminderParameters(templateBody: "Hi {{1}}", patientName: "", appointment: Self.appointment()) == ["there"])
        #expect(AppointmentRules.reminderParameters(templateBody: "{{5}}", patientName: "x", appointment: Self.appointment()) == nil)
        #expect(AppointmentRules.describe(Self.appointment(offset: 0)) == "Tue 8 Dec 10:30, Dr Rahman")
    }

    @Test func timesAsClinicSystemsWriteThem() {
        #expect(AppointmentRules.parseTime("2026-12-08T10:30:00Z")! == (Self.start, 0))
        let dubai = AppointmentRules.parseTime("2026-12-08T14:30:00+04:00")!
        #expect(dubai.wallClock - Millis(dubai.offset!) * 1000 == Self.start)
        let local = AppointmentRules.parseTime(" 2026-12-08 10:30 ")!
        #expect(local.wallClock == Self.start && local.offset == nil)
        #expect(AppointmentRules.parseTime("2026-12-08T10:30-0530")?.offset == -(5 * 3600 + 1800))
        for bad in ["2026-02-30 10:00", "2026-12-08 24:00", "08/12/2026 10:30", "2026-12-08", "2026-12-08 10:30 tomorrow", ""] {
            #expect(AppointmentRules.parseTime(bad) == nil, "\(bad)")
        }
    }

    @Test(arguments: [
        ("Confirm", AppointmentRules.Answer.confirm), ("yes, I'll be there 👍", .confirm), ("OK!", .confirm),
        ("تأكيد", .confirm), ("نَعَم أؤكد", .confirm), ("हाँ, मैं आऊंगी", .confirm), ("पुष्टि करें", .confirm), ("haan", .confirm),
        ("Reschedule please", .reschedule), ("Can we change the time?", .reschedule), ("أريد تغيير الموعد", .reschedule),
        ("तारीख बदलें", .reschedule), ("दूसरा समय", .reschedule),
        ("Cancel", .cancel), ("I can't come, sorry", .cancel), ("إلغاء", .cancel), ("रद्द करें", .cancel),
    ])
    func answersInThreeLanguages(text: String, answer: AppointmentRules.Answer) {
        #expect(AppointmentRules.answer(text: text) == answer)
    }

    @Test func unclearRepliesAreLeftToStaff() {
        #expect(AppointmentRules.answer(text: "Can I change it or cancel?") == nil)  // two answers
        #expect(AppointmentRules.answer(text: "Hello, is there parking near the clinic for my visit tomorrow morning?") == nil)
        #expect(AppointmentRules.answer(text: "👍") == nil)
        #expect(AppointmentRules.answer(text: "") == nil)
        #expect(AppointmentRules.answer(text: "confirmation number?") == nil)  // a word is matched whole
    }

    @Test func buttonIds() {
        #expect(AppointmentRules.answer(replyId: "appt:42:confirm")! == (.confirm, 42))
        #expect(AppointmentRules.answer(replyId: "CANCEL")! == (.cancel, nil))
        #expect(AppointmentRules.answer(replyId: "appt:x:confirm") == nil)
        #expect(AppointmentRules.answer(replyId: "menu_1") == nil)
    }

    @Test func rescheduleHandsOffWithAReadableReason() throws {
        let appointment = Self.appointment(status: .reminded)
        #expect(AppointmentRules.status(after: .reschedule) == .rescheduleRequested)
        let event = try #require(AppointmentRules.handOff(for: .reschedule, appointment: appointment, now: 5))
        let next = try HandoffState(status: .bot).applying(event)
        #expect(next.status == .waiting)
        #expect(next.handoffReason == "Wants to reschedule Tue 8 Dec 14:30, Dr Rahman")
        #expect(AppointmentRules.handOff(for: .confirm, appointment: appointment, now: 5) == nil)
        #expect(AppointmentRules.answerable(appointment, now: Self.start - 1))
        #expect(!AppointmentRules.answerable(Self.appointment(status: .cancelled), now: Self.start - 1))
    }

    @Test func nextSkipsCancelledAndPast() {
        var soon = Self.appointment(status: .cancelled)
        soon.id = 1
        var later = Self.appointment(status: .confirmed)
        later.startsAt += 3_600_000
        later.id = 2
        #expect(AppointmentRules.next([later, soon], now: Self.start - 10)?.id == 2)
        #expect(AppointmentRules.next([later], now: later.startsAt + 1) == nil)
    }
}
