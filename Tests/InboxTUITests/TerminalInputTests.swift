import CNcursesw
import InboxModel
@testable import InboxTUI
import Testing

/// Pasting, Esc and the editor's result, below the terminal: key decoding, the keymap and the reducer.
@Suite struct PasteDecodingTests {
    func raws(_ text: String) -> [RawKey] { text.unicodeScalars.map { .character($0.value) } }

    @Test func pastedTextKeepsLineBreaksAndDropsControls() {
        #expect(KeyDecoder.pastedText(raws("one\rtwo\r\nthree\nfour")) == "one\ntwo\nthree\nfour")
        #expect(KeyDecoder.pastedText(raws("a\u{1B}[31mb\u{07}c")) == "a[31mbc", "ESC and BEL never reach the buffer")
        #expect(KeyDecoder.pastedText(raws("tab\there")) == "tab\there")
        #expect(KeyDecoder.pastedText([.character(0x61), .keyCode(KEY_ENTER), .keyCode(KEY_UP), .character(0x62)]) == "a\nb")
    }

    @Test func theBracketedPasteMarkersAreTheStandardOnes() {
        #expect(KeyDecoder.pasteStart == raws("[200~"))
        #expect(KeyDecoder.pasteEnd == raws("\u{1B}[201~"))
    }

    /// Without bracketed paste: a burst is a paste when a line break follows text and more follows it.
    @Test func burstRule() {
        #expect(KeyDecoder.burstIsPaste(raws("line one\rline two\rline three"), continuesPaste: false))
        #expect(KeyDecoder.burstIsPaste(raws("line one\rline two\r"), continuesPaste: false),
                "a trailing line break inside a paste does not send either")
        #expect(!KeyDecoder.burstIsPaste(raws("We will call you\r"), continuesPaste: false),
                "typed ahead, then Enter: that Enter sends")
        #expect(!KeyDecoder.burstIsPaste(raws("\rt"), continuesPaste: false), "Enter, then a key read late")
        #expect(!KeyDecoder.burstIsPaste(raws("jjjj"), continuesPaste: false), "a held key is keys")
        #expect(!KeyDecoder.burstIsPaste(raws("a\r") + [.keyCode(KEY_UP)], continuesPaste: false))
        #expect(!KeyDecoder.burstIsPaste(raws("ab\u{1B}c\rd"), continuesPaste: false), "escape sequences are keys")
        #expect(KeyDecoder.burstIsPaste(raws("\rrest of a long paste"), continuesPaste: true))
        #expect(KeyDecoder.burstIsPaste(raws("\r"), continuesPaste: true), "a split paste's last line break")
    }
}

@Suite struct PasteAndFocusKeymapTests {
    @Test func aPasteIsOneActionWhereverTextGoes() {
        var state = Fixtures.openState(Fixtures.deliveryDetail, width: 120, height: 30)
        _ = reduce(&state, .reply)
        #expect(Keymap.default.action(for: .paste("a\nb"), in: state) == .paste("a\nb"))
        _ = reduce(&state, .openSearch)
        #expect(Keymap.default.action(for: .paste("a\nb"), in: state) == .edit(.insert("a\nb")))
        state.overlay = .confirmQuit
        #expect(Keymap.default.action(for: .paste("y"), in: state) == nil, "a paste never answers a question")
        state.overlay = .help
        #expect(Keymap.default.action(for: .paste("q"), in: state) == nil)
    }

    @Test func escapeInTheConversationReturnsToTheQueue() {
        var state = Fixtures.openState(Fixtures.deliveryDetail, width: 120, height: 30)
        #expect(state.focus == .conversation)
        #expect(Keymap.default.action(for: .escape, in: state) == .cancel)
        _ = reduce(&state, .cancel)
        #expect(state.focus == .queue)
        #expect(Keymap.default.action(for: .char("j"), in: state) == .moveSelection(1))
    }
}

@Suite struct PasteAndEditorReducerTests {
    func composing() -> AppState {
        var state = Fixtures.openState(Fixtures.deliveryDetail, width: 120, height: 30)
        _ = reduce(&state, .reply)
        return state
    }

    @Test func aPasteGoesIntoTheComposerWithItsLinesAndSendsNothing() {
        var state = composing()
        _ = reduce(&state, .edit(.insert("Hi ")))
        let effects = reduce(&state, .paste("first line\r\nsecond line\nthird line"))
        #expect(effects.isEmpty, "nothing is sent or saved by a paste")
        #expect(state.conversation?.composer.text == "Hi first line\nsecond line\nthird line")
        #expect(state.focus == .composer)
        #expect(state.conversation?.draftDirty == true)
        #expect(reduce(&state, .edit(.newline)).isEmpty, "Alt-Enter adds a line")
        let sent = reduce(&state, .submit)
        #expect(sent.contains(.send(.reply(body: "Hi first line\nsecond line\nthird line"), conversationId: 11)))
    }

    @Test func aPasteWhileReadingGoesIntoTheReplyAndFromTheQueueIsRefused() {
        var state = Fixtures.openState(Fixtures.deliveryDetail, width: 120, height: 30)
        #expect(state.focus == .conversation)
        #expect(reduce(&state, .paste("one\ntwo")).isEmpty)
        #expect(state.focus == .composer && state.conversation?.composer.text == "one\ntwo")
        _ = reduce(&state, .cancel)
        _ = reduce(&state, .cancel)
        #expect(state.focus == .queue)
        #expect(reduce(&state, .paste("xb")).isEmpty, "never read as keys")
        #expect(state.status?.isError == true)
        #expect(state.conversation?.composer.text == "one\ntwo")
    }

