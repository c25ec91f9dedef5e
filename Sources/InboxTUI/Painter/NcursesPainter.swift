import CNcursesw
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// THE ONLY CODE IN THE PROJECT THAT CALLS NCURSES. Everything else renders into a ``CellGrid``; this class copies
/// the cells that changed onto the screen and turns `wget_wch` results into ``Key``s.
///
/// Why so thin: ncurses is global, not thread-safe and hard to test, so it gets no logic beyond setup, colour-pair
/// allocation and cell output. Text arriving here was already sanitized by the grid, and ``CursesCluster`` checks
/// every cell again (a cell set through the grid's subscript could hold anything), so no control character or bidi
/// override reaches the terminal; it also reconciles utf8proc widths with ncurses' `wcwidth`. ``ColorDepth``
/// degrades colours; pairs come from `alloc_pair` on first use of a style (a theme needs a few dozen; even an
/// 8-colour terminal offers 64, so ncurses does not recycle one still on screen). One thread, one instance at a time.
///
/// Terminal state is restored by ``shutdown()``, by `deinit`, at `exit()`, and on SIGINT/SIGTERM/SIGHUP/SIGQUIT
/// and crash signals (handlers in the C shim call `endwin` and then the previous disposition). The one terminal mode
/// enabled beyond curses' own is bracketed paste; every one of those paths turns it off again (and it is off while
/// the terminal is suspended), so it cannot leak to the shell. Where the terminal has no alternate screen
/// (TERM=linux), they also clear the screen, so patient text is not left behind after quitting.
public final class NcursesPainter: Terminal {
    public enum PainterError: Error, CustomStringConvertible {
        case notATerminal(String)
        public var description: String {
            switch self { case .notATerminal(let why): "cannot start the terminal UI: \(why)" }
        }
    }

    public let colorDepth: ColorDepth
    private let outputFD: Int32
    private let environment: [String: String]
    /// The terminal draws a joined emoji sequence as one glyph (``CursesCluster/joinsClusters(environment:)``).
    private let joinsClusters: Bool
    private var previous: CellGrid?
    private var needsClear = true
    private var styleCache: [Style: (attrs: attr_t, pair: Int32)] = [:]
    private var defaultColorsWork = false
    private var pending: [RawKey] = []
    private var cursorShown: Bool?
    private var isSuspended = false
    private var isEnded = false
    /// The terminfo `BE` string (or xterm's) when the terminal is known to understand bracketed paste.
    private var pasteOn: String?
    /// When the last unbracketed paste ended, for the burst rule's "continues a paste" (see ``KeyDecoder/burstIsPaste``).
    private var lastPasteEnd: ContinuousClock.Instant?
    /// A paste longer than this (in characters read) is cut: WhatsApp caps a message at 4,096 characters anyway.
    static let maxPasteLength = 65_536
    /// How long a bracketed paste may pause before its end marker is given up on.
    static let pastePauseMilliseconds = 500
    /// A burst arriving this soon after a paste continues it.
    static let pasteContinuation: Duration = .milliseconds(50)

    nonisolated(unsafe) private static var handlersInstalled = false

