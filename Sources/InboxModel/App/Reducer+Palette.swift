/// The command palette (`:`): every action by name, with completion, so nothing depends on remembering a key.
///
/// The list is built when the palette opens, from `PaletteCatalog.commands` (the fixed actions) and the state
/// (transfer targets, templates, canned replies). Typing filters it; Tab completes the line to the selected entry;
/// Enter runs it through the same reducer paths as its key, checks and confirmations included.
public struct PaletteEntry: Sendable, Equatable {
    /// What the agent types and sees, e.g. "transfer to Sara", "template appointment_reminder".
    public var name: String
    /// A short explanation beside it.
    public var detail: String
    public var run: PaletteRun

    public init(_ name: String, _ detail: String, _ run: PaletteRun) {
        self.name = name
        self.detail = detail
        self.run = run
    }
}

/// What choosing an entry does.
public enum PaletteRun: Sendable, Equatable {
    /// The same action as the entry's key.
    case action(Action)
    case transfer(toAgentId: Int64)
    case template(name: String, language: String)
    case canned(id: Int64)
}

/// The fixed entries. One row per action: an entry for a new action (snooze…, tag…) is one more row here.
public enum PaletteCatalog {
    public static let commands: [PaletteEntry] = [
        PaletteEntry("take over", "the conversation becomes yours", .action(.takeOver)),
        PaletteEntry("reply", "write in the composer", .action(.reply)),
        PaletteEntry("note", "a private note for the team (p)", .action(.openNote)),
        PaletteEntry("close", "close the conversation", .action(.close)),
        PaletteEntry("reopen", "reopen a closed conversation", .action(.reopen)),
        PaletteEntry("hand back", "back to the AI", .action(.handBack)),
        PaletteEntry("transfer…", "choose a colleague", .action(.openTransferPicker)),
        PaletteEntry("template…", "send an approved template", .action(.openTemplatePicker)),
        PaletteEntry("canned…", "insert a canned reply (/ in the composer)", .action(.openCannedFromPalette)),
        PaletteEntry("snooze…", "until it comes back by itself (z)", .action(.snooze)),
        PaletteEntry("tag… filter", "list only patients with a tag (#)", .action(.filterByTag)),
        PaletteEntry("profile", "edit the patient's name, language, tags, notes, record id (P)", .action(.editProfile)),
        PaletteEntry("editor", "compose in $EDITOR", .action(.composeInEditor)),
        PaletteEntry("attach", "send a file", .action(.attachFile)),
        PaletteEntry("files", "save or open a file of this conversation", .action(.openAttachments)),
        PaletteEntry("retry", "retry what failed", .action(.retryFailed)),
        PaletteEntry("discard", "give up on refused commands", .action(.discardFailed)),
        PaletteEntry("search", "patients and messages", .action(.openSearch)),
        PaletteEntry("next waiting", "open the longest-waiting conversation", .action(.nextWaiting)),
        PaletteEntry("tab waiting", "queue tab", .action(.switchTab(.waiting))),
        PaletteEntry("tab mine", "queue tab", .action(.switchTab(.mine))),
        PaletteEntry("tab bot", "queue tab", .action(.switchTab(.bot))),
        PaletteEntry("tab closed", "queue tab", .action(.switchTab(.closed))),
        PaletteEntry("tab team", "queue tab", .action(.switchTab(.team))),
        PaletteEntry("tab snoozed", "queue tab", .action(.switchTab(.snoozed))),
        PaletteEntry("sidebar", "show or hide the patient sidebar", .action(.toggleSidebar)),
        PaletteEntry("help", "the keys", .action(.toggleHelp)),
        PaletteEntry("quit", "leave inbox", .action(.requestQuit)),
    ]
}

public struct CommandPalette: Sendable, Equatable {
    public var input = ComposerBuffer()
    /// Taken when the palette opens.
    public var entries: [PaletteEntry]
    public var selection = 0

    public init(entries: [PaletteEntry]) { self.entries = entries }

