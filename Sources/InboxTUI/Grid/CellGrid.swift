import InboxModel

/// One terminal cell.
public struct Cell: Sendable, Equatable {
    /// One sanitized grapheme cluster; "" for the continuation column(s) of a wide cluster.
    public var text: String
    public var style: Style

    public init(text: String, style: Style = .plain) {
        self.text = text
        self.style = style
    }

    public static let blank = Cell(text: " ", style: .plain)
    public var isContinuation: Bool { text.isEmpty }

    /// Byte-wise text equality: the frame diff compares 12,000 cells per frame, and `String ==` falls back to
    /// canonical-equivalence checks for differing non-ASCII text. Two canonically equal spellings merely repaint.
    public static func == (a: Cell, b: Cell) -> Bool {
        a.style == b.style && a.text.utf8.count == b.text.utf8.count && a.text.utf8.elementsEqual(b.text.utf8)
    }
}

/// The in-memory screen every frame is rendered into; the painter copies only its differences to the terminal.
///
/// Why a value type: rendering stays a pure function of app state (ratatui/Bubble Tea style), frames can be diffed
/// (``changedRuns(since:)``) and snapshot-tested (``textSnapshot()``) without a terminal.
///
/// Invariants kept by every mutator: a wide cluster's lead cell is followed by exactly `width − 1` continuation
/// cells ("") on the same row; overwriting any part of a wide cluster blanks the rest of it; nothing is written
/// outside the grid.
public struct CellGrid: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// When true (the default), lines containing RTL text are reordered to visual order by the client (``Bidi``).
    /// Turn off for terminals that reorder by themselves.
    public var reorderBidi: Bool = true
    /// Row-major cells.
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int, style: Style = .plain) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.cells = Array(repeating: Cell(text: " ", style: style), count: self.width * self.height)
    }

    /// Reads or writes one cell. Out-of-range reads give a blank cell and writes are ignored. Setting a cell that is
    /// part of a wide cluster blanks the rest of that cluster; setting `text` "" writes a raw continuation cell
    /// (for callers building wide clusters by hand). Prefer ``write(_:x:y:maxWidth:style:)`` for text.
    public subscript(x: Int, y: Int) -> Cell {
        get {
            guard x >= 0, x < width, y >= 0, y < height else { return .blank }
            return cells[y * width + x]
        }
        set {
            guard x >= 0, x < width, y >= 0, y < height else { return }
            if newValue.text.isEmpty {
                cells[y * width + x] = newValue
                return
            }
            breakWide(x: x, y: y)
            cells[y * width + x] = newValue
            breakContinuation(x: x + 1, y: y)
        }
    }

    /// The same cell access with argument labels: `grid[x: 3, y: 4]`.
    public subscript(x x: Int, y y: Int) -> Cell {
        get { self[x, y] }
        set { self[x, y] = newValue }
    }

    /// Sanitizes `text` (hostile), reorders bidi if enabled, writes it at (x, y) clipped to `maxWidth` columns and to
    /// the grid; never writes outside [x, x+maxWidth); a wide cluster that does not fit becomes a space. Newlines are
    /// shown as spaces. Returns columns used.
    ///
    /// Text cut short ends with "…" in its last column (at its logical end, so on the left of a right-to-left
    /// line), so that no truncation passes for the whole text; `ellipsis: false` clips silently (scrolled fields).
    @discardableResult
    public mutating func write(_ text: String, x: Int, y: Int, maxWidth: Int, style: Style,
                               ellipsis: Bool = true) -> Int {
        guard y >= 0, y < height, maxWidth > 0, x < width else { return 0 }
        let limit = min(x + maxWidth, width)  // exclusive end column
        let available = limit - x
        guard available > 0 else { return 0 }
        let first = max(x, 0)

        if Graphemes.isPlainASCII(text) {
            var used = 0
            var utf8 = text
            utf8.withUTF8 { buf in
                let n = min(buf.count, available)
                guard n > 0 else { return }
                let row = y * width
                let start = max(0, -x)
                if x + start < limit, start < n { breakWide(x: x + start, y: y) }
                if start < n {
                    for i in start..<n {
                        cells[row + x + i] = Cell(text: Graphemes.ascii[Int(buf[i])], style: style)
                    }
                    if ellipsis && n < buf.count { cells[row + x + n - 1] = Cell(text: "…", style: style) }
                    breakContinuation(x: x + n, y: y)
                }
                used = n
            }
            return used
        }

        if !(reorderBidi && Graphemes.mayContainRTL(text)) {
            // Streaming path: no RTL possible, so clusters go straight into cells in logical order.
            if first < limit && !text.isEmpty { breakWide(x: first, y: y) }
            var col = x
            var overflow = 0
            var cut = false
            Graphemes.scan(text) { glyph in
                if col + glyph.width > limit {
                    overflow = limit - col
                    cut = true
                    return false
                }
                put(glyph.isNewline ? .space : glyph, x: col, y: y, style: style)
                col += glyph.width
                return true
            }
            for _ in 0..<overflow {
                put(.space, x: col, y: y, style: style)
                col += 1
            }
            breakContinuation(x: col, y: y)
            if ellipsis && cut { self[limit - 1, y] = Cell(text: "…", style: style) }
            return col - x
        }

        let (glyphs, hasRTL) = Graphemes.glyphs(of: text)
        var kept: [Glyph] = []
        kept.reserveCapacity(glyphs.count)
        var used = 0
        var overflow = 0
        for g in glyphs {
            if used + g.width > available {
                overflow = available - used
                if ellipsis {
                    // The mark takes the last column, at the logical end: bidi then puts it where the text stops.
                    while used + 1 > available || kept.last?.text == " ", let last = kept.popLast() { used -= last.width }
                    kept.append(Glyph(text: "…", width: 1))
                    used += 1
                    overflow = available - used
                }
                break
            }
            kept.append(g.isNewline ? .space : g)
            used += g.width
        }
        if hasRTL { kept = Bidi.reorder(kept) }
        for _ in 0..<overflow { kept.append(.space) }
        guard used + overflow > 0 else { return 0 }

        if first < limit { breakWide(x: first, y: y) }
        var col = x
        for g in kept {
            put(g, x: col, y: y, style: style)
            col += g.width
        }
        breakContinuation(x: col, y: y)
        return used + overflow
    }

    /// Fills `rect` (clipped to the grid) with spaces in `style`.
    public mutating func fill(_ rect: Rect, style: Style) {
        let r = rect.clamped(toWidth: width, height: height)
        guard !r.isEmpty else { return }
        let blank = Cell(text: " ", style: style)
        for row in r.y..<r.maxY {
            breakWide(x: r.x, y: row)
            let base = row * width
            for col in r.x..<r.maxX { cells[base + col] = blank }
            breakContinuation(x: r.maxX, y: row)
        }
    }

    /// Restyles the cells in `rect` (clipped to the grid), keeping their text.
    public mutating func setStyle(_ rect: Rect, style: Style) {
        let r = rect.clamped(toWidth: width, height: height)
        guard !r.isEmpty else { return }
        for row in r.y..<r.maxY {
            let base = row * width
            for col in r.x..<r.maxX { cells[base + col].style = style }
        }
    }

    /// The grid as text, one line per row joined by "\n" (wide clusters once; trailing spaces trimmed per row).
    /// For snapshot tests.
    public func textSnapshot() -> String {
        var lines: [String] = []
        lines.reserveCapacity(height)
        for row in 0..<height {
            var line = ""
            for col in 0..<width { line += cells[row * width + col].text }
            while line.last == " " { line.removeLast() }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// The cells of one row (for painters and tests).
    public func row(_ y: Int) -> ArraySlice<Cell> {
        guard y >= 0, y < height else { return [] }
        return cells[(y * width)..<((y + 1) * width)]
    }

    // MARK: - Wide-cluster bookkeeping

    /// Writes one glyph with its continuation cells; the parts left of column 0 or right of the grid are skipped,
    /// and a glyph cut by the left edge shows its visible columns as spaces.
    private mutating func put(_ glyph: Glyph, x: Int, y: Int, style: Style) {
        let base = y * width
        if x >= 0 && x + glyph.width <= width {
            cells[base + x] = Cell(text: glyph.text, style: style)
            if glyph.width > 1 {
                for c in (x + 1)..<(x + glyph.width) { cells[base + c] = Cell(text: "", style: style) }
            }
            return
        }
        let visible = max(x, 0), end = min(x + glyph.width, width)
        guard visible < end else { return }
        for c in visible..<end { cells[base + c] = Cell(text: " ", style: style) }
    }

    /// Before overwriting (x, y): if it is the continuation of a wide cluster, blank that cluster's lead and its
    /// other continuation cells left of x.
    private mutating func breakWide(x: Int, y: Int) {
        guard x > 0, x < width else { return }
        let base = y * width
        guard cells[base + x].text.isEmpty else { return }
        var c = x - 1
        while c >= 0 && cells[base + c].text.isEmpty {
            cells[base + c].text = " "
            c -= 1
        }
        if c >= 0 { cells[base + c].text = " " }
    }

    /// After writing up to column x − 1: continuation cells starting at x belonged to an overwritten lead; blank them.
    private mutating func breakContinuation(x: Int, y: Int) {
        guard x >= 0 else { return }
        let base = y * width
        var c = x
        while c < width && cells[base + c].text.isEmpty {
            cells[base + c].text = " "
            c += 1
        }
    }
}
