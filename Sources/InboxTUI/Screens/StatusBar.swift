import InboxModel

/// The two bottom lines: who is signed in and whether sync works, then the keys that do something right now.
enum StatusBar {
    static func drawStatusLine(_ state: AppState, rect: Rect, theme: Theme, grid: inout CellGrid) {
        grid.fill(rect, style: theme.statusBar)
        let offset = state.settings.utcOffsetSeconds
        var spans = [Span(" " + state.me.name, theme.statusBar), Span(" · ", theme.statusBar)]
        var syncError: String?
        switch state.connection {
        case .connecting:
            spans.append(Span("connecting…", theme.statusWarn.over(theme.statusBar)))
        case .online:
            spans.append(Span("online", theme.statusOnline.over(theme.statusBar)))
        case .reconnecting(let retryAt, let lastError):
            let seconds = max(0, (retryAt - state.now + 999) / 1000)
            spans.append(Span("reconnecting in \(seconds) s", theme.statusWarn.over(theme.statusBar)))
            syncError = lastError
        case .offline(let since, let lastError):
            spans.append(Span("offline since \(Formatting.clock(since, offset: offset))",
                              theme.statusError.over(theme.statusBar)))
            syncError = lastError
        }
        // Who else is at the desk: the roster while online (offline, our view of it is stale).
        if state.connection == .online, let roster = rosterText(state) {
            spans.append(Span(" · ", theme.statusBar))
            spans.append(Span(roster, theme.statusBar))
        }
        // A new terminal in a big clinic: say why the queue is still filling, and for how long.
        if let progress = state.catchUp {
            spans.append(Span(" · ", theme.statusBar))
            spans.append(Span(progress.summary, theme.statusWarn.over(theme.statusBar)))
        }
        // A WhatsApp outage comes before the outbox: "all sent" only means the server has the replies.
        if let problem = state.channelProblem {
            spans.append(Span(" · ", theme.statusBar))
            spans.append(Span("⚠ " + problem, theme.statusWarn.over(theme.statusBar)))
        }
        spans.append(Span(" · ", theme.statusBar))
        if state.outboxPending == 0 && state.outboxFailed == 0 {
            spans.append(Span("all sent", theme.statusBar))
        } else {
            spans.append(Span("\(state.outboxPending) pending", theme.statusBar))
            if state.outboxFailed > 0 {
                spans.append(Span(", \(state.outboxFailed) failed", theme.statusError.over(theme.statusBar)))
            }
        }
        // Another agent's queued replies on this terminal: say whose, and how to send them.
        for held in state.outboxHeld {
            spans.append(Span(" · ", theme.statusBar))
            spans.append(Span(held.summary(currentServer: nil), theme.statusWarn.over(theme.statusBar)))
        }
        // The newest message wins; a sync error shows whenever nothing more specific does.
        if let status = state.visibleStatus {
            spans.append(Span(" · ", theme.statusBar))
            spans.append(Span(status.isError ? "✗ " + status.text : status.text,
                              status.isError ? theme.statusError.over(theme.statusBar) : theme.statusBar))
        } else if let syncError, !syncError.isEmpty {
            spans.append(Span(" · ", theme.statusBar))
            spans.append(Span("sync: " + syncError, theme.statusError.over(theme.statusBar)))
        }
        let clock = Span(Formatting.clock(state.now, offset: offset) + " ", theme.statusBar)
        grid.draw(StyledLine(spans, trailing: clock), x: rect.x, y: rect.y, width: rect.width)
    }

    /// "Ben ● Sara ◐ Omar ○" for a small desk (● online, ◐ away, ○ offline); counts for a larger one.
    static func rosterText(_ state: AppState) -> String? {
        let roster = state.teamRoster
        guard !roster.isEmpty else { return nil }
        guard roster.count <= 4 else { return state.rosterSummary }
        return roster.map { entry in
            let symbol = switch entry.state {
            case .online: "●"
            case .away: "◐"
            case .offline: "○"
            }
            return "\(entry.agent.name) \(symbol)"
        }.joined(separator: " ")
    }

