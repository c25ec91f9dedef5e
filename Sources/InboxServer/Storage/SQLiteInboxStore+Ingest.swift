import GRDB
import InboxModel
import InboxRecords

extension SQLiteInboxStore {
    /// Stores a provider's batch in one transaction (Meta sends up to a thousand updates per POST): one commit and
    /// one wake-up per batch instead of one per message.
    public func ingest(_ batch: [InboundMessage]) async throws -> [IngestOutcome] {
        guard !batch.isEmpty else { return [] }
        let botAnswers = self.botAnswers
        let optOutWords = self.optOutWords
        return try await write { db, touched in
            try batch.map { inbound in
                try Self.ingest(db, inbound, botAnswers: botAnswers,
                                optOut: Self.optOutChange(inbound.body, optOutWords: optOutWords), touched: &touched)
            }
        }
    }

    private static func ingest(_ db: Database, _ inbound: InboundMessage, botAnswers: Bool, optOut: Bool?,
                               touched: inout Set<Int64>) throws -> IngestOutcome {
        guard let clinicId = try Int64.fetchOne(db, sql: "SELECT clinic_id FROM numbers WHERE number = ?",
                                                arguments: [inbound.clinicNumber]) else { return .unknownNumber }
        let seen = try Bool.fetchOne(db, sql: "SELECT 1 FROM messages WHERE provider_message_id = ?",
                                     arguments: [inbound.providerMessageId]) ?? false
        if seen { return .duplicate }

        let patientId = try upsertPatient(db, clinicId: clinicId, inbound: inbound)
        if let optOut {
            try db.execute(sql: "UPDATE patients SET opted_out = ?, updated_at = ? WHERE id = ? AND opted_out <> ?",
                           arguments: [optOut, inbound.receivedAt, patientId, optOut])
            if db.changesCount > 0 { try recordChange(db, clinicId: clinicId, kind: .patient, id: patientId) }
        }
        var conversation = try openConversation(db, clinicId: clinicId, patientId: patientId, inbound: inbound,
                                                botAnswers: botAnswers)
        var media = inbound.media
        if media?.isFetchable == true { media?.state = .pending }
        var message = Message(id: 0, conversationId: conversation.id, direction: .inbound, author: .patient,
                              body: inbound.body, media: media, providerMessageId: inbound.providerMessageId,
                              status: .delivered, createdAt: inbound.receivedAt)
        message.id = try insertMessage(db, clinicId: clinicId, message)
        if media?.state == .pending {
            // Fetched promptly by the media fetcher: provider links expire (Meta's within minutes).
            try db.execute(sql: """
                INSERT INTO media (message_id, clinic_id, provider, source, state, mime_type, next_attempt_at)
                VALUES (?, ?, ?, ?, 'pending', ?, 0)
                """, arguments: [message.id, clinicId, inbound.provider.rawValue, media?.url, media?.mimeType])
        }

        // Providers do not promise order: an older message arriving late must not move the window back.
        conversation.lastInboundAt = max(conversation.lastInboundAt ?? inbound.receivedAt, inbound.receivedAt)
        if inbound.receivedAt >= conversation.lastMessageAt {
            conversation.lastMessageAt = inbound.receivedAt
            conversation.lastMessagePreview = preview(body: inbound.body, media: inbound.media)
        }
        try saveConversation(db, clinicId: clinicId, &conversation)
        touched.insert(clinicId)
        return .stored(conversationId: conversation.id, messageId: message.id, conversationStatus: conversation.status)
    }

    public func applyStatuses(_ reports: [StatusReport]) async throws {
        guard !reports.isEmpty else { return }
        let now = clock()
        try await write { db, touched in
            var parked = false
            for report in reports {
                if let clinicId = try Self.mergeStatus(db, report) {
                    touched.insert(clinicId)
                    continue
                }
                // Not ours yet, or not ours at all: parked, and applied if a send records this id.
                try db.execute(sql: "INSERT INTO early_statuses (provider_message_id, status, error, received_at) VALUES (?, ?, ?, ?)",
                               arguments: [report.providerMessageId, report.status.rawValue, report.error, now])
                parked = true
            }
            if parked {
                try db.execute(sql: "DELETE FROM early_statuses WHERE received_at < ?", arguments: [now - 24 * 3600 * 1000])
            }
        }
    }

    /// Merges a status into the message with that provider id by precedence; returns its clinic, or nil when no
    /// message has that id.
    static func mergeStatus(_ db: Database, _ report: StatusReport) throws -> Int64? {
        let sql = "SELECT clinic_id, \(Columns.list(Columns.message)) FROM messages WHERE provider_message_id = ?"
        guard let row = try Row.fetchOne(db, sql: sql, arguments: [report.providerMessageId]) else { return nil }
        let clinicId: Int64 = row[0]
        let message = Message(row: row, offset: 1)
        let merged = message.status.merged(with: report.status)
        guard merged != message.status else { return clinicId }
        try db.execute(sql: "UPDATE messages SET status = ?, error = ? WHERE id = ?",
                       arguments: [merged.rawValue, merged == .failed ? report.error : nil, message.id])
        try recordChange(db, clinicId: clinicId, kind: .message, id: message.id)
        return clinicId
    }

