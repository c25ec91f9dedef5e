import Foundation
import Testing
import InboxModel
@testable import InboxTUI

private let red = Style(foreground: .ansi(1))
private let selected = Style(attributes: .reverse)

/// A grid whose every cell is "#", to see what a write touched.
private func sentinelGrid(width: Int, height: Int = 1) -> CellGrid {
    var grid = CellGrid(width: width, height: height)
    for y in 0..<height { for x in 0..<width { grid[x, y] = Cell(text: "#", style: .plain) } }
    return grid
}

/// Every lead cell is followed by exactly width − 1 continuation cells, and no row starts with one.
private func checkWideInvariant(_ grid: CellGrid, sourceLocation: SourceLocation = #_sourceLocation) {
    for y in 0..<grid.height {
        var x = 0
        while x < grid.width {
            let cell = grid[x, y]
            #expect(!cell.isContinuation, "orphan continuation at \(x),\(y)", sourceLocation: sourceLocation)
            let w = max(1, TextLayout.width(cell.text))
            for c in 1..<max(1, w) where x + c < grid.width {
                #expect(grid[x + c, y].isContinuation, "missing continuation at \(x + c),\(y)", sourceLocation: sourceLocation)
            }
            x += w
        }
    }
}

@Suite("Cell grid")
struct CellGridTests {
    @Test func writesASCII() {
        var grid = CellGrid(width: 10, height: 2)
        #expect(grid.write("hello", x: 1, y: 1, maxWidth: 10, style: red) == 5)
        #expect(grid.textSnapshot() == "\n hello")
        #expect(grid[1, 1] == Cell(text: "h", style: red))
        #expect(grid[x: 5, y: 1].text == "o")
    }

    @Test func clipsToMaxWidthAndGrid() {
        var grid = sentinelGrid(width: 10)
        #expect(grid.write("hello world", x: 2, y: 0, maxWidth: 5, style: .plain, ellipsis: false) == 5)
        #expect(grid.textSnapshot() == "##hello###")
        #expect(grid.write("abcdef", x: 7, y: 0, maxWidth: 10, style: .plain, ellipsis: false) == 3)
        #expect(grid.textSnapshot() == "##helloabc")
        #expect(grid.write("xyz", x: -2, y: 0, maxWidth: 5, style: .plain) == 3)
        #expect(grid.textSnapshot() == "z#helloabc")
        #expect(grid.write("out", x: 0, y: 1, maxWidth: 5, style: .plain) == 0)
        #expect(grid.write("out", x: 0, y: 0, maxWidth: 0, style: .plain) == 0)
    }

    @Test func cutTextEndsWithAnEllipsis() {
        var grid = sentinelGrid(width: 10)
        #expect(grid.write("hello world", x: 2, y: 0, maxWidth: 5, style: .plain) == 5)
        #expect(grid.textSnapshot() == "##hell…###")
        #expect(grid.write("abcdef", x: 7, y: 0, maxWidth: 10, style: .plain) == 3)  // cut by the grid's edge
        #expect(grid.textSnapshot() == "##hell…ab…")
        #expect(grid.write("naïve café au lait", x: 0, y: 0, maxWidth: 6, style: .plain) == 6)
        #expect(grid.textSnapshot().hasPrefix("naïve…"))
    }

    @Test func wideClusterAtTheEdgeBecomesASpace() {
        var grid = sentinelGrid(width: 10)
        #expect(grid.write("ab中", x: 0, y: 0, maxWidth: 3, style: .plain, ellipsis: false) == 3)
        #expect(grid.textSnapshot() == "ab #######")
        #expect(grid.write("ab中", x: 0, y: 0, maxWidth: 3, style: .plain) == 3)
        #expect(grid.textSnapshot() == "ab…#######")
        var edge = sentinelGrid(width: 5)
        #expect(edge.write("abcd👍🏽", x: 0, y: 0, maxWidth: 10, style: .plain, ellipsis: false) == 5)
        #expect(edge.textSnapshot() == "abcd")
        #expect(edge[4, 0].text == " ")
        #expect(edge.write("abc👍🏽x", x: 0, y: 0, maxWidth: 10, style: .plain) == 5)
        #expect(edge.textSnapshot() == "abc …")  // the ellipsis replaces half of a wide cluster; no orphan half
    }

