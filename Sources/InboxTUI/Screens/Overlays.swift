import InboxModel

/// Boxes drawn over the panes: help, the transfer picker, search, and the quit confirmation.
enum Overlays {
    /// Draws the overlay; returns where the cursor belongs when it has a text field.
    static func draw(_ overlay: Overlay, state: AppState, theme: Theme, keymap: Keymap,
                     grid: inout CellGrid) -> CursorPosition? {
        switch overlay {
        case .help: drawHelp(theme: theme, keymap: keymap, grid: &grid); return nil
        case .transfer(let picker): drawTransfer(picker, theme: theme, grid: &grid); return nil
        case .search(let search): return drawSearch(search, state: state, theme: theme, grid: &grid)
        case .templates(let picker): return TemplateOverlay.draw(picker, theme: theme, grid: &grid)
        case .attachments(let picker): drawAttachments(picker, state: state, theme: theme, grid: &grid); return nil
        case .attach(let prompt): return drawAttachPrompt(prompt, theme: theme, grid: &grid)
        case .confirmQuit: drawConfirmQuit(state, theme: theme, grid: &grid); return nil
        case .confirm(let confirmation): drawConfirm(confirmation, theme: theme, grid: &grid); return nil
        case .note(let editor): return PaletteOverlays.drawNote(editor, theme: theme, grid: &grid)
        case .canned(let picker): return PaletteOverlays.drawCanned(picker, state: state, theme: theme, grid: &grid)
        case .palette(let palette): return PaletteOverlays.drawPalette(palette, theme: theme, grid: &grid)
        case .snooze(let picker): return DeskOverlays.drawSnooze(picker, state: state, theme: theme, grid: &grid)
        case .profile(let editor): return DeskOverlays.drawProfile(editor, theme: theme, grid: &grid)
        case .tagFilter(let prompt): return DeskOverlays.drawTagFilter(prompt, theme: theme, grid: &grid)
        }
    }

    /// Clears a box centred over the panes and draws its border; returns the interior. It stays clear of the
    /// tab bar and the two bottom lines, so an overlay never hides the counts, the status or its hints.
    static func openBox(width: Int, height: Int, top: Int? = nil, title: String, theme: Theme,
                        grid: inout CellGrid) -> Rect {
        let w = min(width, grid.width - 4)
        let h = min(height, grid.height - 3)
        let y = min(max(1, top ?? (grid.height - 2 - h) / 2), grid.height - 2 - h)
        let rect = Rect(x: (grid.width - w) / 2, y: y, width: w, height: h)
        grid.fill(rect, style: theme.overlay)
        grid.box(rect, title: title, style: theme.border.over(theme.overlay), titleStyle: theme.title.over(theme.overlay))
        return rect.inset(dx: 1, dy: 1)
    }

    // MARK: Help

    /// Related commands share a line so the whole list fits 80×24.
    static let conversationCommandLines: [(commands: [KeyCommand], summary: String)] = [
        ([.takeOver], KeyCommand.takeOver.summary), ([.reply, .note], "reply / note"),
        ([.editor, .profile], "$EDITOR / profile"), ([.handBack, .close, .reopen], "back/close/reopen"),
        ([.transfer, .snooze], "transfer / snooze"), ([.template], KeyCommand.template.summary),
        ([.attach, .openAttachment], "attach / save file"), ([.retry, .discard], "retry / discard"),
    ]
    static let composerKeys: [(String, String)] = [
        ("Enter", "send"), ("Alt-Enter", "new line"), ("Ctrl-A/E", "line start/end"),
        ("Ctrl-K/U/W", "cut end/start/word"), ("/ when empty", "canned reply"), ("Ctrl-Y", "paste the cut"),
        ("paste", "text, never sent"), ("Esc", "leave composer"),
    ]

