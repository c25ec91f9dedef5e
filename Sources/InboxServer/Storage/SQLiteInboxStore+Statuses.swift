import GRDB
import InboxModel
import InboxRecords

/// Limits on statuses parked for provider ids no message carries yet. Anyone holding a provider's signing key,
/// or a provider reporting on messages this server never sent, could otherwise grow the table without end.
public struct EarlyStatusBounds: Sendable {
    /// A status arrives within seconds of the send it reports on; older parked ones will never match.
    public var maxAge: Millis
    /// Per provider, so one provider's noise never evicts another's statuses.
    public var maxPerProvider: Int

    public init(maxAge: Millis = 3_600_000, maxPerProvider: Int = 10_000) {
        self.maxAge = maxAge
        self.maxPerProvider = maxPerProvider
    }
}

extension SQLiteInboxStore {
    public func applyStatuses(_ reports: [StatusReport]) async throws {
        guard !reports.isEmpty else { return }
        let now = clock()
        let bounds = earlyStatusBounds
        try await write { db, touched in
            var parkedFor = Set<String>()
            for report in reports {
                if let clinicId = try Self.mergeStatus(db, report) {
                    touched.insert(clinicId)
                    continue
                }
                // Not ours yet, or not ours at all: parked, and applied if a send through the same provider and
                // number records this id.
                try db.execute(sql: """
                    INSERT INTO early_statuses (provider_message_id, status, error, received_at, provider, clinic_number)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [report.providerMessageId, report.status.rawValue, report.error, now,
                                     report.provider?.rawValue, report.clinicNumber])
                parkedFor.insert(report.provider?.rawValue ?? "")
            }
            guard !parkedFor.isEmpty else { return }
            try db.execute(sql: "DELETE FROM early_statuses WHERE received_at < ?", arguments: [now - bounds.maxAge])
            for provider in parkedFor {
                // Keeps the newest `maxPerProvider` (rowid is arrival order).
                try db.execute(sql: """
                    DELETE FROM early_statuses WHERE provider IS ? AND rowid <= (
                        SELECT rowid FROM early_statuses WHERE provider IS ? ORDER BY rowid DESC LIMIT 1 OFFSET ?)
                    """, arguments: [provider.isEmpty ? nil : provider, provider.isEmpty ? nil : provider,
                                     bounds.maxPerProvider])
            }
        }
    }

    /// Merges a status into the outbound message with that provider id, sent through the report's provider and
    /// clinic number, by precedence; returns its clinic, or nil when no such message exists.
    static func mergeStatus(_ db: Database, _ report: StatusReport) throws -> Int64? {
        let sql = """
            SELECT m.clinic_id, \(Columns.list(Columns.message, alias: "m"))
            FROM messages m JOIN conversations c ON c.id = m.conversation_id
            WHERE m.provider_message_id = ? AND m.direction = 'outbound'
              AND (? IS NULL OR c.provider = ?) AND (? IS NULL OR c.clinic_number = ?)
            """
        let provider = report.provider?.rawValue
        guard let row = try Row.fetchOne(db, sql: sql, arguments: [report.providerMessageId, provider, provider,
                                                                   report.clinicNumber, report.clinicNumber])
        else { return nil }
        let clinicId: Int64 = row[0]
        let message = Message(row: row, offset: 1)
        let merged = message.status.merged(with: report.status)
        guard merged != message.status else { return clinicId }
        try db.execute(sql: "UPDATE messages SET status = ?, error = ? WHERE id = ?",
                       arguments: [merged.rawValue, merged == .failed ? report.error : nil, message.id])
        try recordChange(db, clinicId: clinicId, kind: .message, id: message.id)
        return clinicId
    }

    /// Statuses parked for `providerMessageId` before its send was recorded, applied to that message when they
    /// came through its provider and number; all of them are then dropped.
    static func applyParkedStatuses(_ db: Database, providerMessageId: String, provider: String, clinicNumber: String) throws {
        let early = try Row.fetchAll(db, sql: """
            SELECT status, error FROM early_statuses WHERE provider_message_id = ?
              AND (provider IS NULL OR provider = ?) AND (clinic_number IS NULL OR clinic_number = ?)
            ORDER BY rowid
            """, arguments: [providerMessageId, provider, clinicNumber])
        for row in early {
            guard let status = DeliveryStatus(rawValue: row[0]) else { continue }
            _ = try mergeStatus(db, StatusReport(providerMessageId: providerMessageId, status: status, error: row[1],
                                                 provider: ProviderKind(rawValue: provider), clinicNumber: clinicNumber))
        }
        try db.execute(sql: "DELETE FROM early_statuses WHERE provider_message_id = ?", arguments: [providerMessageId])
    }
}
