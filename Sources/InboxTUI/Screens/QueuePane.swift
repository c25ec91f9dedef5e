import InboxModel

/// The queue: two lines per conversation, only the rows in view are touched.
///
///     >! Ana Silva           4m      mark, name, waiting timer (coloured by age)
///        Can I move my app…   2      last message preview, unread count
enum QueuePane {
    static func title(_ state: AppState) -> String {
        switch state.queue.tab {
        case .waiting: "Waiting"
        case .mine: "Mine"
        case .bot: "With the AI"
        case .closed: "Closed"
        case .team: "Held by colleagues"
        case .snoozed: "Snoozed"
        }
    }

    /// " 5/10000 " in the bottom border: where the selection is in a list too long to see.
    static func positionLabel(_ state: AppState) -> String {
        let count = state.queue.rows.count
        guard count > 0 else { return "" }
        // The first frame holds only a screenful of rows; the tab's count is the length of the list then. (Closed
        // lists only the recent 1,000.)
        let total = state.queue.isComplete ? count : max(count, min(state.queue.counts[state.queue.tab], state.queue.tab == .closed ? 1_000 : .max))
        return " \(state.queue.selection + 1)/\(total) "
    }

    static func draw(_ state: AppState, layout: ScreenLayout, theme: Theme, grid: inout CellGrid) {
        let rect = layout.queue
        let queue = state.queue
        guard !queue.rows.isEmpty else {
            let message = queue.isLoading ? "Loading…" : emptyMessage(queue.tab)
            for (index, line) in TextLayout.wrap(message, width: rect.width - 2).prefix(rect.height).enumerated() {
                grid.writeCentered(line, x: rect.x, y: rect.y + 1 + index, width: rect.width, style: theme.dim)
            }
            return
        }
        let visible = max(1, rect.height / ScreenLayout.queueRowHeight)
        let first = min(queue.scroll, max(0, queue.rows.count - 1))
        let last = min(queue.rows.count, first + visible)
        var marks = Set<String>()
        for index in first..<last {
            let y = rect.y + (index - first) * ScreenLayout.queueRowHeight
            let mark = drawRow(queue.rows[index], selected: index == queue.selection, focused: state.focus == .queue,
                               isOpen: state.conversation?.id == queue.rows[index].id, tab: queue.tab, state: state,
                               x: rect.x, y: y, width: rect.width - 1, theme: theme, grid: &grid)
            marks.insert(mark)
            if let watched = state.presenceMark(for: queue.rows[index].id) { marks.insert(String(watched)) }
        }
        if queue.rows[first..<last].contains(where: { $0.unread > 0 }) { marks.insert("unread") }
        drawLegend(legend(marks), freeTop: rect.y + (last - first) * ScreenLayout.queueRowHeight, rect: rect,
                   layout: layout, state: state, theme: theme, grid: &grid)
    }

    static func emptyMessage(_ tab: QueueTab) -> String {
        switch tab {
        case .waiting: "Nobody is waiting. Conversations the AI hands off appear here."
        case .mine: "Nothing is assigned to you."
        case .bot: "The AI is not talking to anyone right now."
        case .closed: "No closed conversations."
        case .team: "No colleague holds a conversation."
        case .snoozed: "Nothing is snoozed. z on a conversation snoozes it."
        }
    }

    /// Draws one row's two lines; returns its hand-off mark (for the legend).
    private static func drawRow(_ row: QueueRow, selected: Bool, focused: Bool, isOpen: Bool, tab: QueueTab,
                                state: AppState, x: Int, y: Int, width: Int, theme: Theme,
                                grid: inout CellGrid) -> String {
        let base = selected ? (focused ? theme.rowSelected : theme.rowSelected.over(theme.dim)) : theme.rowNormal
        let conversation = row.conversation
        let marker = selected ? ">" : (isOpen ? "·" : " ")
        let mark = handoffMark(conversation.handoffReason)
        let (timer, timerStyle) = waitTimer(row, tab: tab, state: state, theme: theme)
        let name = Span(row.patientLabel, selected ? base : theme.rowNormal.over(base))
        // In the Team tab, who holds each conversation is the point of the list.
        let holder = tab == .team ? conversation.assignedAgentId.map { Span(" · " + state.agentName($0), theme.dim.over(base)) } : nil
        // A colleague has it open (◉) or is typing in it (✎): a collision about to happen. The mark takes the
        // space before the name, so a narrow queue never cuts it off; who it is follows the name when there is room.
        let watching = state.presenceMark(for: conversation.id)
        let viewer = state.presence?.viewers(of: conversation.id, excluding: state.me.id).first
        // In the Team tab the holder is already named: when it is the holder who has it open, the mark says so.
        let namesViewer = viewer.map { holder == nil || $0.agentId != conversation.assignedAgentId } ?? false
        let watcher = namesViewer ? viewer.map { Span(" " + state.agentName($0.agentId), theme.statusWarn.over(base)) } : nil
        grid.draw(StyledLine([Span(marker, base), Span(mark, theme.statusWarn.over(base)),
                              Span(watching.map(String.init) ?? " ", theme.statusWarn.over(base)), name]
                             + (holder.map { [$0] } ?? []) + (watcher.map { [$0] } ?? []),
                             trailing: Span(timer, timerStyle.over(base)), background: base),
                  x: x, y: y, width: width)

        let badge = row.unread > 0 ? " \(row.unread > 99 ? "99+" : String(row.unread)) " : nil
        let preview = preview(conversation)
        // The preview line keeps its normal background: a selection move then repaints two lines, not four.
        let previewBase = theme.rowNormal
        grid.draw(StyledLine([Span("   ", previewBase), Span(preview, theme.dim.over(previewBase))],
                             trailing: badge.map { Span($0, theme.unreadBadge) }, background: previewBase),
                  x: x, y: y + 1, width: width)
        return mark
    }

