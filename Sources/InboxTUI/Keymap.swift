import InboxModel

/// A command a key can be bound to. The raw value is its name in the config file's `[keys]` table.
public enum KeyCommand: String, CaseIterable, Sendable {
    case moveDown = "move_down"
    case moveUp = "move_up"
    case pageUp = "page_up"
    case pageDown = "page_down"
    case top
    case bottom
    case open
    case nextPane = "next_pane"
    case previousPane = "previous_pane"
    case tabWaiting = "tab_waiting"
    case tabMine = "tab_mine"
    case tabBot = "tab_bot"
    case tabClosed = "tab_closed"
    case tabTeam = "tab_team"
    case tabSnoozed = "tab_snoozed"
    case nextWaiting = "next_waiting"
    case takeOver = "take_over"
    case reply
    case editor = "compose_in_editor"
    case handBack = "hand_back"
    case close
    case reopen
    case transfer
    case template
    case openAttachment = "open_attachment"
    case attach = "attach_file"
    case retry
    case discard = "discard_failed"
    case search
    case note
    case palette = "command_palette"
    case snooze
    case profile = "edit_profile"
    case tagFilter = "filter_by_tag"
    case toggleSidebar = "toggle_sidebar"
    case help
    case quit

    public var action: Action {
        switch self {
        case .moveDown: .moveSelection(1)
        case .moveUp: .moveSelection(-1)
        case .pageUp: .pageUp
        case .pageDown: .pageDown
        case .top: .jumpToTop
        case .bottom: .jumpToBottom
        case .open: .openSelected
        case .nextPane: .focusNext
        case .previousPane: .focusPrevious
        case .tabWaiting: .switchTab(.waiting)
        case .tabMine: .switchTab(.mine)
        case .tabBot: .switchTab(.bot)
        case .tabClosed: .switchTab(.closed)
        case .tabTeam: .switchTab(.team)
        case .tabSnoozed: .switchTab(.snoozed)
        case .nextWaiting: .nextWaiting
        case .takeOver: .takeOver
        case .reply: .reply
        case .editor: .composeInEditor
        case .handBack: .handBack
        case .close: .close
        case .reopen: .reopen
        case .transfer: .openTransferPicker
        case .template: .openTemplatePicker
        case .openAttachment: .openAttachments
        case .attach: .attachFile
        case .retry: .retryFailed
        case .discard: .discardFailed
        case .search: .openSearch
        case .note: .openNote
        case .palette: .openPalette
        case .snooze: .snooze
        case .profile: .editProfile
        case .tagFilter: .filterByTag
        case .toggleSidebar: .toggleSidebar
        case .help: .toggleHelp
        case .quit: .requestQuit
        }
    }

    /// What the help overlay and the hint bar call it.
    public var summary: String {
        switch self {
        case .moveDown: "down"
        case .moveUp: "up"
        case .pageUp: "page up"
        case .pageDown: "page down"
        case .top: "first"
        case .bottom: "last"
        case .open: "open"
        case .nextPane: "next pane"
        case .previousPane: "previous pane"
        case .tabWaiting: "Waiting tab"
        case .tabMine: "Mine tab"
        case .tabBot: "Bot tab"
        case .tabClosed: "Closed tab"
        case .tabTeam: "Team tab (held by colleagues)"
        case .tabSnoozed: "Snoozed tab"
        case .nextWaiting: "next waiting"
        case .takeOver: "take over"
        case .reply: "reply"
        case .editor: "compose in $EDITOR"
        case .handBack: "hand back to AI"
        case .close: "close"
        case .reopen: "reopen a closed one"
        case .transfer: "transfer"
        case .template: "send a template"
        case .openAttachment: "save/open a file"
        case .attach: "attach a file"
        case .retry: "retry failed"
        case .discard: "discard failed"
        case .search: "search"
        case .note: "private note"
        case .palette: "command palette (every action)"
        case .snooze: "snooze"
        case .profile: "edit patient profile"
        case .tagFilter: "filter queue by tag"
        case .toggleSidebar: "patient sidebar"
        case .help: "help"
        case .quit: "quit"
        }
    }

    static let defaults: [KeyCommand: [Key]] = [
        .moveDown: [.char("j"), .down],
        .moveUp: [.char("k"), .up],
        .pageUp: [.pageUp],
        .pageDown: [.pageDown],
        .top: [.char("g"), .home],
        .bottom: [.char("G"), .end],
        .open: [.enter],
        .nextPane: [.tab],
        .previousPane: [.backTab],
        .tabWaiting: [.char("1")],
        .tabMine: [.char("2")],
        .tabBot: [.char("3")],
        .tabClosed: [.char("4")],
        .tabTeam: [.char("5")],
        .tabSnoozed: [.char("6")],
        .nextWaiting: [.char("n")],
        .takeOver: [.char("t")],
        .reply: [.char("r")],
        .editor: [.char("e")],
        .handBack: [.char("b")],
        .reopen: [.char("O")],
        .close: [.char("x")],
        .transfer: [.char("a")],
        .template: [.char("T")],
        .openAttachment: [.char("o")],
        .attach: [.char("A")],
        .retry: [.char("R")],
        .discard: [.char("D")],
        .search: [.char("/")],
        .note: [.char("p")],
        .palette: [.char(":")],
        .snooze: [.char("z")],
        .profile: [.char("P")],
        .tagFilter: [.char("#")],
        .toggleSidebar: [.char("s")],
        .help: [.char("?"), .function(1)],
        .quit: [.char("q")],
    ]
}