    static func drawHints(_ state: AppState, rect: Rect, theme: Theme, keymap: Keymap, grid: inout CellGrid) {
        grid.fill(rect, style: theme.hint)
        var all = hints(state, keymap: keymap)
        var limit = rect.maxX - 1
        // Next waiting, help and quit are always reachable, even at 80 columns: they sit at the right end, in
        // this order, and the others give way to them.
        let pinned = [KeyCommand.nextWaiting.summary, KeyCommand.help.summary, KeyCommand.quit.summary]
        for action in pinned.reversed() {
            guard let index = all.firstIndex(where: { $0.action == action }) else { continue }
            let hint = all.remove(at: index)
            let width = TextLayout.width(hint.key + " " + hint.action)
            guard limit - width >= rect.x + 1 else { break }
            limit -= width
            drawHint(hint, x: limit, y: rect.y, theme: theme, grid: &grid)
            limit -= 2
        }
        var column = rect.x + 1
        for hint in all {
            let width = TextLayout.width(hint.key + " " + hint.action)
            guard column + width <= limit else { break }  // whole hints only, never half a key
            drawHint(hint, x: column, y: rect.y, theme: theme, grid: &grid)
            column += width + 2
        }
    }

    private static func drawHint(_ hint: Hint, x: Int, y: Int, theme: Theme, grid: inout CellGrid) {
        let bold = Style(foreground: theme.hint.foreground, background: theme.hint.background,
                         attributes: theme.hint.attributes.union(.bold))
        let keyWidth = grid.write(hint.key, x: x, y: y, maxWidth: TextLayout.width(hint.key), style: bold)
        grid.write(" " + hint.action, x: x + keyWidth, y: y, maxWidth: TextLayout.width(hint.action) + 1,
                   style: theme.hint)
    }

    struct Hint: Equatable {
        var key: String
        var action: String
    }

