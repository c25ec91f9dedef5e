import Foundation
import InboxModel
import PostgresNIO

/// Commands that create an outbound message, as `CommandExecution+Outbound`: a free-form reply, an approved
/// template, an attachment.
extension PostgresCommandExecution {
    func reply(_ conversation: inout Conversation, body: String, key: String) async throws -> CommandResult {
        guard !body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw CommandFailure(status: 400, body: ErrorBody(error: "empty_reply", message: "The reply is empty."))
        }
        try await requireFreeForm(conversation, text: body)
        return try await queueOutbound(&conversation, body: body, key: key)
    }

    /// Free-form messages need an open conversation, the 24-hour window, and a short text without U+0000.
    func requireFreeForm(_ conversation: Conversation, text: String) async throws {
        if conversation.status == .closed { throw try await failure(for: .closed, conversation) }
        if text.unicodeScalars.contains("\u{0}") {
            throw CommandFailure(status: 422, body: ErrorBody(error: "invalid_text",
                message: "The text contains a NUL character (U+0000), which WhatsApp cannot carry."))
        }
        if text.count > CommandExecution.maxReplyLength {
            throw CommandFailure(status: 422, body: ErrorBody(error: "too_long",
                message: "WhatsApp replies are limited to \(CommandExecution.maxReplyLength) characters."))
        }
        if !SQLiteInboxStore.windowIsOpen(conversation, now: now), conversation.lastInboundAt != nil {
            throw CommandFailure(status: 422, body: ErrorBody(error: "window_closed",
                message: "The patient last wrote more than 24 hours ago: only an approved template can be sent."))
        }
    }

    /// An agent's file from `POST /v1/media`, checked and typed at upload; the window applies as to text.
    func sendMedia(_ conversation: inout Conversation, _ send: MediaSend, key: String) async throws -> CommandResult {
        try await requireFreeForm(conversation, text: send.caption)
        guard let upload = try await db.row("""
            SELECT mime_type, size FROM uploads WHERE clinic_id = \(agent.clinicId) AND sha256 = \(send.uploadId.withoutNUL)
            """) else {
            throw CommandFailure(status: 422, body: ErrorBody(error: "unknown_upload",
                message: "No such upload: send the file with POST /v1/media first."))
        }
        let mimeType = try upload.string(0)
        let size = try upload.int(1)
        let fileName = FileTypes.safeFileName(send.fileName, maxLength: 200)
        let media = MediaInfo(kind: MediaTypes.kind(of: mimeType), fileName: fileName.isEmpty ? "attachment" : fileName,
                              mimeType: mimeType, size: size, state: .stored)
        let result = try await queueOutbound(&conversation, body: send.caption, media: media, key: key)
        try await db.execute("""
            INSERT INTO media (message_id, clinic_id, provider, state, sha256, mime_type, size, next_attempt_at)
            VALUES (\(result.message?.id), \(agent.clinicId), \(conversation.provider.rawValue), 'stored', \(send.uploadId),
                    \(mimeType), \(size), 0)
            """)
        return result
    }

    /// A template may go out whether or not the window is open; marketing ones never to a patient who opted out.
    func sendTemplate(_ conversation: inout Conversation, _ send: TemplateSend, key: String) async throws -> CommandResult {
        if conversation.status == .closed { throw try await failure(for: .closed, conversation) }
        guard let row = try await db.row("""
            SELECT body, category, twilio_content_sid FROM templates
            WHERE clinic_id = \(agent.clinicId) AND name = \(send.name.withoutNUL) AND language = \(send.language.withoutNUL)
            """) else {
            throw CommandFailure(status: 422, body: ErrorBody(error: "unknown_template",
                message: "The clinic has no template \(send.name) in language \(send.language)."))
        }
        let template = MessageTemplate(id: 0, name: send.name, language: send.language,
                                       category: TemplateCategory(rawValue: try row.string(1)) ?? .utility,
                                       body: try row.string(0), updatedAt: 0)
        guard send.parameters.count == template.parameterCount else {
            throw CommandFailure(status: 422, body: ErrorBody(error: "template_parameters",
                message: "Template \(send.name) takes \(template.parameterCount) parameters, not \(send.parameters.count)."))
        }
        if let problem = send.parameters.lazy.compactMap(TemplateBody.problem(inParameter:)).first {
            throw CommandFailure(status: 422, body: ErrorBody(error: "template_parameters", message: "WhatsApp refuses this: \(problem)."))
        }
        if template.category == .marketing,
           try await db.row("SELECT opted_out FROM patients WHERE id = \(conversation.patientId)")?.bool(0) == true {
            throw CommandFailure(status: 422, body: ErrorBody(error: "opted_out",
                message: "The patient opted out: marketing templates are not sent to them."))
        }
        let delivery = TemplateDelivery(name: send.name, language: send.language, parameters: send.parameters,
                                        twilioContentSid: try row.optionalString(2))
        return try await queueOutbound(&conversation, body: template.render(send.parameters), template: delivery, key: key)
    }

    /// Stores an agent's outbound message and queues it for the delivery workers. Sending to a conversation still
    /// with the bot or in the queue takes it over.
    func queueOutbound(_ conversation: inout Conversation, body: String, media: MediaInfo? = nil,
                       template: TemplateDelivery? = nil, key: String) async throws -> CommandResult {
        if conversation.status != .assigned || conversation.assignedAgentId != agent.agent.id {
            try await transition(&conversation, .takeOver(agentId: agent.agent.id))
        }
        var message = Message(id: 0, conversationId: conversation.id, direction: .outbound, author: .agent,
                              agentId: agent.agent.id, body: body, media: media, clientKey: key, status: .pending,
                              createdAt: now)
        let templateJSON = try template.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self).withoutNUL }
        message.id = try await PostgresInboxStore.insertMessage(db, clinicId: agent.clinicId, message, template: templateJSON)
        try await db.execute("""
            INSERT INTO deliveries (message_id, clinic_id, next_attempt_at) VALUES (\(message.id), \(agent.clinicId), \(now))
            """)
        let preview = SQLiteInboxStore.preview(body: body, media: media)
        let agentId = agent.agent.id
        let now = self.now
        do {
            try await PostgresInboxStore.updateConversation(db, clinicId: agent.clinicId, &conversation) { conversation in
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
