@testable import InboxModel
@testable import InboxTUI
import Testing

@Suite("Sidebar: the number and its desk")
struct NumberDeskTests {
    func render(_ state: AppState) -> CellGrid { ScreenSnapshotTests().render(state) }

    func sidebar(_ state: AppState) throws -> [String] {
        let grid = render(state)
        let sidebar = try #require(state.layout.sidebar)
        return (sidebar.y..<sidebar.maxY).map { y in
            grid.row(y)[(y * grid.width + sidebar.x)..<(y * grid.width + sidebar.maxX)].map(\.text).joined()
        }
    }

    @Test func theDeskTheClinicNamedIsShownUnderTheNumberThePatientWroteTo() throws {
        let detail = Fixtures.deliveryDetail
        var state = Fixtures.openState(detail, width: 120, height: 30)
        let number = detail.conversation.clinicNumber
        let before = try sidebar(state)
        #expect(before.contains { $0.contains("Clinic   \(number)") })
        #expect(!before.contains { $0.contains("Desk") })
        state.channels = [ChannelHealth(clinicNumber: "+15550009999", provider: .twilio, state: "ok", updatedAt: 0, label: "Pharmacy"),
                          ChannelHealth(clinicNumber: number, provider: detail.conversation.provider, state: "ok",
                                        updatedAt: 0, label: "Dental desk")]
        let lines = try sidebar(state)
        #expect(lines.contains { $0.contains("Desk     Dental desk") })
        #expect(!lines.contains { $0.contains("Pharmacy") })
    }
}