    @Test func wideClustersTakeContinuationCells() {
        var grid = CellGrid(width: 8, height: 1)
        grid.write("中👨‍👩‍👧a", x: 0, y: 0, maxWidth: 8, style: .plain)
        #expect(grid.row(0).map(\.text) == ["中", "", "👨‍👩‍👧", "", "a", " ", " ", " "])
        #expect(grid.textSnapshot() == "中👨‍👩‍👧a")
        checkWideInvariant(grid)
    }

    @Test func overwritingHalfAWideClusterBlanksTheOtherHalf() {
        var grid = CellGrid(width: 6, height: 1)
        grid.write("中文", x: 0, y: 0, maxWidth: 6, style: .plain)
        grid.write("x", x: 1, y: 0, maxWidth: 1, style: .plain)
        #expect(grid.row(0).map(\.text) == [" ", "x", "文", "", " ", " "])
        grid.write("y", x: 2, y: 0, maxWidth: 1, style: .plain)
        #expect(grid.row(0).map(\.text) == [" ", "x", "y", " ", " ", " "])
        grid.write("中", x: 4, y: 0, maxWidth: 2, style: .plain)
        grid[5, 0] = Cell(text: "z")
        #expect(grid.row(0).map(\.text) == [" ", "x", "y", " ", " ", "z"])
        checkWideInvariant(grid)
    }

    @Test func newlinesShowAsSpaces() {
        var grid = CellGrid(width: 10, height: 1)
        grid.write("a\nb\r\nc", x: 0, y: 0, maxWidth: 10, style: .plain)
        #expect(grid.textSnapshot() == "a b c")
    }

    @Test func mixedScriptsNeverCrossTheirBox() {
        let samples = [
            "مرحبا 👋 नमस्ते 中文 👨‍👩‍👧 e\u{301} ok", "👍🏽👍🏽👍🏽👍🏽", "中文中文中文", "नमस्ते दुनिया",
            "שלום עולם 123", "a\u{1B}[31mb\u{9B}c", "🇦🇺🇯🇵 ❤️ 1️⃣",
        ]
        for text in samples {
            for x in -3...14 {
                for maxWidth in 0...14 {
                    var grid = sentinelGrid(width: 14)
                    let used = grid.write(text, x: x, y: 0, maxWidth: maxWidth, style: red)
                    #expect(used <= maxWidth && used >= 0)
                    for col in 0..<14 where col < x || col >= x + maxWidth {
                        #expect(grid[col, 0].text == "#", "\(text) x=\(x) max=\(maxWidth) col=\(col)")
                    }
                    for col in stride(from: max(0, x), to: min(14, x + used), by: 1) { #expect(grid[col, 0].style == red) }
                    checkWideInvariant(grid)
                }
            }
        }
    }

    @Test func fillAndSetStyle() {
        var grid = CellGrid(width: 6, height: 3)
        grid.write("abcdef", x: 0, y: 1, maxWidth: 6, style: .plain)
        grid.setStyle(Rect(x: 1, y: 1, width: 2, height: 1), style: selected)
        #expect(grid[1, 1] == Cell(text: "b", style: selected))
        #expect(grid[3, 1].style == .plain)
        grid.fill(Rect(x: 4, y: 0, width: 10, height: 2), style: red)
        #expect(grid.textSnapshot() == "\nabcd\n")
        #expect(grid[5, 0].style == red && grid[5, 1].style == red && grid[5, 2].style == .plain)
        grid.fill(Rect(x: -5, y: -5, width: 3, height: 3), style: red)  // entirely outside: no-op
        #expect(grid[0, 0].style == .plain)
    }

    @Test func outOfRangeAccessIsHarmless() {
        var grid = CellGrid(width: 2, height: 2)
        grid[5, 5] = Cell(text: "x")
        #expect(grid[-1, 0] == .blank)
        #expect(grid.textSnapshot() == "\n")
        #expect(CellGrid(width: 0, height: 0).textSnapshot() == "")
    }

    @Test func rectHelpers() {
        let r = Rect(x: 2, y: 2, width: 4, height: 3)
        #expect(r.intersection(Rect(x: 0, y: 0, width: 4, height: 4)) == Rect(x: 2, y: 2, width: 2, height: 2))
        #expect(r.intersection(Rect(x: 10, y: 10, width: 1, height: 1)).isEmpty)
        #expect(r.inset(dx: 1, dy: 1) == Rect(x: 3, y: 3, width: 2, height: 1))
        #expect(r.contains(x: 5, y: 4) && !r.contains(x: 6, y: 4))
    }
}

@Suite("Frame diff")
struct GridDiffTests {
    @Test func identicalFramesNeedNothing() {
        var grid = CellGrid(width: 20, height: 5)
        grid.write("hello", x: 0, y: 0, maxWidth: 20, style: .plain)
        #expect(grid.changedRuns(since: grid) == [])
    }

