/// Attachments: `o` lists the open conversation's files to save (and open), `A` attaches a file from disk.
public struct AttachmentPicker: Sendable, Equatable {
    public var conversationId: Int64
    /// Newest first, taken when the picker opens.
    public var messages: [Message]
    public var selection = 0

    public init(conversationId: Int64, messages: [Message]) {
        self.conversationId = conversationId
        self.messages = messages
    }
}

/// The path prompt of `A`. The file is read from the disk of the machine the inbox runs on (over SSH, the clinic
/// server's), checked for size and type, uploaded, then sent through the outbox like a reply.
public struct AttachPrompt: Sendable, Equatable {
    public var conversationId: Int64
    public var patientName: String
    public var path = ComposerBuffer()

    public init(conversationId: Int64, patientName: String) {
        self.conversationId = conversationId
        self.patientName = patientName
    }
}

extension AppState {
    mutating func openAttachments() -> [Effect] {
        guard let detail = conversation?.detail else { fail(describe(.noConversation)); return [] }
        let files = detail.messages.filter { $0.media?.state != nil }.reversed()
        guard !files.isEmpty else { inform("No attachments in this conversation"); return [] }
        overlay = .attachments(AttachmentPicker(conversationId: detail.conversation.id, messages: Array(files)))
        return []
    }

    mutating func submitAttachmentPicker(_ picker: AttachmentPicker) -> [Effect] {
        guard picker.messages.indices.contains(picker.selection) else { overlay = nil; return [] }
        let message = picker.messages[picker.selection]
        guard let media = message.media else { return [] }
        switch media.state {
        case .stored:
            overlay = nil
            inform("Downloading \(media.fileName ?? media.kind)…")
            return [.saveAttachment(messageId: message.id, fileName: media.fileName, mimeType: media.mimeType)]
        case .pending:
            fail("The server is still fetching this file from WhatsApp; try again in a moment")
        case .refused, .failed:
            fail("The server did not keep this file: \(media.error ?? "unknown reason")")
        case nil:
            break
        }
        return []
    }

    mutating func openAttachPrompt() -> [Effect] {
        guard let detail = conversation?.detail else { fail(describe(.noConversation)); return [] }
        if let lock = composerLock { fail(describe(lock)); return [] }
        // The caption is typed later and checked again; the window and the state are known now.
        if let block = OutboundRules.freeFormBlock(text: "", requiresText: false, conversation: detail.conversation, now: now) {
            fail("Not sent: \(block)")
            return []
        }
        overlay = .attach(AttachPrompt(conversationId: detail.conversation.id, patientName: detail.patientLabel))
        return []
    }

    mutating func submitAttachPrompt(_ prompt: AttachPrompt) -> [Effect] {
        let path = prompt.path.text.trimmingWhitespace()
        guard !path.isEmpty else { fail("Type the path of a file to attach"); return [] }
        overlay = nil
        inform("Uploading \(path)…")
        return [.uploadAttachment(conversationId: prompt.conversationId, path: path)]
    }

    /// The upload is on the server: the send goes through the outbox like any reply.
    mutating func attachmentUploaded(conversationId: Int64, _ send: MediaSend) -> [Effect] {
        inform("Sending \(send.fileName)…")
        if conversation?.id == conversationId { conversation?.scroll = .latest }
        return [.send(.sendMedia(send), conversationId: conversationId)]
    }
}
