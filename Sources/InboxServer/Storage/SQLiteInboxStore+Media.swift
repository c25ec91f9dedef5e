import Foundation
import GRDB
import InboxModel
import InboxRecords

extension SQLiteInboxStore {
    public func dueMediaFetches(now: Millis, limit: Int) async throws -> [MediaFetchJob] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT message_id, clinic_id, provider, source, mime_type, attempts FROM media
                WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, message_id LIMIT ?
                """, arguments: [now, limit]).map {
                MediaFetchJob(messageId: $0[0], clinicId: $0[1], provider: ProviderKind(rawValue: $0[2]) ?? .twilio,
                              source: $0[3] ?? "", declaredMimeType: $0[4], attempts: $0[5])
            }
        }
    }

    public func nextMediaFetchTime() async throws -> Millis? {
        try await pool.read { db in try Millis.fetchOne(db, sql: "SELECT MIN(next_attempt_at) FROM media WHERE state = 'pending'") }
    }

    public func mediaFetched(messageId: Int64, file: StoredFile) async throws {
        try await write { db, touched in
            try db.execute(sql: """
                UPDATE media SET state = 'stored', sha256 = ?, mime_type = ?, size = ?, error = NULL WHERE message_id = ?
                """, arguments: [file.sha256, file.mimeType, file.size, messageId])
            try Self.updateMessageMedia(db, messageId: messageId, touched: &touched) { media in
                media.state = .stored
                media.mimeType = file.mimeType
                media.size = file.size
                media.error = nil
            }
        }
    }

    public func mediaFetchFailed(messageId: Int64, state: MediaState, reason: String, retryAt: Millis?) async throws {
        try await write { db, touched in
            if let retryAt {
                try db.execute(sql: "UPDATE media SET attempts = attempts + 1, next_attempt_at = ?, error = ? WHERE message_id = ?",
                               arguments: [retryAt, reason, messageId])
                return
            }
            try db.execute(sql: "UPDATE media SET state = ?, error = ? WHERE message_id = ?",
                           arguments: [state.rawValue, reason, messageId])
            try Self.updateMessageMedia(db, messageId: messageId, touched: &touched) { media in
                media.state = state
                media.error = reason
            }
        }
    }

    /// Rewrites the message's media metadata and puts the message back in the change log, so agents see it.
    private static func updateMessageMedia(_ db: Database, messageId: Int64, touched: inout Set<Int64>,
                                           _ change: (inout MediaInfo) -> Void) throws {
        guard let row = try Row.fetchOne(db, sql: "SELECT clinic_id, \(Columns.list(Columns.message)) FROM messages WHERE id = ?",
                                         arguments: [messageId]) else { return }
        let clinicId: Int64 = row[0]
        var message = Message(row: row, offset: 1)
        guard var media = message.media else { return }
        change(&media)
        message.media = media
        let json = String(decoding: try JSONEncoder().encode(media), as: UTF8.self)
        try db.execute(sql: "UPDATE messages SET media = ? WHERE id = ?", arguments: [json, messageId])
        try recordChange(db, clinicId: clinicId, kind: .message, id: messageId)
        touched.insert(clinicId)
    }

    /// The stored file of a message; `clinicId` nil skips the clinic check (for signed provider links).
    public func storedMedia(messageId: Int64, clinicId: Int64?) async throws -> StoredMedia? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT d.clinic_id, d.state, d.sha256, d.mime_type, d.size, m.media FROM media d
                JOIN messages m ON m.id = d.message_id WHERE d.message_id = ?
                """, arguments: [messageId]) else { return nil }
            if let clinicId, clinicId != row[0] as Int64 { return nil }
            let info = (row[5] as String?).flatMap { try? JSONDecoder().decode(MediaInfo.self, from: Data($0.utf8)) }
            return StoredMedia(clinicId: row[0], state: MediaState(rawValue: row[1]) ?? .failed, sha256: row[2],
                               mimeType: row[3], size: row[4], fileName: info?.fileName)
        }
    }

    public func recordUpload(clinicId: Int64, file: StoredFile) async throws {
        let now = clock()
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO uploads (clinic_id, sha256, mime_type, size, created_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(clinic_id, sha256) DO NOTHING
                """, arguments: [clinicId, file.sha256, file.mimeType, file.size, now])
        }
    }

    public func mediaLinkSecret() async throws -> String {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM server_meta WHERE key = 'media_link_secret'") ?? ""
        }
    }
}

/// A provider attachment waiting to be fetched.
public struct MediaFetchJob: Sendable, Equatable {
    public var messageId: Int64
    public var clinicId: Int64
    public var provider: ProviderKind
    /// The provider URL, or `meta-media:<id>` (resolved through the Graph API).
    public var source: String
    public var declaredMimeType: String?
    public var attempts: Int
}

/// A file in the media directory, named by its SHA-256.
public struct StoredFile: Sendable, Equatable {
    public var sha256: String
    public var mimeType: String
    public var size: Int64
}

public struct StoredMedia: Sendable, Equatable {
    public var clinicId: Int64
    public var state: MediaState
    public var sha256: String?
    public var mimeType: String?
    public var size: Int64?
    public var fileName: String?
}
