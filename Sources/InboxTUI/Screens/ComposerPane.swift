import InboxModel

/// The reply composer under the conversation, or the reason it is locked ("Taken by …").
///
/// The text is wrapped by grapheme (not by word) so every cursor position maps to exactly one cell, and it is
/// drawn in logical order even when bidi reordering is on: editing right-to-left text with a visual cursor
/// that jumps around is worse than reading it in typing order while composing.
enum ComposerPane {
    static func draw(_ state: AppState, layout: ScreenLayout, theme: Theme, keymap: Keymap,
                     grid: inout CellGrid) -> CursorPosition? {
        let rect = layout.composer
        drawWindowLabel(state, layout: layout, theme: theme, grid: &grid)
        guard state.conversation != nil else {
            grid.write("No conversation open", x: rect.x + 1, y: rect.y, maxWidth: rect.width - 2, style: theme.dim)
            return nil
        }
        if let lock = state.composerLock {
            drawLocked(lock, state: state, rect: rect, theme: theme, keymap: keymap, grid: &grid)
            return nil
        }
        guard let open = state.conversation, let detail = open.detail else { return nil }
        grid.fill(rect, style: theme.composer)

        var textTop = rect.y
        if let block = warning(detail, state: state) {
            grid.write("✗ " + block, x: rect.x + 1, y: rect.y, maxWidth: rect.width - 2, style: theme.statusError)
            textTop += 1
        }
        let textHeight = rect.maxY - textTop
        guard textHeight > 0 else { return nil }
        let focused = state.focus == .composer && state.overlay == nil
        if open.composer.isEmpty && !focused {
            var hint = ReplyWindow(conversation: detail.conversation, now: state.now).allowsFreeText
                ? "\(keymap.shortLabel(.reply)) to reply · \(keymap.shortLabel(.template)) template"
                : "\(keymap.shortLabel(.template)) to send a template"
            if detail.conversation.status != .assigned { hint += " · sending takes the conversation over" }
            for (index, line) in TextLayout.wrap(hint, width: rect.width - 2).prefix(textHeight).enumerated() {
                grid.write(line, x: rect.x + 1, y: textTop + index, maxWidth: rect.width - 2,
                           style: theme.dim.over(theme.composer))
            }
            return nil
        }

        let gutter = 2
        let textWidth = max(1, rect.width - gutter - 1)
        let wrapped = wrap(open.composer, width: textWidth)
        let firstRow = max(0, wrapped.cursorRow - (textHeight - 1))
        let saved = grid.reorderBidi
        grid.reorderBidi = false
        defer { grid.reorderBidi = saved }
        for row in firstRow..<min(wrapped.rows.count, firstRow + textHeight) {
            let y = textTop + row - firstRow
            grid.write(row == 0 ? "›" : " ", x: rect.x, y: y, maxWidth: 1, style: theme.dim.over(theme.composer))
            grid.write(wrapped.rows[row], x: rect.x + gutter, y: y, maxWidth: textWidth, style: theme.composer)
        }
        guard focused else { return nil }
        let cursor = CursorPosition(x: rect.x + gutter + wrapped.cursorColumn, y: textTop + wrapped.cursorRow - firstRow)
        // The cell under the cursor is drawn reversed, so the position shows even where the painter hides the
        // hardware cursor.
        var cell = grid[x: cursor.x, y: cursor.y]
        if cell.isContinuation { cell.text = " " }
        cell.style = Style(foreground: theme.composer.foreground, background: theme.composer.background,
                           attributes: theme.composer.attributes.union(.reverse))
        grid[x: cursor.x, y: cursor.y] = cell
        return cursor
    }

    /// Why the typed text could not be sent right now (the 24-hour window, an opt-out), shown above it.
    static func warning(_ detail: ConversationDetail, state: AppState) -> String? {
        if detail.patient?.optedOut == true { return "The patient opted out: only service templates can be sent" }
        if !ReplyWindow(conversation: detail.conversation, now: state.now).allowsFreeText {
            return "24-hour window closed: send an approved template, or wait for the patient to write"
        }
        return nil
    }

    private static func drawLocked(_ lock: ComposerLock, state: AppState, rect: Rect, theme: Theme,
                                   keymap: Keymap, grid: inout CellGrid) {
        switch lock {
        case .noConversation, .loading:
            grid.write(state.describe(lock), x: rect.x + 1, y: rect.y, maxWidth: rect.width - 2, style: theme.dim)
        case .takenBy(let agent):
            grid.fill(rect, style: theme.composerLocked)
            grid.write("Taken by \(state.agentName(agent)) · read-only", x: rect.x + 1, y: rect.y,
                       maxWidth: rect.width - 2, style: theme.composerLocked)
            if rect.height > 1 {
                grid.write("Only \(state.agentName(agent)) or an admin can transfer it to you", x: rect.x + 1,
                           y: rect.y + 1, maxWidth: rect.width - 2, style: theme.composerLocked)
            }
        case .closed:
            grid.fill(rect, style: theme.composerLocked)
            grid.write("Closed · read-only. The patient's next message opens a new conversation", x: rect.x + 1,
                       y: rect.y, maxWidth: rect.width - 2, style: theme.composerLocked)
        }
    }

    /// "24h window: 14h 05m left" in the composer's top border, right-aligned.
    private static func drawWindowLabel(_ state: AppState, layout: ScreenLayout, theme: Theme, grid: inout CellGrid) {
        guard let conversation = state.conversation?.detail?.conversation, conversation.status != .closed else { return }
        let label: String
        let style: Style
        switch ReplyWindow(conversation: conversation, now: state.now) {
        case .notApplicable: return
        case .open(let remaining):
            label = " 24h window: \(Formatting.hoursAndMinutes(remaining)) left "
            style = remaining < 2 * 3_600_000 ? theme.timerWarn : theme.border
        case .closed:
            label = " 24h window closed "
            style = theme.statusError
        }
        let width = TextLayout.width(label)
        let right = layout.sidebarBorderX ?? layout.rightBorderX
        guard right - layout.queueBorderX > width + 4 else { return }
        grid.write(label, x: right - 1 - width, y: layout.composerBorderY, maxWidth: width, style: style)
    }

    struct Wrapped {
        var rows: [String]
        var cursorRow: Int
        var cursorColumn: Int
    }

    /// Breaks the draft into rows of at most `width` columns at grapheme boundaries and hard newlines.
    static func wrap(_ buffer: ComposerBuffer, width: Int) -> Wrapped {
        var rows = [""]
        var rowWidth = 0
        var cursorRow = 0
        var cursorColumn = 0
        for (index, character) in buffer.characters.enumerated() {
            if index == buffer.cursor { cursorRow = rows.count - 1; cursorColumn = rowWidth }
            if character == "\n" {
                rows.append("")
                rowWidth = 0
                continue
            }
            let columns = TextLayout.width(String(character))
            if rowWidth + columns > width {
                rows.append("")
                rowWidth = 0
                if index == buffer.cursor { cursorRow = rows.count - 1; cursorColumn = 0 }
            }
            rows[rows.count - 1].append(character)
            rowWidth += columns
        }
        if buffer.cursor == buffer.characters.count {
            cursorRow = rows.count - 1
            cursorColumn = rowWidth
            if rowWidth >= width {  // the cursor after a full row starts the next one
                rows.append("")
                cursorRow += 1
                cursorColumn = 0
            }
        }
        return Wrapped(rows: rows, cursorRow: cursorRow, cursorColumn: cursorColumn)
    }
}
