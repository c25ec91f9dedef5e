/// The one policy that turns hostile text (patient messages, names, file names, previews) into text that can never
/// drive the terminal.
///
/// Why: a chat client copies strangers' bytes onto the agent's screen. An ESC, CSI or OSC sequence could move the
/// cursor, retitle the window or spoof UI lines (gurk-rs GHSA-89xp-c3mq-qj84, croc GHSA-364c-vvqx-446c); CR and BS
/// over-draw text even through ncurses; bidi overrides reverse whole lines (weechat #1545). So every string that
/// reaches the screen passes through here first (``CellGrid/write(_:x:y:maxWidth:style:)`` and ``TextLayout`` call it).
///
/// Policy, per Unicode scalar:
/// - C0 controls U+0000–U+001F (except TAB, LF, CR, BS) → the Control Pictures glyph U+2400+code ("␛" for ESC), so an
///   injection attempt stays visible to the agent instead of silently vanishing.
/// - DEL U+007F → "␡" (U+2421).
/// - C1 controls U+0080–U+009F (8-bit CSI, OSC, NEL …) → "�" (U+FFFD). The replacement character is chosen over
///   "⍰" because every terminal font has it; invalid UTF-8 uses the same glyph.
/// - CR and BS → dropped (they only move the cursor).
/// - TAB → ``tabWidth`` spaces (a fixed expansion: chat text has no tab stops worth honouring).
/// - LF → kept; layout decides (``TextLayout/wrap(_:width:)`` breaks lines, ``CellGrid`` shows it as a space).
///   U+2028/U+2029 (line/paragraph separator) become LF for the same reason.
/// - Bidi formatting controls → dropped: LRM/RLM U+200E/F, ALM U+061C, embeddings/overrides U+202A–U+202E and
///   isolates U+2066–U+2069. The client does its own reordering (``Bidi``), so they are never needed.
/// - Invisible troublemakers → dropped: BOM/ZWNBSP U+FEFF, soft hyphen U+00AD (terminals disagree whether it takes a
///   cell), interlinear annotation U+FFF9–U+FFFB.
/// Everything else (including ZWJ/ZWNJ, variation selectors and emoji tags, which build emoji and Indic clusters) is
/// kept; stray zero-width clusters are dropped later by the grapheme layer.
public enum SafeText {
    /// Spaces a TAB becomes.
    public static let tabWidth = 4
    /// Shown for C1 controls and invalid UTF-8.
    public static let replacement: Unicode.Scalar = "\u{FFFD}"

    /// Sanitizes a Swift string (already valid Unicode). Pure printable ASCII is returned unchanged without copying.
    public static func sanitize(_ string: String) -> String {
        if isInert(string) { return string }
        var out = String.UnicodeScalarView()
        for scalar in string.unicodeScalars {
            append(scalar, to: &out)
        }
        return String(out)
    }

    /// Sanitizes raw bytes from the wire or disk: invalid UTF-8 sequences become U+FFFD, then the scalar policy applies.
    public static func sanitize<Bytes: Sequence>(bytes: Bytes) -> String where Bytes.Element == UInt8 {
        sanitize(String(decoding: Array(bytes), as: UTF8.self))
    }

    /// What one scalar becomes under the policy.
    @usableFromInline
    enum Action {
        case keep
        case drop
        case replace(Unicode.Scalar)
        case tab
    }

    @inline(__always) @usableFromInline
    static func action(for scalar: Unicode.Scalar) -> Action {
        let v = scalar.value
        if v >= 0x20 && v < 0x7F { return .keep }
        switch v {
        case 0x0A: return .keep
        case 0x09: return .tab
        case 0x08, 0x0D: return .drop
        case 0x00...0x1F: return .replace(Unicode.Scalar(0x2400 + v) ?? replacement)
        case 0x7F: return .replace("\u{2421}")
        case 0x80...0x9F: return .replace(replacement)
        case 0x00AD, 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0xFEFF, 0xFFF9...0xFFFB:
            return .drop
        case 0x2028, 0x2029: return .replace("\n")
        default: return .keep
        }
    }

    /// Appends the sanitized form of `scalar` (zero, one or ``tabWidth`` scalars).
    @inline(__always)
    static func append(_ scalar: Unicode.Scalar, to out: inout String.UnicodeScalarView) {
        switch action(for: scalar) {
        case .keep: out.append(scalar)
        case .drop: break
        case .replace(let r): out.append(r)
        case .tab: for _ in 0..<tabWidth { out.append(" ") }
        }
    }

    /// True when every byte is printable ASCII or LF, i.e. sanitizing would change nothing. Fast: a byte loop.
    @inline(__always)
    static func isInert(_ string: String) -> Bool {
        var s = string
        return s.withUTF8 { buf in
            for b in buf where (b < 0x20 && b != 0x0A) || b >= 0x7F { return false }
            return true
        }
    }
}