    @Test func firstFrameOrResizeIsFull() {
        let grid = CellGrid(width: 3, height: 2)
        #expect(grid.changedRuns(since: nil) == [GridRun(y: 0, x: 0, width: 3), GridRun(y: 1, x: 0, width: 3)])
        #expect(grid.changedRuns(since: CellGrid(width: 4, height: 2)).count == 2)
    }

    @Test func oneCellChangeIsOneRun() {
        let before = CellGrid(width: 20, height: 5)
        var after = before
        after.write("x", x: 7, y: 3, maxWidth: 1, style: .plain)
        #expect(after.changedRuns(since: before) == [GridRun(y: 3, x: 7, width: 1)])
    }

    @Test func separateChangesAreSeparateRuns() {
        let before = CellGrid(width: 20, height: 1)
        var after = before
        after.write("ab", x: 2, y: 0, maxWidth: 2, style: .plain)
        after.write("cd", x: 10, y: 0, maxWidth: 2, style: .plain)
        #expect(after.changedRuns(since: before) == [GridRun(y: 0, x: 2, width: 2), GridRun(y: 0, x: 10, width: 2)])
    }

    @Test func runsCoverWholeWideClusters() {
        var before = CellGrid(width: 10, height: 1)
        before.write("中", x: 4, y: 0, maxWidth: 2, style: .plain)
        var after = before
        after.setStyle(Rect(x: 5, y: 0, width: 1, height: 1), style: red)  // only the continuation changed
        #expect(after.changedRuns(since: before) == [GridRun(y: 0, x: 4, width: 2)])
        var replaced = before
        replaced.write("x", x: 4, y: 0, maxWidth: 1, style: .plain)
        #expect(replaced.changedRuns(since: before) == [GridRun(y: 0, x: 4, width: 2)])
    }

    @Test func selectionMoveTouchesTwoRows() {
        func frame(selected row: Int) -> CellGrid {
            var grid = CellGrid(width: 200, height: 60)
            for y in 0..<58 {
                let style = y == row ? selected : Style.plain
                grid.fill(Rect(x: 0, y: y, width: 40, height: 1), style: style)
                grid.write("Patient \(y) — last message preview", x: 1, y: y, maxWidth: 38, style: style)
                grid.write("conversation text on the right \(y % 7)", x: 42, y: y, maxWidth: 150, style: .plain)
            }
            return grid
        }
        let runs = frame(selected: 11).changedRuns(since: frame(selected: 10))
        #expect(runs == [GridRun(y: 10, x: 0, width: 40), GridRun(y: 11, x: 0, width: 40)])
    }
}

@Suite("Keys")
struct KeyDecoderTests {
    @Test func printableAndControl() {
        #expect(KeyDecoder.decode(.character(0x6A)) == .char("j"))
        #expect(KeyDecoder.decode(.character(0x4E2D)) == .char("中"))
        #expect(KeyDecoder.decode(.character(0x01)) == .ctrl("a"))
        #expect(KeyDecoder.decode(.character(0x1A)) == .ctrl("z"))
        #expect(KeyDecoder.decode(.character(0x00)) == .ctrl(" "))
        #expect(KeyDecoder.decode(.character(0x0D)) == .enter)
        #expect(KeyDecoder.decode(.character(0x0A)) == .enter)
        #expect(KeyDecoder.decode(.character(0x09)) == .tab)
        #expect(KeyDecoder.decode(.character(0x7F)) == .backspace)
        #expect(KeyDecoder.decode(.character(0x08)) == .backspace)
        #expect(KeyDecoder.decode(.character(0x1B)) == .escape)
        #expect(KeyDecoder.decode(.character(0x9B)) == nil)  // C1 CSI is never a key
    }

