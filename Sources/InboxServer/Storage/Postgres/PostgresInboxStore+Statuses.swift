import Foundation
import InboxModel
import InboxRecords
import PostgresNIO

/// Delivery statuses, as `SQLiteInboxStore+Statuses`: merged by precedence into the outbound message with that
/// provider id (sent through the report's provider and number); statuses for ids not known yet are parked, bounded
/// in age and count per provider, and applied when the send records the id.
extension PostgresInboxStore {
    public func applyStatuses(_ reports: [StatusReport]) async throws {
        guard !reports.isEmpty else { return }
        let now = clock()
        let bounds = earlyStatusBounds
        try await write { db in
            var parkedFor = Set<String>()
            for report in reports {
                if try await Self.mergeStatus(db, report) { continue }
                try await db.execute("""
                    INSERT INTO early_statuses (provider_message_id, status, error, received_at, provider, clinic_number)
                    VALUES (\(report.providerMessageId.withoutNUL), \(report.status.rawValue), \(report.error?.withoutNUL),
                            \(now), \(report.provider?.rawValue), \(report.clinicNumber?.withoutNUL))
                    """)
                parkedFor.insert(report.provider?.rawValue ?? "")
            }
            guard !parkedFor.isEmpty else { return }
            try await db.execute("DELETE FROM early_statuses WHERE received_at < \(now - bounds.maxAge)")
            for provider in parkedFor.sorted() {
                let key: String? = provider.isEmpty ? nil : provider
                // Keeps the newest `maxPerProvider` (id is arrival order).
                try await db.execute("""
                    DELETE FROM early_statuses WHERE provider IS NOT DISTINCT FROM \(key) AND id <= (
                        SELECT id FROM early_statuses WHERE provider IS NOT DISTINCT FROM \(key)
                        ORDER BY id DESC OFFSET \(Int64(bounds.maxPerProvider)) LIMIT 1)
                    """)
            }
        }
    }

    /// Merges a status into its message by precedence (row locked); false when no such message exists.
    static func mergeStatus(_ db: PostgresWrite, _ report: StatusReport) async throws -> Bool {
        let provider = report.provider?.rawValue
        let number = report.clinicNumber
        guard let row = try await db.row("""
            SELECT m.clinic_id, m.id, m.status FROM messages m JOIN conversations c ON c.id = m.conversation_id
            WHERE m.provider_message_id = \(report.providerMessageId.withoutNUL) AND m.direction = 'outbound'
              AND (\(provider)::text IS NULL OR c.provider = \(provider))
              AND (\(number)::text IS NULL OR c.clinic_number = \(number))
            FOR UPDATE OF m
            """) else { return false }
        let clinicId = try row.int(0)
        let messageId = try row.int(1)
        let current = DeliveryStatus(rawValue: try row.string(2)) ?? .pending
        let merged = current.merged(with: report.status)
        guard merged != current else { return true }
        let error = merged == .failed ? report.error?.withoutNUL : nil
        try await db.execute("UPDATE messages SET status = \(merged.rawValue), error = \(error) WHERE id = \(messageId)")
        db.recordChange(clinicId: clinicId, kind: .message, id: messageId)
        return true
    }

    /// Statuses parked for `providerMessageId` before its send was recorded, applied when they came through its
    /// provider and number; all of them are then dropped.
    static func applyParkedStatuses(_ db: PostgresWrite, providerMessageId: String, provider: String, clinicNumber: String) async throws {
        let early = try await db.rows("""
            SELECT status, error FROM early_statuses WHERE provider_message_id = \(providerMessageId)
              AND (provider IS NULL OR provider = \(provider)) AND (clinic_number IS NULL OR clinic_number = \(clinicNumber))
            ORDER BY id
            """)
        for row in early {
            guard let status = DeliveryStatus(rawValue: try row.string(0)) else { continue }
            _ = try await mergeStatus(db, StatusReport(providerMessageId: providerMessageId, status: status,
                                                       error: try row.optionalString(1),
                                                       provider: ProviderKind(rawValue: provider), clinicNumber: clinicNumber))
        }
        try await db.execute("DELETE FROM early_statuses WHERE provider_message_id = \(providerMessageId)")
    }
}
