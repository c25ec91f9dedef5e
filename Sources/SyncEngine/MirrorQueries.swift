import Foundation
import GRDB
import InboxModel
import InboxRecords

/// What the terminal app reads from the mirror. Every screen is painted from these, never from the network.
extension Mirror {
    /// Rows of one queue tab, in the order the desk works them, and the count of every tab.
    ///
    /// `limit` reads only the first rows of the tab (the first frame needs a screenful): the unread counts, the
    /// query's cost on a big mirror, are then counted for those rows alone.
    ///
    /// Snoozed conversations are listed only in the Snoozed tab; `tag` keeps only patients with that tag.
    public func queue(_ tab: QueueTab, agentId: Int64, limit: Int? = nil, tag: String? = nil) throws -> (rows: [QueueRow], counts: QueueCounts) {
        try pool.read { db in
            var filter: String, order: String
            var cap: Int?
            switch tab {
            case .waiting: (filter, order) = ("status = 'waiting'", "waiting_since, id")
            case .mine: (filter, order) = ("status = 'assigned' AND assigned_agent_id = \(agentId)", "last_message_at DESC")
            case .bot: (filter, order) = ("status = 'bot'", "last_message_at DESC")
            // Closed conversations only grow; the desk needs the recent ones.
            case .closed: (filter, order, cap) = ("status = 'closed'", "last_message_at DESC", 1000)
            case .team: (filter, order) = ("status = 'assigned' AND assigned_agent_id <> \(agentId)", "last_message_at DESC")
            case .snoozed: (filter, order) = ("status <> 'closed' AND snoozed_until IS NOT NULL", "snoozed_until, id")
            }
            if tab != .snoozed && tab != .closed { filter += " AND snoozed_until IS NULL" }
            if let tag {
                // Tags are stored as a JSON array of normalised strings: the quoted tag matches one element exactly.
                let quoted = String(decoding: try JSONEncoder().encode(tag), as: UTF8.self).replacingOccurrences(of: "'", with: "''")
                filter += " AND patient_id IN (SELECT id FROM patients WHERE instr(tags, '\(quoted)') > 0)"
            }
            let rowLimit = [cap, limit].compactMap { $0 }.min()
            // The tab's rows are chosen (and limited) first, so the unread count runs only for the rows returned.
            let chosen = rowLimit.map { "(SELECT * FROM conversations WHERE \(filter) ORDER BY \(order) LIMIT \($0))" }
                ?? "(SELECT * FROM conversations WHERE \(filter))"
            let n = Columns.conversation.count
            let sql = """
                SELECT \(Columns.list(Columns.conversation, alias: "c")), p.display_name, p.phone,
                    (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'inbound'
                        AND m.id > COALESCE((SELECT message_id FROM read_horizons r WHERE r.conversation_id = c.id), 0))
                FROM \(chosen) c LEFT JOIN patients p ON p.id = c.patient_id
                ORDER BY \(order.split(separator: ",").map { "c." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", "))
                """
            let rows = try Row.fetchAll(db, sql: sql).map { row in
                let name = WholeText.readOptional(row, n) ?? ""  // a profile name may hold U+0000
                let phone: String = row[n + 1] ?? ""
                return QueueRow(conversation: Conversation(row: row), patientName: name.isEmpty ? phone : name,
                                patientPhone: phone, unread: row[n + 2])
            }
            var counts = QueueCounts()
            for row in try Row.fetchAll(db, sql: """
                SELECT status, assigned_agent_id = ?, snoozed_until IS NOT NULL AND status <> 'closed', COUNT(*) FROM conversations
                GROUP BY status, assigned_agent_id = ?, snoozed_until IS NOT NULL AND status <> 'closed'
                """, arguments: [agentId, agentId]) {
                let count: Int = row[3]
                if row[2] as Bool? == true {
                    counts.snoozed += count
                    continue
                }
                switch row[0] as String {
                case "waiting": counts.waiting += count
                case "bot": counts.bot += count
                case "closed": counts.closed += count
                case "assigned" where row[1] as Bool? == true: counts.mine += count
                case "assigned": counts.team += count
                default: break
                }
            }
            return (rows, counts)
        }
    }