/// Which key does what. Commands outside text input are configurable; text editing (readline keys), Esc and
/// Ctrl-C are fixed so a config file can never take away the way out.
public struct Keymap: Sendable, Equatable {
    public private(set) var bindings: [KeyCommand: [Key]]
    private var commandsByKey: [Key: KeyCommand]

    public static let `default` = Keymap(bindings: KeyCommand.defaults)

    init(bindings: [KeyCommand: [Key]]) {
        self.bindings = bindings
        commandsByKey = [:]
        // Stable order, so a key bound twice resolves the same way every run.
        for command in KeyCommand.allCases {
            for key in bindings[command] ?? [] where commandsByKey[key] == nil { commandsByKey[key] = command }
        }
    }

    /// The default bindings with the config's `[keys]` overrides applied. An override replaces that command's
    /// keys and takes them away from any other command. Unknown names and unreadable keys are reported, not fatal.
    public init(overrides: [String: [String]], warnings: inout [String]) {
        var bindings = KeyCommand.defaults
        for name in overrides.keys.sorted() {
            guard let command = KeyCommand(rawValue: name) else {
                warnings.append("[keys] \(name): unknown command (known: \(KeyCommand.allCases.map(\.rawValue).joined(separator: ", ")))")
                continue
            }
            var keys: [Key] = []
            for spec in overrides[name] ?? [] {
                guard let key = KeySpec.parse(spec) else {
                    warnings.append("[keys] \(name) = \"\(spec)\": not a key name I know")
                    continue
                }
                if KeySpec.reserved.contains(key) {
                    warnings.append("[keys] \(name) = \"\(spec)\": that key is reserved (Esc, Ctrl-C)")
                    continue
                }
                keys.append(key)
            }
            guard !keys.isEmpty else { continue }
            for other in KeyCommand.allCases where other != command {
                bindings[other]?.removeAll(where: { keys.contains($0) })
            }
            bindings[command] = keys
        }
        self.init(bindings: bindings)
    }

    public func command(for key: Key) -> KeyCommand? { commandsByKey[key] }

    /// "j/↓" — every key bound to the command, for hints and help.
    public func label(_ command: KeyCommand) -> String {
        let keys = bindings[command] ?? []
        return keys.isEmpty ? "(unbound)" : keys.map(KeySpec.label).joined(separator: "/")
    }

    /// The first key bound to the command, for tight spaces like the tab bar.
    public func shortLabel(_ command: KeyCommand) -> String {
        (bindings[command]?.first).map(KeySpec.label) ?? "-"
    }

    /// Translates a key into an action for the current state: overlays and text input first, then bindings.
    public func action(for key: Key, in state: AppState) -> Action? {
        if key == .resize { return nil }  // the runner re-reads the size and sends .resize(width:height:)
        if case .paste(let text) = key { return pasteAction(text, in: state) }
        if key == .ctrl("c") {
            if state.overlay == .confirmQuit { return .confirm(true) }
            return .requestQuit
        }
        switch state.overlay {
        case .help:
            return .toggleHelp  // any key closes help
        case .confirmQuit, .confirm:
            switch key {
            case .char("y"), .char("Y"): return .confirm(true)
            default: return .confirm(false)
            }
        case .transfer, .attachments:
            return pickerAction(for: key, typing: false)
        case .templates(let picker):
            if case .filling = picker.stage { return pickerAction(for: key, typing: true) }
            return pickerAction(for: key, typing: false)
        case .attach, .tagFilter:
            return pickerAction(for: key, typing: true)
        case .snooze(let picker):
            return pickerAction(for: key, typing: picker.typing)
        case .profile:
            switch key {
            case .tab: return .moveSelection(1)
            case .backTab: return .moveSelection(-1)
            default: return pickerAction(for: key, typing: true)
            }
        case .note, .canned:
            return pickerAction(for: key, typing: true)
        case .palette:
            return key == .tab ? .completePalette : pickerAction(for: key, typing: true)
        case .search:
            switch key {
            case .escape: return .cancel
            case .enter: return .submit
            case .up, .ctrl("p"): return .moveSelection(-1)
            case .down, .ctrl("n"): return .moveSelection(1)
            case .pageUp: return .pageUp
            case .pageDown: return .pageDown
            default: return Self.textEdit(for: key, multiline: false).map(Action.edit)
            }
        case nil:
            break
        }
        if state.focus == .composer {
            switch key {
            case .escape: return .cancel
            case .enter: return .submit
            case .tab: return .focusNext
            case .backTab: return .focusPrevious
            case .pageUp: return .pageUp
            case .pageDown: return .pageDown
            default: return Self.textEdit(for: key, multiline: true).map(Action.edit)
            }
        }
        if key == .escape { return .cancel }
        guard let command = command(for: key) else { return nil }
        // Enter means "open" in the queue and "reply" in the conversation.
        if command == .open, state.focus != .queue { return .submit }
        return command.action
    }

