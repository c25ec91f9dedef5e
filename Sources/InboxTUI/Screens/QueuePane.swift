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
        }
    }

    /// " 5/10000 " in the bottom border: where the selection is in a list too long to see.
    static func positionLabel(_ state: AppState) -> String {
        let count = state.queue.rows.count
        guard count > 0 else { return "" }
        return " \(state.queue.selection + 1)/\(count) "
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
        for index in first..<last {
            let y = rect.y + (index - first) * ScreenLayout.queueRowHeight
            drawRow(queue.rows[index], selected: index == queue.selection, focused: state.focus == .queue,
                    isOpen: state.conversation?.id == queue.rows[index].id, tab: queue.tab, state: state,
                    x: rect.x, y: y, width: rect.width - 1, theme: theme, grid: &grid)
        }
    }

    static func emptyMessage(_ tab: QueueTab) -> String {
        switch tab {
        case .waiting: "Nobody is waiting. Conversations the AI hands off appear here."
        case .mine: "Nothing is assigned to you."
        case .bot: "The AI is not talking to anyone right now."
        case .closed: "No closed conversations."
        case .team: "No colleague holds a conversation."
        }
    }

    private static func drawRow(_ row: QueueRow, selected: Bool, focused: Bool, isOpen: Bool, tab: QueueTab,
                                state: AppState, x: Int, y: Int, width: Int, theme: Theme, grid: inout CellGrid) {
        let base = selected ? (focused ? theme.rowSelected : theme.rowSelected.over(theme.dim)) : theme.rowNormal
        let conversation = row.conversation
        let marker = selected ? ">" : (isOpen ? "·" : " ")
        let mark = handoffMark(conversation.handoffReason)
        let (timer, timerStyle) = waitTimer(row, tab: tab, state: state, theme: theme)
        let name = Span(row.patientLabel, selected ? base : theme.rowNormal.over(base))
        // In the Team tab, who holds each conversation is the point of the list.
        let holder = tab == .team ? conversation.assignedAgentId.map { Span(" · " + state.agentName($0), theme.dim.over(base)) } : nil
        grid.draw(StyledLine([Span(marker, base), Span(mark, theme.statusWarn.over(base)), Span(" ", base), name]
                             + (holder.map { [$0] } ?? []),
                             trailing: Span(timer, timerStyle.over(base)), background: base),
                  x: x, y: y, width: width)

        let badge = row.unread > 0 ? " \(row.unread > 99 ? "99+" : String(row.unread)) " : nil
        let preview = conversation.lastMessagePreview.isEmpty ? "(no messages)" : conversation.lastMessagePreview
        // The preview line keeps its normal background: a selection move then repaints two lines, not four.
        let previewBase = theme.rowNormal
        grid.draw(StyledLine([Span("   ", previewBase), Span(preview, theme.dim.over(previewBase))],
                             trailing: badge.map { Span($0, theme.unreadBadge) }, background: previewBase),
                  x: x, y: y + 1, width: width)
    }

    /// One character saying why the AI handed off, so the queue can be triaged at a glance (legend in help).
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
