import InboxModel

/// The note editor (`p`), the composer's canned-reply picker (`/`) and the command palette (`:`).
enum PaletteOverlays {
    static func drawNote(_ editor: NoteEditor, theme: Theme, grid: inout CellGrid) -> CursorPosition {
        let inner = Overlays.openBox(width: 80, height: 6, title: "Private note", theme: theme, grid: &grid)
        grid.write("A note on \(editor.patientName)'s conversation:", x: inner.x + 1, y: inner.y,
                   maxWidth: inner.width - 2, style: theme.overlay)
        grid.write("Every agent of the clinic sees it; the patient never does.", x: inner.x + 1, y: inner.y + 1,
                   maxWidth: inner.width - 2, style: theme.dim.over(theme.overlay))
        return Overlays.drawField(editor.text, label: "Note: ", x: inner.x + 1, y: inner.y + 3, width: inner.width - 2,
                                  theme: theme, grid: &grid)
    }

    /// Drawn just above the composer, like a completion menu: the typed `/query`, then the ranked replies with
    /// their text as it will be inserted.
    static func drawCanned(_ picker: CannedPicker, state: AppState, theme: Theme, grid: inout CellGrid) -> CursorPosition {
        let matches = picker.matches
        let listHeight = max(1, min(matches.count, 8))
        let inner = Overlays.openBox(width: 76, height: listHeight + 4, top: max(1, grid.height - listHeight - 8),
                                     title: "Canned replies", theme: theme, grid: &grid)
        let cursor = Overlays.drawField(picker.query, label: "/", x: inner.x + 1, y: inner.y, width: inner.width - 2,
                                        theme: theme, grid: &grid)
        grid.horizontalLine(x: inner.x, y: inner.y + 1, width: inner.width, style: theme.border.over(theme.overlay))
        if matches.isEmpty {
            grid.write("No canned reply matches; Esc keeps what you typed", x: inner.x + 1, y: inner.y + 2,
                       maxWidth: inner.width - 2, style: theme.dim.over(theme.overlay))
            return cursor
        }
        let name = state.conversation?.detail?.patient?.displayName
        let visible = max(1, inner.height - 2)
        let first = max(0, picker.selection - visible + 1)
        for (row, index) in (first..<min(matches.count, first + visible)).enumerated() {
            let reply = matches[index]
            let selected = index == picker.selection
            let base = selected ? theme.rowSelected : theme.overlay
            let code = TextLayout.pad(TextLayout.truncate("/" + reply.shortcode, width: 14), width: 14)
            let text = CannedReplies.expand(reply.body, patientName: name, clinic: state.clinic).replacingNewlinesWithSpaces()
            grid.draw(StyledLine([Span(selected ? "> " : "  ", base), Span(code, theme.title.over(base)),
                                  Span(" " + text, base)], background: base),
                      x: inner.x, y: inner.y + 2 + row, width: inner.width)
        }
        return cursor
    }

    static func drawPalette(_ palette: CommandPalette, theme: Theme, grid: inout CellGrid) -> CursorPosition {
        let matches = palette.matches
        let listHeight = max(1, min(matches.count, max(3, grid.height - 10)))
        let inner = Overlays.openBox(width: 76, height: listHeight + 4, top: 2, title: "Commands", theme: theme, grid: &grid)
        let cursor = Overlays.drawField(palette.input, label: ":", x: inner.x + 1, y: inner.y, width: inner.width - 2,
                                        theme: theme, grid: &grid)
        grid.horizontalLine(x: inner.x, y: inner.y + 1, width: inner.width, style: theme.border.over(theme.overlay))
        if matches.isEmpty {
            grid.write("No command matches", x: inner.x + 1, y: inner.y + 2, maxWidth: inner.width - 2,
                       style: theme.dim.over(theme.overlay))
            return cursor
        }
        let nameWidth = min(30, max(12, inner.width / 2 - 2))
        let visible = max(1, inner.height - 2)
        let first = max(0, palette.selection - visible + 1)
        for (row, index) in (first..<min(matches.count, first + visible)).enumerated() {
            let entry = matches[index]
            let selected = index == palette.selection
            let base = selected ? theme.rowSelected : theme.overlay
            let name = TextLayout.pad(TextLayout.truncate(entry.name, width: nameWidth), width: nameWidth)
            grid.draw(StyledLine([Span(selected ? "> " : "  ", base), Span(name, base),
                                  Span(" " + entry.detail.replacingNewlinesWithSpaces(), theme.dim.over(base))],
                                 background: base),
                      x: inner.x, y: inner.y + 2 + row, width: inner.width)
        }
        return cursor
    }
}