    /// Starts curses on the controlling terminal (stdin/stdout).
    /// - Parameter escapeDelayMilliseconds: how long ncurses waits after ESC for the rest of a key sequence; short
    ///   so Escape and Alt+key feel immediate (tmux users should lower `escape-time` too).
    public convenience init(
        environment: [String: String] = ProcessInfo.processInfo.environment, escapeDelayMilliseconds: Int = 25
    ) throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw PainterError.notATerminal("stdin and stdout must be a terminal")
        }
        guard cnc_ensure_utf8_locale() == 1 else { throw PainterError.notATerminal("no UTF-8 locale available") }
        guard cnc_newterm_stdio() != nil else {
            throw PainterError.notATerminal("unknown terminal type TERM=\(environment["TERM"] ?? "")")
        }
        self.init(outputFD: STDOUT_FILENO, environment: environment, escapeDelay: escapeDelayMilliseconds)
        if !Self.handlersInstalled {
            Self.handlersInstalled = true
            cnc_install_restore_handlers()
            cnc_register_exit_restore()
        }
        // Without an alternate screen (smcup) the frames are drawn over the shell's own screen: clear it on exit.
        cnc_set_exit_clear(cnc_string_cap("smcup") == nil ? cnc_string_cap("clear") : nil)
        pasteOn = cnc_string_cap("BE").map { String(cString: $0) }
            ?? (Self.knowsBracketedPaste(environment["TERM"] ?? "") ? "\u{1B}[?2004h" : nil)
        setPasteMode(true)
    }

    /// For tests: curses on arbitrary streams with an explicit terminal type, without signal handlers.
    convenience init?(terminalType: String, output: UnsafeMutablePointer<FILE>, input: UnsafeMutablePointer<FILE>,
          environment: [String: String]) {
        _ = cnc_ensure_utf8_locale()
        guard newterm(terminalType, output, input) != nil else { return nil }
        self.init(outputFD: fileno(output), environment: environment, escapeDelay: 25)
    }

    /// Common setup once a SCREEN exists.
    private init(outputFD: Int32, environment: [String: String], escapeDelay: Int) {
        self.outputFD = outputFD
        self.environment = environment
        joinsClusters = CursesCluster.joinsClusters(environment: environment)
        raw()
        noecho()
        nonl()
        intrflush(cnc_stdscr(), false)
        keypad(cnc_stdscr(), true)
        set_escdelay(Int32(escapeDelay))
        // COLORS is only known after start_color(), which is skipped entirely under NO_COLOR.
        let noColor = ColorDepth.detect(colors: 256, environment: environment) == .none
        if !noColor && has_colors() && start_color() == OK {
            colorDepth = ColorDepth.detect(colors: Int(cnc_colors()), environment: environment)
            defaultColorsWork = use_default_colors() == OK
        } else {
            colorDepth = .none
        }
        setCursor(visible: false)
    }

    deinit { shutdown() }

    public var size: TerminalSize { TerminalSize(width: Int(cnc_cols()), height: Int(cnc_lines())) }

    /// A hung-up terminal reports POLLHUP on its input. The kernel's SIGHUP does not always reach the client (it
    /// goes to the session's foreground group, which a wrapper shell may own), so the loop asks as well.
    public var isHungUp: Bool {
        var input = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        guard poll(&input, 1, 0) >= 0 else { return false }
        return input.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0
    }

    public func present(_ grid: CellGrid, cursor: (x: Int, y: Int)?) {
        guard !isEnded, !isSuspended else { return }
        let screen = cnc_stdscr()
        if needsClear || previous?.width != grid.width || previous?.height != grid.height {
            werase(screen)
            previous = nil
            needsClear = false
        }
        for run in grid.changedRuns(since: previous) {
            let row = grid.row(run.y)
            var x = run.x
            let end = min(run.x + run.width, grid.width)
            while x < end {
                let cell = row[row.startIndex + x]
                var span = 1
                while x + span < grid.width && row[row.startIndex + x + span].text.isEmpty { span += 1 }
                if !cell.text.isEmpty { draw(cell, x: x, y: run.y, width: span) }
                x += cell.text.isEmpty ? 1 : span
            }
        }
        previous = grid
        if let cursor, cursor.x >= 0, cursor.y >= 0, cursor.x < grid.width, cursor.y < grid.height {
            setCursor(visible: true)
            wmove(screen, Int32(cursor.y), Int32(cursor.x))
        } else {
            setCursor(visible: false)
        }
        wnoutrefresh(screen)
        doupdate()
    }

    public func readKey(timeoutMilliseconds: Int) -> Key? {
        guard !isEnded, !isSuspended else { return nil }
        for _ in 0..<8 {  // skip a few ignored inputs (C1 bytes, unknown key codes) before reporting a timeout
            let fresh = pending.isEmpty
            guard let raw = nextRaw(timeout: timeoutMilliseconds) else { return nil }
            if raw == .character(KeyDecoder.escape), let paste = readBracketedPaste() { return paste }
            // Only input fresh from the terminal opens a burst: keys put back after a look-ahead are never
            // re-examined, so reading stays linear however much was typed ahead.
            if fresh, let paste = readUnbracketedPaste(startingWith: raw) { return paste }
            var next: RawKey?
            if raw == .character(0x1B) { next = pending.isEmpty ? readRaw(timeout: 0) : pending.removeFirst() }
            let (key, consumed) = KeyDecoder.decode(raw, next: next)
            if let next, !consumed { pending.insert(next, at: 0) }
            if key == .resize { needsClear = true }
            if let key { return key }
        }
        return nil
    }

    public func bell() {
        guard !isEnded, !isSuspended else { return }
        beep()
    }

    /// Sets the window title through terminfo `tsl`/`fsl`, or OSC 2 on xterm-like terminals. App-made text only —
    /// never a patient's name or message; it is sanitized and stripped of control pictures anyway.
    public func setTitle(_ title: String) {
        guard !isEnded, !isSuspended else { return }
        let clean = Array(TitleText.sanitize(title).utf8)
        var bytes: [UInt8]
        if let tsl = cnc_tsl(), let fsl = cnc_string_cap("fsl") {
            bytes = Array(String(cString: tsl).utf8) + clean + Array(String(cString: fsl).utf8)
        } else if Self.isXtermLike(environment["TERM"] ?? "") {
            bytes = [0x1B, 0x5D, 0x32, 0x3B] + clean + [0x07]  // ESC ] 2 ; title BEL
        } else {
            return
        }
        bytes.withUnsafeBytes { buf in _ = write(outputFD, buf.baseAddress, buf.count) }
    }

    public func suspend() {
        guard !isEnded, !isSuspended else { return }
        setPasteMode(false)
        def_prog_mode()
        endwin()
        isSuspended = true
    }

    /// Also throws away whatever was typed while suspended: keys meant for the editor must never reach the client.
    public func resume() {
        guard !isEnded, isSuspended else { return }
        isSuspended = false
        cnc_discard_typed_input()
        pending.removeAll()
        reset_prog_mode()
        if cnc_sync_size() == 1 { pending.append(.keyCode(KEY_RESIZE)) }
        clearok(cnc_stdscr(), true)
        needsClear = true
        previous = nil
        cursorShown = nil
        wrefresh(cnc_stdscr())
        setPasteMode(true)
    }

    public func shutdown() {
        guard !isEnded else { return }
        isEnded = true
        if !isSuspended {
            setPasteMode(false)
            setCursor(visible: true)
            endwin()
            cnc_write_all(cnc_exit_clear().pointee)
        }
    }

    // MARK: - Internals

    /// For tests on a non-tty stream: pretend the terminal is `width` × `height`.
    func resizeForTesting(width: Int, height: Int) {
        resizeterm(Int32(height), Int32(width))
        needsClear = true
    }


    private func setPasteMode(_ enabled: Bool) {
        guard let pasteOn, outputFD == STDOUT_FILENO else { return }
        cnc_set_paste_mode(enabled ? 1 : 0, pasteOn, cnc_string_cap("BD"))
    }

    /// Terminals that take ESC[?2004h even when their terminfo entry does not say so.
    static func knowsBracketedPaste(_ term: String) -> Bool {
        isXtermLike(term) || term.hasPrefix("screen") || term.hasPrefix("tmux")
    }

    private func nextRaw(timeout: Int) -> RawKey? {
        pending.isEmpty ? readRaw(timeout: timeout) : pending.removeFirst()
    }

    /// After ESC: if "[200~" follows, reads the pasted text up to ESC[201~ and returns it as one key. Otherwise
    /// puts back what it looked at and returns nil.
    private func readBracketedPaste() -> Key? {
        var lookahead: [RawKey] = []
        for expected in KeyDecoder.pasteStart {
            guard let raw = nextRaw(timeout: 0) else { break }
            lookahead.append(raw)
            guard raw == expected else { break }
        }
        guard lookahead == KeyDecoder.pasteStart else {
            pending.insert(contentsOf: lookahead, at: 0)
            return nil
        }
        var body: [RawKey] = []
        var tail: [RawKey] = []  // the last few keys read, to spot the end marker even past the length cap
        while let raw = nextRaw(timeout: Self.pastePauseMilliseconds) {
            body.append(raw)
            tail.append(raw)
            if tail.count > KeyDecoder.pasteEnd.count { tail.removeFirst() }
            if tail == KeyDecoder.pasteEnd {
                body.removeLast(min(body.count, KeyDecoder.pasteEnd.count))
                break
            }
            if body.count > Self.maxPasteLength + KeyDecoder.pasteEnd.count { body.removeLast() }
        }
        return .paste(KeyDecoder.pastedText(Array(body.prefix(Self.maxPasteLength))))
    }

    /// The fallback for terminals without bracketed paste: `first` came from the terminal, and everything
    /// already waiting behind it is looked at (without waiting) to decide with ``KeyDecoder/burstIsPaste``.
    /// Not a paste: what was read goes back, to be decoded key by key.
    private func readUnbracketedPaste(startingWith first: RawKey) -> Key? {
        guard KeyDecoder.isPlainText(first) else { return nil }
        var burst = [first]
        while burst.count < Self.maxPasteLength, let raw = readRaw(timeout: 0) {
            guard KeyDecoder.isPlainText(raw) else { pending.append(raw); break }
            burst.append(raw)
        }
        let continues = lastPasteEnd.map { ContinuousClock.now - $0 < Self.pasteContinuation } ?? false
        guard KeyDecoder.burstIsPaste(burst, continuesPaste: continues) else {
            pending.insert(contentsOf: burst.dropFirst(), at: 0)
            return nil
        }
        lastPasteEnd = .now
        return .paste(KeyDecoder.pastedText(burst))
    }

    private func readRaw(timeout: Int) -> RawKey? {
        wtimeout(cnc_stdscr(), Int32(clamping: timeout))
        var ch: wint_t = 0
        let result = wget_wch(cnc_stdscr(), &ch)
        if result == ERR { return nil }
        return result == KEY_CODE_YES ? .keyCode(Int32(bitPattern: ch)) : .character(UInt32(ch))
    }

    private func setCursor(visible: Bool) {
        guard cursorShown != visible else { return }
        cursorShown = visible
        curs_set(visible ? 1 : 0)
    }

    private func draw(_ cell: Cell, x: Int, y: Int, width: Int) {
        let (attrs, pair) = resolve(cell.style)
        let plan: CursesCluster.Plan
        if let b = cell.text.utf8.first, cell.text.utf8.count == 1, b >= 0x20, b < 0x7F {
            plan = CursesCluster.Plan(segments: [[UInt32(b)]], padding: width - 1)
        } else {
            plan = CursesCluster.plan(cell.text, width: width, joinsClusters: joinsClusters) {
                Int(cnc_wcwidth(wchar_t(bitPattern: $0)))
            }
        }
        var col = x
        var buffer = [wchar_t](repeating: 0, count: CursesCluster.maxPerCell + 1)
        for segment in plan.segments {
            for i in buffer.indices { buffer[i] = i < segment.count ? wchar_t(bitPattern: segment[i]) : 0 }
            if plan.joined {
                _ = cnc_put_joined_cluster(Int32(y), Int32(col), buffer, attrs, pair)
            } else {
                _ = cnc_put_cluster(Int32(y), Int32(col), buffer, attrs, pair)
            }
            col += max(1, Int(cnc_wcwidth(buffer[0])))
        }
        for _ in 0..<max(0, plan.padding) {
            buffer[0] = 0x20
            buffer[1] = 0
            _ = cnc_put_cluster(Int32(y), Int32(col), buffer, attrs, pair)
            col += 1
        }
    }

    /// Attributes and an on-demand colour pair (ncurses `alloc_pair`) for a style, cached.
    private func resolve(_ style: Style) -> (attrs: attr_t, pair: Int32) {
        if let hit = styleCache[style] { return hit }
        var attrs = cnc_a_normal()
        let a = style.attributes
        if a.contains(.bold) { attrs |= cnc_a_bold() }
        if a.contains(.dim) { attrs |= cnc_a_dim() }
        if a.contains(.italic) { attrs |= cnc_a_italic() }
        if a.contains(.underline) { attrs |= cnc_a_underline() }
        if a.contains(.reverse) { attrs |= cnc_a_reverse() }
        var pair: Int32 = 0
        if colorDepth != .none {
            var fg = colorDepth.colorNumber(style.foreground)
            var bg = colorDepth.colorNumber(style.background)
            if !defaultColorsWork {
                if fg < 0 { fg = 7 }
                if bg < 0 { bg = 0 }
            }
            if fg >= 0 || bg >= 0 { pair = max(0, alloc_pair(fg, bg)) }
        }
        let resolved = (attrs: attrs, pair: pair)
        styleCache[style] = resolved
        return resolved
    }

    static func isXtermLike(_ term: String) -> Bool {
        ["xterm", "rxvt", "alacritty", "foot", "kitty", "wezterm", "tmux", "vte", "gnome", "konsole", "contour",
         "ghostty", "iterm"].contains { term.hasPrefix($0) }
    }
}
