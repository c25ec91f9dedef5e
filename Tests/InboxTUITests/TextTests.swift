import Testing
@testable import InboxTUI

@Suite("Grapheme widths")
struct WidthTests {
    @Test(arguments: [
        ("e\u{301}", 1),          // combining acute inside the cluster
        ("👍🏽", 2),               // skin tone modifier
        ("👨‍👩‍👧", 2),               // ZWJ family
        ("中文", 4),               // CJK
        ("नमस्ते", 4),             // Devanagari: न म स् ते (virama and vowel sign are zero width)
        ("مرحبا", 5),             // Arabic, unshaped
        ("❤️", 2),                // VS16 asks for emoji presentation
        ("1️⃣", 2),                // keycap
        ("🇦🇺", 2),                // flag = regional indicator pair
        ("का", 2),                // spacing vowel sign (Mc) takes a cell, as in terminals
        ("hello", 5),
        ("", 0),
        ("a\u{200B}b", 2),        // zero-width space: a zero-width cluster, dropped
        ("\u{301}x", 1),          // lone combining mark at the start is dropped
    ])
    func width(_ text: String, _ expected: Int) {
        #expect(TextLayout.width(text) == expected, "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
    }

    @Test func devanagariClustersAreTerminalCells() {
        let glyphs = TextLayout.glyphs("नमस्ते")
        #expect(glyphs.map(\.text) == ["न", "म", "स्", "ते"])
        #expect(glyphs.allSatisfy { $0.width == 1 })
    }

    @Test func emojiSequencesAreSingleGlyphs() {
        #expect(TextLayout.glyphs("👨‍👩‍👧x").map(\.text) == ["👨‍👩‍👧", "x"])
        #expect(TextLayout.glyphs("👍🏽👍").map(\.width) == [2, 2])
    }

    @Test func zalgoStacksAreCapped() {
        let zalgo = "a" + String(repeating: "\u{301}", count: 200)
        let glyphs = TextLayout.glyphs(zalgo)
        #expect(glyphs.count == 1)
        #expect(glyphs[0].text.unicodeScalars.count == Graphemes.maxScalarsPerCluster)
        #expect(glyphs[0].width == 1)
    }

    @Test func tabsAndNewlines() {
        #expect(TextLayout.width("a\tb") == 2 + SafeText.tabWidth)
        #expect(TextLayout.width("a\nb") == 3)
    }
}

@Suite("Hostile text")
struct SafeTextTests {
    static func hasControls(_ s: String) -> Bool {
        s.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value) }
    }

    @Test func csiBecomesVisible() {
        let out = SafeText.sanitize("\u{1B}[31mred\u{1B}[0m\u{1B}[2J")
        #expect(out == "␛[31mred␛[0m␛[2J")
        #expect(!out.unicodeScalars.contains("\u{1B}"))
    }

    @Test func oscTitleAndC1AreNeutralised() {
        #expect(SafeText.sanitize("\u{1B}]0;pwned\u{07}") == "␛]0;pwned␇")
        #expect(SafeText.sanitize("\u{9B}31m\u{9D}0;x\u{9C}") == "\u{FFFD}31m\u{FFFD}0;x\u{FFFD}")
        #expect(SafeText.sanitize("\u{0}\u{7F}") == "␀␡")
    }

    @Test func cursorMoversAreDropped() {
        #expect(SafeText.sanitize("abc\rXY\u{8}\u{8}z") == "abcXYz")
        #expect(SafeText.sanitize("a\r\nb") == "a\nb")
    }

    @Test func tabExpandsNewlineStays() {
        #expect(SafeText.sanitize("a\tb\nc") == "a    b\nc")
        #expect(SafeText.sanitize("x\u{2028}y") == "x\ny")
    }

    @Test func bidiControlsAreRemoved() {
        let hostile = "abc\u{202E}fdp.exe\u{202C} \u{2066}x\u{2069}\u{200F}\u{200E}\u{061C}\u{FEFF}\u{AD}"
        #expect(SafeText.sanitize(hostile) == "abcfdp.exe x")
    }

    @Test func invalidUTF8BecomesReplacement() {
        #expect(SafeText.sanitize(bytes: [0x61, 0xFF, 0x62, 0xC3]) == "a\u{FFFD}b\u{FFFD}")
        #expect(SafeText.sanitize(bytes: [0xE4, 0xB8, 0xAD, 0x1B, 0x5B]) == "中␛[")
        #expect(SafeText.sanitize(bytes: [0xC0, 0xAF]) == "\u{FFFD}\u{FFFD}")  // overlong "/"
    }

    @Test func cleanTextIsUnchanged() {
        let text = "Hola, ¿cómo está? 👍🏽 中文 नमस्ते مرحبا"
        #expect(SafeText.sanitize(text) == text)
        #expect(SafeText.sanitize("plain ascii") == "plain ascii")
    }

    @Test func nothingHostileReachesTheGrid() {
        let payloads = [
            "\u{1B}[2J\u{1B}[H", "\u{1B}]2;title\u{07}", "\u{1B}P+q\u{1B}\\", "\u{9B}6n", "a\rb", "\u{8}\u{8}",
            "\u{202E}evil", "\u{7F}", "\u{0}", "x\u{1B}",
        ]
        for payload in payloads {
            var grid = CellGrid(width: 20, height: 1)
            grid.write(payload, x: 0, y: 0, maxWidth: 20, style: .plain)
            for cell in grid.row(0) { #expect(!Self.hasControls(cell.text), "\(payload.debugDescription)") }
            #expect(!grid.row(0).contains { $0.text.unicodeScalars.contains { (0x202A...0x202E).contains($0.value) } })
        }
    }

    @Test func layoutFunctionsSanitizeToo() {
        #expect(!Self.hasControls(TextLayout.truncate("\u{1B}[31mlong text here", width: 8)))
        #expect(TextLayout.wrap("\u{1B}[1mbold", width: 20) == ["␛[1mbold"])
        #expect(!Self.hasControls(TextLayout.pad("\u{9B}x", width: 5)))
    }
}

