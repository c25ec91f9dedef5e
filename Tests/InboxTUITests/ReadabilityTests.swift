import Foundation
import InboxModel
@testable import InboxTUI
import Testing

/// Issue 8, items 10–17 and the composer's growth (item 2): what a receptionist reads.
@Suite struct ReadabilityTests {
    static let mixed = "Welcome, dear friend 🙏 مرحبا بك 你好 नमस्ते end."
    static let arabic = "مرحبا، أريد تغيير موعدي من فضلك. هل يوم الخميس متاح للتنظيف أم لا؟ شكرا جزيلا لكم."

    // MARK: 10 — bidi per paragraph

    @Test func trailingFullStopStaysAtTheEndOfAWrappedLeftToRightParagraph() {
        // Width 24 wraps before the Arabic: resolved per line, the second line would turn right-to-left and show
        // its full stop at the far left.
        let lines = TextLayout.lines(Self.mixed, width: 24)
        #expect(lines.map(\.text) == ["Welcome, dear friend 🙏", "كب ابحرم 你好 नमस्ते end."])
        #expect(lines.allSatisfy { !$0.isRightToLeft })
        #expect(TextLayout.wrap(Self.mixed, width: 24)[1].hasPrefix("مرحبا"))  // logical order is kept by wrap
    }

    @Test func rightToLeftParagraphIsReorderedPerLineAndReportsItsDirection() {
        let lines = TextLayout.lines("مرحبا بك. hello", width: 9)
        #expect(lines.count == 2)
        #expect(lines.allSatisfy { $0.isRightToLeft })
        // The first logical line "مرحبا بك." reads right to left: its full stop is on the left.
        #expect(lines[0].text == ".كب ابحرم")
        #expect(lines[1].text == "hello")
        #expect(TextLayout.lines("مرحبا", width: 10, reorder: false).map(\.text) == ["مرحبا"])
    }

