import InboxModel
@testable import InboxTUI
import Testing

@Suite struct NavigationTests {
    func loadedState(rows: [QueueRow] = Fixtures.waitingRows, height: Int = 24) -> AppState {
        var state = Fixtures.state(width: 120, height: height)
        _ = reduce(&state, .queueLoaded(tab: .waiting, rows: rows, counts: Fixtures.counts))
        return state
    }

    @Test func selectionMovesAndClampsAtBothEnds() {
        var state = loadedState()
        _ = reduce(&state, .moveSelection(-1))
        #expect(state.queue.selection == 0)
        _ = reduce(&state, .moveSelection(2))
        #expect(state.queue.selectedRow?.id == 13)
        _ = reduce(&state, .moveSelection(100))
        #expect(state.queue.selection == Fixtures.waitingRows.count - 1)
        _ = reduce(&state, .jumpToTop)
        #expect(state.queue.selection == 0)
    }

    @Test func scrollKeepsTheSelectionVisible() {
        var state = loadedState(rows: Fixtures.manyRows(1_000))
        let visible = state.layout.visibleQueueRows
        _ = reduce(&state, .moveSelection(visible))
        #expect(state.queue.scroll == visible - visible / 2, "leaving the view jumps half a page")
        _ = reduce(&state, .moveSelection(1))
        #expect(state.queue.scroll == visible - visible / 2, "and the next moves do not scroll")
        _ = reduce(&state, .pageDown)
        #expect(state.queue.selection == 2 * visible + 1)
        #expect(state.queue.selection < state.queue.scroll + visible && state.queue.selection >= state.queue.scroll)
        _ = reduce(&state, .jumpToBottom)
        #expect(state.queue.scroll == 1_000 - visible)
        _ = reduce(&state, .resize(width: 120, height: 60))
        #expect(state.queue.scroll == 1_000 - state.layout.visibleQueueRows)
    }

    @Test func switchingTabsLoadsTheTabAndResetsTheList() {
        var state = loadedState()
        _ = reduce(&state, .moveSelection(3))
        let effects = reduce(&state, .switchTab(.mine))
        #expect(effects == [.loadQueue(.mine)])
        #expect(state.queue.tab == .mine && state.queue.rows.isEmpty && state.queue.selection == 0)
        #expect(state.queue.isLoading)
        // A late answer for the tab we left only updates the counts.
        _ = reduce(&state, .queueLoaded(tab: .waiting, rows: Fixtures.waitingRows, counts: QueueCounts(waiting: 7)))
        #expect(state.queue.rows.isEmpty && state.queue.counts.waiting == 7)
    }

    @Test func aReloadKeepsTheCursorOnTheSameConversation() {
        var state = loadedState()
        _ = reduce(&state, .moveSelection(2))  // id 13
        var reordered = Fixtures.waitingRows
        reordered.insert(Fixtures.row(99, "New", "hi", waited: 0, unread: 1, reason: "urgent"), at: 0)
        _ = reduce(&state, .queueLoaded(tab: .waiting, rows: reordered, counts: Fixtures.counts))
        #expect(state.queue.selectedRow?.id == 13)
    }

    @Test func enterOpensTheSelectedConversationAndMarksItRead() {
        var state = loadedState()
        let effects = reduce(&state, .openSelected)
        #expect(effects == [.loadConversation(11)])
        #expect(state.focus == .conversation)
        let loaded = reduce(&state, .conversationLoaded(Fixtures.deliveryDetail))
        #expect(loaded == [.send(.markRead(upToMessageId: 103), conversationId: 11)])
        // A reload without new inbound messages sends nothing.
        #expect(reduce(&state, .conversationLoaded(Fixtures.deliveryDetail)).isEmpty)
        // A stale answer for another conversation is ignored.
        _ = reduce(&state, .conversationLoaded(Fixtures.deliveryDetail.withId(12)))
        #expect(state.conversation?.detail?.conversation.id == 11)
    }

