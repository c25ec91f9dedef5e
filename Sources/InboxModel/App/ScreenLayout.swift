/// Where every pane goes for a terminal size. Pure integer arithmetic shared by the reducer (which needs
/// page sizes to keep the selection visible) and the screens (which draw into these rectangles), so both
/// always agree.
///
///     y=0      tab bar (full width)
///     y=1      ┌ queue ─┬ conversation ─┬ patient ┐   top border with pane titles
///              │ rows   │ banner+messages│ sidebar │
///              │        ├────────────────┤         │   composer separator
///              │        │ composer       │         │
///     y=h-3    └────────┴────────────────┴─────────┘
///     y=h-2    status line
///     y=h-1    hint bar
public struct ScreenLayout: Sendable, Equatable {
    /// From this width up the sidebar is shown unless toggled off; below it, hidden unless toggled on.
    public static let wideWidth = 100
    public static let minWidth = 60
    public static let minHeight = 12
    /// Every queue row takes two lines: name and timer, then preview and unread count.
    public static let queueRowHeight = 2

    public let width: Int
    public let height: Int
    /// Below the minimum size only a "terminal too small" notice is drawn.
    public let isTooSmall: Bool
    public let tabBar: Rect
    public let queue: Rect
    public let conversation: Rect
    public let composer: Rect
    public let sidebar: Rect?
    /// Column of the border between queue and conversation, and between conversation and sidebar.
    public let queueBorderX: Int
    public let sidebarBorderX: Int?
    public let rightBorderX: Int
    public let topBorderY: Int
    public let bottomBorderY: Int
    public let composerBorderY: Int
    public let statusLine: Rect
    public let hintBar: Rect

    /// The composer grows with its draft up to this many rows, and never past a third of the panes' height.
    public static let maxComposerLines = 8

    /// `composerRows`: rows the composer's draft wants (``maxComposerLines`` and a third of the panes' height at
    /// most); the conversation above gives up the room. Fewer than the default leaves the default.
    public init(width: Int, height: Int, sidebarShown: Bool, composerRows: Int = 0) {
        self.width = width
        self.height = height
        isTooSmall = width < Self.minWidth || height < Self.minHeight
        let w = max(width, Self.minWidth)
        let h = max(height, Self.minHeight)
        let wide = w >= Self.wideWidth

        let queueInner = wide ? Self.clamp(w * 22 / 100, 24, 40) : Self.clamp(w * 32 / 100, 22, 25)
        let sidebarInner = sidebarShown ? (wide ? Self.clamp(w * 18 / 100, 24, 34) : 23) : 0

        tabBar = Rect(x: 0, y: 0, width: w, height: 1)
        topBorderY = 1
        bottomBorderY = h - 3
        statusLine = Rect(x: 0, y: h - 2, width: w, height: 1)
        hintBar = Rect(x: 0, y: h - 1, width: w, height: 1)

        let innerTop = topBorderY + 1
        let innerHeight = bottomBorderY - innerTop
        queueBorderX = 1 + queueInner
        rightBorderX = w - 1
        queue = Rect(x: 1, y: innerTop, width: queueInner, height: innerHeight)
        if sidebarShown {
            let border = rightBorderX - sidebarInner - 1
            sidebarBorderX = border
            sidebar = Rect(x: border + 1, y: innerTop, width: sidebarInner, height: innerHeight)
        } else {
            sidebarBorderX = nil
            sidebar = nil
        }
        let conversationX = queueBorderX + 1
        let conversationWidth = (sidebarBorderX ?? rightBorderX) - conversationX
        let defaultLines = h >= 30 ? 4 : (h >= 20 ? 3 : 2)
        let growthLimit = max(defaultLines, min(Self.maxComposerLines, innerHeight / 3))
        let composerLines = min(max(defaultLines, composerRows), growthLimit)
        composerBorderY = bottomBorderY - composerLines - 1
        conversation = Rect(x: conversationX, y: innerTop, width: conversationWidth,
                                  height: composerBorderY - innerTop)
        composer = Rect(x: conversationX, y: composerBorderY + 1, width: conversationWidth,
                              height: composerLines)
    }

    /// How many queue rows fit.
    public var visibleQueueRows: Int { max(1, queue.height / Self.queueRowHeight) }

    private static func clamp(_ value: Int, _ low: Int, _ high: Int) -> Int { min(max(value, low), high) }
}
