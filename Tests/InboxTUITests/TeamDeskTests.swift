import Foundation
import InboxModel
@testable import InboxTUI
import Testing

/// Presence marks, snooze and the profile editor in the pure reducer and on the rendered grid (issue 10 items 4–6).
@Suite struct TeamDeskTests {
    let snapshots = ScreenSnapshotTests()

    static func roster(_ entries: AgentPresence...) -> PresenceRoster { PresenceRoster(agents: entries) }

    @Test("a colleague viewing or typing shows in the header, on the queue row and in the roster; grid snapshot")
    func presenceMarks() throws {
        var state = Fixtures.state(width: 120, height: 30)
        _ = reduce(&state, .queueLoaded(tab: .waiting, rows: Fixtures.waitingRows, counts: Fixtures.counts))
        _ = reduce(&state, .connectionChanged(.online))
        #expect(state.presenceMark(for: 11) == nil)
        _ = reduce(&state, .presenceChanged(Self.roster(
            AgentPresence(agentId: Fixtures.carla.id, state: .online, conversationId: 11, typing: true),
            AgentPresence(agentId: Fixtures.ravi.id, state: .away, conversationId: 12),
            AgentPresence(agentId: Fixtures.me.id, state: .online, conversationId: 13))))
        #expect(state.presenceMark(for: 11) == "✎")
        #expect(state.presenceMark(for: 12) == "◉")
        #expect(state.presenceMark(for: 13) == nil, "my own presence is not a collision")
        #expect(state.presenceLine(for: 11) == "Carla Mendes is typing…")
        #expect(state.presenceLine(for: 12) == "Dr. Ravi Shah is viewing")
        #expect(StatusBar.rosterText(state) == "Carla Mendes ● Dr. Ravi Shah ◐")
        let text = snapshots.render(state).textSnapshot()
        #expect(text.contains("✎Ana Silva") && text.contains("◉Bruno Oliveira"), "\(text)")
        try snapshots.expectSnapshot(state, named: "presence-queue-marks")
    }

    @Test("the open conversation's header names who else has it open; 80×24 keeps it")
    func presenceInHeader() throws {
        var state = Fixtures.openState(Fixtures.deliveryDetail, width: 80, height: 24)
        _ = reduce(&state, .presenceChanged(Self.roster(
            AgentPresence(agentId: Fixtures.carla.id, state: .online, conversationId: 11))))
        #expect(snapshots.render(state).textSnapshot().contains("Carla Mendes is viewing"))
        try snapshots.expectSnapshot(state, named: "presence-header-80x24")
        _ = reduce(&state, .presenceChanged(Self.roster()))
        #expect(!snapshots.render(state).textSnapshot().contains("is viewing"), "gone with the roster entry")
        #expect(StatusBar.rosterText(state) == "Carla Mendes ○ Dr. Ravi Shah ○")
    }

    @Test("without a roster from the server nothing about presence is drawn (older servers)")
    func noRosterNoPresence() {
        let state = Fixtures.openState(Fixtures.deliveryDetail, width: 120, height: 30)
        #expect(state.presence == nil)
        #expect(StatusBar.rosterText(state) == nil)
    }

    @Test("z offers 1 h, tomorrow 09:00, next week and a typed time; Enter sends one snooze command")
    func snoozePicker() throws {
        var state = Fixtures.openState(Fixtures.deliveryDetail, width: 100, height: 30)
        _ = reduce(&state, .snooze)
        guard case .snooze(let picker) = state.overlay else { Issue.record("no picker"); return }
        #expect(picker.options.count == 4)
        try snapshots.expectSnapshot(state, named: "snooze-picker")
        _ = reduce(&state, .moveSelection(3))
        _ = reduce(&state, .submit)  // Custom…: a field to type in
        for character in "2s" { _ = reduce(&state, .edit(.insert(String(character)))) }
        let effects = reduce(&state, .submit)
        #expect(effects.contains(.send(.snooze(until: Fixtures.now + 2_000), conversationId: 11)))
        #expect(state.overlay == nil)
        #expect(state.status?.text.contains("Snoozing") == true)
    }