@Suite("Wrap, truncate, pad")
struct LayoutTests {
    @Test func wrapsAtSpaces() {
        #expect(TextLayout.wrap("the quick brown fox", width: 10) == ["the quick", "brown fox"])
        #expect(TextLayout.wrap("the quick brown fox", width: 100) == ["the quick brown fox"])
        #expect(TextLayout.wrap("a  b", width: 1) == ["a", "b"])
    }

    @Test func hardBreaksLongWords() {
        #expect(TextLayout.wrap("abcdefghij", width: 4) == ["abcd", "efgh", "ij"])
        #expect(TextLayout.wrap("hi abcdefghij", width: 4) == ["hi", "abcd", "efgh", "ij"])
    }

    @Test func honoursNewlines() {
        #expect(TextLayout.wrap("a\n\nb", width: 5) == ["a", "", "b"])
        #expect(TextLayout.wrap("", width: 5) == [""])
        #expect(TextLayout.wrap("x", width: 0) == [])
    }

    @Test func wrapsCJKBetweenCharacters() {
        #expect(TextLayout.wrap("中文中文中文", width: 5) == ["中文", "中文", "中文"])
        #expect(TextLayout.wrap("中", width: 1) == [""])
        #expect(TextLayout.wrap("  indented text", width: 12) == ["  indented", "text"])
    }

    @Test func wrappedLinesNeverExceedWidth() {
        let text = "Hola 👨‍👩‍👧 doctor, नमस्ते مرحبا بك 中文字符测试 e\u{301}te\u{301} 👍🏽👍🏽👍🏽 supercalifragilistic\nline two"
        for width in 1...30 {
            let lines = TextLayout.wrap(text, width: width)
            #expect(lines.allSatisfy { TextLayout.width($0) <= width }, "width \(width): \(lines)")
            if width >= 2 {  // nothing but spaces is lost (at width 1 wide clusters become spaces)
                let kept = lines.flatMap { TextLayout.glyphs($0) }.map(\.text).filter { $0 != " " }
                let all = TextLayout.glyphs(text).map(\.text).filter { $0 != " " && $0 != "\n" }
                #expect(kept == all, "width \(width)")
            }
        }
    }