    @Test func tabCyclesThroughVisiblePanes() {
        var state = loadedState()
        _ = reduce(&state, .focusNext)
        #expect(state.focus == .conversation)
        _ = reduce(&state, .focusNext)
        #expect(state.focus == .sidebar)
        _ = reduce(&state, .focusNext)
        #expect(state.focus == .queue)
        _ = reduce(&state, .focusPrevious)
        #expect(state.focus == .sidebar)
        _ = reduce(&state, .toggleSidebar)  // folding the sidebar moves focus out of it
        #expect(state.focus == .conversation)
    }

    @Test func nextWaitingOpensTheLongestWaitingOtherConversation() {
        var state = Fixtures.openState(Fixtures.deliveryDetail, width: 120, height: 30)
        var effects = reduce(&state, .nextWaiting)
        #expect(effects == [.loadQueue(.waiting)])
        effects = reduce(&state, .queueLoaded(tab: .waiting, rows: Fixtures.waitingRows, counts: Fixtures.counts))
        // Row 11 is already open, so the next one is 12.
        #expect(effects.contains(.loadConversation(12)))
        #expect(state.conversation?.id == 12 && state.focus == .conversation)
    }

    @Test func conversationScrollClampsToWhatTheRendererMeasured() {
        var state = Fixtures.openState(Fixtures.deliveryDetail, width: 120, height: 30)
        _ = reduce(&state, .measured(ViewMeasure(conversationScroll: 0, conversationMaxScroll: 12, conversationPage: 10)))
        _ = reduce(&state, .pageUp)
        #expect(state.conversation?.scroll == .linesFromBottom(8))
        _ = reduce(&state, .pageUp)
        #expect(state.conversation?.scroll == .linesFromBottom(12))
        _ = reduce(&state, .pageDown)
        #expect(state.conversation?.scroll == .linesFromBottom(4))
        _ = reduce(&state, .pageDown)
        #expect(state.conversation?.scroll == .latest)
    }

    @Test func mirrorChangesReloadWhatIsOnScreen() {
        var state = Fixtures.openState(Fixtures.deliveryDetail, width: 120, height: 30)
        #expect(reduce(&state, .mirrorChanged(.everything)) == [.loadQueue(.mine), .loadConversation(11), .loadChannels, .loadAgents,
                                                   .loadStrandedDrafts])
    }
}

@Suite struct ComposerTests {
    func composing(_ detail: ConversationDetail = Fixtures.deliveryDetail) -> AppState {
        var state = Fixtures.openState(detail, width: 120, height: 30)
        _ = reduce(&state, .reply)
        return state
    }

    func type(_ text: String, into state: inout AppState) {
        for character in text { _ = reduce(&state, .edit(.insert(String(character)))) }
    }

    @Test func readlineEditing() {
        var buffer = ComposerBuffer("hello world")
        buffer.apply(.lineStart)
        #expect(buffer.cursor == 0)
        buffer.apply(.insert(">> "))
        buffer.apply(.lineEnd)
        buffer.apply(.killWordBackward)
        #expect(buffer.text == ">> hello ")
        buffer.apply(.yank)
        #expect(buffer.text == ">> hello world")
        buffer.apply(.wordLeft)
        buffer.apply(.killToLineEnd)
        #expect(buffer.text == ">> hello ")
        buffer.apply(.killToLineStart)
        #expect(buffer.text.isEmpty)
        buffer.apply(.yank)
        #expect(buffer.text == ">> hello ")
    }

    @Test func multiLineMovesKeepTheColumn() {
        var buffer = ComposerBuffer("first line\nab\nthird line")
        buffer.apply(.up)
        #expect(buffer.cursorLineAndColumn == (1, 2))
        buffer.apply(.up)
        #expect(buffer.cursorLineAndColumn == (0, 2))
        buffer.apply(.lineEnd)
        buffer.apply(.killToLineEnd)  // at the end of a line Ctrl-K joins the next
        #expect(buffer.text == "first lineab\nthird line")
        buffer.apply(.down)
        #expect(buffer.cursorLineAndColumn.line == 1)
    }