    static func upsertPatient(_ db: Database, clinicId: Int64, inbound: InboundMessage) throws -> Int64 {
        let existing = try Row.fetchOne(db, sql: "SELECT id, display_name FROM patients WHERE clinic_id = ? AND channel_identity = ?",
                                        arguments: [clinicId, inbound.channelIdentity])
        let name = inbound.profileName ?? ""
        if let existing {
            let id: Int64 = existing[0]
            if !name.isEmpty && name != existing[1] as String {
                try db.execute(sql: "UPDATE patients SET display_name = ?, updated_at = ? WHERE id = ?",
                               arguments: [name, inbound.receivedAt, id])
                try recordChange(db, clinicId: clinicId, kind: .patient, id: id)
            }
            return id
        }
        try db.execute(sql: """
            INSERT INTO patients (clinic_id, channel_identity, display_name, phone, is_lead, tags, notes, opted_out, updated_at)
            VALUES (?, ?, ?, ?, 1, '[]', '', 0, ?)
            """, arguments: [clinicId, inbound.channelIdentity, name, inbound.phone, inbound.receivedAt])
        let id = db.lastInsertedRowID
        try recordChange(db, clinicId: clinicId, kind: .patient, id: id)
        return id
    }

    /// The open conversation of this patient on this number, or a new one with the bot answering first.
    static func openConversation(_ db: Database, clinicId: Int64, patientId: Int64,
                                 inbound: InboundMessage, botAnswers: Bool) throws -> Conversation {
        let sql = "SELECT \(Columns.list(Columns.conversation)) FROM conversations WHERE patient_id = ? AND clinic_number = ? AND status <> 'closed'"
        if let row = try Row.fetchOne(db, sql: sql, arguments: [patientId, inbound.clinicNumber]) {
            return Conversation(row: row)
        }
        // With no bot to answer first, a new conversation goes straight to the humans' queue.
        let state = botAnswers ? HandoffState(status: .bot)
            : HandoffState(status: .waiting, handoffReason: "No bot answers on this server", waitingSince: inbound.receivedAt)
        try db.execute(sql: """
            INSERT INTO conversations (clinic_id, patient_id, clinic_number, provider, status, handoff_reason, waiting_since,
                last_message_at, last_message_preview, version, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', 0, ?)
            """, arguments: [clinicId, patientId, inbound.clinicNumber, inbound.provider.rawValue, state.status.rawValue,
                             state.handoffReason, state.waitingSince, inbound.receivedAt, inbound.receivedAt])
        return Conversation(id: db.lastInsertedRowID, patientId: patientId, clinicNumber: inbound.clinicNumber,
                            provider: inbound.provider, status: state.status, handoffReason: state.handoffReason,
                            waitingSince: state.waitingSince, lastMessageAt: inbound.receivedAt,
                            version: 0, createdAt: inbound.receivedAt)
    }

    /// Writes every mutable column with compare-and-set on `version` (the row must still be the version that
    /// was read), bumps the version and records the change. Returns false when another writer got there first.
    @discardableResult
    static func saveConversation(_ db: Database, clinicId: Int64, _ conversation: inout Conversation) throws -> Bool {
        let expected = conversation.version
        conversation.version += 1
        try db.execute(sql: """
            UPDATE conversations SET status = ?, assigned_agent_id = ?, handoff_reason = ?, handoff_summary = ?,
                waiting_since = ?, last_inbound_at = ?, last_message_at = ?, last_message_preview = ?, version = ?
            WHERE id = ? AND version = ?
            """, arguments: [conversation.status.rawValue, conversation.assignedAgentId, conversation.handoffReason,
                             conversation.handoffSummary, conversation.waitingSince, conversation.lastInboundAt,
                             conversation.lastMessageAt, conversation.lastMessagePreview, conversation.version,
                             conversation.id, expected])
        guard db.changesCount == 1 else { return false }
        try recordChange(db, clinicId: clinicId, kind: .conversation, id: conversation.id)
        return true
    }

    static func insertMessage(_ db: Database, clinicId: Int64, _ message: Message) throws -> Int64 {
        let columns = Array(Columns.message.dropFirst()) + ["clinic_id"]
        let values = Array(message.databaseValues.dropFirst()) + [clinicId]
        let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        try db.execute(sql: "INSERT INTO messages (\(Columns.list(columns))) VALUES (\(placeholders))",
                       arguments: StatementArguments(values: values))
        let id = db.lastInsertedRowID
        try recordChange(db, clinicId: clinicId, kind: .message, id: id)
        return id
    }

    /// True for an opt-out word, false for an opt-in word, nil for anything else. Only a message that is exactly
    /// the word counts: "please don't stop my treatment" is not an opt-out.
    static func optOutChange(_ body: String, optOutWords: Set<String>) -> Bool? {
        let word = body.trimmingCharacters(in: .whitespacesAndNewlines.union(.punctuationCharacters)).uppercased()
        if optOutWords.contains(word) { return true }
        if optInWords.contains(word) { return false }
        return nil
    }

    /// The queue shows one line per conversation: the start of the last message, or what its attachment is.
    static func preview(body: String, media: MediaInfo?) -> String {
        let text = body.isEmpty ? media.map { "[\($0.kind)] \($0.fileName ?? "")" } ?? "" : body
        return String(text.prefix(120))
    }
}
