import InboxModel

/// The draft laid out as the composer shows it: wrapped at word boundaries like the timeline, bidi resolved per
/// paragraph and right-to-left paragraphs flush right, with the insertion point mapped to a cell.
///
/// The cursor sits on the cell of the character after the insertion point, wherever bidi has put that character;
/// at the end of a line it sits just after the line's last character in reading order (right of a left-to-right
/// line, left of a right-to-left one). Columns run from -1 (the gutter cell left of a full right-to-left row) to
/// `width` (the spare cell right of a full left-to-right row), so the cursor is always on screen.
struct ComposerLayout {
    struct Row: Equatable {
        /// Glyphs in display order.
        var glyphs: [Glyph]
        /// Column of the first glyph: 0, or `width - rowWidth` for a right-to-left paragraph.
        var column: Int
        var text: String { TextLayout.join(glyphs[...]) }
    }

    var rows: [Row] = []
    var cursorRow = 0
    var cursorColumn = 0

    init(_ buffer: ComposerBuffer, width: Int, reorder: Bool) {
        let width = max(1, width)
        var paragraphStart = 0
        for (index, character) in buffer.characters.enumerated() where character == "\n" {
            addParagraph(buffer, characters: paragraphStart..<index, width: width, reorder: reorder)
            paragraphStart = index + 1
        }
        addParagraph(buffer, characters: paragraphStart..<buffer.characters.count, width: width, reorder: reorder)
    }

    /// Lays out the characters of one paragraph (between newlines) and places the cursor if it is inside it.
    private mutating func addParagraph(_ buffer: ComposerBuffer, characters: Range<Int>, width: Int, reorder: Bool) {
        // Each Character becomes zero or more glyphs (utf8proc may split what Swift keeps whole, e.g. Devanagari
        // conjuncts); `owners` remembers which character each glyph came from, to place the cursor.
        var glyphs: [Glyph] = []
        var owners: [Int] = []
        var hasRTL = false
        for index in characters {
            let (parts, rtl) = Graphemes.glyphs(of: String(buffer.characters[index]))
            hasRTL = hasRTL || rtl
            for part in parts where !part.isNewline {
                glyphs.append(part.width > width ? .space : part)
                owners.append(index)
            }
        }
        let ranges = TextLayout.wrapRanges(glyphs, width: width, keepTrailingSpaces: true)
        let bidi = BidiParagraph(glyphs, hasRTL: hasRTL)
        let firstRow = rows.count
        // Where each logical glyph landed: (row, column), nil for a space dropped at a soft break.
        var placed = [(row: Int, column: Int)?](repeating: nil, count: glyphs.count)
        for range in ranges {
            let lineWidth = glyphs[range].reduce(0) { $0 + $1.width }
            let column = bidi.isRightToLeft ? width - lineWidth : 0
            let (visual, order) = reorder ? bidi.visualLineWithOrder(range) : (Array(glyphs[range]), Array(range))
            var x = column
            for (slot, logical) in order.enumerated() {
                placed[logical] = (rows.count, x)
                x += visual[slot].width
            }
            rows.append(Row(glyphs: visual, column: column))
        }

        let cursor = buffer.cursor
        guard cursor >= characters.lowerBound && cursor <= characters.upperBound else { return }
        if let next = owners.firstIndex(where: { $0 >= cursor }) {
            if let spot = placed[next] {
                (cursorRow, cursorColumn) = spot
                return
            }
            // A space dropped at a soft break: the cursor ends the line before it.
            let before = ranges.lastIndex { $0.upperBound <= next } ?? 0
            placeAtEnd(ofRow: firstRow + before, isRightToLeft: bidi.isRightToLeft, width: width)
        } else {
            placeAtEnd(ofRow: rows.count - 1, isRightToLeft: bidi.isRightToLeft, width: width)
        }
    }

    private mutating func placeAtEnd(ofRow row: Int, isRightToLeft: Bool, width: Int) {
        cursorRow = row
        let lineWidth = rows[row].glyphs.reduce(0) { $0 + $1.width }
        cursorColumn = isRightToLeft ? width - lineWidth - 1 : lineWidth
    }
}
