import InboxModel

/// The template picker: the clinic's templates on the left half, the chosen one's text as it will be sent below,
/// and a field for the parameter being asked for.
enum TemplateOverlay {
    static func draw(_ picker: TemplatePicker, theme: Theme, grid: inout CellGrid) -> CursorPosition? {
        let listRows = max(3, min(picker.templates.count, 8))
        let inner = Overlays.openBox(width: 90, height: listRows + 11, top: 2, title: "Send a template",
                                     theme: theme, grid: &grid)
        let x = inner.x + 1
        let width = inner.width - 2
        var y = inner.y
        let dim = theme.dim.over(theme.overlay)
        let explanation = picker.windowClosed
            ? "The 24-hour window is closed: WhatsApp only delivers an approved template to \(picker.patientName)."
            : "To \(picker.patientName): approved templates go out even when the 24-hour window is closed."
        // Two lines at most (the second replaces the blank line under it), ending with "…" if still longer.
        for line in ComposerPane.wrapped(explanation, width: width, maxLines: 2) {
            grid.write(line, x: x, y: y, maxWidth: width, style: dim)
            y += 1
        }
        y = inner.y + 2

        let first = max(0, picker.selection - listRows + 1)
        for (row, index) in (first..<min(picker.templates.count, first + listRows)).enumerated() {
            let template = picker.templates[index]
            let selected = index == picker.selection
            let base = selected ? theme.rowSelected : theme.overlay
            let refused = picker.isRefused(template)
            let fits = picker.patientLanguage.map { PatientLanguage.sameLanguage($0, template.language) } ?? false
            var spans = [Span(selected ? "> " : "  ", base),
                         Span(template.name, (refused ? theme.dim : theme.title).over(base)),
                         Span("  \(template.language)\(fits ? " (patient's language)" : "") · \(template.category.rawValue)",
                              theme.dim.over(base))]
            if refused { spans.append(Span(" · patient opted out", theme.deliveryFailed.over(base))) }
            grid.draw(StyledLine(spans, background: base), x: inner.x, y: y + row, width: inner.width)
        }
        y += listRows + 1
        grid.horizontalLine(x: inner.x, y: y, width: inner.width, style: theme.border.over(theme.overlay))
        y += 1

        let previewRows = inner.y + inner.height - 2 - y
        for (row, line) in TextLayout.wrap(picker.preview, width: max(1, width)).prefix(max(0, previewRows)).enumerated() {
            grid.write(line, x: x, y: y + row, maxWidth: width, style: theme.overlay)
        }

        let bottom = inner.y + inner.height - 1
        switch picker.stage {
        case .choosing:
            grid.write("Enter choose · j/k move · Esc cancel", x: x, y: bottom, maxWidth: width, style: dim)
            return nil
        case .filling(let number):
            let count = picker.selected?.parameterCount ?? number
            return Overlays.drawField(picker.input, label: "{{\(number)}} of \(count): ", x: x, y: bottom, width: width,
                                      theme: theme, grid: &grid)
        case .preview:
            grid.write("Enter send · Esc cancel", x: x, y: bottom, maxWidth: width, style: theme.title.over(theme.overlay))
            return nil
        }
    }
}
