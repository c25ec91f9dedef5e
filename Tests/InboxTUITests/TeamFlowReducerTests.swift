import Foundation
import InboxModel
@testable import InboxTUI
import Testing

/// Issue 8 items 5, 6, 13 and 19: who may act on whose conversation, confirmations, reopening, status messages
/// that stay true, and what quitting does with a draft.
@Suite struct TeamFlowReducerTests {
    /// Ana's conversation (id 11) open, assigned to me (Bea), focus on the conversation.
    func anaOpen(me: Agent = Fixtures.me, confirm: Bool = true, status: ConversationStatus = .assigned,
                 holder: Int64? = Fixtures.me.id) -> AppState {
        var detail = Fixtures.deliveryDetail
        detail.outbox = []
        detail.conversation.status = status
        detail.conversation.assignedAgentId = holder
        var state = Fixtures.openState(detail, width: 120, height: 40)
        state.me = me
        state.settings.confirmCommands = confirm
        return state
    }

    func detail(_ state: AppState) -> ConversationDetail { state.conversation!.detail! }

    // MARK: 6. Confirmation before close and hand-back; reopening

    @Test func closeAsksFirstAndSendsOnlyOnYes() {
        var state = anaOpen()
        #expect(reduce(&state, .close).isEmpty, "nothing is sent before the answer")
        guard case .confirm(let question) = state.overlay else { Issue.record("no confirmation"); return }
        #expect(question.question == "Close Ana Silva's conversation?")
        #expect(Keymap.default.action(for: .char("n"), in: state) == .confirm(false))
        #expect(Keymap.default.action(for: .char("x"), in: state) == .confirm(false), "a second x is not a yes")
        #expect(Keymap.default.action(for: .enter, in: state) == .confirm(false), "Enter takes the safe answer")
        #expect(reduce(&state, .submit).isEmpty, "and so does a submit")
        #expect(state.overlay == nil)

        _ = reduce(&state, .close)
        #expect(Keymap.default.action(for: .char("y"), in: state) == .confirm(true))
        let effects = reduce(&state, .confirm(true))
        #expect(effects.contains(.send(.close, conversationId: 11)))
        #expect(state.overlay == nil)
        #expect(state.visibleStatus?.text == "Closing Ana Silva's conversation…")
    }

    @Test func handBackAsksTooUnlessConfirmationIsOff() {
        var state = anaOpen()
        #expect(reduce(&state, .handBack).isEmpty)
        guard case .confirm(let question) = state.overlay else { Issue.record("no confirmation"); return }
        #expect(question.kind == .handBack && question.question == "Hand Ana Silva back to the AI?")
        #expect(reduce(&state, .confirm(false)).isEmpty && state.overlay == nil)

        var quick = anaOpen(confirm: false)
        #expect(reduce(&quick, .handBack).contains(.send(.handBack, conversationId: 11)), "confirm = false acts at once")
        #expect(quick.overlay == nil)
        #expect(reduce(&quick, .close).contains(.send(.close, conversationId: 11)))
    }

    @Test func configTurnsConfirmationOff() throws {
        #expect(Config.defaults.settings.confirmCommands)
        #expect(try Config.parse("confirm = false").settings.confirmCommands == false)
        #expect(try Config.parse("confirm = false").warnings.isEmpty)
        #expect(throws: ConfigError.invalid(key: "confirm", expected: "true or false")) { try Config.parse("confirm = 1") }
    }

    @Test func aClosedConversationIsReopenedFromTheClosedTab() {
        var state = anaOpen(status: .closed, holder: nil)
        #expect(state.queue.tab == .closed)
        _ = reduce(&state, .takeOver)
        #expect(state.visibleStatus?.text.contains("O reopens it") == true, "t points at the reopen key")
        #expect(Keymap.default.action(for: .char("O"), in: state) == .reopen)
        _ = reduce(&state, .focusPrevious)  // back to the queue row: the command works from the list too
        let effects = reduce(&state, .reopen)
        #expect(effects == [.send(.reopen, conversationId: 11)])
        #expect(state.visibleStatus?.text == "Reopening Ana Silva's conversation…")

        var open = anaOpen()
        #expect(reduce(&open, .reopen).isEmpty, "an open conversation has nothing to reopen")
    }

