import InboxModel
@testable import InboxTUI
import Testing

/// Issue 10 items 1, 2, 3 and 7 in the client: the note editor, notes and activity lines in the timeline, the
/// composer's `/` picker and the `:` palette, as reducer steps and grid snapshots.
@Suite struct NotesCannedPaletteTests {
    static let canned = [
        CannedReply(id: 1, shortcode: "address", body: "Hello {{first_name}}, {{clinic}} is at Rua Augusta 1200, 3rd floor.", updatedAt: 0),
        CannedReply(id: 2, shortcode: "hours", body: "We are open 8:00–18:00, {{name}}.", updatedAt: 0),
        CannedReply(id: 3, shortcode: "xray-ready", body: "Your x-ray is ready at the front desk.", updatedAt: 0),
        CannedReply(id: 4, shortcode: "parking", body: "Free parking behind the building, next to the road.", updatedAt: 0),
    ]

    /// Ana's conversation with a note, Carla's note and activity lines, and the clinic's canned replies.
    static var detail: ConversationDetail {
        var detail = Fixtures.deliveryDetail
        detail.outbox = []
        detail.cannedReplies = canned
        let at = Fixtures.now - 5 * Fixtures.minute
        detail.messages += [
            TeamNotes.line("Bea Costa took over from the AI", conversationId: 11, actorId: 1, at: at),
            Message(id: 900, conversationId: 11, direction: .outbound, author: .note, agentId: 2,
                    body: "She is allergic to penicillin: check with Dr. Shah before any prescription.",
                    status: .delivered, createdAt: at + 1000),
            TeamNotes.line("Carla Mendes transferred this conversation to Bea Costa", conversationId: 11, actorId: 2, at: at + 2000),
            Message(id: 901, conversationId: 11, direction: .outbound, author: .note, agentId: 1, body: "Called her back, moved to 16:00.",
                    status: .delivered, createdAt: at + 3000),
        ]
        return detail
    }

    // MARK: Canned replies

