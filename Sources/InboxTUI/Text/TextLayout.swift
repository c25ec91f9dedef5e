/// Measuring, truncating, wrapping and padding hostile text in terminal columns.
///
/// Every function sanitizes its input first (``SafeText``) and counts columns per grapheme cluster (``Graphemes``),
/// so callers may pass raw patient text. Results stay in logical order; ``CellGrid/write(_:x:y:maxWidth:style:)``
/// applies bidi per visual line, which is why wrapping happens before reordering (UAX #9 §3.4).
public enum TextLayout {
    /// Display columns of sanitized `text`. A newline counts one column (a single-line write shows it as a space).
    public static func width(_ text: String) -> Int {
        Graphemes.width(of: text)
    }

    /// The sanitized glyphs of `text`, zero-width clusters dropped.
    public static func glyphs(_ text: String) -> [Glyph] {
        Graphemes.glyphs(of: text).glyphs
    }

    /// Cuts `text` to at most `width` columns, ending with `ellipsis` when something was cut. Newlines become spaces;
    /// whitespace before the ellipsis is trimmed. A wide cluster that does not fit is left out (the result may then
    /// be one column short; ``pad(_:width:)`` gives an exact width).
    public static func truncate(_ text: String, width: Int, ellipsis: String = "…") -> String {
        guard width > 0 else { return "" }
        if Graphemes.isPlainASCII(text) && text.utf8.count <= width { return text }
        let glyphs = Graphemes.glyphs(of: text).glyphs
        let total = glyphs.reduce(0) { $0 + $1.width }
        if total <= width { return join(glyphs[...]) }
        let tail = Graphemes.glyphs(of: ellipsis).glyphs
        let tailWidth = tail.reduce(0) { $0 + $1.width }
        if tailWidth > width { return join(fit(glyphs, width: width)) }
        var head = fit(glyphs, width: width - tailWidth)
        while let last = head.last, last.text == " " || last.isNewline { head.removeLast() }
        return join(head) + join(tail[...])
    }

