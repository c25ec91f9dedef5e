import InboxModel
@testable import InboxTUI
import Testing

/// The patient's next appointment in the sidebar, synced from the clinic's appointments.
@Suite struct AppointmentSidebarTests {
    static func appointment(_ id: Int64, in millis: Millis, status: AppointmentStatus = .reminded,
                            doctor: String = "Dr Rahman") -> Appointment {
        Appointment(id: id, patientId: Fixtures.ana.id, clinicNumber: "+15550001111", startsAt: Fixtures.now + millis,
                    utcOffset: Fixtures.offset, doctor: doctor, template: "appointment_reminder", language: "en",
                    status: status, updatedAt: Fixtures.now)
    }

    @Test func nextAppointmentInTheSidebar() throws {
        var detail = Fixtures.deliveryDetail
        // Tomorrow 10:30 local (the fixtures' clock is Tue 14:30, UTC-3), and a later one that is not next.
        detail.appointments = [Self.appointment(1, in: 20 * Fixtures.hour), Self.appointment(2, in: 9 * 24 * Fixtures.hour, doctor: "Dr Mehta")]
        let state = Fixtures.openState(detail, width: 120, height: 30)
        let text = render(state).textSnapshot()
        // The sidebar is narrow: the time on one line, the doctor on the next.
        #expect(text.contains("│ Next     Wed 10:30,    │"))
        #expect(text.contains("│          Dr Rahman     │"))
        try expectSnapshot(state, named: "sidebar-next-appointment")
    }

    @Test func answeredAndDistantAppointments() {
        let now = Fixtures.now
        let offset = Fixtures.offset
        #expect(SidebarPane.nextAppointment(Self.appointment(1, in: 20 * Fixtures.hour, status: .confirmed), now: now, offset: offset)
            == "Wed 10:30, Dr Rahman (confirmed)")
        #expect(SidebarPane.nextAppointment(Self.appointment(1, in: 20 * Fixtures.hour, status: .rescheduleRequested), now: now,
                                            offset: offset) == "Wed 10:30, Dr Rahman (wants another time)")
        // A week or more away: the date too.
        #expect(SidebarPane.nextAppointment(Self.appointment(1, in: 8 * 24 * Fixtures.hour), now: now, offset: offset)
            == "Wed 20 Mar 14:30, Dr Rahman")
        // Cancelled and past appointments are never "next"; with none left the sidebar shows no line.
        var detail = Fixtures.deliveryDetail
        detail.appointments = [Self.appointment(1, in: -Fixtures.hour), Self.appointment(2, in: Fixtures.hour, status: .cancelled)]
        #expect(!render(Fixtures.openState(detail, width: 120, height: 30)).textSnapshot().contains("Next "))
    }
}

extension AppointmentSidebarTests {
    func render(_ state: AppState) -> CellGrid { ScreenSnapshotTests().render(state) }

    func expectSnapshot(_ state: AppState, named name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try ScreenSnapshotTests().expectSnapshot(state, named: name, sourceLocation: sourceLocation)
    }
}