    /// Pasted text is only ever text: into the composer with its line breaks (the reducer refuses it anywhere
    /// else), into a dialog's text field on one line, and never an answer to a question or a command.
    private func pasteAction(_ text: String, in state: AppState) -> Action? {
        switch state.overlay {
        case nil: return .paste(text)
        case .search, .attach, .profile, .tagFilter, .note, .canned, .palette: return .edit(.insert(text))
        case .snooze(let picker): return picker.typing ? .edit(.insert(text)) : nil
        case .templates(let picker):
            if case .filling = picker.stage { return .edit(.insert(text)) }
            return nil
        default: return nil
        }
    }

    /// Keys in a dialog: Esc, Enter, arrows and the bound up/down keys; while `typing`, letters are text.
    private func pickerAction(for key: Key, typing: Bool) -> Action? {
        switch key {
        case .escape: return .cancel
        case .enter: return .submit
        case .up, .ctrl("p"): return .moveSelection(-1)
        case .down, .ctrl("n"): return .moveSelection(1)
        default:
            if typing { return Self.textEdit(for: key, multiline: false).map(Action.edit) }
            switch command(for: key) {
            case .moveUp: return .moveSelection(-1)
            case .moveDown: return .moveSelection(1)
            default: return nil
            }
        }
    }

    /// Readline-style editing keys, shared by the composer and the search field.
    static func textEdit(for key: Key, multiline: Bool) -> EditCommand? {
        switch key {
        case .char(let character): return .insert(String(character))
        case .altEnter: return multiline ? .newline : nil
        case .backspace: return .backspace
        case .delete, .ctrl("d"): return .deleteForward
        case .left, .ctrl("b"): return .left
        case .right, .ctrl("f"): return .right
        case .up: return multiline ? .up : nil
        case .down: return multiline ? .down : nil
        case .home, .ctrl("a"): return .lineStart
        case .end, .ctrl("e"): return .lineEnd
        case .ctrl("k"): return .killToLineEnd
        case .ctrl("u"): return .killToLineStart
        case .ctrl("w"), .alt("\u{7F}"): return .killWordBackward
        case .ctrl("y"): return .yank
        case .alt("b"): return .wordLeft
        case .alt("f"): return .wordRight
        default: return nil
        }
    }
}

/// Key names as written in the config file and shown on screen.
public enum KeySpec {
    /// Keys that always keep their built-in meaning.
    static let reserved: Set<Key> = [.escape, .ctrl("c")]

    private static let named: [String: Key] = [
        "enter": .enter, "return": .enter, "alt-enter": .altEnter, "tab": .tab, "shift-tab": .backTab,
        "backtab": .backTab, "up": .up, "down": .down, "left": .left, "right": .right,
        "pageup": .pageUp, "pgup": .pageUp, "page_up": .pageUp, "pagedown": .pageDown, "pgdn": .pageDown,
        "page_down": .pageDown, "home": .home, "end": .end, "backspace": .backspace, "delete": .delete,
        "del": .delete, "esc": .escape, "escape": .escape, "space": .char(" "),
    ]

    /// Parses "T", "ctrl-t", "C-t", "^t", "alt-x", "M-x", "enter", "pgup", "f5", "space"… Nil when unknown.
    public static func parse(_ spec: String) -> Key? {
        if spec.count == 1, let character = spec.first, !character.isWhitespace { return .char(character) }
        let lower = spec.lowercased()
        if let key = named[lower] { return key }
        for (prefix, make) in [("ctrl-", Key.ctrl), ("c-", Key.ctrl), ("^", Key.ctrl)] as [(String, (Character) -> Key)]
        where lower.hasPrefix(prefix) && lower.count == prefix.count + 1 {
            return make(lower.last!)
        }
        for prefix in ["alt-", "m-"] where lower.hasPrefix(prefix) && spec.count == prefix.count + 1 {
            return .alt(spec.last!)  // Alt keeps case: Alt-B and Alt-b differ
        }
        if lower.hasPrefix("f"), let number = Int(lower.dropFirst()), (1...63).contains(number) {
            return .function(number)
        }
        return nil
    }

    public static func label(_ key: Key) -> String {
        switch key {
        case .char(" "): "Space"
        case .char(let c): String(c)
        case .ctrl(let c): "Ctrl-\(String(c).uppercased())"
        case .alt(let c): "Alt-\(c)"
        case .enter: "Enter"
        case .altEnter: "Alt-Enter"
        case .tab: "Tab"
        case .backTab: "Shift-Tab"
        case .up: "↑"
        case .down: "↓"
        case .left: "←"
        case .right: "→"
        case .pageUp: "PgUp"
        case .pageDown: "PgDn"
        case .home: "Home"
        case .end: "End"
        case .backspace: "Backspace"
        case .delete: "Del"
        case .escape: "Esc"
        case .resize: "Resize"
        case .function(let n): "F\(n)"
        case .paste: "paste"
        }
    }
}
