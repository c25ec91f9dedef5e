import Foundation
import InboxModel
import InboxRecords
import PostgresNIO

/// The bot's decisions, as `SQLiteInboxStore+Bot`: applied only while the conversation is still with the bot (an
/// agent who took over meanwhile wins), and outside WhatsApp's 24-hour window replaced by the clinic's
/// `bot_window_closed` template and a hand-off.
extension PostgresInboxStore {
    public func applyBotDecision(_ decision: BotDecision, memory: String?, conversationId: Int64) async throws {
        let now = clock()
        let memory = memory?.withoutNUL
        try await write { db in
            guard let row = try await db.row("""
                SELECT \(unescaped: Columns.list(Columns.conversation)), clinic_id FROM conversations
                WHERE id = \(conversationId) FOR UPDATE
                """) else { return }
            var conversation = try PGDecode.conversation(row)
            let clinicId = try row.int(Columns.conversation.count)
            guard conversation.status == .bot else { return }
            var decision = decision
            var windowTemplate: (text: String, delivery: TemplateDelivery)?
            if decision.reply != nil, !SQLiteInboxStore.windowIsOpen(conversation, now: now) {
                windowTemplate = try await Self.windowClosedTemplate(db, clinicId: clinicId, patientId: conversation.patientId)
                decision.reply = nil
                decision.handOff = decision.handOff ?? BotDecision.HandOff(
                    reason: "24-hour window closed",
                    summary: "The patient's last message is more than 24 hours old, so the bot sent no answer of its own: only an approved template can reach them now.")
            }
            try await db.execute("UPDATE conversations SET bot_memory = \(memory) WHERE id = \(conversationId)")
            var preview: String?
            if let text = decision.reply ?? windowTemplate?.text {
                let message = Message(id: 0, conversationId: conversationId, direction: .outbound, author: .bot,
                                      body: text, status: .pending, createdAt: now)
                let template = try windowTemplate.map { String(decoding: try JSONEncoder().encode($0.delivery), as: UTF8.self) }
                let id = try await Self.insertMessage(db, clinicId: clinicId, message, template: template)
                try await db.execute("""
                    INSERT INTO deliveries (message_id, clinic_id, next_attempt_at) VALUES (\(id), \(clinicId), \(now))
                    """)
                preview = SQLiteInboxStore.preview(body: text, media: nil)
            }
            guard decision.reply != nil || decision.handOff != nil else { return }
            try await Self.updateConversation(db, clinicId: clinicId, &conversation) { conversation in
                guard conversation.status == .bot else { throw StoreError.conflict("an agent took the conversation over") }
                if let preview {
                    conversation.lastMessageAt = now
                    conversation.lastMessagePreview = preview
                }
                if let handOff = decision.handOff {
                    let next = try HandoffState(conversation).applying(.handOff(reason: handOff.reason, summary: handOff.summary, at: now))
                    conversation.status = next.status
                    conversation.handoffReason = next.handoffReason
                    conversation.handoffSummary = next.handoffSummary
                    conversation.waitingSince = next.waitingSince
                }
            }
        }
    }

    /// The clinic's `bot_window_closed` template, in the patient's language when it exists in several, rendered.
    static func windowClosedTemplate(_ db: PostgresWrite, clinicId: Int64, patientId: Int64) async throws
        -> (text: String, delivery: TemplateDelivery)? {
        let patient = try await db.row("SELECT display_name, language FROM patients WHERE id = \(patientId)")
        let name = try patient?.text(0) ?? ""
        let language = try patient?.optionalString(1) ?? ""
        guard let row = try await db.row("""
            SELECT language, body, twilio_content_sid FROM templates
            WHERE clinic_id = \(clinicId) AND name = \(SQLiteInboxStore.windowClosedTemplateName) AND category = 'utility'
            ORDER BY (language = \(language)) DESC, language LIMIT 1
            """) else { return nil }
        let body = try row.string(1)
        let count = TemplateBody.parameterNumbers(in: body).max() ?? 0
        guard count <= 1 else { return nil }
        let parameters = count == 1 ? [name.isEmpty ? "there" : name] : []
        guard parameters.allSatisfy({ TemplateBody.problem(inParameter: $0) == nil }) else { return nil }
        return (TemplateBody.render(body, parameters),
                TemplateDelivery(name: SQLiteInboxStore.windowClosedTemplateName, language: try row.string(0),
                                 parameters: parameters, twilioContentSid: try row.optionalString(2)))
    }
}