    @Test func keyCodes() {
        #expect(KeyDecoder.decode(.keyCode(0o403)) == .up)
        #expect(KeyDecoder.decode(.keyCode(0o402)) == .down)
        #expect(KeyDecoder.decode(.keyCode(0o404)) == .left)
        #expect(KeyDecoder.decode(.keyCode(0o405)) == .right)
        #expect(KeyDecoder.decode(.keyCode(0o523)) == .pageUp)
        #expect(KeyDecoder.decode(.keyCode(0o522)) == .pageDown)
        #expect(KeyDecoder.decode(.keyCode(0o406)) == .home)
        #expect(KeyDecoder.decode(.keyCode(0o550)) == .end)
        #expect(KeyDecoder.decode(.keyCode(0o541)) == .backTab)
        #expect(KeyDecoder.decode(.keyCode(0o512)) == .delete)
        #expect(KeyDecoder.decode(.keyCode(0o407)) == .backspace)
        #expect(KeyDecoder.decode(.keyCode(0o527)) == .enter)
        #expect(KeyDecoder.decode(.keyCode(0o632)) == .resize)
        #expect(KeyDecoder.decode(.keyCode(0o410 + 5)) == .function(5))
        #expect(KeyDecoder.decode(.keyCode(0o1000)) == nil)  // unknown extended key
    }

    @Test func altIsAnEscapePrefix() {
        #expect(KeyDecoder.decodeAll([.character(0x1B), .character(0x78)]) == [.alt("x")])
        #expect(KeyDecoder.decodeAll([.character(0x1B), .character(0x0D)]) == [.altEnter])
        #expect(KeyDecoder.decodeAll([.character(0x1B), .character(0x7F)]) == [.alt("\u{7F}")])
        #expect(KeyDecoder.decodeAll([.character(0x1B)]) == [.escape])
        #expect(KeyDecoder.decodeAll([.character(0x1B), .character(0x1B)]) == [.escape, .escape])
        #expect(KeyDecoder.decodeAll([.character(0x1B), .keyCode(0o403)]) == [.escape, .up])
        #expect(KeyDecoder.decodeAll([.character(0x6A), .character(0x1B), .character(0x2F), .character(0x6B)])
            == [.char("j"), .alt("/"), .char("k")])
        let (key, consumed) = KeyDecoder.decode(.character(0x1B), next: .character(0x01))
        #expect(key == .escape && !consumed)
    }
}

@Suite("Colour degradation")
struct ColorDepthTests {
    @Test func detection() {
        #expect(ColorDepth.detect(colors: 256, environment: [:]) == .indexed256)
        #expect(ColorDepth.detect(colors: 256, environment: ["COLORTERM": "truecolor"]) == .indexed256)
        #expect(ColorDepth.detect(colors: 1 << 24, environment: ["COLORTERM": "truecolor"]) == .direct)
        #expect(ColorDepth.detect(colors: 8, environment: [:]) == .ansi8)
        #expect(ColorDepth.detect(colors: 16, environment: [:]) == .ansi16)
        #expect(ColorDepth.detect(colors: 0, environment: [:]) == ColorDepth.none)
        #expect(ColorDepth.detect(colors: 256, environment: ["NO_COLOR": "1"]) == ColorDepth.none)
        #expect(ColorDepth.detect(colors: 256, environment: ["NO_COLOR": ""]) == .indexed256)
    }