    /// Two columns that fit an 80×24 terminal: related keys share a line.
    static func helpColumns(keymap: Keymap) -> (left: [(String, String)], right: [(String, String)]) {
        func keys(_ commands: KeyCommand...) -> String { commands.map(keymap.label).joined(separator: " ") }
        let tabs = [KeyCommand.tabWaiting, .tabMine, .tabBot, .tabClosed, .tabTeam, .tabSnoozed].map(keymap.shortLabel)
            .joined(separator: " ")
        var left: [(String, String)] = [("# Moving around", "")]
        left.append((keys(.moveDown, .moveUp), "down / up"))
        left.append((keys(.pageUp, .pageDown), "page up / down"))
        left.append((keys(.top, .bottom), "first / last"))
        left.append((keys(.open), "open / reply"))
        left.append((keys(.nextPane, .previousPane), "next/previous pane"))
        left.append(("Esc", "back to the queue"))
        left.append((tabs, "queue tabs"))
        left.append((keys(.nextWaiting), KeyCommand.nextWaiting.summary))
        left.append((keys(.search, .toggleSidebar, .tagFilter), "search/sidebar/tag"))
        left.append(("# Conversation", ""))
        for line in conversationCommandLines {
            left.append((line.commands.map(keymap.label).joined(separator: " "), line.summary))
        }
        var right: [(String, String)] = [("# Composer", "")]
        right += composerKeys
        right.append(("# General", ""))
        right.append((keymap.label(.help), KeyCommand.help.summary))
        right.append((keymap.label(.quit) + " Ctrl-C", KeyCommand.quit.summary))
        right.append(("# Queue marks", ""))
        right.append(("! urgent", "@ wants a person"))
        right.append(("? AI unsure", "* other reason"))
        right.append(("# Delivery", ""))
        right.append(("✓ sent", "✓✓ delivered"))
        right.append(("✓✓ (colour)", "read"))
        right.append(("✗ failed", "… sending"))
        return (left, right)
    }

    static func drawHelp(theme: Theme, keymap: Keymap, grid: inout CellGrid) {
        let (left, right) = helpColumns(keymap: keymap)
        let inner = openBox(width: 100, height: max(left.count, right.count) + 2, title: "Keys (any key closes) · \(keymap.label(.palette)) runs any command by name",
                            theme: theme, grid: &grid)
        let columnWidth = (inner.width - 1) / 2
        for (column, entries) in [left, right].enumerated() {
            let x = inner.x + column * (columnWidth + 1) + 1
            for (row, entry) in entries.prefix(inner.height).enumerated() {
                let y = inner.y + row
                if entry.0.hasPrefix("# ") {
                    grid.write(String(entry.0.dropFirst(2)), x: x, y: y, maxWidth: columnWidth - 1,
                               style: theme.title.over(theme.overlay))
                    continue
                }
                let keyWidth = min(15, columnWidth / 2)
                grid.draw(StyledLine([Span(TextLayout.pad(entry.0, width: keyWidth), theme.hint.over(theme.overlay)),
                                      Span(" " + entry.1, theme.overlay)]),
                          x: x + 1, y: y, width: columnWidth - 2)
            }
        }
    }

    // MARK: Transfer

    static func drawTransfer(_ picker: TransferPicker, theme: Theme, grid: inout CellGrid) {
        let inner = openBox(width: 50, height: picker.candidates.count + 4, title: "Transfer",
                            theme: theme, grid: &grid)
        grid.write("Give \(picker.patientName) to:", x: inner.x + 1, y: inner.y, maxWidth: inner.width - 2,
                   style: theme.overlay)
        let visible = max(1, inner.height - 2)
        let first = max(0, picker.selection - visible + 1)
        for (row, index) in (first..<min(picker.candidates.count, first + visible)).enumerated() {
            let agent = picker.candidates[index]
            let selected = index == picker.selection
            let style = selected ? theme.rowSelected : theme.overlay
            let role = agent.role == .admin ? " (admin)" : ""
            grid.draw(StyledLine([Span(selected ? "> " : "  ", style), Span(agent.name + role, style)],
                                 background: style),
                      x: inner.x, y: inner.y + 2 + row, width: inner.width)
        }
    }

    // MARK: Attachments

    static func drawAttachments(_ picker: AttachmentPicker, state: AppState, theme: Theme, grid: inout CellGrid) {
        let inner = openBox(width: 80, height: min(picker.messages.count, 12) + 3, title: "Files in this conversation",
                            theme: theme, grid: &grid)
        let visible = max(1, inner.height - 1)
        let first = max(0, picker.selection - visible + 1)
        let offset = state.settings.utcOffsetSeconds
        for (row, index) in (first..<min(picker.messages.count, first + visible)).enumerated() {
            let message = picker.messages[index]
            guard let media = message.media else { continue }
            let selected = index == picker.selection
            let base = selected ? theme.rowSelected : theme.overlay
            let when = Formatting.dayLabel(message.createdAt, now: state.now, offset: offset) + " "
                + Formatting.clock(message.createdAt, offset: offset)
            let (stateText, stateStyle): (String, Style) = switch media.state {
            case .stored: ("", theme.dim)
            case .pending: (" · fetching…", theme.dim)
            case .refused, .failed: (" · not kept: " + (media.error ?? "unknown reason"), theme.deliveryFailed)
            case nil: ("", theme.dim)
            }
            let from = message.direction == .inbound ? "patient" : "sent"
            grid.draw(StyledLine([Span(selected ? "> " : "  ", base), Span(Timeline.mediaLabel(media), base),
                                  Span(" · \(from) · \(when)", theme.dim.over(base)), Span(stateText, stateStyle.over(base))],
                                 background: base),
                      x: inner.x, y: inner.y + row, width: inner.width)
        }
        grid.write("Enter saves the file to your downloads folder and opens it", x: inner.x + 1,
                   y: inner.y + inner.height - 1, maxWidth: inner.width - 2, style: theme.dim.over(theme.overlay))
    }

