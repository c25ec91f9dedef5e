import Foundation
import InboxModel
@testable import InboxTUI
import Testing

/// Whole-screen snapshots: `textSnapshot()` of the rendered grid compared with `Snapshots/<name>.txt`.
/// A missing snapshot is written and the test fails once so it gets reviewed; `SNAPSHOT_RECORD=1` rewrites all.
@Suite struct ScreenSnapshotTests {
    @Test func emptyMirror() throws {
        var state = Fixtures.state(width: 120, height: 30)
        state.queue.isLoading = false
        try expectSnapshot(state, named: "empty-mirror")
    }

    @Test func fullQueue() throws {
        var state = Fixtures.state(width: 120, height: 30)
        _ = reduce(&state, .queueLoaded(tab: .waiting, rows: Fixtures.waitingRows, counts: Fixtures.counts))
        _ = reduce(&state, .connectionChanged(.online))
        _ = reduce(&state, .moveSelection(2))
        try expectSnapshot(state, named: "full-queue")
    }

    @Test func conversationWithEveryDeliveryState() throws {
        var state = Fixtures.openState(Fixtures.deliveryDetail, width: 120, height: 40)
        _ = reduce(&state, .outboxChanged(pending: 1, failed: 1))
        try expectSnapshot(state, named: "conversation-delivery-states")
    }

    @Test func handoffBanner() throws {
        var detail = Fixtures.deliveryDetail
        detail.messages = Array(detail.messages.prefix(4))
        detail.outbox = []
        detail.conversation.status = .waiting
        detail.conversation.assignedAgentId = nil
        let state = Fixtures.openState(detail, width: 100, height: 24)
        try expectSnapshot(state, named: "handoff-banner")
    }

    @Test func sidebarWithWindowOpen() throws {
        let state = Fixtures.openState(Fixtures.deliveryDetail, width: 120, height: 30)
        let grid = render(state)
        #expect(grid.textSnapshot().contains("14h 40m left"))
        try expectSnapshot(state, named: "sidebar-window-open")
    }

    @Test func sidebarWithWindowClosed() throws {
        var detail = Fixtures.deliveryDetail
        detail.conversation.lastInboundAt = Fixtures.now - 30 * 3_600_000
        detail.patient?.optedOut = true
        detail.patient?.isLead = true
        detail.patient?.externalRecordId = nil
        detail.draft = "Are you still there?"  // typed before the window closed: kept, not sendable
        var state = Fixtures.openState(detail, width: 120, height: 30)
        let text = render(state).textSnapshot()
        #expect(text.contains("closed"))
        try expectSnapshot(state, named: "sidebar-window-closed")
    }

    @Test func narrowTerminalFoldsTheSidebar() throws {
        var state = Fixtures.openState(Fixtures.deliveryDetail, width: 80, height: 24)
        _ = reduce(&state, .switchTab(.waiting))
        _ = reduce(&state, .queueLoaded(tab: .waiting, rows: Fixtures.waitingRows, counts: Fixtures.counts))
        #expect(!state.sidebarShown)
        let grid = render(state)
        let layout = ScreenLayout(width: 80, height: 24, sidebarShown: false)
        #expect(layout.sidebar == nil)
        expectBordersIntact(grid, layout: layout)
        try expectSnapshot(state, named: "narrow-80x24-sidebar-folded")

        _ = reduce(&state, .toggleSidebar)
        #expect(state.sidebarShown)
        let toggled = render(state)
        expectBordersIntact(toggled, layout: ScreenLayout(width: 80, height: 24, sidebarShown: true))
        try expectSnapshot(state, named: "narrow-80x24-sidebar-toggled")
    }