    /// One conversation with its patient, its latest messages (oldest first), the agent's pending commands for
    /// it and the saved draft. Nil when the mirror does not have it (yet).
    public func conversationDetail(_ id: Int64, messageLimit: Int = 2_000) throws -> ConversationDetail? {
        let outbox = try outboxEntries(conversationId: id)
        let draft = try draft(conversationId: id)
        return try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT \(Columns.list(Columns.conversation)) FROM conversations WHERE id = ?",
                                             arguments: [id]) else { return nil }
            let conversation = Conversation(row: row)
            let patient = try Row.fetchOne(db, sql: "SELECT \(Columns.list(Columns.patient)) FROM patients WHERE id = ?",
                                           arguments: [conversation.patientId]).map { Patient(row: $0) }
            let messages = try Row.fetchAll(db, sql: """
                SELECT \(Columns.list(Columns.message)) FROM messages WHERE conversation_id = ? ORDER BY id DESC LIMIT ?
                """, arguments: [id, messageLimit]).map { Message(row: $0) }.reversed()
            // The patient's language first: that is the template the agent most likely wants.
            let language = patient?.language ?? ""
            let templates = try Row.fetchAll(db, sql: """
                SELECT \(Columns.list(Columns.template)) FROM templates
                ORDER BY (language = ? OR substr(language, 1, 3) = ? || '_') DESC, name, language
                """, arguments: [language, language]).map { MessageTemplate(row: $0) }
            let earlier = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM conversations WHERE patient_id = ? AND id < ?",
                                           arguments: [conversation.patientId, id]) ?? 0
            // The patient's coming appointments; the sidebar picks the next one at the time it draws.
            let appointments = try Row.fetchAll(db, sql: """
                SELECT \(Columns.list(Columns.appointment)) FROM appointments
                WHERE patient_id = ? AND status <> 'cancelled' AND starts_at >= ? ORDER BY starts_at LIMIT 20
                """, arguments: [conversation.patientId, Millis(Date().timeIntervalSince1970 * 1000) - 86_400_000])
                .map { Appointment(row: $0) }
            return ConversationDetail(conversation: conversation, patient: patient, messages: Array(messages),
                                      outbox: outbox, draft: draft, templates: templates, earlierConversations: earlier,
                                      appointments: appointments, cannedReplies: try Self.cannedReplies(db))
        }
    }

    /// One page of a returning patient's history: their newest conversation older than `before`, with its latest
    /// `messageLimit` messages (oldest first). Nil when there is none.
    public func earlierConversation(patientId: Int64, before: Int64, messageLimit: Int = 500) throws -> EarlierConversation? {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT \(Columns.list(Columns.conversation)) FROM conversations WHERE patient_id = ? AND id < ?
                ORDER BY id DESC LIMIT 1
                """, arguments: [patientId, before]) else { return nil }
            let conversation = Conversation(row: row)
            let messages = try Row.fetchAll(db, sql: """
                SELECT \(Columns.list(Columns.message)) FROM messages WHERE conversation_id = ? ORDER BY id DESC LIMIT ?
                """, arguments: [conversation.id, messageLimit]).map { Message(row: $0) }
            return EarlierConversation(conversation: conversation, messages: messages.reversed())
        }
    }

    /// My saved drafts whose conversation a colleague now holds: they can no longer be sent.
    public func strandedDrafts() throws -> [StrandedDraft] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT c.id, COALESCE(NULLIF(p.display_name, ''), p.phone, ''), c.assigned_agent_id
                FROM (SELECT conversation_id FROM drafts WHERE body <> '' AND \(Self.ownedByBinding)) d
                JOIN conversations c ON c.id = d.conversation_id LEFT JOIN patients p ON p.id = c.patient_id
                WHERE c.status = 'assigned' AND c.assigned_agent_id IS NOT (SELECT agent_id FROM sync_state WHERE id = 1)
                ORDER BY c.id
                """).map { StrandedDraft(conversationId: $0[0], patientName: $0[1], holderId: $0[2]) }
        }
    }

    public func agents() throws -> [Agent] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT \(Columns.list(Columns.agent)) FROM agents ORDER BY name").map { Agent(row: $0) }
        }
    }

    /// The agent this mirror is bound to, as last synced: lets the first frame paint before any network call.
    public func signedInAgent() throws -> Agent? {
        guard let id = try syncState()?.agentId else { return nil }
        return try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(Columns.list(Columns.agent)) FROM agents WHERE id = ?", arguments: [id])
                .map { Agent(row: $0) }
        }
    }
}
