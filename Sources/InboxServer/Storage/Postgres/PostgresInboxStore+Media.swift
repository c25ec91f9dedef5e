import Foundation
import InboxModel
import InboxRecords
import PostgresNIO

/// Attachments, as `SQLiteInboxStore+Media`. Fetches from providers are claimed with a lease like deliveries
/// (`PostgresInboxStore+Delivery`): one instance downloads a file once, and a dead instance's claims expire.
extension PostgresInboxStore {
    public func dueMediaFetches(now: Millis, limit: Int) async throws -> [MediaFetchJob] {
        try await rows("""
            WITH claimed AS (
                UPDATE media SET claimed_by = \(instance), claimed_until = \(now + claimLease)
                WHERE message_id IN (
                    SELECT message_id FROM media
                    WHERE state = 'pending' AND next_attempt_at <= \(now) AND (claimed_until IS NULL OR claimed_until <= \(now))
                    ORDER BY next_attempt_at, message_id LIMIT \(Int64(limit))
                    FOR UPDATE SKIP LOCKED)
                RETURNING message_id, clinic_id, provider, source, mime_type, attempts, next_attempt_at
            )
            SELECT message_id, clinic_id, provider, source, mime_type, attempts::int8 FROM claimed
            ORDER BY next_attempt_at, message_id
            """).map {
            MediaFetchJob(messageId: try $0.int(0), clinicId: try $0.int(1),
                          provider: ProviderKind(rawValue: try $0.string(2)) ?? .twilio, source: try $0.optionalString(3) ?? "",
                          declaredMimeType: try $0.optionalString(4), attempts: Int(try $0.int(5)))
        }
    }

    public func nextMediaFetchTime() async throws -> Millis? {
        try await rows("""
            SELECT MIN(GREATEST(next_attempt_at, claimed_until)) FROM media WHERE state = 'pending'
            """).first?.optionalInt(0)
    }

    public func mediaFetched(messageId: Int64, file: StoredFile) async throws {
        try await write { db in
            try await db.execute("""
                UPDATE media SET state = 'stored', sha256 = \(file.sha256), mime_type = \(file.mimeType), size = \(file.size),
                    error = NULL, claimed_by = NULL, claimed_until = NULL
                WHERE message_id = \(messageId)
                """)
            try await Self.updateMessageMedia(db, messageId: messageId) { media in
                media.state = .stored
                media.mimeType = file.mimeType
                media.size = file.size
                media.error = nil
            }
        }
    }

    public func mediaFetchFailed(messageId: Int64, state: MediaState, reason: String, retryAt: Millis?) async throws {
        let reason = reason.withoutNUL
        try await write { db in
            if let retryAt {
                try await db.execute("""
                    UPDATE media SET attempts = attempts + 1, next_attempt_at = \(retryAt), error = \(reason),
                        claimed_by = NULL, claimed_until = NULL
                    WHERE message_id = \(messageId)
                    """)
                return
            }
            try await db.execute("""
                UPDATE media SET state = \(state.rawValue), error = \(reason), claimed_by = NULL, claimed_until = NULL
                WHERE message_id = \(messageId)
                """)
            try await Self.updateMessageMedia(db, messageId: messageId) { media in
                media.state = state
                media.error = reason
            }
        }
    }

    /// Rewrites the message's media metadata and puts the message back in the change log, so agents see it.
    static func updateMessageMedia(_ db: PostgresWrite, messageId: Int64, _ change: (inout MediaInfo) -> Void) async throws {
        guard let row = try await db.row("SELECT clinic_id, media FROM messages WHERE id = \(messageId) FOR UPDATE"),
              let json = try row.optionalString(1),
              var media = try? JSONDecoder().decode(MediaInfo.self, from: Data(json.utf8)) else { return }
        change(&media)
        let encoded = String(decoding: try JSONEncoder().encode(media), as: UTF8.self)
        try await db.execute("UPDATE messages SET media = \(encoded) WHERE id = \(messageId)")
        db.recordChange(clinicId: try row.int(0), kind: .message, id: messageId)
    }

    public func storedMedia(messageId: Int64, clinicId: Int64?) async throws -> StoredMedia? {
        guard let row = try await rows("""
            SELECT d.clinic_id, d.state, d.sha256, d.mime_type, d.size, m.media FROM media d
            JOIN messages m ON m.id = d.message_id WHERE d.message_id = \(messageId)
            """).first else { return nil }
        if let clinicId, clinicId != (try row.int(0)) { return nil }
        let info = try row.optionalString(5).flatMap { try? JSONDecoder().decode(MediaInfo.self, from: Data($0.utf8)) }
        return StoredMedia(clinicId: try row.int(0), state: MediaState(rawValue: try row.string(1)) ?? .failed,
                           sha256: try row.optionalString(2), mimeType: try row.optionalString(3),
                           size: try row.optionalInt(4), fileName: info?.fileName)
    }

    public func recordUpload(clinicId: Int64, file: StoredFile) async throws {
        let now = clock()
        _ = try await rows("""
            INSERT INTO uploads (clinic_id, sha256, mime_type, size, created_at)
            VALUES (\(clinicId), \(file.sha256), \(file.mimeType), \(file.size), \(now))
            ON CONFLICT (clinic_id, sha256) DO NOTHING
            """)
    }
}