    @Test func rgbDegradesStepByStep() {
        let orange = Color.rgb(255, 135, 0)
        #expect(ColorDepth.direct.colorNumber(orange) == 0xFF8700)
        #expect(ColorDepth.indexed256.colorNumber(orange) == 208)
        #expect(ColorDepth.indexed256.colorNumber(.rgb(128, 128, 128)) == 244)
        #expect(ColorDepth.ansi16.colorNumber(.rgb(250, 10, 10)) == 9)
        #expect(ColorDepth.ansi8.colorNumber(.rgb(250, 10, 10)) == 1)
        #expect(ColorDepth.ansi8.colorNumber(.ansi(12)) == 4)
        #expect(ColorDepth.ansi8.colorNumber(.indexed(208)) == 3)
        #expect(ColorDepth.none.colorNumber(orange) == -1)
        #expect(ColorDepth.indexed256.colorNumber(.default) == -1)
        #expect(ColorDepth.direct.colorNumber(.rgb(0, 0, 0)) == 8)  // not ANSI black's number
    }
}

@Suite("Curses cell plans")
struct CursesClusterTests {
    /// libc-like widths: wide CJK/emoji 2, combining and joiners 0, everything else 1.
    static func libc(_ v: UInt32) -> Int {
        switch v {
        case 0x300...0x36F, 0x200D, 0xFE0F, 0x94D, 0x947: return 0
        case 0x1F3FB...0x1F3FF, 0x4E00...0x9FFF, 0x1F468...0x1F469, 0x1F467, 0x1F44D: return 2
        case 0xE0000...: return -1
        default: return 1
        }
    }

    @Test func agreeingClustersAreDrawnWhole() {
        #expect(CursesCluster.plan("e\u{301}", width: 1, wcwidth: Self.libc).segments == [[0x65, 0x301]])
        #expect(CursesCluster.plan("中", width: 2, wcwidth: Self.libc) == .init(segments: [[0x4E2D]], padding: 0))
        #expect(CursesCluster.plan("का", width: 2, wcwidth: Self.libc).segments == [[0x915], [0x93E]])
        #expect(CursesCluster.plan("🇦🇺", width: 2, wcwidth: Self.libc).segments == [[0x1F1E6], [0x1F1FA]])
    }

    @Test func disagreeingClustersDegradeWithoutShifting() {
        #expect(CursesCluster.plan("❤️", width: 2, wcwidth: Self.libc) == .init(segments: [[0x2764]], padding: 1))
        #expect(CursesCluster.plan("👍🏽", width: 2, wcwidth: Self.libc) == .init(segments: [[0x1F44D]], padding: 0))
        #expect(CursesCluster.plan("👨‍👩‍👧", width: 2, wcwidth: Self.libc) == .init(segments: [[0x1F468]], padding: 0))
        #expect(CursesCluster.plan("\u{E0001}", width: 1, wcwidth: Self.libc) == .init(segments: [[0xFFFD]], padding: 0))
    }

    @Test func controlsSetThroughTheSubscriptNeverReachNcurses() {
        for hostile in ["\u{1B}", "\u{9B}", "a\u{202E}", "\n", "\u{7F}", "x\u{1B}[2J"] {
            #expect(CursesCluster.plan(hostile, width: 1, wcwidth: Self.libc) == .init(segments: [[0xFFFD]], padding: 0))
        }
    }
}

@Suite("Ncurses painter", .serialized)
struct PainterTests {
    @Test func selectionMoveWritesFewBytes() throws {
        guard let out = tmpfile(), let input = fopen("/dev/null", "r") else { return }
        defer { fclose(out); fclose(input) }
        guard let painter = NcursesPainter(terminalType: "xterm-256color", output: out, input: input,
                                           environment: ["TERM": "xterm-256color"]) else {
            Issue.record("newterm failed")
            return
        }
        defer { painter.shutdown() }
        painter.resizeForTesting(width: 200, height: 60)
        #expect(painter.size == TerminalSize(width: 200, height: 60))
        #expect(painter.colorDepth == .indexed256)
        let theme = Theme.default
        func frame(selected row: Int) -> CellGrid {
            var grid = CellGrid(width: 200, height: 60, style: theme.base)
            for y in 1..<58 {
                let style = y == row ? theme.rowSelected : theme.rowNormal
                grid.fill(Rect(x: 0, y: y, width: 40, height: 1), style: style)
                grid.write("Paciente \(y) 👍🏽 hola", x: 1, y: y, maxWidth: 30, style: style)
                grid.write("3m", x: 36, y: y, maxWidth: 3, style: theme.timerWarn)
                grid.write("│", x: 40, y: y, maxWidth: 1, style: theme.border)
                grid.write("mensaje \(y): ¿puedo cambiar mi cita? مرحبا 中文", x: 42, y: y, maxWidth: 150,
                           style: theme.base)
            }
            grid.write(" inbox · Waiting (3)", x: 0, y: 0, maxWidth: 200, style: theme.statusBar)
            return grid
        }
        func written() -> Int {
            fflush(out)
            return Int(ftell(out))
        }
        painter.present(frame(selected: 10), cursor: nil)
        let full = written()
        #expect(full > 1_000)
        painter.present(frame(selected: 11), cursor: nil)
        let move = written() - full
        #expect(move > 0 && move <= 400, "a j/k move wrote \(move) bytes")
        print("painter: full frame \(full) bytes, j/k move \(move) bytes")
        painter.present(frame(selected: 11), cursor: nil)
        #expect(written() - full - move == 0, "an unchanged frame writes nothing")
    }

