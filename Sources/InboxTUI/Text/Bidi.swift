import CFribidi

/// Logical-to-visual reordering of one line with FriBidi, so Hebrew and Arabic read correctly on terminals that do
/// not reorder themselves (nchat #257: most do not).
///
/// Why whole clusters: FriBidi resolves the embedding levels (UAX #9 P2–I1 and L1 via `fribidi_reorder_line`), but
/// the L2 reversal is done here on ``Glyph``s, never on scalars, so combining marks, emoji ZWJ sequences and Indic
/// clusters stay intact inside a reversed run. Mirrored brackets in RTL runs are swapped (L4).
///
/// Arabic shaping is not applied: terminals that render Arabic shape it themselves, and presentation forms would
/// break copy-and-paste. Text with no RTL scalar never reaches FriBidi (see ``Graphemes/isRTL(_:)``).
/// Terminals that reorder by themselves (mlterm, Konsole with bidi on) need the off-switch
/// ``CellGrid/reorderBidi``, or the line would be reversed twice.
public enum Bidi {
    /// The paragraph direction to resolve against.
    public enum Direction: Sendable {
        /// From the first strong character (UAX #9 P2/P3); LTR when there is none.
        case auto
        case leftToRight
        case rightToLeft
    }

    /// Whether the terminal reorders RTL text by itself, so the client must not (``CellGrid/reorderBidi`` = false).
    /// `INBOX_BIDI=terminal` or `=client` decides explicitly; otherwise mlterm (`MLTERM`) and Konsole
    /// (`KONSOLE_VERSION`, bidi rendering on by default) are assumed to reorder, everything else not.
    public static func terminalReordersItself(environment: [String: String]) -> Bool {
        switch environment["INBOX_BIDI"]?.lowercased() {
        case "terminal": return true
        case "client": return false
        default: return environment["MLTERM"] != nil || environment["KONSOLE_VERSION"] != nil
        }
    }

    /// Reorders one line of (hostile) text to visual order. The result is sanitized; newlines become spaces.
    public static func visualOrder(_ line: String, direction: Direction = .auto) -> String {
        let (glyphs, hasRTL) = Graphemes.glyphs(of: line)
        let ordered = hasRTL || direction == .rightToLeft ? reorder(glyphs, direction: direction) : glyphs
        var out = ""
        for g in ordered { out += g.isNewline ? " " : g.text }
        return out
    }

    /// Reorders glyphs of one line (a paragraph of its own) from logical to visual order. Returns the input
    /// unchanged if FriBidi fails.
    static func reorder(_ glyphs: [Glyph], direction: Direction = .auto) -> [Glyph] {
        guard glyphs.count > 1 else { return mirrored(glyphs, direction: direction) }
        return BidiParagraph(glyphs, hasRTL: true, direction: direction).visualLine(glyphs.indices)
    }

    private static func mirrored(_ glyphs: [Glyph], direction: Direction) -> [Glyph] {
        direction == .rightToLeft ? glyphs.map(mirror) : glyphs
    }

    /// L4: a single-scalar glyph with a Bidi_Mirroring_Glyph ("(" ↔ ")") is swapped when shown right-to-left.
    static func mirror(_ glyph: Glyph) -> Glyph {
        let scalars = glyph.text.unicodeScalars
        guard scalars.count == 1, let s = scalars.first else { return glyph }
        var m: FriBidiChar = 0
        guard fribidi_get_mirror_char(s.value, &m) != 0, let ms = Unicode.Scalar(m) else { return glyph }
        return Glyph(text: String(Character(ms)), width: glyph.width)
    }
}

/// One paragraph's embedding levels, resolved once over the whole paragraph (UAX #9 P2–I2), from which each wrapped
/// line is then reordered on its own (L1–L4).
///
/// Why per paragraph: resolving each wrapped line separately lets a line that happens to start with Arabic turn the
/// line right-to-left, so the full stop of an English sentence jumps to the far left; UAX #9 §3.4 resolves levels
/// over the paragraph and only reorders per line. The paragraph's direction also decides its alignment: right-to-left
/// paragraphs are drawn flush right.
struct BidiParagraph {
    let glyphs: [Glyph]
    /// The resolved paragraph direction (from its first strong character unless forced).
    let isRightToLeft: Bool
    /// Index of each glyph's first scalar in `types`/`levels`, plus the end.
    private let starts: [Int]
    private let types: [FriBidiCharType]
    /// Empty when nothing needs reordering (no RTL scalar, or FriBidi failed).
    private let levels: [FriBidiLevel]
    private let base: FriBidiParType

