import Foundation
import InboxModel

/// What `inbox sync --once` writes while it catches up: on a terminal one progress bar redrawn in place, otherwise
/// (a log, a pipe) a plain line at every tenth of the way, so logs stay short.
public struct CatchUpReporter: Sendable {
    public let isTerminal: Bool
    public let width: Int
    private var lastTenth = -1
    private var drawn = false

    public init(isTerminal: Bool, width: Int = 30) {
        self.isTerminal = isTerminal
        self.width = width
    }

    /// The text to write for this progress (nil: caught up), or nil when there is nothing to add.
    public mutating func text(for progress: CatchUpProgress?) -> String? {
        guard let progress else {
            defer { drawn = false; lastTenth = -1 }
            return isTerminal && drawn ? "\n" : nil
        }
        if isTerminal {
            drawn = true
            return "\r" + Self.bar(progress.fraction, width: width) + " " + progress.summary + "\u{1B}[K"
        }
        let tenth = progress.percent / 10
        guard tenth > lastTenth else { return nil }
        lastTenth = tenth
        return progress.summary + "\n"
    }

    /// `[#########-----------]`
    public static func bar(_ fraction: Double, width: Int) -> String {
        let filled = max(0, min(width, Int((fraction * Double(width)).rounded(.down))))
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "]"
    }
}
