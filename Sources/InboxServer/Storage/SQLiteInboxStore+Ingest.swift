import GRDB
import InboxModel
import InboxRecords

extension SQLiteInboxStore {
    /// Stores a provider's batch in one transaction (Meta sends up to a thousand updates per POST): one commit and
    /// one wake-up per batch instead of one per message. Every message is stamped with the store's clock: it is
    /// ordered, shown and windowed by when it arrived, and the provider's timestamp is kept beside it.
    public func ingest(_ batch: [InboundMessage]) async throws -> [IngestOutcome] {
        guard !batch.isEmpty else { return [] }
        let botAnswers = self.botAnswers
        let optOutWords = self.optOutWords
        let now = clock()
        return try await write { db, touched in
            try batch.map { inbound in
                var inbound = inbound
                inbound.receivedAt = now
                return try Self.ingest(db, inbound, botAnswers: botAnswers, optOutWords: optOutWords, touched: &touched)
            }
        }
    }

    private static func ingest(_ db: Database, _ inbound: InboundMessage, botAnswers: Bool, optOutWords: Set<String>,
                               touched: inout Set<Int64>) throws -> IngestOutcome {
        guard let clinicId: Int64 = try db.valueCached("SELECT clinic_id FROM numbers WHERE number = ?",
                                                       [inbound.clinicNumber]) else { return .unknownNumber }
        let seen = try db.valueCached("SELECT 1 FROM messages WHERE provider_message_id = ?",
                                      [inbound.providerMessageId]) as Bool? ?? false
        if seen { return .duplicate }

        let patientId = try upsertPatient(db, clinicId: clinicId, inbound: inbound)
        let text = InboundText(body: inbound.body, receivedAt: inbound.receivedAt, providerTime: inbound.providerTime,
                               isSystemNotice: inbound.isSystemNotice)
        if let optOut = IngestRules.optOutChange(text, optOutWords: optOutWords) {
            try db.executeCached("UPDATE patients SET opted_out = ?, updated_at = ? WHERE id = ? AND opted_out <> ?",
                                 [optOut, inbound.receivedAt, patientId, optOut])
            if db.changesCount > 0 { try recordChange(db, clinicId: clinicId, kind: .patient, id: patientId) }
        }
        var conversation = try openConversation(db, clinicId: clinicId, patientId: patientId, inbound: inbound,
                                                botAnswers: botAnswers)
        let media = IngestRules.storedMedia(inbound.media)
        let message = Message(id: 0, conversationId: conversation.id, direction: .inbound,
                              author: inbound.isSystemNotice ? .system : .patient,
                              body: inbound.body, media: media, providerMessageId: inbound.providerMessageId,
                              status: .delivered, createdAt: inbound.receivedAt, providerTime: inbound.providerTime,
                              replyId: inbound.replyId)
        let messageId = try insertMessage(db, clinicId: clinicId, message)
        if media?.state == .pending {
            // Fetched promptly by the media fetcher: provider links expire (Meta's within minutes).
            try db.execute(sql: """
                INSERT INTO media (message_id, clinic_id, provider, source, state, mime_type, next_attempt_at)
                VALUES (?, ?, ?, ?, 'pending', ?, 0)
                """, arguments: [messageId, clinicId, inbound.provider.rawValue, media?.url, media?.mimeType])
        }
        if inbound.isSystemNotice, let newPhone = inbound.newPhone {
            try changeNumber(db, clinicId: clinicId, patientId: patientId, to: newPhone, at: inbound.receivedAt)
        }

        let preview = ConversationPreview.text(body: inbound.body, media: media)
        try updateConversation(db, clinicId: clinicId, &conversation) { conversation in
            conversation = IngestRules.conversation(conversation, after: text, preview: preview)
        }
        touched.insert(clinicId)
        // The bot answers only a patient's message (`BotRunner` checks the author), never a notice.
        return .stored(conversationId: conversation.id, messageId: messageId, conversationStatus: conversation.status)
    }

    /// WhatsApp's "changed their number" notice: the patient's identity moves to the new number, so their next
    /// messages (from that number) land on the same patient and conversation. When the clinic already knows the
    /// new number as another patient, the two are left apart; the notice in the timeline tells agents.
    static func changeNumber(_ db: Database, clinicId: Int64, patientId: Int64, to newPhone: String, at now: Millis) throws {
        let identity = "whatsapp:\(newPhone)"
        let taken = try Bool.fetchOne(db, sql: "SELECT 1 FROM patients WHERE clinic_id = ? AND channel_identity = ?",
                                      arguments: [clinicId, identity]) ?? false
        guard !taken else { return }
        try db.execute(sql: "UPDATE patients SET channel_identity = ?, phone = ?, updated_at = ? WHERE id = ?",
                       arguments: [identity, newPhone, now, patientId])
        try recordChange(db, clinicId: clinicId, kind: .patient, id: patientId)
    }

    static func upsertPatient(_ db: Database, clinicId: Int64, inbound: InboundMessage) throws -> Int64 {
        let name = inbound.profileName ?? ""
        return try findOrAddPatient(db, clinicId: clinicId, identity: inbound.channelIdentity, phone: inbound.phone,
                                    name: name, isLead: true, now: inbound.receivedAt) {
            IngestRules.updatedDisplayName(current: $0, profileName: name)
        }
    }