    /// `hasRTL` false (no right-to-left scalar) skips FriBidi entirely: such a paragraph is left-to-right as it is.
    init(_ glyphs: [Glyph], hasRTL: Bool, direction: Bidi.Direction = .auto) {
        self.glyphs = glyphs
        guard hasRTL || direction == .rightToLeft, !glyphs.isEmpty else {
            isRightToLeft = direction == .rightToLeft
            starts = []
            types = []
            levels = []
            base = cfb_par_ltr()
            return
        }
        var chars: [FriBidiChar] = []
        var starts: [Int] = []
        chars.reserveCapacity(glyphs.count + 1)
        starts.reserveCapacity(glyphs.count + 1)
        for g in glyphs {
            starts.append(chars.count)
            if g.isNewline { chars.append(0x20); continue }
            for s in g.text.unicodeScalars { chars.append(s.value) }
        }
        starts.append(chars.count)
        let length = FriBidiStrIndex(chars.count)
        var types = [FriBidiCharType](repeating: FriBidiCharType(rawValue: 0), count: chars.count)
        var brackets = [FriBidiBracketType](repeating: 0, count: chars.count)
        var levels = [FriBidiLevel](repeating: 0, count: chars.count)
        var base: FriBidiParType
        switch direction {
        case .auto: base = cfb_par_on()
        case .leftToRight: base = cfb_par_ltr()
        case .rightToLeft: base = cfb_par_rtl()
        }
        fribidi_get_bidi_types(chars, length, &types)
        fribidi_get_bracket_types(chars, length, types, &brackets)
        let resolved = fribidi_get_par_embedding_levels_ex(types, brackets, length, &base, &levels) > 0
        self.starts = starts
        self.types = types
        self.levels = resolved ? levels : []
        self.base = base
        isRightToLeft = resolved ? base == cfb_par_rtl() : direction == .rightToLeft
    }

    /// The glyphs of one line of the paragraph (`range`, in logical order) in visual order: trailing whitespace
    /// takes the paragraph level (L1), runs are reversed from the highest level down (L2), mirrored characters
    /// swapped in right-to-left runs (L4). Clusters are reversed whole, never split.
    func visualLine(_ range: Range<Int>) -> [Glyph] {
        visualLineWithOrder(range).glyphs
    }

    /// ``visualLine(_:)`` and, for each visual slot, the logical index of the glyph shown there (for cursors).
    func visualLineWithOrder(_ range: Range<Int>) -> (glyphs: [Glyph], logical: [Int]) {
        let identity = (Array(glyphs[range]), Array(range))
        guard !levels.isEmpty, !range.isEmpty else { return identity }
        let offset = starts[range.lowerBound]
        let length = starts[range.upperBound] - offset
        var lineLevels = Array(levels[offset..<(offset + length)])
        let reordered = types.withUnsafeBufferPointer { all in
            fribidi_reorder_line(cfb_reorder_flags(), all.baseAddress! + offset, FriBidiStrIndex(length), 0, base,
                                 &lineLevels, nil, nil)
        }
        guard reordered > 0 else { return identity }
        let glyphLevels = range.map { Int(lineLevels[starts[$0] - offset]) }
        var order = Array(0..<range.count)
        let maxLevel = glyphLevels.max() ?? 0
        let lowestOdd = (glyphLevels.min() ?? 0) | 1
        if maxLevel >= lowestOdd {
            // L2: from the highest level down to the lowest odd level, reverse every run at that level or higher.
            for level in stride(from: maxLevel, through: lowestOdd, by: -1) {
                var i = 0
                while i < order.count {
                    guard glyphLevels[order[i]] >= level else { i += 1; continue }
                    var j = i
                    while j < order.count && glyphLevels[order[j]] >= level { j += 1 }
                    order[i..<j].reverse()
                    i = j
                }
            }
        }
        let visual = order.map { index in
            let g = glyphs[range.lowerBound + index]
            return glyphLevels[index] & 1 == 1 ? Bidi.mirror(g) : g
        }
        return (visual, order.map { range.lowerBound + $0 })
    }
}
