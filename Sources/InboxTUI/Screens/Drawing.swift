import InboxModel

/// One styled run of text within a line.
struct Span {
    var text: String
    var style: Style
    /// Already in visual order (a line from ``TextLayout/lines(_:width:reorder:)``): written without bidi.
    var isVisual = false

    init(_ text: String, _ style: Style) {
        self.text = text
        self.style = style
    }

    /// A wrapped line, already reordered for display.
    init(_ line: TextLayout.Line, _ style: Style) {
        self.text = line.text
        self.style = style
        self.isVisual = true
    }
}

/// A line made of styled runs, drawn left to right and clipped to its pane.
struct StyledLine {
    var spans: [Span]
    /// Drawn right-aligned on the same row (delivery marks, timers).
    var trailing: Span?
    /// Fills the whole row before the text (banner, selection).
    var background: Style?
    /// The last span is drawn flush right (a line of a right-to-left paragraph); the spans before it stay left.
    var alignRight = false

    init(_ spans: [Span], trailing: Span? = nil, background: Style? = nil, alignRight: Bool = false) {
        self.spans = spans
        self.trailing = trailing
        self.background = background
        self.alignRight = alignRight
    }
}

extension Style {
    /// This style's foreground and attributes over another style's background: coloured text on a selected row.
    func over(_ background: Style) -> Style {
        Style(foreground: foreground == .default ? background.foreground : foreground,
              background: background.background, attributes: attributes.union(background.attributes))
    }
}

extension CellGrid {
    /// Draws a styled line in `[x, x+width)`: spans from the left, the trailing span flush right (the left
    /// text is cut short to make room for it). Returns nothing; everything is clipped to the width.
    mutating func draw(_ line: StyledLine, x: Int, y: Int, width: Int) {
        guard width > 0 else { return }
        if let background = line.background { fill(Rect(x: x, y: y, width: width, height: 1), style: background) }
        var leftLimit = width
        if let trailing = line.trailing {
            let trailingWidth = min(TextLayout.width(trailing.text), width)
            leftLimit = max(0, width - trailingWidth - 1)
            write(trailing.text, x: x + width - trailingWidth, y: y, maxWidth: trailingWidth, style: trailing.style)
        }
        var column = 0
        let saved = reorderBidi
        defer { reorderBidi = saved }
        for (index, span) in line.spans.enumerated() where column < leftLimit {
            let available = leftLimit - column
            let spanWidth = TextLayout.width(span.text)
            reorderBidi = saved && !span.isVisual
            if spanWidth > available {
                write(TextLayout.truncate(span.text, width: available), x: x + column, y: y, maxWidth: available,
                      style: span.style)
                break  // what follows a cut span would read as if it belonged to it
            }
            if line.alignRight && index == line.spans.count - 1 { column = leftLimit - spanWidth }
            column += write(span.text, x: x + column, y: y, maxWidth: leftLimit - column, style: span.style)
        }
    }

    /// Writes `text` centred in `[x, x+width)`, truncated when it does not fit.
    mutating func writeCentered(_ text: String, x: Int, y: Int, width: Int, style: Style) {
        let cut = TextLayout.truncate(text, width: width)
        let used = TextLayout.width(cut)
        write(cut, x: x + max(0, (width - used) / 2), y: y, maxWidth: width, style: style)
    }

    mutating func horizontalLine(x: Int, y: Int, width: Int, style: Style) {
        guard width > 0 else { return }
        write(String(repeating: "─", count: width), x: x, y: y, maxWidth: width, style: style)
    }

    mutating func verticalLine(x: Int, y: Int, height: Int, style: Style) {
        guard height > 0 else { return }
        for row in y..<(y + height) { write("│", x: x, y: row, maxWidth: 1, style: style) }
    }

    /// A closed box whose border is `rect`'s outermost cells, with an optional title in the top edge.
    mutating func box(_ rect: Rect, title: String? = nil, style: Style, titleStyle: Style? = nil) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        write("┌", x: rect.x, y: rect.y, maxWidth: 1, style: style)
        horizontalLine(x: rect.x + 1, y: rect.y, width: rect.width - 2, style: style)
        write("┐", x: rect.maxX - 1, y: rect.y, maxWidth: 1, style: style)
        verticalLine(x: rect.x, y: rect.y + 1, height: rect.height - 2, style: style)
        verticalLine(x: rect.maxX - 1, y: rect.y + 1, height: rect.height - 2, style: style)
        write("└", x: rect.x, y: rect.maxY - 1, maxWidth: 1, style: style)
        horizontalLine(x: rect.x + 1, y: rect.maxY - 1, width: rect.width - 2, style: style)
        write("┘", x: rect.maxX - 1, y: rect.maxY - 1, maxWidth: 1, style: style)
        if let title { borderTitle(title, x: rect.x + 1, y: rect.y, width: rect.width - 2, style: titleStyle ?? style) }
    }

    /// A title set into a horizontal border: " Title ", starting one cell in so the corner stays visible.
    mutating func borderTitle(_ title: String, x: Int, y: Int, width: Int, style: Style) {
        borderTitle([title], x: x, y: y, width: width, style: style)
    }

    /// " Part · Part ", each part written on its own so a right-to-left name is reordered by itself and does
    /// not drag the rest of the title into its direction.
    mutating func borderTitle(_ parts: [String], x: Int, y: Int, width: Int, style: Style) {
        guard width > 4 else { return }
        let limit = x + width - 2
        var column = x + 1 + write(" ", x: x + 1, y: y, maxWidth: 1, style: style)
        for (index, part) in parts.enumerated() {
            if index > 0 { column += write(" · ", x: column, y: y, maxWidth: max(0, limit - column - 1), style: style) }
            let room = limit - column - 1
            guard room > 0 else { break }
            column += write(TextLayout.truncate(part, width: room), x: column, y: y, maxWidth: room, style: style)
        }
        write(" ", x: column, y: y, maxWidth: max(0, limit - column), style: style)
    }
}