    static func drawAttachPrompt(_ prompt: AttachPrompt, theme: Theme, grid: inout CellGrid) -> CursorPosition {
        let inner = openBox(width: 80, height: 6, title: "Attach a file", theme: theme, grid: &grid)
        grid.write("Send a file from this machine to \(prompt.patientName):", x: inner.x + 1, y: inner.y,
                   maxWidth: inner.width - 2, style: theme.overlay)
        grid.write("images, PDF, Office documents, audio, video · up to \(ByteCount.text(ProtocolLimits.maxAttachmentBytes))",
                   x: inner.x + 1, y: inner.y + 1, maxWidth: inner.width - 2, style: theme.dim.over(theme.overlay))
        return drawField(prompt.path, label: "Path: ", x: inner.x + 1, y: inner.y + 3, width: inner.width - 2,
                         theme: theme, grid: &grid)
    }

    // MARK: Search

    static func drawSearch(_ search: SearchOverlay, state: AppState, theme: Theme,
                           grid: inout CellGrid) -> CursorPosition? {
        let listHeight = max(3, min(search.hits.count, grid.height - 10))
        let inner = openBox(width: 100, height: listHeight + 5, top: 2, title: "Search patients and messages",
                            theme: theme, grid: &grid)
        let cursor = drawField(search.query, label: "Search: ", x: inner.x + 1, y: inner.y, width: inner.width - 2,
                               theme: theme, grid: &grid)

        let status: String
        if !search.hasSearchableQuery {
            status = "Type at least \(SearchOverlay.minimumQueryLength) characters"
        } else if search.isSearching {
            status = "Searching…"
        } else if search.hits.isEmpty {
            status = "No patient or message matches (names, phone digits, record ids and message text are searched)"
        } else {
            let patients = Set(search.hits.map { $0.patientId != 0 ? $0.patientId : -$0.conversationId }).count
            status = "\(search.hits.count) match\(search.hits.count == 1 ? "" : "es") for \(patients) patient\(patients == 1 ? "" : "s")"
                + " · Enter opens the conversation"
        }
        grid.write(status, x: inner.x + 1, y: inner.y + 1, maxWidth: inner.width - 2, style: theme.dim.over(theme.overlay))
        grid.horizontalLine(x: inner.x, y: inner.y + 2, width: inner.width, style: theme.border.over(theme.overlay))

        let visible = max(1, inner.height - 3)
        let first = max(0, search.selection - visible + 1)
        let offset = state.settings.utcOffsetSeconds
        for (row, index) in (first..<min(search.hits.count, first + visible)).enumerated() {
            let hit = search.hits[index]
            let selected = index == search.selection
            let base = selected ? theme.rowSelected : theme.overlay
            let when = Formatting.dayLabel(hit.createdAt, now: state.now, offset: offset) + " "
                + Formatting.clock(hit.createdAt, offset: offset)
            // Grouped by patient: the name heads the group's first row; the rest of the group is indented under it.
            let startsGroup = index == 0 || !sameGroup(search.hits[index - 1], hit) || row == 0
            let label = hit.patientName.isEmpty ? "#\(hit.conversationId)" : hit.patientName
            let name = startsGroup ? TextLayout.truncate(label, width: 20) : "  ↳"
            let nameColumn = name + String(repeating: " ", count: max(0, 20 - TextLayout.width(name)))
            let detail: [Span] = hit.isPatient
                ? [Span(" · patient · ", theme.dim.over(base)), Span(hit.snippet.replacingNewlinesWithSpaces(), base),
                   Span(" · last " + when, theme.dim.over(base))]
                : [Span(" · " + when + " · ", theme.dim.over(base)),
                   Span(hit.snippet.replacingNewlinesWithSpaces(), theme.searchHit.over(base))]
            grid.draw(StyledLine([Span(selected ? "> " : "  ", base), Span(nameColumn, theme.authorPatient.over(base))]
                                     + detail, background: base),
                      x: inner.x, y: inner.y + 3 + row, width: inner.width)
        }
        return cursor
    }

