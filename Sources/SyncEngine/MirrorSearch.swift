import GRDB
import InboxModel

/// The `/` search: people (name, any run of phone digits, the clinic's record id) and message text (FTS5), in
/// one list grouped by patient, so "5557" or "Lopez" finds the patient even when no message says it.
extension Mirror {
    public func search(_ query: String, patientLimit: Int = 20, messageLimit: Int = 50) throws -> [SearchHit] {
        let trimmed = query.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return [] }
        return Self.groupedByPatient(people: try searchPatients(trimmed, limit: patientLimit),
                                     messages: try searchMessages(trimmed, limit: messageLimit))
    }

    /// Patients whose name or record id contains the query, or whose phone contains its digits (when the query
    /// is a phone fragment: at least three digits and nothing but digits, spaces and `+-().`). Most recent first.
    func searchPatients(_ query: String, limit: Int) throws -> [SearchHit] {
        let pattern = "%" + Self.escapeLike(query) + "%"
        let digits = Self.phoneDigits(query) ?? ""
        let phoneDigitsSQL = ["+", " ", "-", "(", ")", "."].reduce("p.phone") { "REPLACE(\($0), '\($1)', '')" }
        return try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT p.id, p.display_name, p.phone, p.external_record_id, c.id, c.last_message_at
                FROM patients p
                JOIN conversations c ON c.id = (SELECT id FROM conversations WHERE patient_id = p.id
                                                ORDER BY status = 'closed', last_message_at DESC LIMIT 1)
                WHERE p.display_name LIKE :pattern ESCAPE '\\' OR p.external_record_id LIKE :pattern ESCAPE '\\'
                    OR (:digits <> '' AND \(phoneDigitsSQL) LIKE '%' || :digits || '%')
                ORDER BY c.last_message_at DESC LIMIT :limit
                """, arguments: ["pattern": pattern, "digits": digits, "limit": limit]).map { row in
                let name: String = row[1]
                let phone: String = row[2]
                let record: String? = row[3]
                let identity = [phone] + (record.map { $0.isEmpty ? [] : ["record " + $0] } ?? [])
                return SearchHit(messageId: nil, conversationId: row[4], patientName: name.isEmpty ? phone : name,
                                 snippet: identity.joined(separator: " · "), createdAt: row[5], patientId: row[0])
            }
        }
    }

    /// Full-text search (FTS5) over every message in the mirror, best matches first.
    func searchMessages(_ query: String, limit: Int) throws -> [SearchHit] {
        // Each word becomes a quoted prefix term, so patient-typed punctuation cannot break FTS syntax.
        let terms = query.split(whereSeparator: { $0.isWhitespace })
            .map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"*" }
        guard !terms.isEmpty else { return [] }
        return try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT m.id, m.conversation_id, COALESCE(NULLIF(p.display_name, ''), p.phone, ''),
                    snippet(messages_fts, 0, '', '', '…', 12), m.created_at, COALESCE(p.id, 0)
                FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid
                LEFT JOIN conversations c ON c.id = m.conversation_id LEFT JOIN patients p ON p.id = c.patient_id
                WHERE messages_fts MATCH ? ORDER BY rank LIMIT ?
                """, arguments: [terms.joined(separator: " "), limit]).map {
                SearchHit(messageId: $0[0], conversationId: $0[1], patientName: $0[2], snippet: $0[3], createdAt: $0[4],
                          patientId: $0[5])
            }
        }
    }

    /// One group per patient: patients found as people first (most recent first), then the others in the order
    /// of their best message; within a group, the patient's own hit, then their messages best first.
    static func groupedByPatient(people: [SearchHit], messages: [SearchHit]) -> [SearchHit] {
        var order: [Int64] = []
        var groups: [Int64: [SearchHit]] = [:]
        for hit in people + messages {
            // Messages without a known patient group by conversation, under a key that cannot clash with a patient.
            let key = hit.patientId != 0 ? hit.patientId : -hit.conversationId
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(hit)
        }
        return order.flatMap { groups[$0] ?? [] }
    }

    /// The digits of a query that looks like part of a phone number, else nil.
    static func phoneDigits(_ query: String) -> String? {
        let digits = query.filter(\.isASCIIDigit)
        guard digits.count >= 3, query.allSatisfy({ $0.isASCIIDigit || " +-().".contains($0) }) else { return nil }
        return String(digits)
    }

    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
