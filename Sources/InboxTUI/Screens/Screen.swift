import InboxModel

/// What a frame tells the runner besides its cells.
public struct FrameInfo: Sendable, Equatable {
    /// Send `.measured(measure)` when it differs from `state.measure`, so scrolling clamps to the real text.
    public var measure: ViewMeasure
    /// Where the terminal cursor belongs (the composer's or search field's insertion point), if anywhere.
    public var cursor: CursorPosition?

    public init(measure: ViewMeasure = ViewMeasure(), cursor: CursorPosition? = nil) {
        self.measure = measure
        self.cursor = cursor
    }
}

public struct CursorPosition: Sendable, Equatable {
    public var x: Int
    public var y: Int

    public init(x: Int, y: Int) {
        self.x = x
        self.y = y
    }
}

/// Draws the whole client from `AppState` into a grid: the only entry point the runner needs.
///
/// Cost is proportional to what is visible (queue rows in view, messages in view plus a page), never to the
/// number of conversations, so a keypress renders in well under the 2 ms budget on a 200×60 screen.
public enum Screen {
    @discardableResult
    public static func render(_ state: AppState, theme: Theme, keymap: Keymap = .default,
                              into grid: inout CellGrid) -> FrameInfo {
        grid.reorderBidi = state.settings.bidi
        grid.fill(Rect(x: 0, y: 0, width: grid.width, height: grid.height), style: theme.base)
        let sidebarShown = grid.width >= ScreenLayout.wideWidth ? !state.sidebarToggled : state.sidebarToggled
        let fixed = ScreenLayout(width: grid.width, height: grid.height, sidebarShown: sidebarShown)
        // A long or multi-line draft grows the composer (the conversation gives up the rows).
        let composerRows = ComposerPane.preferredRows(state, layout: fixed)
        let layout = composerRows > fixed.composer.height
            ? ScreenLayout(width: grid.width, height: grid.height, sidebarShown: sidebarShown, composerRows: composerRows)
            : fixed
        if layout.isTooSmall {
            drawTooSmall(grid: &grid, theme: theme)
            return FrameInfo()
        }

        drawTabBar(state, layout: layout, theme: theme, keymap: keymap, grid: &grid)
        drawFrame(state, layout: layout, theme: theme, grid: &grid)
        QueuePane.draw(state, layout: layout, theme: theme, grid: &grid)
        var info = FrameInfo()
        info.measure = ConversationPane.draw(state, layout: layout, theme: theme, keymap: keymap, grid: &grid)
        info.cursor = ComposerPane.draw(state, layout: layout, theme: theme, keymap: keymap, grid: &grid)
        if let sidebar = layout.sidebar { SidebarPane.draw(state, rect: sidebar, theme: theme, grid: &grid) }
        StatusBar.drawStatusLine(state, rect: layout.statusLine, theme: theme, grid: &grid)
        StatusBar.drawHints(state, rect: layout.hintBar, theme: theme, keymap: keymap, grid: &grid)
        if let overlay = state.overlay {
            let cursor = Overlays.draw(overlay, state: state, theme: theme, keymap: keymap, grid: &grid)
            info.cursor = cursor
        }
        return info
    }

    private static func drawTooSmall(grid: inout CellGrid, theme: Theme) {
        let message = "Terminal \(grid.width)×\(grid.height) is too small: inbox needs "
            + "\(ScreenLayout.minWidth)×\(ScreenLayout.minHeight)"
        let lines = TextLayout.wrap(message, width: max(1, grid.width))
        let top = max(0, (grid.height - lines.count) / 2)
        for (index, line) in lines.enumerated() {
            grid.writeCentered(line, x: 0, y: top + index, width: grid.width, style: theme.statusWarn)
        }
    }

