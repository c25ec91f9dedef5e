/// A horizontal run of cells that changed between two frames: columns [x, x + width) of row y.
public struct GridRun: Sendable, Equatable {
    public var y: Int
    public var x: Int
    public var width: Int

    public init(y: Int, x: Int, width: Int) {
        self.y = y
        self.x = x
        self.width = width
    }
}

extension CellGrid {
    /// The runs of cells that differ from `previous`, row by row, left to right — what a painter must repaint so a
    /// `j`/`k` move costs a few cells, not a screen. Runs are widened to whole wide clusters (a run never starts on
    /// a continuation cell nor ends inside a cluster). With no previous frame, or a different size, every row is one
    /// full-width run.
    public func changedRuns(since previous: CellGrid?) -> [GridRun] {
        guard let previous, previous.width == width, previous.height == height else {
            return (0..<height).map { GridRun(y: $0, x: 0, width: width) }
        }
        var runs: [GridRun] = []
        let old = previous.cells
        for row in 0..<height {
            let base = row * width
            var col = 0
            while col < width {
                if cells[base + col] == old[base + col] { col += 1; continue }
                var start = col
                while start > 0 && cells[base + start].text.isEmpty { start -= 1 }
                var end = col + 1
                while end < width && cells[base + end] != old[base + end] { end += 1 }
                while end < width && cells[base + end].text.isEmpty { end += 1 }
                if let last = runs.last, last.y == row, last.x + last.width >= start {
                    runs[runs.count - 1].width = end - last.x
                } else {
                    runs.append(GridRun(y: row, x: start, width: end - start))
                }
                col = end
            }
        }
        return runs
    }
}
