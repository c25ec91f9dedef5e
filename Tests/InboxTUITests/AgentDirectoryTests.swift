import Foundation
import InboxModel
import Testing

/// Agents as the client knows them: reloaded from the mirror whenever sync applies a batch.
@Suite struct AgentDirectoryTests {
    static let conversation = Conversation(id: 9, patientId: 9, clinicNumber: "+551130000000", provider: .twilio,
                                           status: .waiting, lastMessageAt: Fixtures.now, createdAt: Fixtures.now)

    @Test func unknownAgentsReadAsAColleagueNeverAnId() {
        let state = Fixtures.state(width: 120, height: 40)
        #expect(state.agentName(Fixtures.carla.id) == "Carla Mendes")
        #expect(state.agentName(42) == "a colleague")
    }

    @Test func revokedAgentsAreNotTransferTargetsButKeepTheirNames() {
        var state = Fixtures.state(width: 120, height: 40)
        #expect(state.transferTargets(for: Self.conversation).map(\.id) == [Fixtures.carla.id, Fixtures.ravi.id])
        var carla = Fixtures.carla
        carla.active = false
        _ = reduce(&state, .agentsLoaded([Fixtures.me, carla, Fixtures.ravi]))
        #expect(state.transferTargets(for: Self.conversation).map(\.id) == [Fixtures.ravi.id])
        #expect(state.agentName(carla.id) == "Carla Mendes")
    }

    @Test func myOwnRenameAndRoleArriveThroughSync() {
        var state = Fixtures.state(width: 120, height: 40)
        let promoted = Agent(id: Fixtures.me.id, name: "Bea C. Costa", role: .admin)
        _ = reduce(&state, .agentsLoaded([promoted, Fixtures.carla]))
        #expect(state.me == promoted)
        #expect(state.agentName(promoted.id) == "Bea C. Costa")
    }

    @Test func agentsWithoutActiveFromAnOlderServerDecodeAsActive() throws {
        let agent = try JSONDecoder().decode(Agent.self, from: Data(#"{"id":7,"name":"Omar","role":"agent"}"#.utf8))
        #expect(agent.active)
    }
}
