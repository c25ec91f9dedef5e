/// Moving around: selection, scrolling, tabs, focus, opening conversations. Every step here is O(1) in the
/// number of queue rows.
extension AppState {
    mutating func moveSelection(by delta: Int) -> [Effect] {
        switch overlay {
        case .transfer(var picker):
            picker.selection = Self.clamp(picker.selection + delta, count: picker.candidates.count)
            overlay = .transfer(picker)
            return []
        case .search(var search):
            search.selection = Self.clamp(search.selection + delta, count: search.hits.count)
            overlay = .search(search)
            return []
        case .templates(var picker):
            guard picker.stage == .choosing else { return [] }
            picker.selection = Self.clamp(picker.selection + delta, count: picker.templates.count)
            overlay = .templates(picker)
            return []
        case .attachments(var picker):
            picker.selection = Self.clamp(picker.selection + delta, count: picker.messages.count)
            overlay = .attachments(picker)
            return []
        case .snooze(let picker):
            moveSnoozeSelection(picker, by: delta)
            return []
        case .profile(let editor):
            moveProfileField(editor, by: delta)
            return []
        case .canned(var picker):
            picker.selection = Self.clamp(picker.selection + delta, count: picker.matches.count)
            overlay = .canned(picker)
            return []
        case .palette(var palette):
            palette.selection = Self.clamp(palette.selection + delta, count: palette.matches.count)
            overlay = .palette(palette)
            return []
        case .help, .confirmQuit, .confirm, .attach, .note, .tagFilter:
            return []
        case nil:
            break
        }
        switch focus {
        case .queue: selectQueueRow(queue.selection + delta)
        case .conversation, .composer:
            scrollConversation(byLines: -delta)
            if delta < 0 { return loadEarlierConversationAtTop() }
        case .sidebar: sidebarScroll = max(0, sidebarScroll + delta)
        }
        return []
    }

    mutating func page(up: Bool) -> [Effect] {
        if overlay != nil { return moveSelection(by: up ? -5 : 5) }
        switch focus {
        case .queue:
            let rows = layout.visibleQueueRows
            selectQueueRow(queue.selection + (up ? -rows : rows))
        case .conversation, .composer, .sidebar:
            let page = measure.conversationPage > 0 ? measure.conversationPage : layout.conversation.height
            scrollConversation(byLines: (up ? 1 : -1) * max(1, page - 2))
            if up { return loadEarlierConversationAtTop() }
        }
        return []
    }

    mutating func jump(toTop: Bool) -> [Effect] {
        switch focus {
        case .queue: selectQueueRow(toTop ? 0 : queue.rows.count - 1)
        case .conversation, .composer, .sidebar:
            guard var open = conversation else { return [] }
            open.scroll = toTop ? .linesFromBottom(measure.conversationMaxScroll) : .latest
            conversation = open
            if toTop { return loadEarlierConversationAtTop() }
        }
        return []
    }

    /// Positive lines scroll towards older messages.
    mutating func scrollConversation(byLines lines: Int) {
        guard var open = conversation else { return }
        let current: Int
        switch open.scroll {
        case .latest: current = 0
        case .linesFromBottom(let n): current = n
        case .message: current = measure.conversationScroll
        }
        // The renderer reports how far the text can scroll; clamping here keeps PageDown from first having to
        // "use up" presses that went past the top.
        let base = min(current, measure.conversationMaxScroll)
        let next = min(max(0, base + lines), measure.conversationMaxScroll)
        open.scroll = next == 0 ? .latest : .linesFromBottom(next)
        conversation = open
    }

    mutating func selectQueueRow(_ index: Int) {
        queue.selection = Self.clamp(index, count: queue.rows.count)
        keepQueueSelectionVisible()
    }

    /// When the selection leaves the view, the view jumps half a page rather than one row: scrolling repaints the
    /// whole pane, so jumping makes that happen once per half page instead of on every key (bytes over SSH).
    mutating func keepQueueSelectionVisible() {
        let visible = layout.visibleQueueRows
        if queue.selection < queue.scroll || queue.selection >= queue.scroll + visible {
            queue.scroll = queue.selection - visible / 2
        }
        queue.scroll = min(max(0, queue.scroll), max(0, queue.rows.count - visible))
    }

    mutating func cycleFocus(forward: Bool) {
        var order: [Focus] = [.queue, .conversation]
        if sidebarShown { order.append(.sidebar) }
        let current = order.firstIndex(of: focus == .composer ? .conversation : focus) ?? 0
        focus = order[(current + (forward ? 1 : order.count - 1)) % order.count]
    }

    mutating func toggleSidebar() {
        sidebarToggled.toggle()
        sidebarScroll = 0
        if focus == .sidebar, !sidebarShown { focus = .conversation }
        keepQueueSelectionVisible()
    }

    mutating func switchTab(to tab: QueueTab) -> [Effect] {
        focus = .queue
        guard tab != queue.tab else { return [.loadQueue(tab)] }
        queue.tab = tab
        queue.rows = []
        queue.selection = 0
        queue.scroll = 0
        queue.isLoading = true
        return [.loadQueue(tab)]
    }

    mutating func openSelectedRow() -> [Effect] {
        guard let row = queue.selectedRow else { return [] }
        focus = .conversation
        return openConversation(row.id, unreadAtOpen: row.unread)
    }

    /// Starts loading a conversation into the middle pane; the current one's draft is saved first.
    mutating func openConversation(_ id: Int64, unreadAtOpen: Int?) -> [Effect] {
        if conversation?.id == id { return [] }  // already open and kept fresh by sync
        var effects = saveDraftIfDirty()
        conversation = OpenConversation(id: id, unreadAtOpen: unreadAtOpen)
        measure = ViewMeasure()
        sidebarScroll = 0
        effects.append(.loadConversation(id))
        return effects
    }

    mutating func openNextWaiting() -> [Effect] {
        guard queue.tab == .waiting, !queue.isLoading else {
            openFirstWaitingWhenLoaded = true
            return switchTab(to: .waiting)
        }
        return openFirstWaitingRow()
    }

    /// The Waiting tab is oldest first, so the next patient is the first row that is not already open.
    mutating func openFirstWaitingRow() -> [Effect] {
        guard let index = queue.rows.prefix(2).firstIndex(where: { $0.id != conversation?.id }) else {
            inform("Nobody else is waiting")
            return []
        }
        selectQueueRow(index)
        let row = queue.rows[index]
        focus = .conversation
        return openConversation(row.id, unreadAtOpen: row.unread)
    }

    static func clamp(_ index: Int, count: Int) -> Int {
        count == 0 ? 0 : min(max(0, index), count - 1)
    }
}