    @Test func reopenSaysWhichReplyRuleApplies() {
        var inside = anaOpen(status: .closed, holder: nil)
        _ = reduce(&inside, .reopen)
        _ = reduce(&inside, .outboxChanged(pending: 1, failed: 0))
        _ = reduce(&inside, .outboxChanged(pending: 0, failed: 0))
        #expect(inside.visibleStatus?.text == "Reopened Ana Silva's conversation: reply as usual")

        var detail = Fixtures.windowClosedDetail
        detail.conversation.status = .closed
        detail.conversation.assignedAgentId = nil
        var outside = Fixtures.openState(detail, width: 120, height: 40)
        _ = reduce(&outside, .reopen)
        _ = reduce(&outside, .outboxChanged(pending: 0, failed: 0))
        #expect(outside.visibleStatus?.text.contains("only a template can go out") == true)
    }

    // MARK: 5. Admins act on colleagues' conversations

    @Test func anAdminMayTakeOverTransferOrCloseAColleaguesConversation() {
        var admin = anaOpen(me: Fixtures.ravi, holder: Fixtures.carla.id)
        #expect(admin.composerLock.map(admin.describe) == "Taken by Carla Mendes: read-only until you take it over (t)")
        let effects = reduce(&admin, .takeOver)
        #expect(effects.contains(.send(.takeOver, conversationId: 11)))
        #expect(admin.visibleStatus?.text == "Taking Ana Silva over from Carla Mendes…")

        _ = reduce(&admin, .openTransferPicker)
        guard case .transfer(let picker) = admin.overlay else { Issue.record("no transfer picker"); return }
        #expect(picker.candidates.map(\.id) == [Fixtures.me.id], "everyone but me and the holder")
        _ = reduce(&admin, .cancel)

        _ = reduce(&admin, .close)
        guard case .confirm(let question) = admin.overlay else { Issue.record("no confirmation"); return }
        #expect(question.heldBy == "Carla Mendes")
    }

    @Test func anAgentIsToldOnlyTheHolderOrAnAdminMayAct() {
        var agent = anaOpen(holder: Fixtures.carla.id)
        #expect(reduce(&agent, .takeOver).isEmpty)
        #expect(agent.visibleStatus?.text == "Taken by Carla Mendes; only they or an admin can transfer it")
        #expect(reduce(&agent, .close).isEmpty && agent.overlay == nil)
        #expect(agent.visibleStatus?.text == "Taken by Carla Mendes; only they or an admin can close it")
    }

    @Test func theHolderSeesWhoReassignedTheirConversation() {
        var state = anaOpen()
        var taken = detail(state)
        taken.conversation.assignedAgentId = Fixtures.ravi.id
        taken.messages.append(Message(id: 200, conversationId: 11, direction: .outbound, author: .system,
                                      body: "Dr. Ravi Shah (admin) took this conversation from Bea Costa",
                                      status: .delivered, createdAt: Fixtures.now))
        _ = reduce(&state, .conversationLoaded(taken))
        #expect(state.visibleStatus?.text == "Dr. Ravi Shah (admin) took this conversation from Bea Costa")
        #expect(state.visibleStatus?.conversationId == 11)
    }

    @Test func theTeamTabHasItsKeyAndCount() {
        var state = anaOpen()
        _ = reduce(&state, .focusPrevious)  // queue focus
        #expect(Keymap.default.action(for: .char("5"), in: state) == .switchTab(.team))
        #expect(reduce(&state, .switchTab(.team)) == [.loadQueue(.team)])
        #expect(QueueCounts(team: 3)[.team] == 3)
    }

    // MARK: 13. Status messages that stay true

