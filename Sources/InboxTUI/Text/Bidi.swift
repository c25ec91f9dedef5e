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

    /// Reorders glyphs of one line from logical to visual order. Returns the input unchanged if FriBidi fails.
    static func reorder(_ glyphs: [Glyph], direction: Direction = .auto) -> [Glyph] {
        guard glyphs.count > 1 else { return mirrored(glyphs, direction: direction) }
        var chars: [FriBidiChar] = []
        var starts: [Int] = []
        chars.reserveCapacity(glyphs.count)
        starts.reserveCapacity(glyphs.count)
        for g in glyphs {
            starts.append(chars.count)
            if g.isNewline { chars.append(0x20); continue }
            for s in g.text.unicodeScalars { chars.append(s.value) }
        }
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
        guard fribidi_get_par_embedding_levels_ex(types, brackets, length, &base, &levels) > 0 else { return glyphs }
        // Applies L1 part 4 (trailing whitespace takes the paragraph level); levels are updated in place.
        guard fribidi_reorder_line(cfb_reorder_flags(), types, length, 0, base, &levels, nil, nil) > 0 else {
            return glyphs
        }
        let glyphLevels = starts.map { Int(levels[$0]) }
        var order = Array(glyphs.indices)
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
        return order.map { index in
            var g = glyphs[index]
            if glyphLevels[index] & 1 == 1 { g = mirror(g) }
            return g
        }
    }

    private static func mirrored(_ glyphs: [Glyph], direction: Direction) -> [Glyph] {
        direction == .rightToLeft ? glyphs.map(mirror) : glyphs
    }

    /// L4: a single-scalar glyph with a Bidi_Mirroring_Glyph ("(" ↔ ")") is swapped when shown right-to-left.
    private static func mirror(_ glyph: Glyph) -> Glyph {
        let scalars = glyph.text.unicodeScalars
        guard scalars.count == 1, let s = scalars.first else { return glyph }
        var m: FriBidiChar = 0
        guard fribidi_get_mirror_char(s.value, &m) != 0, let ms = Unicode.Scalar(m) else { return glyph }
        return Glyph(text: String(Character(ms)), width: glyph.width)
    }
}
