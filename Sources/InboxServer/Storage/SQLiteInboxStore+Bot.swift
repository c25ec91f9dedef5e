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
            if decision.reply != nil, !Self.windowIsOpen(conversation, now: now) {
                decision.reply = nil
                decision.handOff = decision.handOff ?? BotDecision.HandOff(
                    reason: "24-hour window closed",
                    summary: "The patient's last message is more than 24 hours old, so the bot sent no answer: only an approved template can reach them now.")
            }
            try db.execute(sql: "UPDATE conversations SET bot_memory = ? WHERE id = ?", arguments: [memory, conversationId])
            var preview: String?
            if let text = decision.reply {
                let message = Message(id: 0, conversationId: conversationId, direction: .outbound, author: .bot,
                                      body: text, status: .pending, createdAt: now)
                let id = try Self.insertMessage(db, clinicId: clinicId, message)
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

    /// WhatsApp's customer-service window: free text only within 24 hours of the patient's last message. WAHA
    /// drives a phone's own WhatsApp session, which has no such window.
    static func windowIsOpen(_ conversation: Conversation, now: Millis) -> Bool {
        guard conversation.provider != .waha else { return true }
        guard let lastInbound = conversation.lastInboundAt else { return false }
        return now - lastInbound <= CommandExecution.serviceWindow
    }
}
