import Foundation
import GRDB
import InboxModel
import InboxRecords

extension SQLiteInboxStore {
    public func botContext(conversationId: Int64) async throws -> BotContext? {
        try await pool.read { db in
            let sql = """
                SELECT \(Columns.list(Columns.conversation, alias: "c")), c.clinic_id, c.bot_memory, k.ai_hook_url
                FROM conversations c JOIN clinics k ON k.id = c.clinic_id WHERE c.id = ?
                """
            guard let row = try Row.fetchOne(db, sql: sql, arguments: [conversationId]) else { return nil }
            let conversation = Conversation(row: row)
            let memory: String? = row[Columns.conversation.count + 1]
            let hook: String? = row[Columns.conversation.count + 2]
            guard let patientRow = try Row.fetchOne(db, sql: "SELECT \(Columns.list(Columns.patient)) FROM patients WHERE id = ?",
                                                    arguments: [conversation.patientId]) else { return nil }
            let recent = try Row.fetchAll(db, sql: """
                SELECT \(Columns.list(Columns.message)) FROM messages WHERE conversation_id = ? ORDER BY id DESC LIMIT 20
                """, arguments: [conversationId]).map { Message(row: $0) }.reversed()
            return BotContext(conversation: conversation, patient: Patient(row: patientRow), recent: Array(recent),
                              memory: memory, aiHookURL: hook)
        }
    }

    public func setAIHook(clinic: String, url: String?) async throws {
        let now = clock()
        try await write { db, _ in
            let clinicId = try Self.clinicId(db, name: clinic, createAt: now)
            try db.execute(sql: "UPDATE clinics SET ai_hook_url = ? WHERE id = ?", arguments: [url, clinicId])
        }
    }

    /// The bot acts only while the conversation is still with the bot: an agent who took it over in the
    /// meantime wins, and the bot's late answer is dropped. Outside WhatsApp's 24-hour window the bot sends no
    /// free text (WhatsApp would refuse it, and an agent's would be refused too): it hands the conversation off.
    public func applyBotDecision(_ decision: BotDecision, memory: String?, conversationId: Int64) async throws {
        let now = clock()
        try await write { db, touched in
            let sql = "SELECT \(Columns.list(Columns.conversation)), clinic_id FROM conversations WHERE id = ?"
            guard let row = try Row.fetchOne(db, sql: sql, arguments: [conversationId]) else { return }
            var conversation = Conversation(row: row)
            let clinicId: Int64 = row[Columns.conversation.count]
            guard conversation.status == .bot else { return }
            var decision = decision
            // Outside the window: the clinic's own template for this (if it has one), and a human follows up.
            var windowTemplate: (text: String, delivery: TemplateDelivery)?
            if decision.reply != nil, !Self.windowIsOpen(conversation, now: now) {
                windowTemplate = try Self.windowClosedTemplate(db, clinicId: clinicId, patientId: conversation.patientId)
                decision.reply = nil
                decision.handOff = decision.handOff ?? BotDecision.HandOff(
                    reason: "24-hour window closed",
                    summary: "The patient's last message is more than 24 hours old, so the bot sent no answer of its own: only an approved template can reach them now.")
            }
            try db.execute(sql: "UPDATE conversations SET bot_memory = ? WHERE id = ?", arguments: [memory, conversationId])
            var preview: String?
            if let text = decision.reply ?? windowTemplate?.text {
                let message = Message(id: 0, conversationId: conversationId, direction: .outbound, author: .bot,
                                      body: text, status: .pending, createdAt: now)
                let id = try Self.insertMessage(db, clinicId: clinicId, message)
                if let delivery = windowTemplate?.delivery {
                    try db.execute(sql: "UPDATE messages SET template = ? WHERE id = ?",
                                   arguments: [String(decoding: try JSONEncoder().encode(delivery), as: UTF8.self), id])
                }
                try db.execute(sql: "INSERT INTO deliveries (message_id, clinic_id, next_attempt_at) VALUES (?, ?, ?)",
                               arguments: [id, clinicId, now])
                preview = Self.preview(body: text, media: nil)
            }
            guard decision.reply != nil || decision.handOff != nil else { return }
            try Self.updateConversation(db, clinicId: clinicId, &conversation) { conversation in
                // Re-checked on a fresh row: an agent who took over in between wins, and nothing of this is kept.
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
            touched.insert(clinicId)
        }
    }

    /// The name of the template a clinic approves for the bot to send when a patient's message arrives outside
    /// the 24-hour window (e.g. "Thanks, reception will answer here soon"). Added like any template
    /// (`inbox template add|import`); it must be a utility template with no parameter, or one: the patient's name.
    public static let windowClosedTemplateName = "bot_window_closed"

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
            """, arguments: [clinicId, windowClosedTemplateName, language]) else { return nil }
        let body: String = row[1]
        let count = TemplateBody.parameterNumbers(in: body).max() ?? 0
        guard count <= 1 else { return nil }
        let parameters = count == 1 ? [name.isEmpty ? "there" : name] : []
        guard parameters.allSatisfy({ TemplateBody.problem(inParameter: $0) == nil }) else { return nil }
        return (TemplateBody.render(body, parameters),
                TemplateDelivery(name: windowClosedTemplateName, language: row[0], parameters: parameters, twilioContentSid: row[2]))
    }

    /// WhatsApp's customer-service window: free text only within 24 hours of the patient's last message. WAHA
    /// drives a phone's own WhatsApp session, which has no such window.
    static func windowIsOpen(_ conversation: Conversation, now: Millis) -> Bool {
        guard conversation.provider != .waha else { return true }
        guard let lastInbound = conversation.lastInboundAt else { return false }
        return now - lastInbound <= CommandExecution.serviceWindow
    }
}
