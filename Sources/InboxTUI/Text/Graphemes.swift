import CUtf8proc

/// One unit of layout: a sanitized extended grapheme cluster and the terminal columns it occupies (1 or more;
/// zero-width clusters never become glyphs). "\n" is its own glyph of width 1 (shown as a space on a single line).
public struct Glyph: Sendable, Equatable {
    public var text: String
    public var width: Int

    public init(text: String, width: Int) {
        self.text = text
        self.width = width
    }

    public static let space = Glyph(text: " ", width: 1)
    public var isNewline: Bool { text == "\n" }
}

/// Grapheme segmentation and display widths, both from libutf8proc.
///
/// Why utf8proc and not `Character`: widths must agree with what terminals draw. utf8proc 2.8 segments by Unicode 15
/// rules (no GB9c), so a Devanagari conjunct like "स्ते" stays two clusters ("स्", "ते"), one cell each — exactly how
/// terminals lay it out. Swift's own segmentation (Unicode 15.1) would glue it into one cluster.
///
/// Width of a cluster (computed incrementally by `Scanner`):
/// - emoji clusters (Extended_Pictographic or Regional-Indicator base): 2 when the base is wide, when VS16 (U+FE0F)
///   asks for emoji presentation, or for a flag pair; ZWJ-joined emoji and skin-tone modifiers add nothing.
/// - other clusters: the sum of utf8proc_charwidth over the cluster, except that spacing marks (category Mc, e.g.
///   Devanagari "ा") count one cell — utf8proc says 0, but wcwidth and every terminal give them a cell — and
///   Hangul V/T jamo after a base count 0. VS16 turns a width-1 cluster (keycaps "1️⃣") into 2.
/// Clusters are capped at ``maxScalarsPerCluster`` scalars (the rest are dropped) so "zalgo" stacks cannot smear
/// across neighbouring rows.
enum Graphemes {
    static let maxScalarsPerCluster = 16

    /// Preallocated one-character strings for printable ASCII, so the fast path never builds strings.
    static let ascii: [String] = (0..<128).map { String(UnicodeScalar(UInt8($0))) }

    /// True when `text` is only printable ASCII (no LF, no controls): one glyph per byte, width 1 each.
    @inline(__always)
    static func isPlainASCII(_ text: String) -> Bool {
        var s = text
        return s.withUTF8 { buf in
            for b in buf where b < 0x20 || b >= 0x7F { return false }
            return true
        }
    }

    /// Sanitizes `text` and splits it into glyphs, dropping zero-width clusters. `hasRTL` tells whether any scalar is
    /// from a right-to-left script, so callers can skip bidi entirely for the common case.
    static func glyphs(of text: String) -> (glyphs: [Glyph], hasRTL: Bool) {
        if isPlainASCII(text) {
            var s = text
            let glyphs = s.withUTF8 { buf in buf.map { Glyph(text: ascii[Int($0)], width: 1) } }
            return (glyphs, false)
        }
        var out: [Glyph] = []
        out.reserveCapacity(text.utf8.count)
        let hasRTL = scan(text) { glyph in
            out.append(glyph)
            return true
        }
        return (out, hasRTL)
    }

    /// Total display width of `text` after sanitizing (LF counts 1, like the space it is drawn as).
    static func width(of text: String) -> Int {
        if isPlainASCII(text) { return text.utf8.count }
        var total = 0
        _ = scan(text, makeText: false) { glyph in
            total += glyph.width
            return true
        }
        return total
    }

    /// A cheap, conservative test on UTF-8 lead bytes: false means `text` certainly has no RTL scalar (see
    /// ``isRTL(_:)``); true may be a false positive (Armenian, some SMP blocks), which only costs a slower path.
    static func mayContainRTL(_ text: String) -> Bool {
        var s = text
        return s.withUTF8 { buf in
            var i = 0
            while i < buf.count {
                let b = buf[i]
                if b >= 0xD6 && b <= 0xDF { return true }
                if i + 1 < buf.count {
                    let next = buf[i + 1]
                    if b == 0xE0 && next >= 0xA0 && next <= 0xA3 { return true }
                    if b == 0xEF && next >= 0xAC && next <= 0xBB { return true }
                    if b == 0xF0 && (next == 0x90 || next == 0x9E) { return true }
                }
                i += 1
            }
            return false
        }
    }

