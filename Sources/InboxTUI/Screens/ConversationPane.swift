import InboxModel

/// The open conversation: the hand-off banner on top, then messages anchored to the bottom like any chat.
///
/// Lines are produced from the newest message backwards and only until the screen (plus one page, so the
/// reducer can clamp the next PageUp) is full: a long history costs nothing until it is scrolled to.
enum ConversationPane {
    /// The pane title's parts: the patient, then where the conversation stands.
    static func title(_ state: AppState) -> [String] {
        guard let open = state.conversation else { return ["Conversation"] }
        guard let detail = open.detail else { return ["Loading…"] }
        // Who else has it open comes right after where it stands: the collision warning must not be cut off.
        let parts = statusTitle(state, detail) + (state.presenceLine(for: detail.conversation.id).map { [$0] } ?? [])
        guard let issue = state.channelIssue(forNumber: detail.conversation.clinicNumber)?.shortProblem else { return parts }
        return parts + ["⚠ " + issue]
    }

    private static func statusTitle(_ state: AppState, _ detail: ConversationDetail) -> [String] {
        let conversation = detail.conversation
        let name = detail.patientLabel
        switch conversation.status {
        case .waiting:
            let since = conversation.waitingSince ?? conversation.lastMessageAt
            return [name, "waiting \(Formatting.age(state.now - since))"]
        case .assigned:
            guard let holder = conversation.assignedAgentId, holder != state.me.id else { return [name, "yours"] }
            return [name, "Taken by \(state.agentName(holder))"]
        case .bot: return [name, "with the AI"]
        case .closed: return [name, "closed"]
        }
    }

    static func draw(_ state: AppState, layout: ScreenLayout, theme: Theme, keymap: Keymap,
                     grid: inout CellGrid) -> ViewMeasure {
        let rect = layout.conversation
        guard let open = state.conversation else {
            let hint = "Select a conversation and press \(keymap.shortLabel(.open))"
            grid.writeCentered(hint, x: rect.x, y: rect.y + rect.height / 2, width: rect.width, style: theme.dim)
            return ViewMeasure()
        }
        guard let detail = open.detail else {
            grid.writeCentered("Loading…", x: rect.x, y: rect.y + rect.height / 2, width: rect.width, style: theme.dim)
            return ViewMeasure()
        }

        let banner = channelLines(state, detail, width: rect.width, theme: theme)
            + HandoffBanner.lines(detail, width: rect.width, maxTextLines: rect.height >= 16 ? 2 : 1,
                                  reorder: state.settings.bidi, theme: theme)
        for (index, line) in banner.prefix(max(0, rect.height - 1)).enumerated() {
            grid.draw(line, x: rect.x, y: rect.y + index, width: rect.width)
        }
        let viewportTop = rect.y + min(banner.count, max(0, rect.height - 1))
        let height = rect.maxY - viewportTop
        guard height > 0 else { return ViewMeasure() }

        let timeline = Timeline(detail, earlier: open.history)
        let keys = Timeline.Keys(retry: keymap.shortLabel(.retry), openAttachment: keymap.shortLabel(.openAttachment))
        let textWidth = rect.width - 2  // a column of air on both sides
        var target: Int64?
        var requested = 0
        switch open.scroll {
        case .latest: break
        case .linesFromBottom(let lines): requested = lines
        case .message(let id): target = id
        }

        // Bottom-up: lines[0] is the bottom row.
        var lines: [StyledLine] = []
        var targetBottom: Int?  // lines below the target's block
        var targetHeight = 0
        var index = timeline.count - 1
        while index >= 0 {
            let enough = lines.count >= requested + 2 * height
            if enough && (target == nil || targetBottom != nil) { break }
            let block = timeline.lines(index, state: state, theme: theme, keys: keys, width: textWidth)
            if let target, targetBottom == nil, case .message(let message) = timeline.item(index), message.id == target {
                targetBottom = lines.count
                targetHeight = block.count
            }
            lines.append(contentsOf: block.reversed())
            index -= 1
        }
        let reachedTop = index < 0
        let maxScroll = max(0, lines.count - height)
        var scroll = min(requested, maxScroll)
        if let targetBottom {
            // Put the jumped-to message's first line at the top of the view (or as high as it can go).
            scroll = min(maxScroll, max(0, targetBottom + targetHeight - height))
        }
        for row in 0..<height {
            let lineIndex = scroll + row
            guard lineIndex < lines.count else { break }
            grid.draw(lines[lineIndex], x: rect.x + 1, y: rect.maxY - 1 - row, width: textWidth)
        }
        if reachedTop, lines.count - scroll < height, timeline.count == 0 {
            grid.writeCentered("No messages yet", x: rect.x, y: viewportTop + height / 2, width: rect.width,
                               style: theme.dim)
        }
        if scroll > 0 {
            let label = " ↓ \(scroll) newer line\(scroll == 1 ? "" : "s") "
            grid.write(label, x: rect.x + 1, y: layout.composerBorderY, maxWidth: rect.width - 2, style: theme.hint)
        }
        return ViewMeasure(conversationScroll: scroll, conversationMaxScroll: maxScroll, conversationPage: height)
    }

    /// "⚠ WhatsApp channel degraded: retrying · 1 reply waits" above the messages while the conversation's
    /// number is unhealthy: says why the replies below still show "…".
    static func channelLines(_ state: AppState, _ detail: ConversationDetail, width: Int, theme: Theme) -> [StyledLine] {
        guard let problem = state.channelIssue(forNumber: detail.conversation.clinicNumber)?.problem else { return [] }
        let waiting = detail.messages.filter { $0.direction == .outbound && $0.status == .pending }.count
            + detail.outbox.filter { entry in
                switch entry.command {
                case .reply, .sendTemplate, .sendMedia: entry.state != .failed
                default: false
                }
            }.count
        var text = " ⚠ " + problem
        if waiting > 0 { text += " · \(waiting) repl\(waiting == 1 ? "y waits" : "ies wait")" }
        return [StyledLine([Span(text, theme.statusWarn.over(theme.banner))], background: theme.banner)]
    }
}