    @Test func truncates() {
        #expect(TextLayout.truncate("hello world", width: 8) == "hello w…")
        #expect(TextLayout.truncate("hello world", width: 7) == "hello…")
        #expect(TextLayout.truncate("hello", width: 5) == "hello")
        #expect(TextLayout.truncate("中文中文", width: 5) == "中文…")
        #expect(TextLayout.truncate("中文中文", width: 4) == "中…")
        #expect(TextLayout.truncate("abc", width: 0) == "")
        #expect(TextLayout.truncate("abcdef", width: 3, ellipsis: "...") == "...")
        #expect(TextLayout.truncate("abcdef", width: 2, ellipsis: "...") == "ab")
        #expect(TextLayout.truncate("a\nb", width: 5) == "a b")
    }

    @Test func padsToExactWidth() {
        #expect(TextLayout.pad("ab", width: 5) == "ab   ")
        #expect(TextLayout.pad("中文中文", width: 4) == "中… ")
        for width in 0...12 {
            #expect(TextLayout.width(TextLayout.pad("👨‍👩‍👧 नमस्ते مرحبا", width: width)) == width)
        }
    }
}

@Suite("Bidi")
struct BidiTests {
    @Test func hebrewLineIsReversed() {
        #expect(Bidi.visualOrder("שלום") == "םולש")
        #expect(Bidi.visualOrder("hello שלום world") == "hello םולש world")
    }

    @Test func arabicLineIsReversed() {
        #expect(Bidi.visualOrder("مرحبا") == "ابحرم")
        #expect(Bidi.visualOrder("Dr. مرحبا بك") == "Dr. كب ابحرم")
    }

    @Test func numbersStayLeftToRightInsideRTL() {
        #expect(Bidi.visualOrder("שלום 123") == "123 םולש")
        #expect(Bidi.visualOrder("موعد 10:30 غدا") == "ادغ 10:30 دعوم")
    }

    @Test func bracketsAreMirrored() {
        #expect(Bidi.visualOrder("(שלום)") == "(םולש)")
    }

    @Test func combiningMarksStayOnTheirBase() {
        let glyphs = TextLayout.glyphs("שָׁלוֹם")
        let visual = Bidi.reorder(glyphs)
        #expect(visual.map(\.text) == glyphs.reversed().map(\.text))
    }

    @Test func ltrTextIsUntouched() {
        #expect(Bidi.visualOrder("plain text, 中文 👍🏽") == "plain text, 中文 👍🏽")
    }

    @Test func rtlGateHasNoFalseNegatives() {
        for range in [0x0590...0x08FF, 0xFB1D...0xFDFF, 0xFE70...0xFEFF, 0x10800...0x10FFF, 0x1E800...0x1EFFF] {
            for v in stride(from: range.lowerBound, through: range.upperBound, by: 3) {
                guard let scalar = Unicode.Scalar(UInt32(v)) else { continue }
                let text = "ab" + String(Character(scalar)) + "c"
                #expect(Graphemes.mayContainRTL(text), "U+\(String(v, radix: 16))")
            }
        }
        #expect(!Graphemes.mayContainRTL("plain, ñ, 中文, नमस्ते, 👍🏽, ─│"))
    }

    @Test func terminalsThatReorderThemselves() {
        #expect(!Bidi.terminalReordersItself(environment: ["TERM": "xterm-256color"]))
        #expect(Bidi.terminalReordersItself(environment: ["KONSOLE_VERSION": "230804"]))
        #expect(!Bidi.terminalReordersItself(environment: ["KONSOLE_VERSION": "230804", "INBOX_BIDI": "client"]))
        #expect(Bidi.terminalReordersItself(environment: ["INBOX_BIDI": "terminal"]))
    }

    @Test func gridReordersUnlessSwitchedOff() {
        var grid = CellGrid(width: 12, height: 2)
        grid.write("abc שלום", x: 0, y: 0, maxWidth: 12, style: .plain)
        grid.reorderBidi = false
        grid.write("abc שלום", x: 0, y: 1, maxWidth: 12, style: .plain)
        #expect(grid.textSnapshot() == "abc םולש\nabc שלום")
    }

    @Test func longRTLLineKeepsItsLogicalStart() {
        var grid = CellGrid(width: 4, height: 1)
        grid.write("אבגדהו", x: 0, y: 0, maxWidth: 4, style: .plain)
        #expect(grid.textSnapshot() == "…גבא")  // cut at its logical end, which is on the left
        grid.write("אבגדהו", x: 0, y: 0, maxWidth: 4, style: .plain, ellipsis: false)
        #expect(grid.textSnapshot() == "דגבא")
    }
}