    /// A joined emoji sequence reaches a terminal that draws it as one glyph whole, in its two columns; other
    /// terminals get the documented fallback, its first emoji (no joiner that would make them draw five columns).
    @Test func zwjSequenceIsSentWholeOnlyWhereTheTerminalJoinsIt() throws {
        let doctor = "👩🏽‍⚕️"
        func painted(graphemes: String) throws -> String {
            guard let out = tmpfile(), let input = fopen("/dev/null", "r") else { throw CancellationError() }
            defer { fclose(out); fclose(input) }
            let environment = ["TERM": "xterm-256color", "INBOX_GRAPHEMES": graphemes]
            guard let painter = NcursesPainter(terminalType: "xterm-256color", output: out, input: input,
                                               environment: environment) else { throw CancellationError() }
            defer { painter.shutdown() }
            painter.resizeForTesting(width: 20, height: 3)
            var grid = CellGrid(width: 20, height: 3)
            grid.write("a" + doctor + "b", x: 0, y: 1, maxWidth: 20, style: .plain)
            painter.present(grid, cursor: nil)
            fflush(out)
            let size = ftell(out)
            rewind(out)
            var bytes = [UInt8](repeating: 0, count: size)
            _ = fread(&bytes, 1, size, out)
            return String(decoding: bytes, as: UTF8.self)
        }
        let whole = try painted(graphemes: "whole")
        #expect(whole.contains("a" + doctor + "b"), "\(whole.unicodeScalars.map { String($0.value, radix: 16) })")
        let split = try painted(graphemes: "split")
        #expect(split.contains("a👩b"))
        #expect(!split.contains("\u{200D}"))
    }
}

@Suite("Render budget")
struct RenderBudgetTests {
    /// A full 200×60 frame of mixed text plus its diff. The budget is 2 ms per frame in release builds; debug
    /// builds (how `swift test` runs) get a loose bound that still catches accidental quadratic work.
    @Test func fullFrameIsFast() {
        let lines = [
            "Hola doctor, ¿puedo cambiar mi cita del martes? 👍🏽", "नमस्ते, मुझे अपॉइंटमेंट चाहिए", "مرحبا، أريد موعدا غدا",
            "中文消息测试 👨‍👩‍👧", "plain ascii line with nothing special in it at all, quite long",
        ]
        var previous: CellGrid?
        let clock = ContinuousClock()
        let rounds = 20
        let elapsed = clock.measure {
            for round in 0..<rounds {
                var grid = CellGrid(width: 200, height: 60)
                for y in 0..<60 {
                    grid.write("Patient \(y)", x: 0, y: y, maxWidth: 30, style: y == round ? selected : .plain)
                    grid.write(lines[(y + round) % lines.count], x: 32, y: y, maxWidth: 120, style: .plain)
                    grid.write("12:3\(y % 10)", x: 190, y: y, maxWidth: 10, style: red)
                }
                _ = grid.changedRuns(since: previous)
                previous = grid
            }
        }
        let perFrame = elapsed / rounds
        print("render budget: \(perFrame) per 200×60 frame (debug build)")
        #expect(perFrame < .milliseconds(80))
    }
}
