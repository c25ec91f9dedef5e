import InboxModel

/// The snooze picker (`z`), the patient profile editor (`P`) and the tag filter (`#`).
enum DeskOverlays {
    static func drawSnooze(_ picker: SnoozePicker, state: AppState, theme: Theme, grid: inout CellGrid) -> CursorPosition? {
        let inner = Overlays.openBox(width: 54, height: picker.options.count + (picker.typing ? 6 : 4), title: "Snooze",
                                     theme: theme, grid: &grid)
        grid.write("Bring \(picker.patientName) back:", x: inner.x + 1, y: inner.y, maxWidth: inner.width - 2,
                   style: theme.overlay)
        let offset = state.settings.utcOffsetSeconds
        for (row, option) in picker.options.enumerated() {
            let selected = row == picker.selection
            let style = selected ? theme.rowSelected : theme.overlay
            var when = ""
            if case .choice(let choice) = option, let until = choice.until(now: state.now, utcOffset: offset) {
                when = AppState.snoozeEnd(until, now: state.now, utcOffset: offset)
            }
            grid.draw(StyledLine([Span(selected ? "> " : "  ", style), Span(picker.label(option), style)],
                                 trailing: Span(when, theme.dim.over(style)), background: style),
                      x: inner.x, y: inner.y + 2 + row, width: inner.width)
        }
        guard picker.typing else { return nil }
        grid.write("2s · 30m · 2h · 3d · 1w · or a time like 14:30", x: inner.x + 1, y: inner.maxY - 2,
                   maxWidth: inner.width - 2, style: theme.dim.over(theme.overlay))
        return Overlays.drawField(picker.custom, label: "Until: ", x: inner.x + 1, y: inner.maxY - 1,
                                  width: inner.width - 2, theme: theme, grid: &grid)
    }

    static func drawProfile(_ editor: ProfileEditor, theme: Theme, grid: inout CellGrid) -> CursorPosition? {
        let fields = ProfileEditor.Field.allCases
        let inner = Overlays.openBox(width: 72, height: fields.count + 5, title: "Patient profile", theme: theme, grid: &grid)
        grid.write("Synced to every agent of the clinic; a colleague's newer edit is never overwritten.",
                   x: inner.x + 1, y: inner.y, maxWidth: inner.width - 2, style: theme.dim.over(theme.overlay))
        var cursor: CursorPosition?
        let labelWidth = 11
        for (row, field) in fields.enumerated() {
            let y = inner.y + 2 + row
            let label = TextLayout.pad(field.label + ":", width: labelWidth)
            if field == editor.field {
                cursor = Overlays.drawField(editor.value(field), label: label, x: inner.x + 1, y: y, width: inner.width - 2,
                                            theme: theme, grid: &grid)
            } else {
                let width = grid.write(label, x: inner.x + 1, y: y, maxWidth: labelWidth, style: theme.dim.over(theme.overlay))
                let text = editor.value(field).text.replacingNewlinesWithSpaces()
                grid.write(text.isEmpty ? "none" : text, x: inner.x + 1 + width, y: y, maxWidth: inner.width - 2 - width,
                           style: text.isEmpty ? theme.dim.over(theme.overlay) : theme.overlay)
            }
        }
        grid.write("Tags are comma-separated (# filters the queue by one)", x: inner.x + 1, y: inner.maxY - 1,
                   maxWidth: inner.width - 2, style: theme.dim.over(theme.overlay))
        return cursor
    }

    static func drawTagFilter(_ prompt: TagFilterPrompt, theme: Theme, grid: inout CellGrid) -> CursorPosition {
        let inner = Overlays.openBox(width: 60, height: 5, title: "Filter the queue by tag", theme: theme, grid: &grid)
        grid.write("Only patients with this tag are listed; empty shows everyone.", x: inner.x + 1, y: inner.y,
                   maxWidth: inner.width - 2, style: theme.dim.over(theme.overlay))
        return Overlays.drawField(prompt.tag, label: "Tag: #", x: inner.x + 1, y: inner.y + 2, width: inner.width - 2,
                                  theme: theme, grid: &grid)
    }
}