    /// Only keys that would do something now, most useful first (the bar cuts from the end).
    static func hints(_ state: AppState, keymap: Keymap) -> [Hint] {
        func bound(_ command: KeyCommand, _ action: String? = nil) -> Hint {
            Hint(key: keymap.label(command), action: action ?? command.summary)
        }
        switch state.overlay {
        case .help: return [Hint(key: "any key", action: "close help")]
        case .confirmQuit: return [Hint(key: "y", action: "quit"), Hint(key: "n/Esc", action: "stay")]
        case .confirm(let confirmation):
            return [Hint(key: "y", action: confirmation.kind == .close ? "close it" : "hand it back"),
                    Hint(key: "n/Esc", action: "cancel")]
        case .transfer:
            return [Hint(key: "↑/↓", action: "choose"), Hint(key: "Enter", action: "transfer"),
                    Hint(key: "Esc", action: "cancel")]
        case .search:
            return [Hint(key: "type", action: "search"), Hint(key: "↑/↓", action: "choose"),
                    Hint(key: "Enter", action: "jump"), Hint(key: "Esc", action: "close")]
        case .attachments:
            return [Hint(key: "↑/↓", action: "choose"), Hint(key: "Enter", action: "save & open"),
                    Hint(key: "Esc", action: "cancel")]
        case .attach:
            return [Hint(key: "type", action: "path"), Hint(key: "Enter", action: "upload & send"),
                    Hint(key: "Esc", action: "cancel")]
        case .snooze(let picker):
            return picker.typing ? [Hint(key: "type", action: "2h, 3d, 14:30…"), Hint(key: "Enter", action: "snooze"),
                                    Hint(key: "Esc", action: "cancel")]
                : [Hint(key: "↑/↓", action: "choose"), Hint(key: "Enter", action: "snooze"), Hint(key: "Esc", action: "cancel")]
        case .profile:
            return [Hint(key: "type", action: "edit"), Hint(key: "Tab/↑/↓", action: "field"), Hint(key: "Enter", action: "save"),
                    Hint(key: "Esc", action: "cancel")]
        case .note:
            return [Hint(key: "type", action: "note (agents only)"), Hint(key: "Enter", action: "add note"),
                    Hint(key: "Esc", action: "cancel")]
        case .canned:
            return [Hint(key: "type", action: "filter"), Hint(key: "↑/↓", action: "choose"),
                    Hint(key: "Enter", action: "insert"), Hint(key: "Esc", action: "keep as text")]
        case .palette:
            return [Hint(key: "type", action: "command"), Hint(key: "Tab", action: "complete"),
                    Hint(key: "↑/↓", action: "choose"), Hint(key: "Enter", action: "run"), Hint(key: "Esc", action: "close")]
        case .tagFilter:
            return [Hint(key: "type", action: "tag"), Hint(key: "Enter", action: "filter"), Hint(key: "Esc", action: "cancel")]
        case .templates(let picker):
            switch picker.stage {
            case .choosing: return [Hint(key: "↑/↓", action: "choose"), Hint(key: "Enter", action: "fill in"),
                                    Hint(key: "Esc", action: "cancel")]
            case .filling: return [Hint(key: "type", action: "value"), Hint(key: "Enter", action: "next"),
                                   Hint(key: "Esc", action: "cancel")]
            case .preview: return [Hint(key: "Enter", action: "send"), Hint(key: "Esc", action: "cancel")]
            }
        case nil:
            break
        }
        if state.focus == .composer {
            if let open = state.conversation, open.composer.text.isEmpty, open.detail?.cannedReplies.isEmpty == false {
                return [Hint(key: "Enter", action: "send"), Hint(key: "/", action: "canned reply"),
                        Hint(key: "Esc", action: "leave"), Hint(key: "Alt-Enter", action: "newline")]
            }
            return [Hint(key: "Enter", action: "send"), Hint(key: "Alt-Enter", action: "newline"),
                    Hint(key: "Esc", action: "leave"), Hint(key: "Ctrl-A/E", action: "start/end"),
                    Hint(key: "Ctrl-K/U", action: "kill"), Hint(key: "Ctrl-W", action: "word"),
                    Hint(key: "PgUp/PgDn", action: "scroll")]
        }
        let target = state.commandTarget
        var hints: [Hint] = []
        switch state.focus {
        case .queue:
            if !state.queue.rows.isEmpty {
                hints.append(Hint(key: keymap.label(.moveDown) + " " + keymap.label(.moveUp), action: "move"))
                hints.append(bound(.open))
            }
            let tabKeys = [KeyCommand.tabWaiting, .tabMine, .tabBot, .tabClosed, .tabTeam].map(keymap.shortLabel)
            hints.append(Hint(key: tabKeys == ["1", "2", "3", "4", "5"] ? "1-5" : tabKeys.joined(separator: "/"),
                              action: "tabs"))
        case .conversation:
            if state.conversation != nil {
                hints.append(Hint(key: keymap.label(.pageUp) + "/" + keymap.label(.pageDown), action: "scroll"))
            }
        case .sidebar:
            hints.append(Hint(key: keymap.label(.moveDown) + " " + keymap.label(.moveUp), action: "scroll"))
        case .composer:
            break
        }
        if let conversation = target?.conversation {
            let mine = conversation.assignedAgentId == state.me.id
            let held = conversation.status == .assigned && !mine
            let admin = state.me.role == .admin
            switch conversation.status {
            case .waiting, .bot: hints.append(bound(.takeOver))
            case .assigned: if held && admin { hints.append(bound(.takeOver)) }
            case .closed: hints.append(bound(.reopen, "reopen"))
            }
            if conversation.status != .closed && (!held || admin) {
                hints.append(bound(.reply))
                if conversation.status != .bot { hints.append(bound(.handBack, "hand back")) }
                hints.append(bound(.close))
                hints.append(bound(.transfer))
            }
        }
        if state.focus != .queue, state.conversation?.detail.map(hasFailures) == true { hints.append(bound(.retry, "retry")) }
        if state.focus != .queue, state.conversation?.detail?.outbox.contains(where: { $0.state == .failed }) == true {
            hints.append(bound(.discard, "discard"))
        }
        if state.focus != .queue, state.conversation?.detail?.messages.contains(where: { $0.media?.state == .stored }) == true {
            hints.append(bound(.openAttachment, "files"))
        }
        hints.append(bound(.nextWaiting))
        hints.append(bound(.search))
        if state.focus != .queue, state.composerLock == nil {
            hints.append(bound(.editor, "editor"))
            hints.append(bound(.template, "template"))
            hints.append(bound(.attach, "attach"))
        }
        hints.append(Hint(key: "Tab", action: "pane"))
        hints.append(bound(.toggleSidebar, "sidebar"))
        hints.append(bound(.help))
        hints.append(bound(.quit))
        return hints
    }

    static func hasFailures(_ detail: ConversationDetail) -> Bool {
        detail.outbox.contains { $0.state == .failed }
            || detail.messages.last(where: { $0.direction == .outbound })?.status == .failed
    }
}
