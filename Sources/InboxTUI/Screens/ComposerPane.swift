import InboxModel

/// The reply composer under the conversation, or the reason it is locked ("Taken by …").
///
/// The draft follows the timeline's rules (``ComposerLayout``): word wrap, bidi per paragraph, right-to-left
/// paragraphs flush right, so what is typed looks as it will look once sent. The pane grows with the draft
/// (``preferredRows(_:layout:)``, capped by ``ScreenLayout``) and then scrolls to keep the cursor in view.
enum ComposerPane {
    static let gutter = 2

    /// Rows the composer would like: the draft's wrapped rows plus the warning above it. 0 when only a hint or a
    /// lock notice is shown (the layout's minimum is enough for those).
    static func preferredRows(_ state: AppState, layout: ScreenLayout) -> Int {
        guard state.composerLock == nil, let open = state.conversation, let detail = open.detail else { return 0 }
        let focused = state.focus == .composer && state.overlay == nil
        guard !open.composer.isEmpty || focused else { return 0 }
        let warningRows = warning(detail, state: state)
            .map { TextLayout.wrap("✗ " + $0, width: layout.composer.width - 2).count } ?? 0
        let laid = ComposerLayout(open.composer, width: textWidth(layout.composer), reorder: state.settings.bidi)
        return laid.rows.count + warningRows
    }

    static func textWidth(_ rect: Rect) -> Int { max(1, rect.width - gutter - 1) }

    /// `text` word-wrapped into at most `maxLines` lines; the last ends with "…" when some was left out.
    static func wrapped(_ text: String, width: Int, maxLines: Int) -> [String] {
        let lines = TextLayout.wrap(text, width: max(1, width))
        guard lines.count > maxLines, maxLines > 0 else { return lines }
        return Array(lines.prefix(maxLines - 1)) + [TextLayout.truncate(lines[maxLines - 1] + " …", width: width)]
    }

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
            // The warning wraps rather than lose its end, keeping at least one row for the draft.
            let lines = wrapped("✗ " + block, width: rect.width - 2, maxLines: max(1, rect.height - 1))
            for line in lines {
                grid.write(line, x: rect.x + 1, y: textTop, maxWidth: rect.width - 2, style: theme.statusError)
                textTop += 1
            }
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

        let textWidth = textWidth(rect)
        let laid = ComposerLayout(open.composer, width: textWidth, reorder: grid.reorderBidi)
        let firstRow = max(0, laid.cursorRow - (textHeight - 1))
        let saved = grid.reorderBidi
        grid.reorderBidi = false  // the rows are already in display order
        defer { grid.reorderBidi = saved }
        for row in firstRow..<min(laid.rows.count, firstRow + textHeight) {
            let y = textTop + row - firstRow
            let mark = row == 0 ? "›" : (row == firstRow ? "↑" : " ")  // "↑": earlier rows scrolled out of view
            grid.write(mark, x: rect.x, y: y, maxWidth: 1, style: theme.dim.over(theme.composer))
            let line = laid.rows[row]
            grid.write(line.text, x: rect.x + gutter + line.column, y: y, maxWidth: textWidth - line.column,
                       style: theme.composer)
        }
        guard focused else { return nil }
        let cursor = CursorPosition(x: rect.x + gutter + laid.cursorColumn, y: textTop + laid.cursorRow - firstRow)
        // The cell under the cursor is drawn reversed, so the position shows even where the painter hides the
        // hardware cursor.
        var cell = grid[x: cursor.x, y: cursor.y]
        if cell.isContinuation { cell.text = " " }
        cell.style = Style(foreground: theme.composer.foreground, background: theme.composer.background,
                           attributes: theme.composer.attributes.union(.reverse))
        grid[x: cursor.x, y: cursor.y] = cell
        return cursor
    }

    /// What stands in the way of the typed text (the 24-hour window), or what the agent should know before
    /// writing (an opt-out, which stops marketing templates but not replies), shown above it.
    static func warning(_ detail: ConversationDetail, state: AppState) -> String? {
        if !ReplyWindow(conversation: detail.conversation, now: state.now).allowsFreeText {
            return "24-hour window closed: send an approved template, or wait for the patient to write"
        }
        if detail.patient?.optedOut == true { return "The patient opted out of marketing: replies still go" }
        return nil
    }

    private static func drawLocked(_ lock: ComposerLock, state: AppState, rect: Rect, theme: Theme,
                                   keymap: Keymap, grid: inout CellGrid) {
        var notice: [String]
        let style: Style
        switch lock {
        case .noConversation, .loading:
            notice = [state.describe(lock)]
            style = theme.dim
        case .takenBy(let agent):
            notice = ["Taken by \(state.agentName(agent)) · read-only",
                      "Only \(state.agentName(agent)) or an admin can transfer it to you"]
            style = theme.composerLocked
        case .closed:
            notice = ["Closed · read-only. The patient's next message opens a new conversation"]
            style = theme.composerLocked
        }
        if style == theme.composerLocked { grid.fill(rect, style: style) }
        // Each sentence wraps rather than lose its end; what does not fit the rows ends with "…".
        let lines = wrapped(notice.joined(separator: "\n"), width: rect.width - 2, maxLines: rect.height)
        for (row, line) in lines.enumerated() {
            grid.write(line, x: rect.x + 1, y: rect.y + row, maxWidth: rect.width - 2, style: style)
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

    /// Breaks a buffer into rows of at most `width` columns at grapheme boundaries and hard newlines, in typing
    /// order: one-line fields (``Overlays/drawField``) use it with a huge width to find the cursor's column.
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