    /// What the row's second line says: the patient's own words when they wrote last; otherwise, for a hand-off,
    /// its reason (the AI's stock "Connecting you…" tells the desk nothing); otherwise our side's last message,
    /// marked "→" so it is not taken for the patient's.
    static func preview(_ conversation: Conversation) -> String {
        let patientWroteLast = conversation.lastInboundAt.map { $0 >= conversation.lastMessageAt } ?? false
        let text = conversation.lastMessagePreview
        if patientWroteLast && !text.isEmpty { return text }
        if conversation.status == .waiting, let reason = conversation.handoffReason, !reason.isEmpty {
            return "Reason: " + reason
        }
        return text.isEmpty ? "(no messages)" : "→ " + text
    }

    /// What the marks in view mean ("! urgent  @ wants staff  3 unread"), so the queue explains itself without
    /// opening help. `marks` holds the hand-off marks shown, and "unread" when a count is.
    static func legend(_ marks: Set<String>) -> [String] {
        let words: [(String, String)] = [("!", "! urgent"), ("@", "@ wants staff"), ("?", "? AI unsure"),
                                         ("*", "* other reason"), ("unread", "3 = unread"),
                                         ("◉", "◉ colleague viewing"), ("✎", "✎ colleague typing")]
        return words.filter { marks.contains($0.0) }.map(\.1)
    }

    /// The legend under the last row when the pane has free lines (word-wrapped), else in its bottom border.
    private static func drawLegend(_ parts: [String], freeTop: Int, rect: Rect, layout: ScreenLayout,
                                   state: AppState, theme: Theme, grid: inout CellGrid) {
        guard !parts.isEmpty else { return }
        // Packed part by part, so that a mark and its meaning never end up on different lines.
        var lines: [String] = []
        for part in parts {
            if let last = lines.last, TextLayout.width(last) + 2 + TextLayout.width(part) <= rect.width - 2 {
                lines[lines.count - 1] = last + "  " + part
            } else {
                lines.append(part)
            }
        }
        let free = rect.maxY - freeTop
        if free >= lines.count + 1 || (free >= lines.count && freeTop > rect.y) {
            for (index, line) in lines.enumerated() {
                grid.write(line, x: rect.x + 1, y: rect.maxY - lines.count + index, maxWidth: rect.width - 2,
                           style: theme.dim)
            }
            return
        }
        let room = rect.width - positionLabel(state).count - 3
        guard room >= 8 else { return }
        grid.write(" " + parts.joined(separator: " ") + " ", x: rect.x + 1, y: layout.bottomBorderY, maxWidth: room,
                   style: theme.dim)
    }

    /// One character saying why the AI handed off, so the queue can be triaged at a glance (legend in the border).
    static func handoffMark(_ reason: String?) -> String {
        guard let reason = reason?.lowercased(), !reason.isEmpty else { return " " }
        let urgent = ["urgent", "emergenc", "pain", "bleed", "complain", "angry"]
        let asked = ["human", "person", "agent", "staff", "receptionist", "asked", "request"]
        if urgent.contains(where: { reason.contains($0) }) { return "!" }
        if asked.contains(where: { reason.contains($0) }) { return "@" }
        let unsure = ["unsure", "confiden", "unknown", "fallback", "not sure", "cannot", "can't"]
        if unsure.contains(where: { reason.contains($0) }) {
            return "?"
        }
        return "*"
    }

    /// How long the patient has waited for a person, coloured by the configured thresholds; dim where nobody
    /// owes a reply (the bot is talking, or it is closed).
    static func waitTimer(_ row: QueueRow, tab: QueueTab, state: AppState, theme: Theme) -> (String, Style) {
        let conversation = row.conversation
        let settings = state.settings
        func coloured(since: Millis) -> (String, Style) {
            let age = state.now - since
            let style = age >= settings.timerLateAfter ? theme.timerLate
                : (age >= settings.timerWarnAfter ? theme.timerWarn : theme.timerFresh)
            return (Formatting.age(age), style)
        }
        switch conversation.status {
        case .waiting:
            return coloured(since: conversation.waitingSince ?? conversation.lastMessageAt)
        case .assigned:
            // The patient spoke last: they are waiting for the agent's answer.
            if let inbound = conversation.lastInboundAt, inbound >= conversation.lastMessageAt {
                return coloured(since: inbound)
            }
            return (Formatting.age(state.now - conversation.lastMessageAt), theme.dim)
        case .bot, .closed:
            return (Formatting.age(state.now - conversation.lastMessageAt), theme.dim)
        }
    }
}