    /// Entries whose name holds every typed word, names starting with the input first.
    public var matches: [PaletteEntry] {
        let typed = input.text.lowercased().trimmingWhitespace()
        guard !typed.isEmpty else { return entries }
        let words = typed.split(separator: " ").map(String.init)
        let found = entries.filter { entry in
            let name = entry.name.lowercased()
            return words.allSatisfy { name.contains($0) }
        }
        return found.filter { $0.name.lowercased().hasPrefix(typed) } + found.filter { !$0.name.lowercased().hasPrefix(typed) }
    }

    public var selected: PaletteEntry? {
        let matches = matches
        return matches.indices.contains(selection) ? matches[selection] : nil
    }
}

extension AppState {
    /// `:`. Entries that need a conversation are listed only when one is selected or open.
    mutating func openPalette() -> [Effect] {
        var entries = PaletteCatalog.commands
        if let target = commandTarget {
            let verb = target.conversation.status == .assigned ? "transfer to" : "assign to"
            entries += transferTargets(for: target.conversation).map {
                PaletteEntry("\(verb) \($0.name)", $0.role == .admin ? "admin" : "agent", .transfer(toAgentId: $0.id))
            }
        }
        if let detail = conversation?.detail {
            entries += detail.templates.map {
                PaletteEntry("template \($0.name) \($0.language)", $0.category.rawValue, .template(name: $0.name, language: $0.language))
            }
            entries += detail.cannedReplies.filter { !$0.removed }.map {
                PaletteEntry("canned /\($0.shortcode)", String($0.body.prefix(60)).replacingNewlines(with: " "), .canned(id: $0.id))
            }
        }
        overlay = .palette(CommandPalette(entries: entries))
        return []
    }

    mutating func editPalette(_ command: EditCommand) {
        guard case .palette(var palette) = overlay else { return }
        palette.input.apply(command, multiline: false)
        palette.selection = 0
        overlay = .palette(palette)
    }

    /// Tab: the line becomes the selected entry's name.
    mutating func completePalette() {
        guard case .palette(var palette) = overlay, let entry = palette.selected else { return }
        palette.input.replace(with: entry.name)
        palette.selection = 0
        overlay = .palette(palette)
    }

    mutating func submitPalette(_ palette: CommandPalette) -> [Effect] {
        guard let entry = palette.selected else {
            fail("No command matches \"\(palette.input.text)\"; Tab completes, ↑/↓ choose")
            return []
        }
        overlay = nil
        switch entry.run {
        case .action(let action):
            return reduce(&self, action)
        case .transfer(let agentId):
            var effects = openTransferPicker()
            guard case .transfer(var picker) = overlay, let index = picker.candidates.firstIndex(where: { $0.id == agentId })
            else { return effects }
            picker.selection = index
            overlay = .transfer(picker)
            effects += submit()
            return effects
        case .template(let name, let language):
            var effects = openTemplatePicker()
            guard case .templates(var picker) = overlay,
                  let index = picker.templates.firstIndex(where: { $0.name == name && $0.language == language })
            else { return effects }
            picker.selection = index
            overlay = .templates(picker)
            effects += submit()  // on to its parameters (or its preview)
            return effects
        case .canned(let id):
            guard let detail = conversation?.detail, let reply = detail.cannedReplies.first(where: { $0.id == id }) else { return [] }
            var effects = focusComposer()
            guard focus == .composer else { return effects }  // locked, or the window is closed: already said why
            effects += insertCanned(reply, conversationId: detail.conversation.id)
            return effects
        }
    }

    /// "canned…" in the palette: the composer with the `/` picker open.
    mutating func openCannedFromPalette() -> [Effect] {
        let effects = focusComposer()
        guard focus == .composer, let open = conversation, let detail = open.detail else { return effects }
        guard !detail.cannedReplies.isEmpty else {
            fail("The clinic has no canned replies yet: an admin adds them with `inbox canned add`")
            return effects
        }
        if !open.composer.text.isEmpty { fail("Canned replies go into an empty composer: clear it first (Ctrl-U)"); return effects }
        overlay = .canned(CannedPicker(conversationId: open.id, replies: detail.cannedReplies))
        return effects
    }
}
