import Foundation
import InboxModel
import InboxRecords
import PostgresNIO

/// What the bot reads (one snapshot), and its decisions: the rules (`BotRules`) decide whether the bot may still act
/// and what it sends; this reads the conversation (locked, so an agent's take-over on another instance is ordered
/// before or after it) and stores the outcome.
extension PostgresInboxStore {
    public func botContext(conversationId: Int64) async throws -> BotContext? {
        try await read { db in
            guard let row = try await db.row("""
                SELECT \(unescaped: Columns.list(Columns.conversation, alias: "c")), c.clinic_id, c.bot_memory, k.ai_hook_url,
                    n.label, n.bot_greeting, n.bot_menu, n.ai_hook_url, n.handoff_words
                FROM conversations c JOIN clinics k ON k.id = c.clinic_id LEFT JOIN numbers n ON n.number = c.clinic_number
                WHERE c.id = \(conversationId)
                """) else { return nil }
            let conversation = try PGDecode.conversation(row)
            let n = Columns.conversation.count
            guard let patient = try await db.row("""
                SELECT \(unescaped: Columns.list(Columns.patient)) FROM patients WHERE id = \(conversation.patientId)
                """) else { return nil }
            let recent = try await db.rows("""
                SELECT \(unescaped: Columns.list(Columns.message)), reply_id FROM messages WHERE conversation_id = \(conversationId)
                  AND \(unescaped: BotRules.seenMessagesSQL)
                ORDER BY id DESC LIMIT 20
                """).map { row in
                    var message = try PGDecode.message(row)
                    message.replyId = try row.optionalString(Columns.message.count)
                    return message
                }.reversed()
            return BotContext(conversation: conversation, patient: try PGDecode.patient(patient), recent: Array(recent),
                              memory: try row.optionalString(n + 1), aiHookURL: try row.optionalString(n + 2),
                              numberBot: NumberBotColumns.bot(try (n + 3..<n + 8).map { try row.optionalString($0) }))
        }
    }

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
            guard let (decision, useWindowTemplate) = BotRules.resolve(decision, conversation: conversation, now: now) else { return }
            // Outside the window: the clinic's own template for this (if it has one), and a human follows up.
            let windowTemplate = useWindowTemplate
                ? try await Self.windowClosedTemplate(db, clinicId: clinicId, patientId: conversation.patientId) : nil
            try await db.execute("UPDATE conversations SET bot_memory = \(memory) WHERE id = \(conversationId)")
            var preview: String?
            if let text = decision.reply ?? windowTemplate?.text {
                let message = Message(id: 0, conversationId: conversationId, direction: .outbound, author: .bot,
                                      body: text, status: .pending, createdAt: now)
                let template = try windowTemplate.map { String(decoding: try JSONEncoder().encode($0.delivery), as: UTF8.self) }
                let id = try await Self.insertMessage(db, clinicId: clinicId, message, template: template)
                if decision.reply != nil, let menu = decision.menu {
                    try await db.execute("UPDATE messages SET interactive = \(menu.encoded.withoutNUL) WHERE id = \(id)")
                }
                try await db.execute("""
                    INSERT INTO deliveries (message_id, clinic_id, next_attempt_at) VALUES (\(id), \(clinicId), \(now))
                    """)
                preview = ConversationPreview.text(body: text, media: nil)
            }
            guard decision.reply != nil || decision.handOff != nil else { return }
            try await Self.updateConversation(db, clinicId: clinicId, &conversation) { conversation in
                // Re-checked on a fresh row: an agent who took over in between wins, and nothing of this is kept.
                guard conversation.status == .bot else { throw StoreError.conflict("an agent took the conversation over") }
                conversation = BotRules.conversation(conversation, after: decision, preview: preview, now: now)
            }
            if let line = BotRules.handOffLine(decision, after: conversation, now: now) {
                _ = try await Self.insertMessage(db, clinicId: clinicId, line)
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
            WHERE clinic_id = \(clinicId) AND name = \(BotRules.windowClosedTemplateName) AND category = 'utility'
            ORDER BY (language = \(language)) DESC, language LIMIT 1
            """) else { return nil }
        let body = try row.string(1)
        guard let parameters = BotRules.windowTemplateParameters(body: body, patientName: name) else { return nil }
        return (TemplateBody.render(body, parameters),
                TemplateDelivery(name: BotRules.windowClosedTemplateName, language: try row.string(0),
                                 parameters: parameters, twilioContentSid: try row.optionalString(2)))
    }
}
