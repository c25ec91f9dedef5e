/// How one grid cluster is handed to ncurses so that ncurses, the terminal and the grid agree on columns.
///
/// Why: an ncurses cell (`cchar_t`) holds one spacing character plus at most four zero-width ones, and ncurses
/// advances the cursor by libc `wcwidth`, while the grid measures clusters with utf8proc. When the two agree the
/// cluster is drawn as one or more cells (a Devanagari consonant + spacing vowel sign, a flag's two regional
/// indicators). When they do not — emoji ZWJ families, skin tones, VS16 emoji that libc calls narrow (terminals
/// disagree on those, tmux #4475) — the cluster degrades to its first character without joiners or VS16, padded
/// with spaces to the grid width. Layout never shifts; at worst an emoji loses its modifier.
enum CursesCluster {
    /// Characters ncurses may hold in one cell.
    static let maxPerCell = 5

    struct Plan: Equatable {
        /// Each segment is one ncurses cell's characters: a spacing character and its zero-width followers.
        var segments: [[UInt32]]
        /// Spaces drawn after the segments to fill the grid width.
        var padding: Int
    }

    /// Plans the drawing of `text`, which the grid says is `width` columns, with `wcwidth` as ncurses sees it.
    static func plan(_ text: String, width: Int, wcwidth: (UInt32) -> Int) -> Plan {
        guard width > 0 else { return Plan(segments: [], padding: 0) }
        var segments: [[UInt32]] = []
        var libcWidth = 0
        var unprintable = false
        for scalar in text.unicodeScalars {
            // Defence in depth for cells set directly through the grid's subscript: anything the hostile-text
            // policy would not keep as is (controls, bidi overrides) never reaches ncurses.
            guard case .keep = SafeText.action(for: scalar), scalar != "\n" else { unprintable = true; break }
            let w = wcwidth(scalar.value)
            if w < 0 { unprintable = true; break }
            if w > 0 {
                segments.append([scalar.value])
                libcWidth += w
            } else if !segments.isEmpty && segments[segments.count - 1].count < maxPerCell {
                segments[segments.count - 1].append(scalar.value)
            }
        }
        if !unprintable && libcWidth == width && !segments.isEmpty {
            return Plan(segments: segments, padding: 0)
        }
        if !unprintable, var first = segments.first {
            first.removeAll { $0 == 0x200D || $0 == 0xFE0F }
            let w = wcwidth(first[0])
            if w >= 1 && w <= width { return Plan(segments: [first], padding: width - w) }
        }
        return Plan(segments: [[0xFFFD]], padding: width - 1)
    }
}