    /// `1 Waiting (3) · 2 Mine (1) · 3 Bot (12) · 4 Closed (40)` on the left, the clinic on the right.
    private static func drawTabBar(_ state: AppState, layout: ScreenLayout, theme: Theme, keymap: Keymap,
                                   grid: inout CellGrid) {
        let rect = layout.tabBar
        grid.fill(rect, style: theme.tabInactive)
        var tabs: [(QueueTab, KeyCommand, String)] = [
            (.waiting, .tabWaiting, "Waiting"), (.mine, .tabMine, "Mine"),
            (.bot, .tabBot, "Bot"), (.closed, .tabClosed, "Closed"), (.team, .tabTeam, "Team"),
        ]
        // Only while something is snoozed (or the tab is open): 80 columns have room for five tabs, not six.
        if state.queue.counts.snoozed > 0 || state.queue.tab == .snoozed { tabs.append((.snoozed, .tabSnoozed, "Snoozed")) }
        var column = rect.x + 1
        for (index, (tab, command, name)) in tabs.enumerated() {
            if index > 0 {
                column += grid.write(" · ", x: column, y: rect.y, maxWidth: rect.maxX - column, style: theme.tabInactive)
            }
            let label = "\(keymap.shortLabel(command)) \(name) (\(state.queue.counts[tab]))"
            let style = tab == state.queue.tab ? theme.tabActive : theme.tabInactive
            column += grid.write(label, x: column, y: rect.y, maxWidth: rect.maxX - column, style: style)
        }
        let clinic = state.clinic.isEmpty ? "inbox" : "inbox · \(state.clinic)"
        let room = rect.maxX - column - 3
        if room > 8 {
            let text = TextLayout.truncate(clinic, width: room)
            let width = TextLayout.width(text)
            grid.write(text, x: rect.maxX - 1 - width, y: rect.y, maxWidth: width, style: theme.tabInactive)
        }
    }

    /// The pane borders, with junctions where they meet, and each pane's title; the focused pane's title is
    /// highlighted.
    private static func drawFrame(_ state: AppState, layout: ScreenLayout, theme: Theme, grid: inout CellGrid) {
        let top = layout.topBorderY
        let bottom = layout.bottomBorderY
        let style = theme.border
        grid.horizontalLine(x: 0, y: top, width: layout.width, style: style)
        grid.horizontalLine(x: 0, y: bottom, width: layout.width, style: style)
        let innerHeight = bottom - top - 1
        var columns = [0, layout.queueBorderX, layout.rightBorderX]
        if let sidebarBorder = layout.sidebarBorderX { columns.insert(sidebarBorder, at: 2) }
        for (index, x) in columns.enumerated() {
            let isFirst = index == 0
            let isLast = index == columns.count - 1
            grid.write(isFirst ? "┌" : (isLast ? "┐" : "┬"), x: x, y: top, maxWidth: 1, style: style)
            grid.write(isFirst ? "└" : (isLast ? "┘" : "┴"), x: x, y: bottom, maxWidth: 1, style: style)
            grid.verticalLine(x: x, y: top + 1, height: innerHeight, style: style)
        }
        // The composer's separator runs across the conversation column only.
        let conversationRight = layout.sidebarBorderX ?? layout.rightBorderX
        grid.write("├", x: layout.queueBorderX, y: layout.composerBorderY, maxWidth: 1, style: style)
        grid.horizontalLine(x: layout.queueBorderX + 1, y: layout.composerBorderY,
                            width: conversationRight - layout.queueBorderX - 1, style: style)
        grid.write("┤", x: conversationRight, y: layout.composerBorderY, maxWidth: 1, style: style)

        // The focused pane shows it twice, so it reads in any theme and without colour: its top border is heavy
        // (━) and its title is highlighted like the active tab.
        func titleStyle(_ focused: Bool) -> Style { focused ? theme.tabActive : theme.border }
        let focusedPane: Rect? = switch state.focus {
        case _ where state.overlay != nil: nil
        case .queue: layout.queue
        case .conversation, .composer: layout.conversation
        case .sidebar: layout.sidebar
        }
        if let pane = focusedPane {
            grid.write(String(repeating: "━", count: pane.width), x: pane.x, y: top, maxWidth: pane.width,
                       style: theme.title)
        }
        let queueFocused = state.focus == .queue && state.overlay == nil
        grid.borderTitle(QueuePane.title(state), x: layout.queue.x, y: top, width: layout.queue.width,
                         style: titleStyle(queueFocused))
        let conversationFocused = (state.focus == .conversation || state.focus == .composer) && state.overlay == nil
        grid.borderTitle(ConversationPane.title(state), x: layout.conversation.x, y: top,
                         width: layout.conversation.width, style: titleStyle(conversationFocused))
        if let sidebar = layout.sidebar {
            grid.borderTitle("Patient", x: sidebar.x, y: top, width: sidebar.width,
                             style: titleStyle(state.focus == .sidebar && state.overlay == nil))
        }
        let position = QueuePane.positionLabel(state)
        if !position.isEmpty, layout.queue.width > position.count + 4 {
            grid.write(position, x: layout.queueBorderX - position.count - 1, y: bottom,
                       maxWidth: position.count, style: theme.dim)
        }
    }
}