    @Test func graphemesStayWholeEvenWhenTypedScalarByScalar() {
        var buffer = ComposerBuffer()
        // A family emoji and a flag arrive as separate scalars from the terminal.
        for scalar in "👩‍⚕️🇧🇷e\u{301}".unicodeScalars { buffer.apply(.insert(String(scalar))) }
        #expect(buffer.characters.count == 3)
        #expect(buffer.cursor == 3)
        buffer.apply(.backspace)
        #expect(buffer.text == "👩‍⚕️🇧🇷")
        buffer.apply(.left)
        buffer.apply(.deleteForward)
        #expect(buffer.text == "👩‍⚕️")
        var pasted = ComposerBuffer()
        pasted.apply(.insert("a\r\nb\tc"))
        #expect(pasted.text == "a\nb    c")
        pasted.apply(.insert("x\ny"), multiline: false)
        #expect(!pasted.text.hasSuffix("x\ny"))
    }

    @Test func altEnterAddsALineAndEnterSends() {
        var state = composing()
        #expect(state.focus == .composer)
        type("Hi Ana", into: &state)
        _ = reduce(&state, .edit(.newline))
        type("See you at 4", into: &state)
        let effects = reduce(&state, .submit)
        #expect(effects == [.send(.reply(body: "Hi Ana\nSee you at 4"), conversationId: 11),
                            .saveDraft(conversationId: 11, text: "")])
        #expect(state.conversation?.composer.isEmpty == true)
        #expect(state.conversation?.draftDirty == false)
        #expect(state.focus == .composer)
    }

    @Test func blankDraftsAreNotSent() {
        var state = composing()
        type("   ", into: &state)
        #expect(reduce(&state, .submit).isEmpty)
        #expect(state.status == nil)
    }

    @Test func theClosedWindowBlocksSendingButKeepsTheText() {
        var state = composing()
        type("Still there?", into: &state)
        // The window closes while the agent is typing.
        var detail = Fixtures.deliveryDetail
        detail.conversation.lastInboundAt = Fixtures.now - 25 * Fixtures.hour
        _ = reduce(&state, .conversationLoaded(detail))
        #expect(reduce(&state, .submit).isEmpty)
        #expect(state.status?.isError == true)
        #expect(state.conversation?.composer.text == "Still there?")
    }

    @Test func overlongMessagesAreRefused() {
        var state = composing()
        _ = reduce(&state, .edit(.insert(String(repeating: "a", count: OutboundRules.maxTextLength + 1))))
        #expect(reduce(&state, .submit).isEmpty)
        #expect(state.status?.text.contains("1600") == true)
    }

    @Test func draftsAreSavedAfterAPauseAndWhenLeaving() {
        var state = composing()
        type("draft", into: &state)
        #expect(reduce(&state, .tick(Fixtures.now + 500)).isEmpty)
        #expect(reduce(&state, .tick(Fixtures.now + 2_500)) == [.saveDraft(conversationId: 11, text: "draft")])
        type("!", into: &state)
        #expect(reduce(&state, .cancel) == [.saveDraft(conversationId: 11, text: "draft!")])
        #expect(state.focus == .conversation)
    }

    @Test func theDraftComesBackWithTheConversation() {
        var detail = Fixtures.deliveryDetail
        detail.draft = "Saved earlier"
        let state = Fixtures.openState(detail, width: 120, height: 30)
        #expect(state.conversation?.composer.text == "Saved earlier")
    }

    @Test func editorTextReplacesTheDraft() {
        var state = composing()
        type("short", into: &state)
        #expect(reduce(&state, .cancel).count == 1)
        #expect(reduce(&state, .composeInEditor) == [.runEditor(conversationId: 11, initialText: "short")])
        let effects = reduce(&state, .editorFinished(conversationId: 11, text: "A longer\nanswer\n"))
        #expect(effects == [.saveDraft(conversationId: 11, text: "A longer\nanswer")])
        #expect(state.focus == .composer && state.conversation?.composer.text == "A longer\nanswer")
    }
}

@Suite struct ConversationCommandTests {
    @Test func takeOverSendsTheCommand() {
        var state = Fixtures.state(width: 120, height: 30)
        _ = reduce(&state, .queueLoaded(tab: .waiting, rows: Fixtures.waitingRows, counts: Fixtures.counts))
        let effects = reduce(&state, .takeOver)
        #expect(effects == [.loadConversation(11), .send(.takeOver, conversationId: 11)])
        #expect(state.focus == .conversation)
    }