    /// The clinic's patient with this channel identity, added when new (a lead, unless the clinic's own system knows
    /// them). `rename` gives an existing patient's new name from their current one, or nil to keep it.
    static func findOrAddPatient(_ db: Database, clinicId: Int64, identity: String, phone: String, name: String,
                                 isLead: Bool, now: Millis, rename: (_ current: String) -> String?) throws -> Int64 {
        if let existing = try db.rowCached("SELECT id, display_name FROM patients WHERE clinic_id = ? AND channel_identity = ?",
                                           [clinicId, identity]) {
            let id: Int64 = existing[0]
            if let renamed = rename(WholeText.read(existing, 1)) {
                try db.executeCached("UPDATE patients SET display_name = ?, updated_at = ? WHERE id = ?",
                                     [WholeText.bindable(renamed), now, id])
                try recordChange(db, clinicId: clinicId, kind: .patient, id: id)
            }
            return id
        }
        try db.executeCached("""
            INSERT INTO patients (clinic_id, channel_identity, display_name, phone, is_lead, tags, notes, opted_out, updated_at)
            VALUES (?, ?, ?, ?, ?, '[]', '', 0, ?)
            """, [clinicId, identity, WholeText.bindable(name), phone, isLead, now])
        let id = db.lastInsertedRowID
        try recordChange(db, clinicId: clinicId, kind: .patient, id: id)
        return id
    }

    /// The open conversation of this patient on this number, or a new one with the bot answering first.
    static func openConversation(_ db: Database, clinicId: Int64, patientId: Int64,
                                 inbound: InboundMessage, botAnswers: Bool) throws -> Conversation {
        let sql = "SELECT \(Columns.list(Columns.conversation)) FROM conversations WHERE patient_id = ? AND clinic_number = ? AND status <> 'closed'"
        if let row = try db.rowCached(sql, [patientId, inbound.clinicNumber]) {
            return Conversation(row: row)
        }
        let state = IngestRules.newConversationState(botAnswers: botAnswers, at: inbound.receivedAt)
        try db.executeCached("""
            INSERT INTO conversations (clinic_id, patient_id, clinic_number, provider, status, handoff_reason, waiting_since,
                last_message_at, last_message_preview, version, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', 0, ?)
            """, [clinicId, patientId, inbound.clinicNumber, inbound.provider.rawValue, state.status.rawValue,
                  state.handoffReason, state.waitingSince, inbound.receivedAt, inbound.receivedAt])
        return Conversation(id: db.lastInsertedRowID, patientId: patientId, clinicNumber: inbound.clinicNumber,
                            provider: inbound.provider, status: state.status, handoffReason: state.handoffReason,
                            waitingSince: state.waitingSince, lastMessageAt: inbound.receivedAt,
                            version: 0, createdAt: inbound.receivedAt)
    }

    /// Writes every mutable column with compare-and-set on `version` (the row must still be the version that
    /// was read), bumps the version and records the change. Returns false when another writer got there first:
    /// callers must act on that (see `updateConversation`), which is why the result cannot be discarded.
    /// With `expectedVersion`, `conversation` already carries its new version (a command's plan counts its steps).
    static func saveConversation(_ db: Database, clinicId: Int64, _ conversation: inout Conversation,
                                 expectedVersion: Int64? = nil) throws -> Bool {
        let expected = expectedVersion ?? conversation.version
        if expectedVersion == nil { conversation.version += 1 }
        try db.executeCached("""
            UPDATE conversations SET status = ?, assigned_agent_id = ?, handoff_reason = ?, handoff_summary = ?,
                waiting_since = ?, last_inbound_at = ?, last_message_at = ?, last_message_preview = ?, version = ?,
                snoozed_until = ?
            WHERE id = ? AND version = ?
            """, [conversation.status.rawValue, conversation.assignedAgentId, conversation.handoffReason,
                  conversation.handoffSummary, conversation.waitingSince, conversation.lastInboundAt,
                  conversation.lastMessageAt, WholeText.bindable(conversation.lastMessagePreview), conversation.version,
                  conversation.snoozedUntil, conversation.id, expected])
        guard db.changesCount == 1 else { return false }
        try recordChange(db, clinicId: clinicId, kind: .conversation, id: conversation.id)
        return true
    }

    /// A read-modify-write of a conversation that honours the compare-and-set: when another writer saved the
    /// row since `conversation` was read, `change` is applied again to the fresh row, at most `attempts` times in
    /// all; after that, or when `change` throws (the fresh row no longer allows it), the write fails visibly and
    /// the caller's transaction rolls back. On success `conversation` is what was saved.
    static func updateConversation(_ db: Database, clinicId: Int64, _ conversation: inout Conversation, attempts: Int = 3,
                                   _ change: (inout Conversation) throws -> Void) throws {
        var current = conversation
        for _ in 0..<attempts {
            var next = current
            try change(&next)
            if try saveConversation(db, clinicId: clinicId, &next) {
                conversation = next
                return
            }
            guard let fresh = try loadConversation(db, id: current.id) else { break }
            current = fresh
        }
        throw StoreError.conflict("conversation \(conversation.id) kept changing under this write")
    }

    static func loadConversation(_ db: Database, id: Int64) throws -> Conversation? {
        try db.rowCached("SELECT \(Columns.list(Columns.conversation)) FROM conversations WHERE id = ?", [id])
            .map { Conversation(row: $0) }
    }

    static func insertMessage(_ db: Database, clinicId: Int64, _ message: Message) throws -> Int64 {
        let columns = Array(Columns.message.dropFirst()) + ["clinic_id", "provider_time", "reply_id"]
        let values = Array(message.databaseValues.dropFirst()) + [clinicId, message.providerTime, message.replyId]
        let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        try db.executeCached("INSERT INTO messages (\(Columns.list(columns))) VALUES (\(placeholders))",
                             StatementArguments(values: values))
        let id = db.lastInsertedRowID
        try recordChange(db, clinicId: clinicId, kind: .message, id: id)
        return id
    }
}