    private static func sameGroup(_ a: SearchHit, _ b: SearchHit) -> Bool {
        a.patientId != 0 ? a.patientId == b.patientId : b.patientId == 0 && a.conversationId == b.conversationId
    }

    /// A one-line text field after a label, drawn over the overlay background with a block cursor; long text
    /// scrolls left so the cursor stays in view. Returns the cursor's position.
    static func drawField(_ buffer: ComposerBuffer, label: String, x: Int, y: Int, width: Int, theme: Theme,
                          grid: inout CellGrid) -> CursorPosition {
        let fieldWidth = max(1, width - TextLayout.width(label))
        let wrapped = ComposerPane.wrap(buffer, width: 10_000)
        let text = wrapped.rows.first ?? ""
        let start = max(0, wrapped.cursorColumn - fieldWidth + 1)
        let visible = start == 0 ? text : String(dropColumns(text, start))
        let labelWidth = grid.write(label, x: x, y: y, maxWidth: width, style: theme.title.over(theme.overlay))
        // Typed text is shown in typing order: reordering it would move the cursor away from the caret.
        let saved = grid.reorderBidi
        grid.reorderBidi = false
        grid.write(visible, x: x + labelWidth, y: y, maxWidth: fieldWidth, style: theme.overlay)
        grid.reorderBidi = saved
        let cursor = CursorPosition(x: min(x + width - 1, x + labelWidth + wrapped.cursorColumn - start), y: y)
        var cell = grid[x: cursor.x, y: cursor.y]
        cell.style = Style(foreground: theme.overlay.foreground, background: theme.overlay.background,
                           attributes: theme.overlay.attributes.union(.reverse))
        if cell.isContinuation { cell.text = " " }
        grid[x: cursor.x, y: cursor.y] = cell
        return cursor
    }

    /// `text` without its first `columns` display columns.
    private static func dropColumns(_ text: String, _ columns: Int) -> Substring {
        var used = 0
        var index = text.startIndex
        while index < text.endIndex, used < columns {
            used += TextLayout.width(String(text[index]))
            index = text.index(after: index)
        }
        return text[index...]
    }

    // MARK: Quit

    static func drawConfirmQuit(_ state: AppState, theme: Theme, grid: inout CellGrid) {
        let warning = state.quitWarning ?? QuitWarning(headline: "Quit?", detail: "", dropsDraft: false)
        drawQuestion(title: "Quit?", lines: [warning.headline, warning.detail], emphasis: warning.dropsDraft,
                     answers: "y quit    n stay", theme: theme, grid: &grid)
    }

    // MARK: Confirmation

    static func drawConfirm(_ confirmation: Confirmation, theme: Theme, grid: inout CellGrid) {
        var lines = [confirmation.question]
        if let holder = confirmation.heldBy { lines.append("\(holder) holds it; they will see that you did this.") }
        switch confirmation.kind {
        case .close: lines.append("The patient's next message opens a new conversation; O reopens this one.")
        case .handBack: lines.append("The AI answers the patient again.")
        }
        drawQuestion(title: "Confirm", lines: lines, emphasis: false, answers: "y yes    n no (Esc, Enter)",
                     theme: theme, grid: &grid)
    }

    /// A small y/N box: wrapped lines (the first one plain, the rest dim unless `emphasis`), then the answers.
    private static func drawQuestion(title: String, lines: [String], emphasis: Bool, answers: String, theme: Theme,
                                     grid: inout CellGrid) {
        let width = min(64, grid.width - 4)
        let wrapped = lines.enumerated().flatMap { index, line in
            TextLayout.wrap(line, width: max(1, width - 4)).map { (index, $0) }
        }
        let inner = openBox(width: width, height: wrapped.count + 4, title: title, theme: theme, grid: &grid)
        for (row, (index, text)) in wrapped.prefix(max(0, inner.height - 2)).enumerated() {
            let style = index == 0 ? theme.overlay : (emphasis ? theme.statusError.over(theme.overlay) : theme.dim.over(theme.overlay))
            grid.write(text, x: inner.x + 1, y: inner.y + row, maxWidth: inner.width - 2, style: style)
        }
        grid.write(answers, x: inner.x + 1, y: inner.y + inner.height - 1, maxWidth: inner.width - 2,
                   style: theme.title.over(theme.overlay))
    }
}
