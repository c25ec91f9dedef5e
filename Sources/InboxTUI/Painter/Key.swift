import CNcursesw  // key-code constants only; no ncurses calls here

/// A key press as the app sees it, independent of ncurses.
public enum Key: Sendable, Hashable {
    /// A printable character (one Unicode scalar as typed; pasted emoji arrive scalar by scalar).
    case char(Character)
    /// Ctrl plus a letter (lower-case "a"…"z"), or " " (Ctrl-Space), "\\", "]", "^", "_".
    /// Ctrl-H, Ctrl-I, Ctrl-J and Ctrl-M arrive as .backspace, .tab and .enter: terminals send the same bytes.
    case ctrl(Character)
    /// Alt plus a character, sent by terminals as an ESC prefix. Alt-Backspace is `.alt("\u{7F}")`.
    case alt(Character)
    case enter
    case altEnter
    case tab
    case backTab
    case up, down, left, right
    case pageUp, pageDown, home, end
    case backspace
    case delete
    case escape
    /// The terminal was resized: re-read the size and render again.
    case resize
    /// F1…F63.
    case function(Int)
    /// Text the terminal pasted (bracketed paste, or a burst too fast to be typed; see ``KeyDecoder``), line breaks
    /// as "\n". One key, so a paste can never act as commands or press Enter.
    case paste(String)
}

/// What `wget_wch` returned: a character (`OK`) or a key code (`KEY_CODE_YES`).
public enum RawKey: Sendable, Equatable {
    case character(UInt32)
    case keyCode(Int32)
}

/// Turns raw `wget_wch` results into ``Key``s. Pure, so key handling is testable without a terminal.
///
/// Why lookahead: terminals send Alt+x as ESC followed by x. The painter reads ESC, then polls once more without
/// waiting; if a printable character is already queued they were one key press (the ESC delay is set short, so a
/// lone Escape still feels immediate).
public enum KeyDecoder {
    static let escape: UInt32 = 0x1B

    /// Decodes one raw key with no lookahead (ESC is `.escape`). Returns nil for input the app ignores (C1
    /// controls, unknown key codes).
    public static func decode(_ raw: RawKey) -> Key? {
        switch raw {
        case .keyCode(let code): return decodeKeyCode(code)
        case .character(let c): return decodeCharacter(c)
        }
    }

    /// Decodes `raw` given the key queued right after it (nil when none was waiting). `consumedNext` tells the
    /// caller that `next` was part of this key (an Alt combination) and must not be decoded again.
    public static func decode(_ raw: RawKey, next: RawKey?) -> (key: Key?, consumedNext: Bool) {
        guard raw == .character(escape), case .character(let c)? = next else { return (decode(raw), false) }
        switch c {
        case 0x0D, 0x0A: return (.altEnter, true)
        case 0x7F: return (.alt("\u{7F}"), true)
        case 0x20..<0x7F, 0xA0...:
            guard let scalar = Unicode.Scalar(c) else { return (.escape, false) }
            return (.alt(Character(scalar)), true)
        default: return (.escape, false)
        }
    }

    // MARK: Pasted text

    /// What follows ESC when a bracketed paste starts ("[200~") and ends ("[201~"): enabled with ESC[?2004h.
    public static let pasteStart: [RawKey] = "[200~".unicodeScalars.map { .character($0.value) }
    public static let pasteEnd: [RawKey] = [.character(escape)] + "[201~".unicodeScalars.map { .character($0.value) }

    /// Input that can be part of pasted text: printable characters, line breaks and tabs (not ESC, not other
    /// control characters, not key codes such as arrows).
    public static func isPlainText(_ raw: RawKey) -> Bool {
        guard case .character(let c) = raw else { return false }
        switch c {
        case 0x09, 0x0A, 0x0D: return true
        case 0x00..<0x20, 0x7F, 0x80...0x9F: return false
        default: return Unicode.Scalar(c) != nil
        }
    }

    static func isLineBreak(_ raw: RawKey) -> Bool { raw == .character(0x0D) || raw == .character(0x0A) }

    /// The text of a paste: CR, LF and CR LF become "\n" (terminals send Enter as CR), a keypad Enter too;
    /// every other control character and key code is dropped, so nothing pasted can act as a key.
    public static func pastedText(_ raws: [RawKey]) -> String {
        var scalars = String.UnicodeScalarView()
        var previousWasCR = false
        for raw in raws {
            defer { previousWasCR = raw == .character(0x0D) }
            if raw == .keyCode(KEY_ENTER) { scalars.append("\n"); continue }
            guard isPlainText(raw), case .character(let c) = raw, let scalar = Unicode.Scalar(c) else { continue }
            if c == 0x0A && previousWasCR { continue }
            scalars.append(c == 0x0D ? "\n" : scalar)
        }
        return String(scalars)
    }

    /// The rule for terminals without bracketed paste. `burst` is plain input that was already waiting when the
    /// client read its first key: it arrived faster than anyone types. It is pasted text when a line break in it
    /// follows text and more input follows the line break (that line break must not send), or when it continues
    /// a paste that ended a moment ago (a long paste the terminal or the network split). A burst that starts with Enter, or whose only
    /// line break is its last key, reads as keys: that is someone pressing Enter, or typing faster than the client
    /// could read, and Enter then sends as usual.
    public static func burstIsPaste(_ burst: [RawKey], continuesPaste: Bool) -> Bool {
        guard burst.allSatisfy(isPlainText) else { return false }
        if continuesPaste { return !burst.isEmpty }
        guard burst.count >= 3 else { return false }
        return burst.indices.dropFirst().dropLast().contains { isLineBreak(burst[$0]) && !isLineBreak(burst[$0 - 1]) }
    }

    /// Decodes a buffered sequence, pairing ESC prefixes with what follows (tests, replay, paste).
    public static func decodeAll(_ raws: [RawKey]) -> [Key] {
        var keys: [Key] = []
        var i = 0
        while i < raws.count {
            let next = i + 1 < raws.count ? raws[i + 1] : nil
            let (key, consumed) = decode(raws[i], next: next)
            if let key { keys.append(key) }
            i += consumed ? 2 : 1
        }
        return keys
    }

    private static func decodeCharacter(_ c: UInt32) -> Key? {
        switch c {
        case 0x0D, 0x0A: return .enter
        case 0x09: return .tab
        case 0x08, 0x7F: return .backspace
        case 0x1B: return .escape
        case 0x00: return .ctrl(" ")
        case 0x01...0x1A: return Unicode.Scalar(0x60 + c).map { .ctrl(Character($0)) }
        case 0x1C: return .ctrl("\\")
        case 0x1D: return .ctrl("]")
        case 0x1E: return .ctrl("^")
        case 0x1F: return .ctrl("_")
        case 0x80...0x9F: return nil
        default: return Unicode.Scalar(c).map { .char(Character($0)) }
        }
    }

    private static func decodeKeyCode(_ code: Int32) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_BACKSPACE: return .backspace
        case KEY_DC: return .delete
        case KEY_ENTER: return .enter
        case KEY_BTAB: return .backTab
        case KEY_RESIZE: return .resize
        case (KEY_F0 + 1)...(KEY_F0 + 63): return .function(Int(code - KEY_F0))
        default: return nil
        }
    }
}
