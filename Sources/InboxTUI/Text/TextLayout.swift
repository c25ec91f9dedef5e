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
    public static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        if Graphemes.isPlainASCII(text) && text.utf8.count <= width { return [text] }
        let glyphs = Graphemes.glyphs(of: text).glyphs
        var lines: [String] = []
        var line: [Glyph] = []
        var lineWidth = 0
        var breakAt: Int?  // index in `line` where the next line may start
        var wrapped = false  // the current line continues a paragraph after a soft break: skip leading spaces

        /// Ends the current line. A soft break (wrapping) never produces a line of only spaces.
        func emit(soft: Bool) {
            var end = line.endIndex
            while end > line.startIndex && line[end - 1].text == " " { end -= 1 }
            if !soft || end > line.startIndex { lines.append(join(line[..<end])) }
            line.removeAll(keepingCapacity: true)
            lineWidth = 0
            breakAt = nil
            wrapped = soft
        }

        for var glyph in glyphs {
            if glyph.isNewline { emit(soft: false); continue }
            if glyph.width > width { glyph = .space }
            if glyph.text == " " {
                if wrapped && line.isEmpty { continue }
                if lineWidth + 1 > width { emit(soft: true); continue }
                line.append(glyph); lineWidth += 1
                breakAt = line.count
                continue
            }
            if lineWidth + glyph.width > width {
                if let b = breakAt, b < line.count {
                    let rest = Array(line[b...])
                    line.removeSubrange(b...)
                    emit(soft: true)
                    line = rest
                    lineWidth = rest.reduce(0) { $0 + $1.width }
                    if lineWidth + glyph.width > width { emit(soft: true) }
                } else {
                    emit(soft: true)
                }
            }
            line.append(glyph); lineWidth += glyph.width
            if glyph.width > 1 { breakAt = line.count }
        }
        if !line.isEmpty || lines.isEmpty || glyphs.last?.isNewline == true { emit(soft: false) }
        return lines
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
