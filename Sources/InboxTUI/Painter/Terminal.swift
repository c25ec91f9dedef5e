/// Size of the terminal in cells.
public struct TerminalSize: Sendable, Equatable {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }
}

/// What the app needs from a screen: present a frame, read keys, and hand the terminal over and back.
///
/// Why a protocol: the run loop can be driven headless in tests (``HeadlessTerminal``) and the only
/// ncurses-touching code stays in ``NcursesPainter``.
public protocol Terminal: AnyObject {
    var size: TerminalSize { get }
    /// Shows `grid`, repainting only what changed since the last frame; `cursor` places a visible caret (nil hides it).
    func present(_ grid: CellGrid, cursor: (x: Int, y: Int)?)
    /// Waits up to `timeoutMilliseconds` (negative: forever, 0: poll) for a key; nil on timeout.
    func readKey(timeoutMilliseconds: Int) -> Key?
    func bell()
    /// Sets the window title. Pass only app-made text (never patient text); it is sanitized anyway.
    func setTitle(_ title: String)
    /// Gives the terminal back to the shell (e.g. to run `$EDITOR`).
    func suspend()
    /// Takes the terminal back after ``suspend()``, discards whatever was typed meanwhile (it was meant for the
    /// program that had the terminal), repaints fully, and reports a resize that happened meanwhile.
    func resume()
    /// Restores the terminal for good. Safe to call twice.
    func shutdown()
    /// True once the terminal has hung up (its SSH session or tmux pane is gone), where no key will ever come.
    var isHungUp: Bool { get }
}

extension Terminal {
    public var isHungUp: Bool { false }
}

/// An in-memory ``Terminal`` for tests: records frames, replays scripted keys.
public final class HeadlessTerminal: Terminal {
    public var size: TerminalSize
    public private(set) var frames: [CellGrid] = []
    public private(set) var lastCursor: (x: Int, y: Int)?
    public private(set) var bells = 0
    public private(set) var title = ""
    public private(set) var isSuspended = false
    public private(set) var isShutDown = false
    /// Keys returned by ``readKey(timeoutMilliseconds:)``, first first.
    public var pendingKeys: [Key]

    public init(size: TerminalSize, keys: [Key] = []) {
        self.size = size
        self.pendingKeys = keys
    }

    public var lastFrame: CellGrid? { frames.last }

    public func present(_ grid: CellGrid, cursor: (x: Int, y: Int)?) {
        frames.append(grid)
        lastCursor = cursor
    }

    public func readKey(timeoutMilliseconds: Int) -> Key? {
        pendingKeys.isEmpty ? nil : pendingKeys.removeFirst()
    }

    public func bell() { bells += 1 }
    public func setTitle(_ title: String) { self.title = TitleText.sanitize(title) }
    public func suspend() { isSuspended = true }
    public func resume() { isSuspended = false }
    public func shutdown() { isShutDown = true }
}

/// Window titles go out inside an OSC sequence, so they get the hostile-text policy, then every non-printing
/// scalar left (placeholders included) is removed, newlines become spaces and the length is capped.
enum TitleText {
    static let maxLength = 120

    static func sanitize(_ title: String) -> String {
        var out = ""
        for glyph in TextLayout.glyphs(title) {
            if glyph.isNewline { out += " "; continue }
            if glyph.text.unicodeScalars.contains(where: { $0.value >= 0x2400 && $0.value <= 0x2421 || $0 == "\u{FFFD}" }) {
                continue
            }
            out += glyph.text
            if out.count >= maxLength { break }
        }
        return out
    }
}