    @Test func helpOverlay() throws {
        var state = Fixtures.openState(Fixtures.deliveryDetail, width: 80, height: 24)
        _ = reduce(&state, .toggleHelp)
        let text = render(state).textSnapshot()
        for command in KeyCommand.allCases {
            #expect(text.contains(Keymap.default.label(command)), "help lists \(command.rawValue)")
        }
        for line in Overlays.conversationCommandLines { #expect(text.contains(line.summary)) }
        try expectSnapshot(state, named: "help-overlay")
    }

    @Test func conversationTakenByAnotherAgent() throws {
        var detail = Fixtures.deliveryDetail
        detail.conversation.assignedAgentId = Fixtures.carla.id
        detail.outbox = []
        var state = Fixtures.openState(detail, width: 120, height: 30)
        _ = reduce(&state, .reply)
        #expect(state.focus != .composer)
        let text = render(state).textSnapshot()
        #expect(text.contains("Taken by Carla Mendes"))
        try expectSnapshot(state, named: "taken-by-another-agent")
    }

    @Test func mixedScriptsKeepEveryBorderInItsColumn() throws {
        var state = Fixtures.openState(Fixtures.mixedScriptDetail, width: 120, height: 30)
        _ = reduce(&state, .queueLoaded(tab: .waiting, rows: Fixtures.mixedScriptRows, counts: Fixtures.counts))
        for bidi in [true, false] {
            state.settings.bidi = bidi
            let grid = render(state)
            expectBordersIntact(grid, layout: state.layout)
        }
        state.settings.bidi = true
        _ = reduce(&state, .reply)
        _ = reduce(&state, .edit(.insert("مرحبا 🇧🇷 नमस्ते 你好 👩‍⚕️")))
        expectBordersIntact(render(state), layout: state.layout)
        try expectSnapshot(state, named: "mixed-scripts")

        var narrow = state
        _ = reduce(&narrow, .resize(width: 80, height: 24))
        expectBordersIntact(render(narrow), layout: narrow.layout)
    }

    @Test func transferPickerSearchAndQuitOverlays() throws {
        var state = Fixtures.openState(Fixtures.deliveryDetail, width: 100, height: 30)
        _ = reduce(&state, .openTransferPicker)
        _ = reduce(&state, .moveSelection(1))
        try expectSnapshot(state, named: "transfer-picker")

        state.overlay = nil
        _ = reduce(&state, .openSearch)
        for character in "move" { _ = reduce(&state, .edit(.insert(String(character)))) }
        _ = reduce(&state, .searchResults(query: "move", hits: Fixtures.searchHits))
        try expectSnapshot(state, named: "search-overlay")

        state.overlay = nil
        _ = reduce(&state, .reply)
        _ = reduce(&state, .edit(.insert("Half-written answer")))
        _ = reduce(&state, .requestQuit)
        #expect(state.overlay == .confirmQuit)
        try expectSnapshot(state, named: "quit-confirmation")
    }

    @Test func templatePickerWhenTheWindowIsClosed() throws {
        var state = Fixtures.openState(Fixtures.windowClosedDetail, width: 100, height: 30)
        _ = reduce(&state, .reply)
        _ = reduce(&state, .submit)
        for character in "Ana" { _ = reduce(&state, .edit(.insert(String(character)))) }
        try expectSnapshot(state, named: "template-picker")
    }

    @Test func statusLineShowsConnectionOutboxAndErrors() {
        var state = Fixtures.state(width: 120, height: 30)
        _ = reduce(&state, .connectionChanged(.reconnecting(retryAt: Fixtures.now + 4_200, lastError: "timed out")))
        _ = reduce(&state, .outboxChanged(pending: 2, failed: 1))
        var line = render(state).row(28).map(\.text).joined()
        #expect(line.contains("Bea Costa · reconnecting in 5 s · 2 pending, 1 failed · sync: timed out"))
        _ = reduce(&state, .connectionChanged(.offline(since: Fixtures.now - 10 * Fixtures.minute, lastError: "DNS")))
        _ = reduce(&state, .failure("could not save the draft: disk full"))
        line = render(state).row(28).map(\.text).joined()
        #expect(line.contains("offline since 14:20"))
        #expect(line.contains("✗ could not save the draft: disk full"))
    }

    @Test func pageUpWalksBackThroughHistoryAndASearchJumpShowsTheHit() {
        var state = Fixtures.openState(Fixtures.deliveryDetail, width: 80, height: 24)
        var grid = scratch(state)
        var info = Screen.render(state, theme: .default, into: &grid)
        _ = reduce(&state, .measured(info.measure))
        #expect(info.measure.conversationScroll == 0 && info.measure.conversationMaxScroll > 0)
        #expect(!render(state).textSnapshot().contains("Yesterday"))
        for _ in 0..<6 {
            _ = reduce(&state, .pageUp)
            info = Screen.render(state, theme: .default, into: &grid)
            _ = reduce(&state, .measured(info.measure))
        }
        let top = render(state).textSnapshot()
        #expect(top.contains("Yesterday") && top.contains("newer lines"))
        #expect(info.measure.conversationScroll == info.measure.conversationMaxScroll)

        var jumped = Fixtures.openState(Fixtures.deliveryDetail, width: 80, height: 24)
        jumped.conversation?.scroll = .message(101)
        jumped.conversation?.highlightMessageId = 101
        #expect(render(jumped).textSnapshot().contains("Hi! I need to move my cleaning appointment."))
    }

    @Test func hostileTextCannotReachTheTerminal() {
        var state = Fixtures.state(width: 100, height: 24)
        let evil = Fixtures.row(66, "\u{1B}]0;pwned\u{07}Eve\u{1B}[2J", "\u{202E}gnp.exe\r\u{8}\u{9B}31m", waited: 0,
                                unread: 1, reason: "asked for a human")
        _ = reduce(&state, .queueLoaded(tab: .waiting, rows: [evil], counts: QueueCounts(waiting: 1)))
        let grid = render(state)
        for y in 0..<grid.height {
            for cell in grid.row(y) {
                #expect(!cell.text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0 == "\u{202E}" },
                        "control character in \(cell.text.unicodeScalars.map { $0.value })")
            }
        }
        #expect(grid.textSnapshot().contains("Eve"))
    }