    @Test func aCommandsMessageIsReplacedWhenItCompletes() {
        var state = anaOpen(confirm: false)
        _ = reduce(&state, .close)
        _ = reduce(&state, .outboxChanged(pending: 1, failed: 0))
        _ = reduce(&state, .tick(Fixtures.now + 30_000))
        #expect(state.visibleStatus?.text == "Closing Ana Silva's conversation…", "in flight: it stays, however long")
        _ = reduce(&state, .outboxChanged(pending: 0, failed: 0))
        #expect(state.visibleStatus?.text == "Closed Ana Silva's conversation")
        #expect(state.visibleStatus?.isError == false)
        _ = reduce(&state, .tick(Fixtures.now + 30_000 + state.settings.infoMessageLifetime))
        #expect(state.visibleStatus == nil, "and the done message expires like any other")
    }

    @Test func aRefusedCommandReplacesItsMessageWithAnError() {
        var state = anaOpen(confirm: false)
        _ = reduce(&state, .handBack)
        _ = reduce(&state, .outboxChanged(pending: 1, failed: 0))
        _ = reduce(&state, .outboxChanged(pending: 0, failed: 1))
        #expect(state.visibleStatus?.text == "Ana Silva was not handed back")
        #expect(state.visibleStatus?.isError == true)
        _ = reduce(&state, .commandFailed(conversationId: 11, message: "Carla Mendes has taken this conversation."))
        #expect(state.visibleStatus?.text == "Carla Mendes has taken this conversation.", "the server's reason wins")
    }

    @Test func completionIsSeenInTheConversationsOutboxWhileOtherCommandsWait() {
        var state = anaOpen(confirm: false)
        _ = reduce(&state, .close)
        var queued = detail(state)
        queued.outbox = [OutboxEntry(key: "k-close", conversationId: 11, command: .close, state: .pending,
                                     createdAt: Fixtures.now)]
        _ = reduce(&state, .conversationLoaded(queued))
        #expect(state.visibleStatus?.text == "Closing Ana Silva's conversation…")
        // A reply queued elsewhere keeps the global count above zero; this conversation's outbox is empty.
        _ = reduce(&state, .outboxChanged(pending: 1, failed: 0))
        var done = queued
        done.outbox = []
        done.conversation.status = .closed
        _ = reduce(&state, .conversationLoaded(done))
        #expect(state.visibleStatus?.text == "Closed Ana Silva's conversation")
    }

    @Test func aCommandsMessageIsNotDoneBeforeItWasQueued() {
        var state = anaOpen(confirm: false)
        _ = reduce(&state, .close)
        // A reload that raced ahead of the outbox write must not say "Closed".
        _ = reduce(&state, .conversationLoaded(detail(state)))
        #expect(state.visibleStatus?.text == "Closing Ana Silva's conversation…")
    }

    @Test func errorsBelongToTheirConversation() {
        var state = Fixtures.state(width: 120, height: 40)
        _ = reduce(&state, .queueLoaded(tab: .waiting, rows: Fixtures.waitingRows, counts: Fixtures.counts))
        _ = reduce(&state, .openSelected)  // Ana, 11
        _ = reduce(&state, .commandFailed(conversationId: 11, message: "Ana's reply was refused"))
        #expect(state.visibleStatus?.text == "Ana's reply was refused")

        _ = reduce(&state, .focusPrevious)   // back to the queue
        _ = reduce(&state, .moveSelection(1))
        _ = reduce(&state, .openSelected)    // Bruno, 12
        #expect(state.conversation?.id == 12)
        #expect(state.visibleStatus == nil, "an error about Ana is not shown on Bruno")
        _ = reduce(&state, .failure("mirror: disk full"))
        #expect(state.visibleStatus?.text == "mirror: disk full", "errors about no conversation show everywhere")

        _ = reduce(&state, .focusPrevious)
        _ = reduce(&state, .moveSelection(-1))
        _ = reduce(&state, .openSelected)    // Ana again
        #expect(state.visibleStatus?.text == "mirror: disk full", "the newer global error still shows")
    }

