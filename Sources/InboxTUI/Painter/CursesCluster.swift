/// How one grid cluster is handed to ncurses so that ncurses, the terminal and the grid agree on columns.
///
/// Why: an ncurses cell (`cchar_t`) holds one spacing character plus at most four zero-width ones, and ncurses
/// advances the cursor by libc `wcwidth`, while the grid measures clusters with utf8proc (an emoji ZWJ sequence
/// such as 👩🏽‍⚕️ or 👨‍👩‍👧 is one cluster, two columns). When the two agree the cluster is drawn as one or more cells (a
/// Devanagari consonant + spacing vowel sign, a flag's two regional indicators).
///
/// When they do not — emoji ZWJ sequences, skin tones, VS16 emoji that libc calls narrow:
/// - on a terminal that joins grapheme clusters itself (``joinsClusters(environment:)``: kitty, WezTerm, foot,
///   Ghostty, or `INBOX_GRAPHEMES=whole`), a sequence of at most five code points whose first character is as wide
///   as the cluster is sent whole in that one cell (``Plan/joined``), and the terminal draws it in those columns;
/// - everywhere else (xterm, VTE, tmux, the Linux console — which would draw each emoji of the sequence in its own
///   columns, tmux #4475) and for longer sequences (👨‍👩‍👧‍👦 has seven code points), the documented fallback: the cluster's
///   first character without joiners or VS16 (👩 for 👩🏽‍⚕️), padded with spaces to the grid width.
/// Either way layout never shifts; at worst an emoji shows only its first person.
enum CursesCluster {
    /// Characters ncurses may hold in one cell.
    static let maxPerCell = 5

    struct Plan: Equatable {
        /// Each segment is one ncurses cell's characters: a spacing character and its zero-width followers.
        var segments: [[UInt32]]
        /// Spaces drawn after the segments to fill the grid width.
        var padding: Int
        /// The single segment is a whole joined sequence (more than one spacing character) for a terminal that
        /// draws it as one glyph: it must be put into the cell as is (`setcchar` would stop at the second emoji).
        var joined = false
    }

    /// Whether the terminal draws an emoji ZWJ sequence as one glyph in its first character's columns.
    /// `INBOX_GRAPHEMES=whole` or `=split` decides explicitly; otherwise only terminals known to cluster
    /// graphemes (kitty, WezTerm, foot, Ghostty) and never inside tmux or screen, which re-draw by code point.
    static func joinsClusters(environment: [String: String]) -> Bool {
        switch environment["INBOX_GRAPHEMES"]?.lowercased() {
        case "whole": return true
        case "split": return false
        default: break
        }
        if environment["TMUX"] != nil || environment["STY"] != nil { return false }
        let term = environment["TERM"] ?? ""
        let program = environment["TERM_PROGRAM"]?.lowercased() ?? ""
        return term == "xterm-kitty" || term.hasPrefix("foot") || term == "xterm-ghostty"
            || ["wezterm", "ghostty"].contains(program)
    }

    /// Plans the drawing of `text`, which the grid says is `width` columns, with `wcwidth` as ncurses sees it;
    /// `joinsClusters`: the terminal draws a joined sequence as one glyph (see the type's documentation).
    static func plan(_ text: String, width: Int, joinsClusters: Bool = false, wcwidth: (UInt32) -> Int) -> Plan {
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
        if joinsClusters && !unprintable && segments.count > 1, let first = segments.first, wcwidth(first[0]) == width {
            let whole = text.unicodeScalars.map(\.value)
            if whole.count <= maxPerCell { return Plan(segments: [whole], padding: 0, joined: true) }
        }
        if !unprintable, var first = segments.first {
            first.removeAll { $0 == 0x200D || $0 == 0xFE0F }
            let w = wcwidth(first[0])
            if w >= 1 && w <= width { return Plan(segments: [first], padding: width - w) }
        }
        return Plan(segments: [[0xFFFD]], padding: width - 1)
    }
}