    @Test func takingOverMyOwnOrSomeoneElsesConversationSendsNothing() {
        var state = Fixtures.openState(Fixtures.deliveryDetail, width: 120, height: 30)
        #expect(reduce(&state, .takeOver).isEmpty)
        #expect(state.status?.isError == false)

        var detail = Fixtures.deliveryDetail
        detail.conversation.assignedAgentId = Fixtures.carla.id
        var taken = Fixtures.openState(detail, width: 120, height: 30)
        #expect(reduce(&taken, .takeOver).isEmpty)
        #expect(taken.status?.isError == true)
        #expect(taken.status?.text.contains("Carla Mendes") == true)
    }

    @Test func theComposerLocksWhenAnotherAgentHoldsTheConversation() {
        var detail = Fixtures.deliveryDetail
        detail.conversation.assignedAgentId = Fixtures.carla.id
        var state = Fixtures.openState(detail, width: 120, height: 30)
        #expect(state.composerLock == .takenBy(agentId: Fixtures.carla.id))
        #expect(reduce(&state, .reply).isEmpty)
        #expect(state.focus == .conversation)
        #expect(state.status?.text.contains("Taken by Carla Mendes") == true)
        _ = reduce(&state, .edit(.insert("x")))
        #expect(state.conversation?.composer.isEmpty == true)
    }

    @Test func aTakeOverArrivingWhileTypingKeepsTheDraftButLeavesTheComposer() {
        var state = Fixtures.openState(Fixtures.deliveryDetail, width: 120, height: 30)
        _ = reduce(&state, .reply)
        _ = reduce(&state, .edit(.insert("half an answer")))
        var detail = Fixtures.deliveryDetail
        detail.conversation.assignedAgentId = Fixtures.carla.id
        _ = reduce(&state, .conversationLoaded(detail))
        #expect(state.focus == .conversation)
        #expect(state.conversation?.composer.text == "half an answer")
        #expect(state.status?.text.contains("Carla Mendes") == true)
    }

    @Test func replyOnAWaitingConversationIsAllowed() {
        var detail = Fixtures.deliveryDetail
        detail.conversation.status = .waiting
        detail.conversation.assignedAgentId = nil
        var state = Fixtures.openState(detail, width: 120, height: 30)
        _ = reduce(&state, .reply)
        #expect(state.focus == .composer)
    }

    @Test func replyFromTheQueueOpensThenFocusesTheComposer() {
        var state = Fixtures.state(width: 120, height: 30)
        _ = reduce(&state, .queueLoaded(tab: .waiting, rows: Fixtures.waitingRows, counts: Fixtures.counts))
        #expect(reduce(&state, .reply) == [.loadConversation(11)])
        #expect(state.focus == .conversation)
        var detail = Fixtures.deliveryDetail
        detail.conversation.status = .waiting
        detail.conversation.assignedAgentId = nil
        _ = reduce(&state, .conversationLoaded(detail))
        #expect(state.focus == .composer)
    }

    @Test func handBackCloseAndTransfer() {
        var state = Fixtures.openState(Fixtures.deliveryDetail, width: 120, height: 30)
        #expect(reduce(&state, .handBack).isEmpty, "asked first (TeamFlowReducerTests covers the dialog)")
        #expect(reduce(&state, .confirm(true)) == [.send(.handBack, conversationId: 11)])
        #expect(reduce(&state, .close).isEmpty)
        #expect(reduce(&state, .confirm(true)) == [.send(.close, conversationId: 11)])
        #expect(reduce(&state, .openTransferPicker).isEmpty)
        guard case .transfer(let picker) = state.overlay else { Issue.record("no picker"); return }
        #expect(picker.candidates.map(\.id) == [Fixtures.carla.id, Fixtures.ravi.id])
        _ = reduce(&state, .moveSelection(1))
        #expect(reduce(&state, .submit) == [.send(.transfer(toAgentId: Fixtures.ravi.id), conversationId: 11)])
        #expect(state.overlay == nil)
    }