    @Test func anErrorAboutAConversationComesBackWhenItIsOpenedAgain() {
        var state = Fixtures.state(width: 120, height: 40)
        _ = reduce(&state, .queueLoaded(tab: .waiting, rows: Fixtures.waitingRows, counts: Fixtures.counts))
        _ = reduce(&state, .openSelected)  // Ana, 11
        _ = reduce(&state, .commandFailed(conversationId: 11, message: "Ana's reply was refused"))
        _ = reduce(&state, .focusPrevious)
        _ = reduce(&state, .moveSelection(1))
        _ = reduce(&state, .openSelected)  // Bruno, 12
        _ = reduce(&state, .focusPrevious)
        _ = reduce(&state, .takeOver)      // from his row: "Taking over Bruno…" replaces the line
        #expect(state.visibleStatus?.text == "Taking over Bruno Oliveira…")
        _ = reduce(&state, .focusPrevious)
        _ = reduce(&state, .moveSelection(-1))
        _ = reduce(&state, .openSelected)  // Ana again
        #expect(state.visibleStatus?.text == "Ana's reply was refused", "shown again on Ana")
        #expect(state.visibleStatus?.isError == true)
        _ = reduce(&state, .cancel)        // Esc: to the queue, dismissing it
        #expect(state.visibleStatus == nil)
    }

    // MARK: 19. Quitting with a draft

    func typed(_ text: String, into state: inout AppState) {
        _ = reduce(&state, .reply)
        #expect(state.focus == .composer)
        _ = reduce(&state, .edit(.insert(text)))
    }

    @Test func quittingKeepsADraftThatCanStillBeSent() {
        var state = anaOpen()
        typed("See you at 4", into: &state)
        #expect(reduce(&state, .requestQuit).isEmpty)
        #expect(state.overlay == .confirmQuit)
        #expect(state.quitWarning == QuitWarning(headline: "Your reply to Ana Silva is not sent.",
                                                 detail: "It stays saved as a draft.", dropsDraft: false))
        #expect(reduce(&state, .confirm(true)) == [.saveDraft(conversationId: 11, text: "See you at 4"), .quit])
    }

    @Test func aHungUpTerminalKeepsTheDraftAndQuitsWithoutAsking() {
        var state = anaOpen()
        typed("See you at 4", into: &state)
        #expect(reduce(&state, .terminalHungUp) == [.saveDraft(conversationId: 11, text: "See you at 4"), .quit])
        #expect(state.overlay == nil)
    }

    @Test func quittingNamesThePatientAndDropsADraftAColleagueHasTaken() {
        var state = anaOpen()
        typed("See you at 4", into: &state)
        var taken = detail(state)
        taken.conversation.assignedAgentId = Fixtures.carla.id
        _ = reduce(&state, .conversationLoaded(taken))
        #expect(state.focus == .conversation, "the composer stops taking text")
        _ = reduce(&state, .requestQuit)
        #expect(state.overlay == .confirmQuit)
        let warning = state.quitWarning
        #expect(warning?.headline == "Your draft to Ana Silva can no longer be sent:")
        #expect(warning?.detail == "Carla Mendes has taken the conversation. Quitting discards the draft.")
        #expect(warning?.dropsDraft == true)
        #expect(reduce(&state, .confirm(false)).isEmpty, "n stays, and the draft with it")
        _ = reduce(&state, .requestQuit)
        #expect(reduce(&state, .confirm(true)) == [.saveDraft(conversationId: 11, text: ""), .quit],
                "told, then dropped: an empty draft deletes it")
    }

    @Test func quittingAlsoNamesAndDropsDraftsSavedInConversationsColleaguesTook() {
        var state = anaOpen()
        #expect(reduce(&state, .requestQuit) == [.quit], "nothing unsent, nothing stranded: quit at once")
        _ = reduce(&state, .strandedDraftsLoaded([
            StrandedDraft(conversationId: 12, patientName: "Bruno Oliveira", holderId: Fixtures.carla.id),
            StrandedDraft(conversationId: 11, patientName: "Ana Silva", holderId: Fixtures.carla.id),  // the open one
        ]))
        #expect(reduce(&state, .requestQuit).isEmpty)
        #expect(state.quitWarning?.headline
                == "Your draft to Bruno Oliveira (Carla Mendes took it) can no longer be sent. Quitting discards it.")
        #expect(reduce(&state, .confirm(true)) == [.saveDraft(conversationId: 12, text: ""), .quit])

        typed("See you at 4", into: &state)
        _ = reduce(&state, .requestQuit)
        #expect(state.quitWarning?.headline == "Your reply to Ana Silva is not sent.")
        #expect(state.quitWarning?.detail.hasSuffix("Bruno Oliveira (Carla Mendes took it) can no longer be sent. Quitting discards it.") == true)
        #expect(reduce(&state, .confirm(true)) == [.saveDraft(conversationId: 11, text: "See you at 4"),
                                                   .saveDraft(conversationId: 12, text: ""), .quit])
    }
}

