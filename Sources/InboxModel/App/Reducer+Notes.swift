/// Private notes (`p`) and the composer's canned-reply picker (`/` at the start of an empty composer).
public struct NoteEditor: Sendable, Equatable {
    public var conversationId: Int64
    public var patientName: String
    public var text = ComposerBuffer()

    public init(conversationId: Int64, patientName: String) {
        self.conversationId = conversationId
        self.patientName = patientName
    }
}

/// The `/` picker: what was typed after the slash, and the clinic's canned replies ranked for it.
public struct CannedPicker: Sendable, Equatable {
    public var conversationId: Int64
    public var query = ComposerBuffer()
    /// Every canned reply, taken when the picker opens.
    public var replies: [CannedReply]
    public var selection = 0

    public init(conversationId: Int64, replies: [CannedReply]) {
        self.conversationId = conversationId
        self.replies = replies
    }

    /// The picker's list for the query, best first (`CannedReplies.ranked`).
    public var matches: [CannedReply] { CannedReplies.ranked(replies, query: query.text) }

    public var selected: CannedReply? {
        let matches = matches
        return matches.indices.contains(selection) ? matches[selection] : nil
    }
}

extension AppState {
    // MARK: Notes

    /// `p`: a note on the selected or open conversation. Any agent may note any conversation of the clinic,
    /// closed or held by a colleague: a note changes nothing and reaches no patient.
    mutating func openNote() -> [Effect] {
        guard let target = commandTarget else { fail("Select a conversation first"); return [] }
        overlay = .note(NoteEditor(conversationId: target.conversation.id, patientName: target.name))
        return []
    }

    mutating func submitNote(_ editor: NoteEditor) -> [Effect] {
        let body = editor.text.text.trimmingWhitespace()
        guard !body.isEmpty else { overlay = nil; return [] }
        if let problem = PrivateNotes.problem(body) { fail(problem); return [] }
        overlay = nil
        conversation?.scroll = .latest
        inform("Adding a note to \(editor.patientName)'s conversation…", about: editor.conversationId,
               pending: PendingCommand(action: Command.note(body: body).action, conversationId: editor.conversationId,
                                       doneText: "Note added to \(editor.patientName)'s conversation (agents only)",
                                       failedText: "The note was not added"))
        return [.send(.note(body: body), conversationId: editor.conversationId)]
    }

    // MARK: Canned replies

    /// Typing `/` into an empty composer opens the picker (when the clinic has canned replies); everything else
    /// is ordinary text.
    mutating func openCannedPickerIfAsked(_ command: EditCommand) -> Bool {
        guard command == .insert("/"), overlay == nil, focus == .composer, composerLock == nil,
              let open = conversation, open.composer.text.isEmpty, let detail = open.detail,
              !detail.cannedReplies.isEmpty else { return false }
        overlay = .canned(CannedPicker(conversationId: open.id, replies: detail.cannedReplies))
        return true
    }

    mutating func editCannedQuery(_ command: EditCommand) -> [Effect] {
        guard case .canned(var picker) = overlay else { return [] }
        if command == .backspace, picker.query.text.isEmpty {
            overlay = nil  // the slash itself is deleted: back to an empty composer
            return []
        }
        picker.query.apply(command, multiline: false)
        picker.selection = 0
        overlay = .canned(picker)
        return []
    }

    /// Enter: the chosen reply, its placeholders filled, replaces the composer's text for the agent to edit.
    /// Nothing is sent: Enter in the composer does that, under the usual rules (the 24-hour window).
    mutating func submitCannedPicker(_ picker: CannedPicker) -> [Effect] {
        guard let reply = picker.selected else {
            fail("No canned reply matches /\(picker.query.text); Esc keeps it as text")
            return []
        }
        overlay = nil
        return insertCanned(reply, conversationId: picker.conversationId)
    }

    /// Esc: what was typed stays in the composer as text, slash and all.
    mutating func cancelCannedPicker(_ picker: CannedPicker) -> [Effect] {
        overlay = nil
        guard var open = conversation, open.id == picker.conversationId else { return [] }
        open.composer.replace(with: "/" + picker.query.text)
        open.draftDirty = true
        open.draftEditedAt = now
        conversation = open
        return []
    }

    mutating func insertCanned(_ reply: CannedReply, conversationId: Int64) -> [Effect] {
        guard var open = conversation, open.id == conversationId, let detail = open.detail else { return [] }
        let text = CannedReplies.expand(reply.body, patientName: detail.patient?.displayName, clinic: clinic)
        open.composer.replace(with: text)
        open.draftDirty = true
        open.draftEditedAt = now
        conversation = open
        focus = .composer
        return []
    }
}
