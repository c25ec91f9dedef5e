/// A readline-like, multi-line text buffer: the reply composer and the search query both use it.
///
/// Text is held as grapheme clusters (`Character`s) so the cursor can never land inside an emoji, a flag
/// or a letter with a combining accent, and one Backspace removes what the eye sees as one character.
/// Lines are separated by `"\n"`; "line" below always means such a logical line, not a wrapped row.
public struct ComposerBuffer: Sendable, Equatable {
    public private(set) var characters: [Character]
    /// Insertion point, in graphemes from the start: `0...characters.count`.
    public private(set) var cursor: Int
    /// The last text removed by a kill command (Ctrl-K/U/W), for Ctrl-Y.
    public private(set) var killBuffer: String = ""

    public init(_ text: String = "") {
        characters = Array(Self.normalized(text))
        cursor = characters.count
    }

    public var text: String { String(characters) }
    public var isEmpty: Bool { characters.isEmpty }
    /// True when there is nothing but whitespace: such a draft is neither sent nor worth a quit prompt.
    public var isBlank: Bool { characters.allSatisfy { $0.isWhitespace } }

    /// Where the cursor is as (line, column), both counted in graphemes from zero.
    public var cursorLineAndColumn: (line: Int, column: Int) {
        var line = 0
        var column = 0
        for character in characters[..<cursor] {
            if character == "\n" { line += 1; column = 0 } else { column += 1 }
        }
        return (line, column)
    }

    public mutating func apply(_ edit: EditCommand, multiline: Bool = true) {
        switch edit {
        case .insert(let text): insert(multiline ? text : text.replacingNewlines(with: " "))
        case .newline: if multiline { insert("\n") }
        case .backspace:
            guard cursor > 0 else { return }
            characters.remove(at: cursor - 1)
            cursor -= 1
        case .deleteForward:
            guard cursor < characters.count else { return }
            characters.remove(at: cursor)
        case .left: cursor = max(0, cursor - 1)
        case .right: cursor = min(characters.count, cursor + 1)
        case .up: moveVertically(by: -1)
        case .down: moveVertically(by: 1)
        case .wordLeft: cursor = previousWordStart()
        case .wordRight: cursor = nextWordEnd()
        case .lineStart: cursor = lineStart(at: cursor)
        case .lineEnd: cursor = lineEnd(at: cursor)
        case .killToLineEnd:
            // Like Emacs: at the end of a line, Ctrl-K joins the next line instead of doing nothing.
            let end = lineEnd(at: cursor)
            kill(cursor..<(end == cursor ? min(characters.count, end + 1) : end))
        case .killToLineStart: kill(lineStart(at: cursor)..<cursor)
        case .killWordBackward: kill(previousWordStart()..<cursor)
        case .yank: insert(killBuffer)
        case .clear:
            characters = []
            cursor = 0
        }
    }

    /// Replaces the whole text (e.g. after `$EDITOR` returns) and puts the cursor at the end.
    public mutating func replace(with text: String) {
        characters = Array(Self.normalized(text))
        cursor = characters.count
    }

    // MARK: - Editing primitives

    private mutating func insert(_ text: String) {
        let clean = Self.normalized(text)
        guard !clean.isEmpty else { return }
        // Re-segment around the insertion: a combining accent or a ZWJ typed after an emoji arrives as its own
        // key but belongs to the previous grapheme. Drafts are short, so re-reading the text is cheap.
        let before = String(characters[..<cursor]) + clean
        let joined = Array(before + String(characters[cursor...]))
        // If the inserted text fused with the grapheme after it, the cursor goes after the fused grapheme.
        cursor = min(before.count, joined.count)
        characters = joined
    }

    private mutating func kill(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        killBuffer = String(characters[range])
        characters.removeSubrange(range)
        cursor = range.lowerBound
    }

    private mutating func moveVertically(by delta: Int) {
        let (line, column) = cursorLineAndColumn
        let target = line + delta
        guard target >= 0 else { cursor = 0; return }
        var start = 0
        var currentLine = 0
        while currentLine < target {
            guard let newline = characters[start...].firstIndex(of: "\n") else { cursor = characters.count; return }
            start = newline + 1
            currentLine += 1
        }
        cursor = min(start + column, lineEnd(at: start))
    }

    private func lineStart(at position: Int) -> Int {
        var index = position
        while index > 0, characters[index - 1] != "\n" { index -= 1 }
        return index
    }

    private func lineEnd(at position: Int) -> Int {
        var index = position
        while index < characters.count, characters[index] != "\n" { index += 1 }
        return index
    }

    /// Readline's unix-word-rubout boundary: skip whitespace backwards, then the word.
    private func previousWordStart() -> Int {
        var index = cursor
        while index > 0, characters[index - 1].isWhitespace { index -= 1 }
        while index > 0, !characters[index - 1].isWhitespace { index -= 1 }
        return index
    }

    private func nextWordEnd() -> Int {
        var index = cursor
        while index < characters.count, characters[index].isWhitespace { index += 1 }
        while index < characters.count, !characters[index].isWhitespace { index += 1 }
        return index
    }

    /// Pasted text arrives with CR LF or bare CR line ends and tabs; the composer keeps only LF and spaces
    /// so what is sent is what is shown.
    static func normalized(_ text: String) -> String {
        guard text.contains(where: { $0 == "\r" || $0 == "\r\n" || $0 == "\t" }) else { return text }
        var result = ""
        for character in text {
            switch character {
            case "\r\n", "\r": result.append("\n")
            case "\t": result.append("    ")
            default: result.append(character)
            }
        }
        return result
    }
}

/// One editing step, independent of which key produced it (the keymap decides that).
public enum EditCommand: Sendable, Equatable {
    case insert(String)
    case newline
    case backspace
    case deleteForward
    case left, right, up, down
    case wordLeft, wordRight
    case lineStart, lineEnd
    case killToLineEnd, killToLineStart, killWordBackward
    case yank
    case clear
}

extension String {
    func replacingNewlines(with replacement: String) -> String {
        guard contains(where: { $0.isNewline }) else { return self }
        return String(map { $0.isNewline ? Character(replacement) : $0 })
    }
}