    @Test func rankingIsShortcodePrefixThenShortcodeThenText() {
        func ranked(_ query: String) -> [String] { CannedReplies.ranked(Self.canned, query: query).map(\.shortcode) }
        #expect(ranked("ad") == ["address", "xray-ready", "parking"], "prefix, then shortcode contains, then text (road)")
        #expect(ranked("ar") == ["parking", "hours"])
        #expect(ranked("AD") == ranked("ad"))
        #expect(ranked("") == ["address", "hours", "parking", "xray-ready"])
        #expect(CannedReplies.ranked(Self.canned + [CannedReply(id: 9, shortcode: "adieu", body: "x", removed: true, updatedAt: 0)],
                                     query: "ad").map(\.shortcode) == ["address", "xray-ready", "parking"], "removed ones never show")
    }

    @Test func placeholdersAreFilled() {
        #expect(CannedReplies.expand("Hi {{first_name}} ({{ name }}), {{clinic}} {{unknown}} {{", patientName: "Ana Silva",
                                     clinic: "Sorriso") == "Hi Ana (Ana Silva), Sorriso {{unknown}} {{")
        #expect(CannedReplies.expand("Hello {{first_name}}", patientName: "  ", clinic: "") == "Hello there")
    }

    @Test func slashOpensThePickerAndEnterInsertsTheExpandedText() {
        var state = Fixtures.openState(Self.detail, width: 120, height: 30)
        _ = reduce(&state, .reply)
        #expect(state.focus == .composer)
        for key in ["/", "a", "d"] { _ = reduce(&state, .edit(.insert(key))) }
        guard case .canned(let picker) = state.overlay else { Issue.record("no picker: \(String(describing: state.overlay))"); return }
        #expect(picker.query.text == "ad" && picker.selected?.shortcode == "address")
        _ = reduce(&state, .submit)
        #expect(state.overlay == nil && state.focus == .composer)
        #expect(state.conversation?.composer.text == "Hello Ana, Sorriso Dental is at Rua Augusta 1200, 3rd floor.")
        // A slash later in the text is just text.
        _ = reduce(&state, .edit(.insert("/")))
        #expect(state.overlay == nil && state.conversation?.composer.text.hasSuffix("floor./") == true)
    }

    @Test func escKeepsWhatWasTypedAndBackspaceLeaves() {
        var state = Fixtures.openState(Self.detail, width: 120, height: 30)
        _ = reduce(&state, .reply)
        for key in ["/", "z", "z"] { _ = reduce(&state, .edit(.insert(key))) }
        _ = reduce(&state, .cancel)
        #expect(state.overlay == nil && state.conversation?.composer.text == "/zz")
        _ = reduce(&state, .edit(.clear))
        _ = reduce(&state, .edit(.insert("/")))
        _ = reduce(&state, .edit(.backspace))
        #expect(state.overlay == nil && state.conversation?.composer.text == "")
    }

    @Test func cannedPickerSnapshot() throws {
        var state = Fixtures.openState(Self.detail, width: 120, height: 30)
        _ = reduce(&state, .reply)
        for key in ["/", "a"] { _ = reduce(&state, .edit(.insert(key))) }
        try ScreenSnapshotTests().expectSnapshot(state, named: "canned-picker")
    }

    // MARK: Notes

    @Test func pWritesANoteThroughTheOutbox() {
        var state = Fixtures.openState(Self.detail, width: 120, height: 30)
        _ = reduce(&state, .openNote)
        for key in "Prefers mornings" { _ = reduce(&state, .edit(.insert(String(key)))) }
        let effects = reduce(&state, .submit)
        #expect(effects == [.send(.note(body: "Prefers mornings"), conversationId: 11)])
        #expect(state.overlay == nil)
        #expect(Keymap.default.action(for: .char("p"), in: Fixtures.openState(Self.detail, width: 120, height: 30)) == .openNote)
    }

    @Test func notesAndActivityLinesSnapshot() throws {
        let state = Fixtures.openState(Self.detail, width: 120, height: 40)
        let text = ScreenSnapshotTests().render(state).textSnapshot()
        #expect(text.contains("NOTE Carla Mendes") && text.contains("NOTE You"))
        #expect(text.contains("Carla Mendes transferred this conversation to Bea Costa"))
        try ScreenSnapshotTests().expectSnapshot(state, named: "notes-and-activity")
    }

    @Test func noteEditorSnapshotAt80x24() throws {
        var state = Fixtures.openState(Self.detail, width: 80, height: 24)
        _ = reduce(&state, .openNote)
        for key in "Asked for Dr. Shah" { _ = reduce(&state, .edit(.insert(String(key)))) }
        try ScreenSnapshotTests().expectSnapshot(state, named: "note-editor-80x24")
    }

    // MARK: Palette

    @Test func paletteCompletesAndRunsTransfer() {
        var state = Fixtures.openState(Self.detail, width: 120, height: 30)
        #expect(Keymap.default.action(for: .char(":"), in: state) == .openPalette)
        _ = reduce(&state, .openPalette)
        for key in "trans ravi" { _ = reduce(&state, .edit(.insert(String(key)))) }
        guard case .palette(let palette) = state.overlay else { Issue.record("no palette"); return }
        #expect(palette.selected?.name == "transfer to Dr. Ravi Shah")
        #expect(Keymap.default.action(for: .tab, in: state) == .completePalette)
        _ = reduce(&state, .completePalette)
        guard case .palette(let completed) = state.overlay else { Issue.record("no palette"); return }
        #expect(completed.input.text == "transfer to Dr. Ravi Shah")
        let effects = reduce(&state, .submit)
        #expect(effects.contains(.send(.transfer(toAgentId: 3), conversationId: 11)))
    }

    @Test func paletteListsEveryAction() {
        var state = Fixtures.openState(Self.detail, width: 120, height: 30)
        _ = reduce(&state, .openPalette)
        guard case .palette(let palette) = state.overlay else { Issue.record("no palette"); return }
        let names = palette.entries.map(\.name)
        for expected in ["take over", "close", "reopen", "note", "template…", "canned…", "snooze…", "tag… filter",
                         "profile", "transfer to Carla Mendes",
                         "canned /address"] {
            #expect(names.contains(expected), "\(expected) missing from \(names)")
        }
    }

    @Test func paletteCannedInsertsIntoTheComposer() {
        var state = Fixtures.openState(Self.detail, width: 120, height: 30)
        _ = reduce(&state, .openPalette)
        for key in "canned /hou" { _ = reduce(&state, .edit(.insert(String(key)))) }
        _ = reduce(&state, .submit)
        #expect(state.focus == .composer && state.conversation?.composer.text == "We are open 8:00–18:00, Ana Silva.")
    }

    @Test func paletteSnapshot() throws {
        var state = Fixtures.openState(Self.detail, width: 120, height: 30)
        _ = reduce(&state, .openPalette)
        for key in "tr" { _ = reduce(&state, .edit(.insert(String(key)))) }
        try ScreenSnapshotTests().expectSnapshot(state, named: "command-palette")
    }

    @Test func paletteSnapshotAt80x24() throws {
        var state = Fixtures.openState(Self.detail, width: 80, height: 24)
        _ = reduce(&state, .openPalette)
        try ScreenSnapshotTests().expectSnapshot(state, named: "command-palette-80x24")
    }

    @Test func helpPointsToThePalette() {
        var state = Fixtures.openState(Self.detail, width: 80, height: 24)
        _ = reduce(&state, .toggleHelp)
        let text = ScreenSnapshotTests().render(state).textSnapshot()
        #expect(text.contains(": runs any command by name"), "\(text)")
    }
}