    @Test func aPasteIntoALockedConversationIsRefused() {
        var detail = Fixtures.deliveryDetail
        detail.conversation.assignedAgentId = Fixtures.carla.id
        var state = Fixtures.openState(detail, width: 120, height: 30)
        #expect(reduce(&state, .paste("hello")).isEmpty)
        #expect(state.focus == .conversation && state.conversation?.composer.text == "")
        #expect(state.status?.isError == true)
    }

    @Test func escapeLeavesTheComposerThenTheConversation() {
        var state = composing()
        _ = reduce(&state, .cancel)
        #expect(state.focus == .conversation)
        _ = reduce(&state, .cancel)
        #expect(state.focus == .queue)
    }

    @Test func anEmptiedFileLeavesTheDraftAsItWas() {
        var state = composing()
        _ = reduce(&state, .edit(.insert("keep me")))
        #expect(reduce(&state, .editorFinished(conversationId: 11, text: "\n \n")).isEmpty)
        #expect(state.conversation?.composer.text == "keep me")
        #expect(state.status?.text.contains("unchanged") == true)
    }
}

@Suite struct ChannelHealthScreenTests {
    func render(_ state: AppState) -> String {
        var grid = CellGrid(width: state.screenWidth, height: state.screenHeight)
        Screen.render(state, theme: .default, into: &grid)
        return grid.textSnapshot()
    }

    @Test func aDegradedChannelShowsInTheStatusLineAndTheConversation() {
        var state = Fixtures.openState(Fixtures.deliveryDetail, width: 120, height: 30)
        let number = Fixtures.deliveryDetail.conversation.clinicNumber
        #expect(!render(state).contains("WhatsApp"))
        _ = reduce(&state, .channelsLoaded([ChannelHealth(clinicNumber: number, provider: .twilio, state: "degraded",
                                                          updatedAt: Fixtures.now)]))
        let screen = render(state)
        let lines = screen.split(separator: "\n").map(String.init)
        #expect(lines[lines.count - 2].contains("WhatsApp channel degraded: retrying"), "status line:\n\(screen)")
        #expect(lines[1].contains("channel degraded"), "conversation header:\n\(screen)")
        #expect(lines.dropFirst(2).contains { $0.contains("⚠ WhatsApp channel degraded: retrying") }, "\(screen)")
        _ = reduce(&state, .channelsLoaded([ChannelHealth(clinicNumber: number, provider: .twilio, state: "ok",
                                                          updatedAt: Fixtures.now)]))
        #expect(!render(state).contains("WhatsApp"), "gone once the channel is ok again")
    }

    @Test func channelProblemsInAReceptionistsWords() {
        func health(_ number: String, _ state: String) -> ChannelHealth {
            ChannelHealth(clinicNumber: number, provider: .waha, state: state, updatedAt: Fixtures.now)
        }
        #expect(health("+1", "ok").problem == nil && health("+1", "WORKING").problem == nil)
        #expect(health("+1", "FAILED").problem == "WhatsApp channel down (FAILED): replies wait")
        #expect(health("+1", "SCAN_QR_CODE").problem?.contains("scan the QR code") == true)
        var state = Fixtures.state(width: 120, height: 30)
        _ = reduce(&state, .channelsLoaded([health("+1", "ok"), health("+2", "degraded"), health("+3", "STOPPED")]))
        #expect(state.channelProblem == "+2: WhatsApp channel degraded: retrying (+1 more)", "which number, when there are several")
        #expect(state.channelIssue(forNumber: "+1") == nil)
        #expect(state.channelIssue(forNumber: "+3")?.shortProblem == "channel down")
    }

    @Test func at80ColumnsTheHintBarKeepsNextHelpAndQuit() {
        var state = Fixtures.openState(Fixtures.deliveryDetail, width: 80, height: 24)
        for focus in [Focus.conversation, .queue] {
            state.focus = focus
            let hints = render(state).split(separator: "\n").last.map(String.init) ?? ""
            #expect(hints.contains("n next waiting"), "\(focus): \(hints)")
            #expect(hints.contains("help"), "\(focus): \(hints)")
            #expect(hints.contains("q quit"), "\(focus): \(hints)")
        }
    }

    @Test func theFocusedPaneHasAHeavyTopBorder() {
        var state = Fixtures.openState(Fixtures.deliveryDetail, width: 120, height: 30)
        let layout = state.layout
        var grid = CellGrid(width: 120, height: 30)
        Screen.render(state, theme: .default, into: &grid)
        #expect(grid[x: layout.conversation.x + layout.conversation.width - 2, y: layout.topBorderY].text == "━")
        #expect(grid[x: layout.queue.x + layout.queue.width - 2, y: layout.topBorderY].text == "─")
        _ = reduce(&state, .cancel)
        Screen.render(state, theme: .default, into: &grid)
        #expect(grid[x: layout.queue.x + layout.queue.width - 2, y: layout.topBorderY].text == "━")
        #expect(grid[x: layout.conversation.x + layout.conversation.width - 2, y: layout.topBorderY].text == "─")
    }
}