/// What the dialogs and the Team tab look like on the smallest supported terminal (80×24).
@Suite struct TeamFlowScreenTests {
    func screen(_ state: AppState) -> String {
        var grid = CellGrid(width: state.screenWidth, height: state.screenHeight)
        Screen.render(state, theme: .default, into: &grid)
        return grid.textSnapshot()
    }

    @Test func theConfirmationAndTheQuitWarningFitAt80Columns() {
        var state = TeamFlowReducerTests().anaOpen(me: Fixtures.ravi, holder: Fixtures.carla.id)
        _ = reduce(&state, .resize(width: 80, height: 24))
        _ = reduce(&state, .close)
        var text = screen(state)
        #expect(text.contains("Close Ana Silva's conversation?"), "\(text)")
        #expect(text.contains("Carla Mendes holds it"), "\(text)")
        #expect(text.contains("y yes"), "\(text)")
        #expect(text.contains("y close it"), "the hint bar answers too:\n\(text)")
        _ = reduce(&state, .cancel)

        _ = reduce(&state, .strandedDraftsLoaded([StrandedDraft(conversationId: 12, patientName: "Bruno Oliveira",
                                                                holderId: Fixtures.carla.id)]))
        _ = reduce(&state, .requestQuit)
        text = screen(state)
        let joined = text.split(separator: "\n").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "│ ")) }
            .joined(separator: " ")
        #expect(joined.contains("Bruno Oliveira (Carla Mendes took it) can no longer be sent."), "\(text)")
        #expect(joined.contains("Quitting discards it."), "wrapped, not cut:\n\(text)")
    }

    @Test func theTeamTabShowsWhoHoldsEachConversation() {
        var state = Fixtures.state(width: 80, height: 24)
        var row = Fixtures.waitingRows[0]
        row.conversation.status = .assigned
        row.conversation.assignedAgentId = Fixtures.carla.id
        _ = reduce(&state, .switchTab(.team))
        _ = reduce(&state, .queueLoaded(tab: .team, rows: [row], counts: QueueCounts(team: 1)))
        let text = screen(state)
        #expect(text.contains("5 Team (1)"), "\(text)")
        #expect(text.contains("Ana Silva · Carla"), "\(text)")

        // The holder viewing it: marked, not named twice ("Ana Silva · Carla Mendes Carla Mendes").
        _ = reduce(&state, .presenceChanged(PresenceRoster(agents: [
            AgentPresence(agentId: Fixtures.carla.id, state: .online, conversationId: row.conversation.id)])))
        let viewing = screen(state)
        #expect(viewing.contains("◉Ana Silva · Carla"), "\(viewing)")
        #expect(viewing.components(separatedBy: "Carla").count == 2, "one name on the row:\n\(viewing)")
        // Someone else viewing the holder's conversation is still named (where the queue is wide enough).
        var wide = Fixtures.state(width: 240, height: 24)
        _ = reduce(&wide, .switchTab(.team))
        _ = reduce(&wide, .queueLoaded(tab: .team, rows: [row], counts: QueueCounts(team: 1)))
        _ = reduce(&wide, .presenceChanged(PresenceRoster(agents: [
            AgentPresence(agentId: Fixtures.ravi.id, state: .online, conversationId: row.conversation.id)])))
        #expect(screen(wide).contains("◉Ana Silva · Carla Mendes Dr. Rav"), "\(screen(wide))")
    }
}