    @Test func tinyTerminalShowsANoticeInsteadOfOverlappingPanes() {
        let state = Fixtures.openState(Fixtures.deliveryDetail, width: 40, height: 10)
        let text = render(state).textSnapshot()
        #expect(text.contains("too small"))
    }

    @Test func largeQueueRendersOnlyWhatIsVisible() {
        var state = Fixtures.state(width: 200, height: 60)
        let rows = Fixtures.manyRows(10_000)
        _ = reduce(&state, .queueLoaded(tab: .waiting, rows: rows, counts: QueueCounts(waiting: rows.count)))
        _ = reduce(&state, .openSelected)
        _ = reduce(&state, .conversationLoaded(Fixtures.deliveryDetail.withId(rows[0].id)))
        state.focus = .queue
        var grid = CellGrid(width: 200, height: 60)
        var samples: [Double] = []
        let clock = ContinuousClock()
        for step in 0..<200 {
            let start = clock.now
            _ = reduce(&state, .moveSelection(step % 50 == 49 ? -40 : 1))
            Screen.render(state, theme: .default, into: &grid)
            let elapsed = clock.now - start
            samples.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
        }
        samples.sort()
        let median = samples[samples.count / 2]
        // The budget is 2 ms in release builds; debug builds (this test) are several times slower, so the bound
        // here only catches accidental O(rows) work (which costs far more with 10,000 rows).
        #expect(median < 40, "median key→frame \(median) ms")
        #expect(grid.textSnapshot().contains("/10000"))
    }

    // MARK: - Helpers

    /// A fresh grid of the state's size, for calls that need `inout`.
    func scratch(_ state: AppState) -> CellGrid { CellGrid(width: state.screenWidth, height: state.screenHeight) }

    func render(_ state: AppState) -> CellGrid {
        var grid = CellGrid(width: state.screenWidth, height: state.screenHeight)
        Screen.render(state, theme: .default, into: &grid)
        return grid
    }

    /// Every pane border is at its column on every row: wide or right-to-left text never pushes one aside.
    func expectBordersIntact(_ grid: CellGrid, layout: ScreenLayout, sourceLocation: SourceLocation = #_sourceLocation) {
        var columns = [0, layout.queueBorderX, layout.rightBorderX]
        if let sidebar = layout.sidebarBorderX { columns.append(sidebar) }
        for y in (layout.topBorderY + 1)..<layout.bottomBorderY {
            for x in columns {
                let expected: Set<String> = y == layout.composerBorderY && x != 0 && x != layout.rightBorderX
                    ? ["├", "┤", "│"] : ["│"]
                let expectedHere = x == layout.rightBorderX && y == layout.composerBorderY && layout.sidebarBorderX == nil
                    ? ["┤"] : expected
                #expect(expectedHere.contains(grid[x: x, y: y].text),
                        "border at x=\(x) y=\(y) is \"\(grid[x: x, y: y].text)\"", sourceLocation: sourceLocation)
            }
        }
        for x in columns {
            #expect(["┌", "┬", "┐"].contains(grid[x: x, y: layout.topBorderY].text), sourceLocation: sourceLocation)
            #expect(["└", "┴", "┘"].contains(grid[x: x, y: layout.bottomBorderY].text), sourceLocation: sourceLocation)
        }
    }

    func expectSnapshot(_ state: AppState, named name: String,
                        sourceLocation: SourceLocation = #_sourceLocation) throws {
        let actual = render(state).textSnapshot() + "\n"
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Snapshots").appendingPathComponent(name + ".txt")
        let record = ProcessInfo.processInfo.environment["SNAPSHOT_RECORD"] == "1"
        guard !record, let expected = try? String(contentsOf: url, encoding: .utf8) else {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try actual.write(to: url, atomically: true, encoding: .utf8)
            if !record {
                Issue.record("Recorded a new snapshot \(name).txt: review it and run again", sourceLocation: sourceLocation)
            }
            return
        }
        #expect(actual == expected, "snapshot \(name) differs:\n\(actual)", sourceLocation: sourceLocation)
    }
}
