/// A rectangle of terminal cells: what the layout computes and what screens draw into. Plain integers; sizes are
/// never negative. Interior rectangles exclude the borders drawn around them.
public struct Rect: Sendable, Equatable, Hashable {
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

    public static let zero = Rect(x: 0, y: 0, width: 0, height: 0)

    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public var isEmpty: Bool { width <= 0 || height <= 0 }

    public func contains(x px: Int, y py: Int) -> Bool {
        px >= x && px < maxX && py >= y && py < maxY
    }

    /// The overlap of two rectangles (empty, never negative, when they do not meet).
    public func intersection(_ other: Rect) -> Rect {
        let nx = max(x, other.x), ny = max(y, other.y)
        let nw = max(0, min(maxX, other.maxX) - nx), nh = max(0, min(maxY, other.maxY) - ny)
        return Rect(x: nx, y: ny, width: nw, height: nh)
    }

    /// Shrinks by `dx` columns on the left and right and `dy` rows at the top and bottom.
    public func inset(dx: Int, dy: Int) -> Rect {
        Rect(x: x + dx, y: y + dy, width: max(0, width - 2 * dx), height: max(0, height - 2 * dy))
    }

    /// This rectangle clipped to a grid of `width` × `height`.
    public func clamped(toWidth gridWidth: Int, height gridHeight: Int) -> Rect {
        intersection(Rect(x: 0, y: 0, width: gridWidth, height: gridHeight))
    }
}