    /// Word-wraps sanitized `text` into lines of at most `width` columns. Breaks at spaces and after wide (CJK)
    /// clusters, hard-breaks words longer than a line, and starts a new line at every "\n". Spaces at a break are
    /// dropped. A cluster wider than `width` itself becomes a space. Returns [] when `width` < 1.
    /// The lines stay in logical order; ``lines(_:width:reorder:)`` also applies bidi per paragraph.
    public static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        if Graphemes.isPlainASCII(text) && text.utf8.count <= width { return [text] }
        var lines: [String] = []
        for paragraph in paragraphs(Graphemes.glyphs(of: text).glyphs, width: width) {
            for range in wrapRanges(paragraph, width: width) { lines.append(join(paragraph[range])) }
        }
        return lines
    }

    /// One wrapped line as it is drawn: glyphs in visual order (bidi resolved over its whole paragraph, then
    /// reordered per line) and its paragraph's direction, which decides the alignment.
    public struct Line: Sendable, Equatable {
        public var glyphs: [Glyph]
        /// The paragraph reads right to left: draw the line flush right.
        public var isRightToLeft: Bool

        public var text: String { TextLayout.join(glyphs[...]) }
        public var width: Int { glyphs.reduce(0) { $0 + $1.width } }
    }

    /// Wraps like ``wrap(_:width:)`` and resolves bidi per paragraph (text between newlines): levels over the whole
    /// paragraph, then each wrapped line reordered on its own (UAX #9 §3.4). With `reorder` false (the terminal
    /// reorders by itself) the glyphs stay in logical order but the direction is still reported.
    public static func lines(_ text: String, width: Int, reorder: Bool = true) -> [Line] {
        guard width > 0 else { return [] }
        let (glyphs, hasRTL) = Graphemes.glyphs(of: text)
        var lines: [Line] = []
        for paragraph in paragraphs(glyphs, width: width) {
            let ranges = wrapRanges(paragraph, width: width)
            let bidi = BidiParagraph(paragraph, hasRTL: hasRTL && Graphemes.containsRTL(paragraph))
            for range in ranges {
                lines.append(Line(glyphs: reorder ? bidi.visualLine(range) : Array(paragraph[range]),
                                  isRightToLeft: bidi.isRightToLeft))
            }
        }
        return lines
    }

    /// Splits glyphs at newlines into paragraphs (a trailing newline ends with an empty paragraph), with clusters
    /// wider than `width` replaced by a space so that every glyph fits a line.
    static func paragraphs(_ glyphs: [Glyph], width: Int) -> [[Glyph]] {
        var result: [[Glyph]] = []
        var current: [Glyph] = []
        for glyph in glyphs {
            if glyph.isNewline {
                result.append(current)
                current = []
            } else {
                current.append(glyph.width > width ? .space : glyph)
            }
        }
        result.append(current)
        return result
    }

    /// Word-wraps one paragraph (no newlines; every glyph at most `width` wide) into index ranges of its glyphs.
    /// Breaks at spaces and after wide clusters, hard-breaks words longer than a line. Spaces at a soft break are
    /// left out of both lines, and trailing spaces of every line are left out unless `keepTrailingSpaces` (the
    /// composer, where a typed space must show). An empty paragraph is one empty line.
    static func wrapRanges(_ glyphs: [Glyph], width: Int, keepTrailingSpaces: Bool = false) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        var lineWidth = 0
        var breakAt: Int?  // index where the next line may start
        var wrapped = false  // the current line continues the paragraph after a soft break: skip leading spaces

        /// Ends the current line at `end`. A soft break never produces a line of only spaces.
        func emit(_ end: Int, soft: Bool) {
            var last = end
            if soft || !keepTrailingSpaces {
                while last > start && glyphs[last - 1].text == " " { last -= 1 }
            }
            if !soft || last > start { ranges.append(start..<last) }
            lineWidth = 0
            breakAt = nil
            wrapped = soft
        }

        var index = 0
        while index < glyphs.count {
            let glyph = glyphs[index]
            defer { index += 1 }
            if glyph.text == " " {
                if wrapped && index == start { start = index + 1; continue }
                if lineWidth + 1 > width { emit(index, soft: true); start = index + 1; continue }
                lineWidth += 1
                breakAt = index + 1
                continue
            }
            if lineWidth + glyph.width > width {
                if let b = breakAt, b < index {
                    emit(b, soft: true)
                    start = b
                    lineWidth = glyphs[b..<index].reduce(0) { $0 + $1.width }
                    if lineWidth + glyph.width > width { emit(index, soft: true); start = index }
                } else {
                    emit(index, soft: true)
                    start = index
                }
            }
            lineWidth += glyph.width
            if glyph.width > 1 { breakAt = index + 1 }
        }
        if start < glyphs.count || !wrapped { emit(glyphs.count, soft: false) }
        return ranges
    }

    /// Truncates (with "…") or right-pads with spaces so the result is exactly `width` columns.
    public static func pad(_ text: String, width: Int) -> String {
        guard width > 0 else { return "" }
        let cut = truncate(text, width: width)
        let used = Graphemes.width(of: cut)
        return used >= width ? cut : cut + String(repeating: " ", count: width - used)
    }

    /// The longest prefix of `glyphs` that fits in `width` columns.
    static func fit(_ glyphs: [Glyph], width: Int) -> ArraySlice<Glyph> {
        var used = 0
        for (i, g) in glyphs.enumerated() {
            if used + g.width > width { return glyphs[..<i] }
            used += g.width
        }
        return glyphs[...]
    }

    static func join(_ glyphs: ArraySlice<Glyph>) -> String {
        var out = ""
        for g in glyphs { out += g.isNewline ? " " : g.text }
        return out
    }
}
