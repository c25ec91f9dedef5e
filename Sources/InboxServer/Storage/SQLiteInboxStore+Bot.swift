import Foundation
import GRDB
import InboxModel
import InboxRecords

extension SQLiteInboxStore {
    public func botContext(conversationId: Int64) async throws -> BotContext? {
        try await pool.read { db in
            let sql = """
                SELECT \(Columns.list(Columns.conversation, alias: "c")), c.clinic_id, c.bot_memory, k.ai_hook_url,
                    \(NumberBotColumns.names.map { "n." + $0 }.joined(separator: ", "))
                FROM conversations c JOIN clinics k ON k.id = c.clinic_id LEFT JOIN numbers n ON n.number = c.clinic_number
                WHERE c.id = ?
                """
            guard let row = try Row.fetchOne(db, sql: sql, arguments: [conversationId]) else { return nil }
            let conversation = Conversation(row: row)
            let memory: String? = row[Columns.conversation.count + 1]
            let hook: String? = row[Columns.conversation.count + 2]
            guard let patientRow = try Row.fetchOne(db, sql: "SELECT \(Columns.list(Columns.patient)) FROM patients WHERE id = ?",
                                                    arguments: [conversation.patientId]) else { return nil }
            let recent = try Row.fetchAll(db, sql: """
                SELECT \(Columns.list(Columns.message)), reply_id FROM messages WHERE conversation_id = ? AND \(BotRules.seenMessagesSQL)
                ORDER BY id DESC LIMIT 20
                """, arguments: [conversationId]).map { row in
                    var message = Message(row: row)
                    message.replyId = row[Columns.message.count]
                    return message
                }.reversed()
            let n = Columns.conversation.count + 3
            return BotContext(conversation: conversation, patient: Patient(row: patientRow), recent: Array(recent),
                              memory: memory, aiHookURL: hook,
                              numberBot: NumberBotColumns.bot((0..<NumberBotColumns.names.count).map { index -> String? in row[n + index] }))
        }
    }

    public func setAIHook(clinic: String, url: String?) async throws {
        let now = clock()
        try await write { db, _ in
            let clinicId = try Self.clinicId(db, name: clinic, createAt: now)
            try db.execute(sql: "UPDATE clinics SET ai_hook_url = ? WHERE id = ?", arguments: [url, clinicId])
        }
    }

    /// The rules (`BotRules`) decide whether the bot may still act and what it sends; this stores it.
    public func applyBotDecision(_ decision: BotDecision, memory: String?, conversationId: Int64) async throws {
        let now = clock()
        try await write { db, touched in
            let sql = "SELECT \(Columns.list(Columns.conversation)), clinic_id FROM conversations WHERE id = ?"
            guard let row = try Row.fetchOne(db, sql: sql, arguments: [conversationId]) else { return }
            var conversation = Conversation(row: row)
            let clinicId: Int64 = row[Columns.conversation.count]
            guard let (decision, useWindowTemplate) = BotRules.resolve(decision, conversation: conversation, now: now) else { return }
            // Outside the window: the clinic's own template for this (if it has one), and a human follows up.
            let windowTemplate = useWindowTemplate
                ? try Self.windowClosedTemplate(db, clinicId: clinicId, patientId: conversation.patientId) : nil
            try db.execute(sql: "UPDATE conversations SET bot_memory = ? WHERE id = ?", arguments: [memory, conversationId])
            var preview: String?
            if let text = decision.reply ?? windowTemplate?.text {
                let message = Message(id: 0, conversationId: conversationId, direction: .outbound, author: .bot,
                                      body: text, status: .pending, createdAt: now)
                let id = try Self.insertMessage(db, clinicId: clinicId, message)
                if decision.reply != nil, let menu = decision.menu {
                    try db.execute(sql: "UPDATE messages SET interactive = ? WHERE id = ?", arguments: [menu.encoded, id])
                }
                if let delivery = windowTemplate?.delivery {
                    try db.execute(sql: "UPDATE messages SET template = ? WHERE id = ?",
                                   arguments: [String(decoding: try JSONEncoder().encode(delivery), as: UTF8.self), id])
                }
                try db.execute(sql: "INSERT INTO deliveries (message_id, clinic_id, next_attempt_at) VALUES (?, ?, ?)",
                               arguments: [id, clinicId, now])
                preview = ConversationPreview.text(body: text, media: nil)
            }
            guard decision.reply != nil || decision.handOff != nil else { return }
            try Self.updateConversation(db, clinicId: clinicId, &conversation) { conversation in
                // Re-checked on a fresh row: an agent who took over in between wins, and nothing of this is kept.
                guard conversation.status == .bot else { throw StoreError.conflict("an agent took the conversation over") }
                conversation = BotRules.conversation(conversation, after: decision, preview: preview, now: now)
            }
            if let line = BotRules.handOffLine(decision, after: conversation, now: now) {
                _ = try Self.insertMessage(db, clinicId: clinicId, line)
            }
            touched.insert(clinicId)
        }
    }

    /// The clinic's `bot_window_closed` template, in the patient's language when it exists in several, rendered.
    static func windowClosedTemplate(_ db: Database, clinicId: Int64, patientId: Int64) throws
        -> (text: String, delivery: TemplateDelivery)? {
        let patient = try Row.fetchOne(db, sql: "SELECT display_name, language FROM patients WHERE id = ?", arguments: [patientId])
        let name = patient.map { WholeText.read($0, 0) } ?? ""
        let language: String = patient?[1] ?? ""
        guard let row = try Row.fetchOne(db, sql: """
            SELECT language, body, twilio_content_sid FROM templates
            WHERE clinic_id = ? AND name = ? AND category = 'utility'
            ORDER BY (language = ?) DESC, language LIMIT 1
            """, arguments: [clinicId, BotRules.windowClosedTemplateName, language]) else { return nil }
        let body: String = row[1]
        guard let parameters = BotRules.windowTemplateParameters(body: body, patientName: name) else { return nil }
        return (TemplateBody.render(body, parameters),
                TemplateDelivery(name: BotRules.windowClosedTemplateName, language: row[0], parameters: parameters, twilioContentSid: row[2]))
    }
}