    @Test func retryResendsFailedOutboxEntries() {
        var state = Fixtures.openState(Fixtures.deliveryDetail, width: 120, height: 30)
        #expect(reduce(&state, .retryFailed) == [.retry(key: "k-2")])
        var detail = Fixtures.deliveryDetail
        detail.outbox = []
        _ = reduce(&state, .conversationLoaded(detail))
        // Without failed commands, the last message the provider refused is sent again.
        #expect(reduce(&state, .retryFailed) == [
            .send(.reply(body: "Here is the address: Rua Augusta 1200, 3º andar."), conversationId: 11),
        ])
    }

    @Test func serverRefusalsAreShownNotSwallowed() {
        var state = Fixtures.openState(Fixtures.deliveryDetail, width: 120, height: 30)
        _ = reduce(&state, .commandFailed(conversationId: 11, message: "Carla Mendes took this conversation first"))
        #expect(state.status == StatusMessage(text: "Carla Mendes took this conversation first", isError: true,
                                              at: Fixtures.now, conversationId: 11))
        _ = reduce(&state, .tick(Fixtures.now + 60_000))
        #expect(state.status?.isError == true)  // errors stay until dismissed
        _ = reduce(&state, .cancel)
        #expect(state.status == nil)
    }
}

@Suite struct QuitSearchAndAlertTests {
    @Test func quitAsksOnlyWhenADraftIsUnsent() {
        var idle = Fixtures.openState(Fixtures.deliveryDetail, width: 120, height: 30)
        #expect(reduce(&idle, .requestQuit) == [.quit])

        var state = Fixtures.openState(Fixtures.deliveryDetail, width: 120, height: 30)
        _ = reduce(&state, .reply)
        _ = reduce(&state, .edit(.insert("unsent")))
        #expect(reduce(&state, .requestQuit).isEmpty)
        #expect(state.overlay == .confirmQuit)
        #expect(reduce(&state, .confirm(false)).isEmpty)
        #expect(state.overlay == nil && state.conversation?.composer.text == "unsent")
        _ = reduce(&state, .requestQuit)
        #expect(reduce(&state, .confirm(true)) == [.saveDraft(conversationId: 11, text: "unsent"), .quit])
    }

    @Test func searchRunsAsYouTypeDropsStaleAnswersAndJumps() {
        var state = Fixtures.state(width: 120, height: 30)
        _ = reduce(&state, .openSearch)
        #expect(reduce(&state, .edit(.insert("m"))).isEmpty)  // too short to search
        #expect(reduce(&state, .edit(.insert("o"))) == [.search("mo")])
        _ = reduce(&state, .edit(.insert("v")))
        _ = reduce(&state, .searchResults(query: "mo", hits: Fixtures.searchHits))  // stale
        guard case .search(let stale) = state.overlay else { Issue.record("search closed"); return }
        #expect(stale.hits.isEmpty && stale.isSearching)
        _ = reduce(&state, .searchResults(query: "mov", hits: Fixtures.searchHits))
        _ = reduce(&state, .moveSelection(1))
        let effects = reduce(&state, .submit)
        #expect(effects == [.loadConversation(12)])
        #expect(state.overlay == nil)
        #expect(state.conversation?.scroll == .message(301) && state.conversation?.highlightMessageId == 301)
    }

    @Test func newWaitingConversationsRingOnceAndUpdateTheTitle() {
        var state = Fixtures.state(width: 120, height: 30)
        var effects = reduce(&state, .queueLoaded(tab: .waiting, rows: [], counts: QueueCounts(waiting: 2)))
        #expect(effects == [.setTitle("inbox (2 waiting)")])  // no bell for what was waiting at start-up
        effects = reduce(&state, .queueLoaded(tab: .waiting, rows: [], counts: QueueCounts(waiting: 3)))
        #expect(effects == [.bell, .setTitle("inbox (3 waiting)")])
        state.now += 1_000
        effects = reduce(&state, .queueLoaded(tab: .waiting, rows: [], counts: QueueCounts(waiting: 4)))
        #expect(effects == [.setTitle("inbox (4 waiting)")])  // within the cooldown: the bell is owed
        #expect(state.alerts.bellPending)
        #expect(reduce(&state, .tick(state.now + state.settings.bellCooldown)) == [.bell])
        effects = reduce(&state, .queueLoaded(tab: .waiting, rows: [], counts: QueueCounts(waiting: 0)))
        #expect(effects == [.setTitle("inbox")])
    }
}
