/// The patient profile editor (`P`) and the queue's tag filter (`#`). A save is a command like a reply: durable in
/// the outbox, sent once under its idempotency key, and refused (409, shown with the current profile) when
/// someone else saved first.
extension AppState {
    mutating func openProfileEditor() -> [Effect] {
        guard let detail = conversation?.detail else {
            fail("Open a conversation first: the profile is its patient's")
            return []
        }
        guard let patient = detail.patient else { fail("The patient is not synced yet"); return [] }
        overlay = .profile(ProfileEditor(conversationId: detail.conversation.id, patient: patient))
        return []
    }

    mutating func moveProfileField(_ editor: ProfileEditor, by delta: Int) {
        var editor = editor
        let count = ProfileEditor.Field.allCases.count
        editor.field = ProfileEditor.Field(rawValue: (editor.field.rawValue + delta + count) % count) ?? .name
        overlay = .profile(editor)
    }

    mutating func editProfileField(_ editor: ProfileEditor, _ command: EditCommand) {
        var editor = editor
        editor.values[editor.field.rawValue].apply(command, multiline: false)
        overlay = .profile(editor)
    }

    mutating func submitProfileEditor(_ editor: ProfileEditor) -> [Effect] {
        let edit = editor.edit
        guard !edit.displayName.isEmpty else { fail("The name cannot be empty"); return [] }
        overlay = nil
        let name = edit.displayName
        inform("Saving \(name)'s profile…", about: editor.conversationId,
               pending: PendingCommand(action: "profile", conversationId: editor.conversationId,
                                       doneText: "Saved \(name)'s profile",
                                       failedText: "Profile not saved"))
        return [.send(.editProfile(edit), conversationId: editor.conversationId)]
    }

    mutating func openTagFilter() -> [Effect] {
        overlay = .tagFilter(TagFilterPrompt(current: desk.tagFilter))
        return []
    }

    mutating func editTagFilter(_ prompt: TagFilterPrompt, _ command: EditCommand) {
        var prompt = prompt
        prompt.tag.apply(command, multiline: false)
        overlay = .tagFilter(prompt)
    }

    mutating func submitTagFilter(_ prompt: TagFilterPrompt) -> [Effect] {
        overlay = nil
        let tag = ProfileRules.normalizedTag(prompt.tag.text)
        desk.tagFilter = tag.isEmpty ? nil : tag
        inform(tag.isEmpty ? "Showing every conversation" : "Showing only patients tagged #\(tag) (# to change)")
        queue.selection = 0
        queue.scroll = 0
        return [.loadQueue(queue.tab)]
    }
}