    @Test("the picker's times are in the agent's zone: tomorrow 09:00 and next Monday 09:00")
    func snoozeChoices() {
        // Fixtures.now is Tuesday 12 March 2024 14:30 at UTC−3.
        let offset = Fixtures.offset
        let tomorrow = SnoozeChoice.tomorrowMorning.until(now: Fixtures.now, utcOffset: offset)
        #expect(tomorrow == Fixtures.now + 18 * Fixtures.hour + 30 * Fixtures.minute)
        let monday = SnoozeChoice.nextWeek.until(now: Fixtures.now, utcOffset: offset)
        #expect(monday == Fixtures.now + 5 * 24 * Fixtures.hour + 18 * Fixtures.hour + 30 * Fixtures.minute)
        #expect(SnoozeChoice.parse("16:00", now: Fixtures.now, utcOffset: offset) == Fixtures.now + 90 * Fixtures.minute)
        #expect(SnoozeChoice.parse("3d", now: Fixtures.now, utcOffset: offset) == Fixtures.now + 72 * Fixtures.hour)
        #expect(SnoozeChoice.parse("soon", now: Fixtures.now, utcOffset: offset) == nil)
    }

    @Test("a conversation coming back from snooze rings, unless I woke it myself")
    func snoozeReturnRings() {
        var state = Fixtures.state(width: 120, height: 30)
        var counts = Fixtures.counts
        counts.snoozed = 2
        _ = reduce(&state, .queueLoaded(tab: .waiting, rows: [], counts: counts))
        counts.snoozed = 1
        #expect(reduce(&state, .queueLoaded(tab: .waiting, rows: [], counts: counts)).contains(.bell))
        state.desk.ownWakes = 1
        counts.snoozed = 0
        _ = reduce(&state, .tick(Fixtures.now + 60_000))
        #expect(!reduce(&state, .queueLoaded(tab: .waiting, rows: [], counts: counts)).contains(.bell))
    }

    @Test("P edits the profile field by field and saves it on the version it was opened on; grid snapshot")
    func profileEditor() throws {
        var state = Fixtures.openState(Fixtures.deliveryDetail, width: 100, height: 30)
        _ = reduce(&state, .editProfile)
        guard case .profile(let editor) = state.overlay else { Issue.record("no editor"); return }
        #expect(editor.baseVersion == 1)
        try snapshots.expectSnapshot(state, named: "profile-editor")
        _ = reduce(&state, .moveSelection(2))  // tags
        _ = reduce(&state, .edit(.killToLineStart))
        for character in "VIP, follow up" { _ = reduce(&state, .edit(.insert(String(character)))) }
        let effects = reduce(&state, .submit)
        guard case .send(.editProfile(let edit), 11)? = effects.last else { Issue.record("\(effects)"); return }
        #expect(edit.tags == ["vip", "follow-up"])
        #expect(edit.baseVersion == 1)
        #expect(edit.displayName == Fixtures.deliveryDetail.patient?.displayName)
    }

    @Test("the keys: z snoozes, P edits the profile, # filters by tag, 6 is the Snoozed tab")
    func keys() {
        let state = Fixtures.openState(Fixtures.deliveryDetail, width: 100, height: 30)
        let keymap = Keymap.default
        #expect(keymap.action(for: .char("z"), in: state) == .snooze)
        #expect(keymap.action(for: .char("P"), in: state) == .editProfile)
        #expect(keymap.action(for: .char("#"), in: state) == .filterByTag)
        #expect(keymap.action(for: .char("6"), in: state) == .switchTab(.snoozed))
    }

    @Test("a tag filter narrows the queue query and says so")
    func tagFilter() {
        var state = Fixtures.state(width: 120, height: 30)
        _ = reduce(&state, .filterByTag)
        for character in " VIP " { _ = reduce(&state, .edit(.insert(String(character)))) }
        #expect(reduce(&state, .submit) == [.loadQueue(.waiting)])
        #expect(state.desk.tagFilter == "vip")
    }
}
