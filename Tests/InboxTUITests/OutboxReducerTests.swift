import InboxModel
import Testing
@testable import InboxTUI

@Suite("Outbox in the reducer")
struct OutboxReducerTests {
    @Test("D discards the open conversation's refused commands, never the pending ones; the failure count clears")
    func discardFailed() {
        var state = Fixtures.openState(Fixtures.deliveryDetail, width: 120, height: 40)
        _ = reduce(&state, .outboxChanged(pending: 1, failed: 1))
        #expect(Keymap.default.action(for: .char("D"), in: state) == .discardFailed)
        let effects = reduce(&state, .discardFailed)
        #expect(effects == [.discard(key: "k-2")], "k-1 is still on its way and stays")
        #expect(state.status?.text == "Discarded the refused reply")
        #expect(state.status?.isError == false)
        // The runner removes the row and re-reads the counts.
        _ = reduce(&state, .outboxChanged(pending: 1, failed: 0))
        #expect(state.outboxFailed == 0)
    }

    @Test("D with nothing refused says so and does nothing")
    func discardNothing() {
        var detail = Fixtures.deliveryDetail
        detail.outbox.removeAll { $0.state == .failed }
        var state = Fixtures.openState(detail, width: 120, height: 40)
        #expect(reduce(&state, .discardFailed).isEmpty)
        #expect(state.status?.text.hasPrefix("Nothing to discard") == true)
    }

    @Test("another agent's held replies show on the status line with whose they are")
    func heldRepliesOnTheStatusLine() {
        var state = Fixtures.state(width: 200, height: 40)
        let held = HeldOutbox(agentId: 7, agentName: "Aisha", server: "http://clinic", count: 3, replies: 3)
        _ = reduce(&state, .outboxHeld([held]))
        var grid = CellGrid(width: 200, height: 40)
        _ = Screen.render(state, theme: .default, into: &grid)
        #expect(grid.textSnapshot().contains("3 replies from Aisha held: log in as Aisha to send"), "\(grid.textSnapshot())")
    }

    @Test("when the server says the token is someone else's, the app acts as them and reloads")
    func signedInAsSomeoneElse() {
        var state = Fixtures.openState(Fixtures.deliveryDetail, width: 120, height: 40)
        let effects = reduce(&state, .signedIn(Fixtures.carla, clinic: "Sorriso Dental"))
        #expect(state.me == Fixtures.carla)
        #expect(state.conversation == nil, "the previous agent's conversation is closed")
        #expect(effects.contains(.loadAgents))
        #expect(reduce(&state, .signedIn(Fixtures.carla, clinic: "Sorriso Dental")).isEmpty, "the same agent again changes nothing")
    }
}
