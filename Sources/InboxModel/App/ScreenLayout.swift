/// A rectangle of terminal cells. Interior rectangles exclude the borders drawn around them.
public struct LayoutRect: Sendable, Equatable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
}

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
    public let tabBar: LayoutRect
    public let queue: LayoutRect
    public let conversation: LayoutRect
    public let composer: LayoutRect
    public let sidebar: LayoutRect?
    /// Column of the border between queue and conversation, and between conversation and sidebar.
    public let queueBorderX: Int
    public let sidebarBorderX: Int?
    public let rightBorderX: Int
    public let topBorderY: Int
    public let bottomBorderY: Int
    public let composerBorderY: Int
    public let statusLine: LayoutRect
    public let hintBar: LayoutRect

    public init(width: Int, height: Int, sidebarShown: Bool) {
        self.width = width
        self.height = height
        isTooSmall = width < Self.minWidth || height < Self.minHeight
        let w = max(width, Self.minWidth)
        let h = max(height, Self.minHeight)
        let wide = w >= Self.wideWidth

        let queueInner = wide ? Self.clamp(w * 22 / 100, 24, 40) : Self.clamp(w * 32 / 100, 22, 25)
        let sidebarInner = sidebarShown ? (wide ? Self.clamp(w * 18 / 100, 24, 34) : 23) : 0

        tabBar = LayoutRect(x: 0, y: 0, width: w, height: 1)
        topBorderY = 1
        bottomBorderY = h - 3
        statusLine = LayoutRect(x: 0, y: h - 2, width: w, height: 1)
        hintBar = LayoutRect(x: 0, y: h - 1, width: w, height: 1)

        let innerTop = topBorderY + 1
        let innerHeight = bottomBorderY - innerTop
        queueBorderX = 1 + queueInner
        rightBorderX = w - 1
        queue = LayoutRect(x: 1, y: innerTop, width: queueInner, height: innerHeight)
        if sidebarShown {
            let border = rightBorderX - sidebarInner - 1
            sidebarBorderX = border
            sidebar = LayoutRect(x: border + 1, y: innerTop, width: sidebarInner, height: innerHeight)
        } else {
            sidebarBorderX = nil
            sidebar = nil
        }
        let conversationX = queueBorderX + 1
        let conversationWidth = (sidebarBorderX ?? rightBorderX) - conversationX
        let composerLines = h >= 30 ? 4 : (h >= 20 ? 3 : 2)
        composerBorderY = bottomBorderY - composerLines - 1
        conversation = LayoutRect(x: conversationX, y: innerTop, width: conversationWidth,
                                  height: composerBorderY - innerTop)
        composer = LayoutRect(x: conversationX, y: composerBorderY + 1, width: conversationWidth,
                              height: composerLines)
    }

    /// How many queue rows fit.
    public var visibleQueueRows: Int { max(1, queue.height / Self.queueRowHeight) }

    private static func clamp(_ value: Int, _ low: Int, _ high: Int) -> Int { min(max(value, low), high) }
}
