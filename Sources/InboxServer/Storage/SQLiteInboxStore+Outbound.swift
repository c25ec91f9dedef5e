import Foundation
import GRDB
import InboxModel

/// Commands that create an outbound message: a free-form reply, an approved template, an attachment.
extension CommandExecution {
    func reply(_ conversation: inout Conversation, body: String, key: String) throws -> CommandResult {
        guard !body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw CommandFailure(status: 400, body: ErrorBody(error: "empty_reply", message: "The reply is empty."))
        }
        try requireFreeForm(conversation, text: body)
        return try queueOutbound(&conversation, body: body, key: key)
    }

    /// Free-form messages (text, attachments) need an open conversation, the 24-hour window, and a short text
    /// without U+0000 (providers cut text there, so the patient would read less than the agent wrote).
    func requireFreeForm(_ conversation: Conversation, text: String) throws {
        if conversation.status == .closed { throw try failure(for: .closed, conversation) }
        if text.unicodeScalars.contains("\u{0}") {
            throw CommandFailure(status: 422, body: ErrorBody(error: "invalid_text",
                message: "The text contains a NUL character (U+0000), which WhatsApp cannot carry."))
        }
        if text.count > Self.maxReplyLength {
            throw CommandFailure(status: 422, body: ErrorBody(error: "too_long",
                message: "WhatsApp replies are limited to \(Self.maxReplyLength) characters."))
        }
        if !SQLiteInboxStore.windowIsOpen(conversation, now: now), conversation.lastInboundAt != nil {
            throw CommandFailure(status: 422, body: ErrorBody(error: "window_closed",
                message: "The patient last wrote more than 24 hours ago: only an approved template can be sent."))
        }
    }

    /// An agent's file from `POST /v1/media`, checked and typed at upload; the window applies as to text.
    func sendMedia(_ conversation: inout Conversation, _ send: MediaSend, key: String) throws -> CommandResult {
        try requireFreeForm(conversation, text: send.caption)
        guard let upload = try Row.fetchOne(db, sql: "SELECT mime_type, size FROM uploads WHERE clinic_id = ? AND sha256 = ?",
                                            arguments: [agent.clinicId, send.uploadId]) else {
            throw CommandFailure(status: 422, body: ErrorBody(error: "unknown_upload",
                message: "No such upload: send the file with POST /v1/media first."))
        }
        let mimeType: String = upload[0]
        // The name reaches patients' phones and agents' disks.
        let fileName = FileTypes.safeFileName(send.fileName, maxLength: 200)
        let media = MediaInfo(kind: MediaTypes.kind(of: mimeType), fileName: fileName.isEmpty ? "attachment" : fileName,
                              mimeType: mimeType, size: upload[1], state: .stored)
        let result = try queueOutbound(&conversation, body: send.caption, media: media, key: key)
        try db.execute(sql: """
            INSERT INTO media (message_id, clinic_id, provider, state, sha256, mime_type, size, next_attempt_at)
            VALUES (?, ?, ?, 'stored', ?, ?, ?, 0)
            """, arguments: [result.message?.id, agent.clinicId, conversation.provider.rawValue, send.uploadId, mimeType,
                             upload[1] as Int64])
        return result
    }

    /// A template may go out whether or not the window is open; marketing ones never to a patient who opted out.
    func sendTemplate(_ conversation: inout Conversation, _ send: TemplateSend, key: String) throws -> CommandResult {
        if conversation.status == .closed { throw try failure(for: .closed, conversation) }
        guard let row = try Row.fetchOne(db, sql: """
            SELECT body, category, twilio_content_sid FROM templates WHERE clinic_id = ? AND name = ? AND language = ?
            """, arguments: [agent.clinicId, send.name, send.language]) else {
            throw CommandFailure(status: 422, body: ErrorBody(error: "unknown_template",
                message: "The clinic has no template \(send.name) in language \(send.language)."))
        }
        let template = MessageTemplate(id: 0, name: send.name, language: send.language,
                                       category: TemplateCategory(rawValue: row[1]) ?? .utility, body: row[0], updatedAt: 0)
        guard send.parameters.count == template.parameterCount else {
            throw CommandFailure(status: 422, body: ErrorBody(error: "template_parameters",
                message: "Template \(send.name) takes \(template.parameterCount) parameters, not \(send.parameters.count)."))
        }
        if let problem = send.parameters.lazy.compactMap(TemplateBody.problem(inParameter:)).first {
            throw CommandFailure(status: 422, body: ErrorBody(error: "template_parameters", message: "WhatsApp refuses this: \(problem)."))
        }
        if template.category == .marketing,
           try Bool.fetchOne(db, sql: "SELECT opted_out FROM patients WHERE id = ?", arguments: [conversation.patientId]) == true {
            throw CommandFailure(status: 422, body: ErrorBody(error: "opted_out",
                message: "The patient opted out: marketing templates are not sent to them."))
        }
        let delivery = TemplateDelivery(name: send.name, language: send.language, parameters: send.parameters,
                                        twilioContentSid: row[2])
        return try queueOutbound(&conversation, body: template.render(send.parameters), template: delivery, key: key)
    }

    /// Stores an agent's outbound message and queues it for the delivery worker. Sending to a conversation still
    /// with the bot or in the queue takes it over.
    func queueOutbound(_ conversation: inout Conversation, body: String, media: MediaInfo? = nil,
                       template: TemplateDelivery? = nil, key: String) throws -> CommandResult {
        if conversation.status != .assigned || conversation.assignedAgentId != agent.agent.id {
            try transition(&conversation, .takeOver(agentId: agent.agent.id))
        }
        var message = Message(id: 0, conversationId: conversation.id, direction: .outbound, author: .agent,
                              agentId: agent.agent.id, body: body, media: media, clientKey: key, status: .pending,
                              createdAt: now)
        message.id = try SQLiteInboxStore.insertMessage(db, clinicId: agent.clinicId, message)
        if let template {
            try db.execute(sql: "UPDATE messages SET template = ? WHERE id = ?",
                           arguments: [String(decoding: try JSONEncoder().encode(template), as: UTF8.self), message.id])
        }
        try db.execute(sql: "INSERT INTO deliveries (message_id, clinic_id, next_attempt_at) VALUES (?, ?, ?)",
                       arguments: [message.id, agent.clinicId, now])
        let preview = SQLiteInboxStore.preview(body: body, media: media)
        let agentId = agent.agent.id
        do {
            try SQLiteInboxStore.updateConversation(db, clinicId: agent.clinicId, &conversation) { conversation in
                // On a row another writer changed: still this agent's, or the reply is not sent.
                guard conversation.status == .assigned, conversation.assignedAgentId == agentId else {
                    throw StoreError.conflict("the conversation changed hands")
                }
                conversation.lastMessageAt = now
                conversation.lastMessagePreview = preview
            }
        } catch is StoreError {
            throw CommandFailure(status: 409, body: ErrorBody(error: "conflict", message: "The conversation changed; try again."))
        }
        return CommandResult(conversation: conversation, message: message)
    }
}