    /// Walks the sanitized clusters of `text`, calling `body` with each non-zero-width cluster as a ``Glyph``
    /// (text left empty when `makeText` is false) until `body` returns false. Returns whether an RTL scalar was
    /// seen (in the part walked).
    ///
    /// Why it looks low-level: this is the render hot path (every non-ASCII write, wrap and width). Clusters are
    /// collected as UTF-8 in a stack buffer and measured incrementally, so there is no per-cluster array; scalars
    /// below U+0300 (Latin, never extending a cluster) skip the break test.
    @discardableResult
    static func scan(_ text: String, makeText: Bool = true, _ body: (Glyph) -> Bool) -> Bool {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxScalarsPerCluster * 4) { buffer in
            var scanner = Scanner(buffer: buffer, makeText: makeText)
            for scalar in text.unicodeScalars {
                let goOn: Bool
                switch SafeText.action(for: scalar) {
                case .keep: goOn = scanner.feed(scalar, body)
                case .drop: goOn = true
                case .replace(let r): goOn = scanner.feed(r, body)
                case .tab:
                    var ok = true
                    for _ in 0..<SafeText.tabWidth where ok { ok = scanner.feed(" ", body) }
                    goOn = ok
                }
                if !goOn { return scanner.hasRTL }
            }
            _ = scanner.flush(body)
            return scanner.hasRTL
        }
    }

    private static let categoryMc = Int32(UTF8PROC_CATEGORY_MC.rawValue)
    private static let boundPictographic = Int32(UTF8PROC_BOUNDCLASS_EXTENDED_PICTOGRAPHIC.rawValue)
    private static let boundRegional = Int32(UTF8PROC_BOUNDCLASS_REGIONAL_INDICATOR.rawValue)
    private static let boundV = Int32(UTF8PROC_BOUNDCLASS_V.rawValue)
    private static let boundT = Int32(UTF8PROC_BOUNDCLASS_T.rawValue)

    /// One cluster being collected: its UTF-8 bytes and the running width (rules in the type's documentation).
    private struct Scanner {
        let buffer: UnsafeMutableBufferPointer<UInt8>
        let makeText: Bool
        var length = 0          // bytes in buffer
        var count = 0           // scalars in the cluster
        var previous: Unicode.Scalar = "\0"
        var state: utf8proc_int32_t = 0
        var hasRTL = false
        // Running measurements of the current cluster.
        var firstWidth = 0
        var emojiBase = false
        var firstIsRegional = false
        var regionalPair = false
        var hasVS16 = false
        var textWidth = 0

        init(buffer: UnsafeMutableBufferPointer<UInt8>, makeText: Bool) {
            self.buffer = buffer
            self.makeText = makeText
        }

        mutating func feed(_ scalar: Unicode.Scalar, _ body: (Glyph) -> Bool) -> Bool {
            let v = scalar.value
            if v >= 0x0590 && Graphemes.isRTL(v) { hasRTL = true }
            if scalar == "\n" {
                guard flush(body) else { return false }
                state = 0
                previous = scalar
                return body(Glyph(text: "\n", width: 1))
            }
            if count > 0 {
                let breaks: Bool
                if v < 0x300 && previous.value < 0x300 {  // no Extend/Prepend/ZWJ below U+0300
                    breaks = true
                    state = 0
                } else {
                    breaks = utf8proc_grapheme_break_stateful(
                        utf8proc_int32_t(bitPattern: previous.value), utf8proc_int32_t(bitPattern: v), &state)
                }
                if breaks { guard flush(body) else { return false } }
            } else {
                state = 0
            }
            previous = scalar
            if count >= Graphemes.maxScalarsPerCluster { return true }
            if count == 0 { start(scalar) } else { extend(scalar) }
            count += 1
            if makeText { append(scalar) }
            return true
        }

        private mutating func start(_ scalar: Unicode.Scalar) {
            hasVS16 = false
            regionalPair = false
            if scalar.value < 0x300 {  // Latin and friends: width 1, never emoji
                firstWidth = 1
                emojiBase = false
                firstIsRegional = false
                textWidth = 1
                return
            }
            let code = utf8proc_int32_t(bitPattern: scalar.value)
            firstWidth = Int(utf8proc_charwidth(code))
            let bound = cu8_boundclass(code)
            firstIsRegional = bound == Graphemes.boundRegional
            emojiBase = bound == Graphemes.boundPictographic || firstIsRegional
            textWidth = firstWidth == 0 && cu8_category(code) == Graphemes.categoryMc ? 1 : firstWidth
        }

        private mutating func extend(_ scalar: Unicode.Scalar) {
            if scalar == "\u{FE0F}" { hasVS16 = true; return }
            let code = utf8proc_int32_t(bitPattern: scalar.value)
            if emojiBase {
                if count == 1 && firstIsRegional && cu8_boundclass(code) == Graphemes.boundRegional { regionalPair = true }
                return
            }
            let w = Int(utf8proc_charwidth(code))
            if w == 0 {
                if cu8_category(code) == Graphemes.categoryMc { textWidth += 1 }
            } else {
                let bound = cu8_boundclass(code)
                if bound != Graphemes.boundV && bound != Graphemes.boundT { textWidth += w }
            }
        }

        private mutating func append(_ scalar: Unicode.Scalar) {
            var v = scalar.value
            if v < 0x80 {
                buffer[length] = UInt8(v); length += 1
            } else if v < 0x800 {
                buffer[length] = UInt8(0xC0 | (v >> 6)); buffer[length + 1] = UInt8(0x80 | (v & 0x3F)); length += 2
            } else if v < 0x10000 {
                buffer[length] = UInt8(0xE0 | (v >> 12)); buffer[length + 1] = UInt8(0x80 | ((v >> 6) & 0x3F))
                buffer[length + 2] = UInt8(0x80 | (v & 0x3F)); length += 3
            } else {
                buffer[length] = UInt8(0xF0 | (v >> 18)); buffer[length + 1] = UInt8(0x80 | ((v >> 12) & 0x3F))
                v &= 0xFFF
                buffer[length + 2] = UInt8(0x80 | (v >> 6)); buffer[length + 3] = UInt8(0x80 | (v & 0x3F))
                length += 4
            }
        }

        /// Ends the current cluster and hands it to `body` unless it is zero width.
        mutating func flush(_ body: (Glyph) -> Bool) -> Bool {
            guard count > 0 else { return true }
            let width: Int
            if count == 1 {
                width = textWidth
            } else if emojiBase {
                width = regionalPair ? 2 : (firstWidth == 2 || hasVS16) ? 2 : firstWidth
            } else {
                width = hasVS16 && textWidth == 1 ? 2 : textWidth
            }
            var text = ""
            if makeText && width > 0 {
                if length == 1 {
                    text = Graphemes.ascii[Int(buffer[0])]
                } else {
                    text = String(decoding: UnsafeBufferPointer(rebasing: buffer[0..<length]), as: UTF8.self)
                }
            }
            count = 0
            length = 0
            return width > 0 ? body(Glyph(text: text, width: width)) : true
        }
    }

    /// Whether any glyph holds a right-to-left scalar (see ``isRTL(_:)``).
    static func containsRTL(_ glyphs: [Glyph]) -> Bool {
        glyphs.contains { glyph in glyph.text.unicodeScalars.contains { isRTL($0.value) } }
    }

    /// Scalars of right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, Mandaic, their presentation
    /// forms, and the SMP RTL blocks). Only a cheap gate: FriBidi decides the real levels.
    @inline(__always)
    static func isRTL(_ v: UInt32) -> Bool {
        if v < 0x0590 { return false }
        return v <= 0x08FF || (v >= 0xFB1D && v <= 0xFDFF) || (v >= 0xFE70 && v <= 0xFEFF)
            || (v >= 0x10800 && v <= 0x10FFF) || (v >= 0x1E800 && v <= 0x1EFFF)
    }
}