    @Test func timelineAlignsRightToLeftParagraphsRightAndKeepsLeftToRightOnesLeft() throws {
        let state = Fixtures.openState(Self.bidiDetail, width: 100, height: 30)
        let grid = render(state)
        let layout = state.layout
        let textRight = layout.conversation.maxX - 2  // last column of the timeline's text
        let rows = (0..<grid.height).map { y in grid.row(y).map(\.text).joined() }
        // Every line of the Arabic message (and the banner quoting it) ends at the right edge of the text column.
        let arabicRows = (0..<grid.height).filter { rows[$0].contains("يدعوم") || rows[$0].contains("اليزج") }
        #expect(arabicRows.count == 3)
        for y in arabicRows { #expect(grid[x: textRight, y: y].text != " ", "row \(y): \(rows[y])") }
        // The mixed sentence is a left-to-right paragraph: left-aligned, its full stop after "end".
        let mixedRow = try #require(rows.firstIndex { $0.contains("Welcome, dear friend") && !$0.contains("Patient:") })
        #expect(grid[x: layout.conversation.x + 3, y: mixedRow].text == "W")
        let conversationText = { (y: Int) in
            grid.row(y).dropFirst(layout.conversation.x).prefix(layout.conversation.width).map(\.text).joined()
                .trimmingCharacters(in: .whitespaces)
        }
        #expect(conversationText(mixedRow + 1) == "end.")
        try expectSnapshot(state, named: "bidi-paragraphs")
    }

    @Test func wrappedRightToLeftSummaryKeepsItsMarginAndLabel() {
        var detail = Self.bidiDetail
        detail.conversation.handoffSummary = Self.arabic
        let lines = HandoffBanner.lines(detail, width: 40, maxTextLines: 2, reorder: true, theme: .default)
        #expect(lines.count == 3)
        var grid = CellGrid(width: 40, height: 3)
        for (y, line) in lines.enumerated() { grid.draw(line, x: 0, y: y, width: 40) }
        let text = grid.textSnapshot().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(text[1].hasPrefix(" AI summary: "))
        #expect(text[2].hasPrefix("             "))  // continuation under the text, not under the label
        #expect(grid[x: 39, y: 1].text == " " && grid[x: 38, y: 1].text != " ")  // flush right, one column of air
        #expect(text[2].contains("…"))  // cut at two lines, and says so
    }

    // MARK: 2, 10, 11 — the composer

    @Test func composerWrapsAtWordsGrowsAndKeepsTheCursorInView() throws {
        var state = Fixtures.openState(Fixtures.deliveryDetail, width: 100, height: 30)
        _ = reduce(&state, .reply)
        let before = ScreenLayout(width: 100, height: 30, sidebarShown: true).composer.height
        _ = reduce(&state, .edit(.insert("Hello Ana, the doctor can see you on Thursday at ten. Please bring the scan "
                                         + "from your last visit and arrive ten minutes early.\nSee you then!\n\nBea")))
        let text = render(state).textSnapshot()
        // Word boundaries: rows break between words, never inside one.
        #expect(text.contains("│› Hello Ana, the doctor can see you on Thursday │"))
        #expect(text.contains("│  at ten. Please bring the scan from your last  │"))
        #expect(text.contains("│  visit and arrive ten minutes early.           │"))
        let grid = render(state)
        let composerTop = (0..<grid.height).first { grid[x: state.layout.queueBorderX, y: $0].text == "├" }
        #expect(composerTop != nil && composerTop! < ScreenLayout(width: 100, height: 30, sidebarShown: true).composerBorderY)
        #expect(before == 4)
        try expectSnapshot(state, named: "composer-grown")

        // Past its limit the composer scrolls: the cursor's row stays visible, "↑" says rows are above.
        for line in 1...12 { _ = reduce(&state, .edit(.insert("\nline \(line)"))) }
        let info = scratchRender(state)
        let cursor = try #require(info.cursor)
        let scrolled = render(state)
        let cursorRow = scrolled.row(cursor.y).map(\.text).joined()
        #expect(cursorRow.contains("line 12"))
        #expect(scrolled.textSnapshot().contains("│↑ "))
        let limit = ScreenLayout(width: 100, height: 30, sidebarShown: true, composerRows: 99).composer.height
        #expect(limit == 8)
    }

    @Test func composerShowsArabicReorderedRightAlignedWithTheCursorAtItsEnd() throws {
        var state = Fixtures.openState(Fixtures.deliveryDetail, width: 100, height: 30)
        _ = reduce(&state, .reply)
        _ = reduce(&state, .edit(.insert("مرحبا بك")))
        let info = scratchRender(state)
        let grid = render(state)
        let cursor = try #require(info.cursor)
        let composer = ScreenLayout(width: 100, height: 30, sidebarShown: true).composer
        let row = grid.row(cursor.y).map(\.text).joined()
        #expect(row.contains("كب ابحرم"))  // reordered like the timeline
        // Flush right, and the insertion point (the logical end) is left of the text.
        let rightEdge = composer.x + ComposerPane.gutter + ComposerPane.textWidth(composer) - 1
        #expect(grid[x: rightEdge, y: cursor.y].text == "م")  // the first letter typed is the rightmost
        #expect(grid[x: cursor.x + 1, y: cursor.y].text == "ك")
        let layout = ComposerLayout(ComposerBuffer("abc مرحبا"), width: 20, reorder: true)
        #expect(layout.rows.map(\.text) == ["abc ابحرم"])
        #expect(layout.cursorColumn == 9)
    }

    // MARK: 12 — truncation marks

    @Test func everyCutShowsAnEllipsisAndNoticesWrap() throws {
        var grid = CellGrid(width: 10, height: 3)
        grid.write("approved template to Old Patient", x: 0, y: 0, maxWidth: 10, style: .plain)
        grid.write("中文中文中文", x: 0, y: 1, maxWidth: 5, style: .plain)
        grid.write("مرحبا بك في العيادة", x: 0, y: 2, maxWidth: 8, style: .plain)
        let rows = grid.textSnapshot().split(separator: "\n").map(String.init)
        #expect(rows[0] == "approved …")
        #expect(rows[1] == "中文…")
        #expect(rows[2].hasPrefix("…"))  // a right-to-left line is cut at its logical end: on the left
        var fits = CellGrid(width: 5, height: 1)
        fits.write("exact", x: 0, y: 0, maxWidth: 5, style: .plain)
        #expect(fits.textSnapshot() == "exact")

        // The closed-window warning wraps instead of losing "or wait for the patient to write".
        var detail = Fixtures.windowClosedDetail
        detail.draft = "Are you still there?"
        var state = Fixtures.openState(detail, width: 80, height: 24)
        _ = reduce(&state, .switchTab(.mine))
        let text = render(state).textSnapshot()
        #expect(text.contains("wait for the patient to write"))
        try expectSnapshot(state, named: "truncation-marks")

        // The template picker's explanation takes a second line rather than cutting the patient's name.
        var picker = state
        picker.conversation?.detail?.patient?.displayName = "Old Patient With A Rather Long Family Name"
        picker.conversation?.detail?.conversation.lastInboundAt = Fixtures.now - 25 * Fixtures.hour
        _ = reduce(&picker, .openTemplatePicker)
        let pickerText = render(picker).textSnapshot()
        #expect(pickerText.contains("Family Name: approved templates go out"))
        #expect(pickerText.contains("even when the 24-hour window is closed."))
    }

    // MARK: 14 — sidebar

    @Test func sidebarKeepsKeyFactsVisibleUnderAHugeNameAndSaysTheLanguage() throws {
        var detail = Fixtures.deliveryDetail
        detail.patient?.displayName = String(repeating: "Maria Aparecida ", count: 313)  // 5,008 characters
        detail.patient?.language = nil
        detail.patient?.optedOut = true
        detail.patient?.isLead = true
        detail.messages = [Message(id: 120, conversationId: 11, direction: .inbound, author: .patient,
                                   body: "مرحبا، هل يمكنني تغيير الموعد؟", status: .delivered,
                                   createdAt: Fixtures.now - 9 * Fixtures.hour)]
        let state = Fixtures.openState(detail, width: 120, height: 30)
        let grid = render(state)
        let sidebar = try #require(state.layout.sidebar)
        let column = (sidebar.y..<sidebar.maxY).map { y in
            grid.row(y)[(y * grid.width + sidebar.x)..<(y * grid.width + sidebar.maxX)].map(\.text).joined()
        }
        #expect(column[1].hasSuffix("…") || column[1].contains("…"))
        #expect(column.contains { $0.contains("+55 11 91234-5678") })
        #expect(column.contains { $0.contains("Replies  14h 40m left") })
        #expect(column.contains { $0.contains("Opt-out  YES: do not") })
        #expect(column.contains { $0.contains("Language Arabic") })
        #expect(column.contains { $0.contains("Patient  new, no file") })
        #expect(!column.contains { $0.contains("lead (no record)") || $0.contains("(meta)") })
        try expectSnapshot(state, named: "sidebar-long-name")
    }

    @Test func languageIsGuessedFromTheScriptOfThePatientsMessages() {
        func guess(_ bodies: [String]) -> String? {
            let messages = bodies.enumerated().map { index, body in
                Message(id: Int64(index), conversationId: 1, direction: .inbound, author: .patient, body: body,
                        status: .delivered, createdAt: 0)
            }
            return PatientLanguage.of(nil, messages: messages)?.description
        }
        #expect(guess(["שלום, אפשר תור?"]) == "Hebrew (guess)")
        #expect(guess(["नमस्ते, क्या कल सुबह"]) == "Hindi (guess)")
        #expect(guess(["你好，我想预约"]) == "Chinese (guess)")
        #expect(guess(["こんにちは、予約"]) == "Japanese (guess)")
        #expect(guess(["Olá, tudo bem?"]) == "Latin script (guess)")
        #expect(guess(["👍🏽"]) == nil)
        let given = Patient(id: 1, channelIdentity: "x", displayName: "", phone: "", language: "pt-BR", updatedAt: 0)
        #expect(PatientLanguage.of(given, messages: [])?.description == "Portuguese (pt-BR)")
    }

    // MARK: 15 — hand-off banner

    @Test func bannerShowsAnAISummaryOnlyWhenThereIsOne() {
        var detail = Fixtures.deliveryDetail
        detail.conversation.handoffSummary = nil
        let plain = HandoffBanner.lines(detail, width: 80, maxTextLines: 2, reorder: true, theme: .default)
            .map { $0.spans.map(\.text).joined() }
        #expect(plain[0] == " Handed off · Reason: patient in pain, wants earliest slot")
        #expect(plain.dropFirst().allSatisfy { $0.hasPrefix(" Patient: ") })
        #expect(plain.last?.contains("It also hurts when I chew") == true)
        #expect(!plain.contains { $0.contains("AI summary") })
        let summarized = HandoffBanner.lines(Fixtures.deliveryDetail, width: 80, maxTextLines: 2, reorder: true,
                                             theme: .default).map { $0.spans.map(\.text).joined() }
        #expect(summarized[1].hasPrefix(" AI summary: Ana has had tooth pain"))
        // The rule bot has no summary to give: it used to pass the patient's own words off as one.
        let bot = ClinicBot()
        let (decision, _) = bot.respond(to: "I want to talk to a person", memory: .init())
        #expect(decision.handOff != nil && decision.handOff?.summary == nil)
    }

    // MARK: 16 — templates and queue rows

    @Test func templatesInThePatientsLanguageComeFirst() throws {
        var detail = Fixtures.windowClosedDetail
        detail.patient?.language = nil
        detail.templates.insert(MessageTemplate(id: 9, name: "a_reminder_ar", language: "ar", category: .utility,
                                                body: "تذكير بموعدك {{1}}", updatedAt: Fixtures.now), at: 0)
        detail.templates.append(MessageTemplate(id: 10, name: "z_lembrete", language: "pt_BR", category: .utility,
                                                body: "Lembrete {{1}}", updatedAt: Fixtures.now))
        detail.messages.append(Message(id: 130, conversationId: 11, direction: .inbound, author: .patient,
                                       body: "Olá! Obrigada, até quinta.", status: .delivered,
                                       createdAt: Fixtures.now - 26 * Fixtures.hour))
        detail.patient?.language = "pt-BR"
        var state = Fixtures.openState(detail, width: 100, height: 30)
        _ = reduce(&state, .openTemplatePicker)
        guard case .templates(let picker) = state.overlay else { Issue.record("no picker"); return }
        #expect(picker.templates.map(\.language).prefix(4) == ["pt_BR", "pt_BR", "pt_BR", "pt_BR"])
        #expect(picker.templates.last?.language == "ar")
        #expect(render(state).textSnapshot().contains("pt_BR (patient's language)"))
    }

    @Test func queueRowsPreviewThePatientOrTheReasonAndExplainTheirMarks() throws {
        var state = Fixtures.state(width: 140, height: 24)
        var rows = Fixtures.waitingRows
        // The AI answered last with its stock hand-off line: the row shows why it was handed off instead.
        rows[0].conversation.lastMessagePreview = "Connecting you with our reception team — someone will answer shortly."
        rows[0].conversation.lastMessageAt = Fixtures.now - Fixtures.minute
        rows[0].conversation.lastInboundAt = Fixtures.now - 2 * Fixtures.minute
        _ = reduce(&state, .queueLoaded(tab: .waiting, rows: rows, counts: Fixtures.counts))
        let text = render(state).textSnapshot()
        #expect(text.contains("│   Reason: patient in pa…"))
        #expect(!text.contains("Connecting you"))
        #expect(text.contains("│   Quanto custa o clarea…"))  // the patient wrote last: their words
        #expect(text.contains("! urgent  @ wants staff"))
        #expect(text.contains("3 = unread"))
        try expectSnapshot(state, named: "queue-previews-and-legend")
    }

    // MARK: 17 — ZWJ clusters

    @Test func zwjSequencesAreOneWideCluster() {
        for emoji in ["👩🏽‍⚕️", "👨‍👩‍👧", "👨‍👩‍👧‍👦"] {
            let glyphs = TextLayout.glyphs(emoji + "x")
            #expect(glyphs.map(\.text) == [emoji, "x"])
            #expect(glyphs[0].width == 2)
            var grid = CellGrid(width: 6, height: 1)
            grid.write(emoji + "x", x: 0, y: 0, maxWidth: 6, style: .plain)
            #expect(grid[x: 0, y: 0].text == emoji && grid[x: 1, y: 0].isContinuation && grid[x: 2, y: 0].text == "x")
        }
        // Which terminals get the whole sequence (the painter test checks the bytes that reach them).
        #expect(CursesCluster.joinsClusters(environment: ["TERM": "xterm-kitty"]))
        #expect(CursesCluster.joinsClusters(environment: ["TERM": "xterm-256color", "TERM_PROGRAM": "WezTerm"]))
        #expect(!CursesCluster.joinsClusters(environment: ["TERM": "xterm-kitty", "TMUX": "/tmp/tmux-0/default,1,0"]))
        #expect(!CursesCluster.joinsClusters(environment: ["TERM": "xterm-256color"]))
        #expect(CursesCluster.joinsClusters(environment: ["TERM": "tmux-256color", "INBOX_GRAPHEMES": "whole"]))
        // glibc-like widths: each emoji 2 columns, ⚕ 1, joiners 0. Seven code points do not fit one ncurses cell.
        func libc(_ v: UInt32) -> Int { v == 0x200D || v == 0xFE0F ? 0 : (v == 0x2695 ? 1 : 2) }
        let doctor = "👩🏽‍⚕️"
        #expect(CursesCluster.plan(doctor, width: 2, joinsClusters: true, wcwidth: libc)
                == .init(segments: [doctor.unicodeScalars.map(\.value)], padding: 0, joined: true))
        #expect(CursesCluster.plan(doctor, width: 2, wcwidth: libc) == .init(segments: [[0x1F469]], padding: 0))
        #expect(CursesCluster.plan("👨‍👩‍👧‍👦", width: 2, joinsClusters: true, wcwidth: libc)
                == .init(segments: [[0x1F468]], padding: 0))
    }

    // MARK: - Fixtures and helpers

    static var bidiDetail: ConversationDetail {
        var detail = Fixtures.deliveryDetail
        detail.outbox = []
        detail.conversation.handoffSummary = nil
        detail.messages = [
            Message(id: 301, conversationId: 11, direction: .inbound, author: .patient, body: mixed,
                    status: .delivered, createdAt: Fixtures.now - 30 * Fixtures.minute),
            Message(id: 302, conversationId: 11, direction: .inbound, author: .patient, body: arabic,
                    status: .delivered, createdAt: Fixtures.now - 29 * Fixtures.minute),
            Message(id: 303, conversationId: 11, direction: .outbound, author: .agent, agentId: Fixtures.me.id,
                    body: "Claro! (١٠:٣٠) works — شكرا 👩🏽‍⚕️ 👨‍👩‍👧", status: .read,
                    createdAt: Fixtures.now - 20 * Fixtures.minute),
        ]
        return detail
    }

    func render(_ state: AppState) -> CellGrid { ScreenSnapshotTests().render(state) }

    func scratchRender(_ state: AppState) -> FrameInfo {
        var grid = CellGrid(width: state.screenWidth, height: state.screenHeight)
        return Screen.render(state, theme: .default, into: &grid)
    }

    func expectSnapshot(_ state: AppState, named name: String,
                        sourceLocation: SourceLocation = #_sourceLocation) throws {
        try ScreenSnapshotTests().expectSnapshot(state, named: name, sourceLocation: sourceLocation)
    }
}
