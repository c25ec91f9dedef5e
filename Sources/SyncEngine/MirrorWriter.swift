import Foundation
import GRDB
import GRDBSQLite
import InboxModel
import InboxRecords

/// The one path by which server rows enter the mirror's synced tables, whether they come from a sync batch or
/// from a command's answer. Both may arrive late: a long-poll read before a command committed can land after the
/// command's answer, and a replayed command answers with the state of its first run. So every write is guarded:
///
/// - a conversation is replaced only by a row with the same or a higher `version` (the server bumps it on every
///   change, with compare-and-set);
/// - a message from a command's answer is the message as the command created it, the oldest state it can have:
///   it is inserted when the mirror does not have the message yet and never replaces a synced row;
/// - a read horizon only moves forward.
///
/// Sync batches themselves arrive in commit order, and `Mirror.apply(_:since:)` drops a batch whose starting
/// cursor is no longer the mirror's (another process on the same mirror got there first).
extension Mirror {
    enum RowSource {
        case syncBatch
        case commandResult
    }

    static func write(_ db: Database, _ rows: SyncBatch, from source: RowSource) throws {
        try upsert(db, table: "agents", columns: Columns.agent, rows: rows.agents.map(\.databaseValues))
        try upsert(db, table: "patients", columns: Columns.patient, rows: rows.patients.map(\.databaseValues))
        try upsert(db, table: "conversations", columns: Columns.conversation,
                   onlyIf: "excluded.version >= conversations.version", rows: rows.conversations.map(\.databaseValues))
        try upsertMessages(db, rows.messages, keepExisting: source == .commandResult)
        try upsert(db, table: "read_horizons", columns: ["conversation_id", "message_id"], key: "conversation_id",
                   onlyIf: "excluded.message_id >= read_horizons.message_id",
                   rows: rows.readHorizons.map { [$0.conversationId, $0.messageId] })
        try upsert(db, table: "channels", columns: Columns.channel, key: "clinic_number",
                   rows: rows.channels.map(\.databaseValues))
        try upsert(db, table: "templates", columns: Columns.template, rows: rows.templates.map(\.databaseValues))
        try upsert(db, table: "appointments", columns: Columns.appointment, rows: rows.appointments.map(\.databaseValues))
        try writeCannedReplies(db, rows.cannedReplies)
    }

    /// Upserts in statements of many rows. One row per statement would be far slower with FTS5: every statement
    /// that fires a trigger runs in a savepoint, and FTS5 flushes its pending terms as a new segment at each one.
    private static func upsert(_ db: Database, table: String, columns: [String], key: String = "id",
                               onlyIf condition: String? = nil, keepExisting: Bool = false,
                               rows: [[(any DatabaseValueConvertible)?]]) throws {
        guard !rows.isEmpty else { return }
        // Stay well under SQLite's 32,766 bound parameters per statement.
        let chunk = max(1, min(500, 30_000 / columns.count))
        var start = 0
        while start < rows.count {
            let end = min(rows.count, start + chunk)
            let statement = try db.cachedStatement(sql: Columns.upsert(
                into: table, columns, key: key, rows: end - start, onlyIf: condition, keepExisting: keepExisting))
            var values: [DatabaseValue] = []
            values.reserveCapacity((end - start) * columns.count)
            for row in rows[start..<end] {
                for value in row { values.append(value?.databaseValue ?? .null) }
            }
            statement.setUncheckedArguments(StatementArguments(values))
            try statement.execute()
            start = end
        }
    }

    /// Messages are most of a catch-up (a million in a big clinic), so they skip the `[[Any?]]` → `DatabaseValue`
    /// → `StatementArguments` conversions of `upsert`: each column is bound straight from the struct. Same SQL,
    /// same values (`Message.databaseValues`), same chunks.
    private static func upsertMessages(_ db: Database, _ messages: [Message], keepExisting: Bool) throws {
        guard !messages.isEmpty else { return }
        let columns = Columns.message.count
        let chunk = max(1, min(500, 30_000 / columns))
        var start = 0
        while start < messages.count {
            let end = min(messages.count, start + chunk)
            let statement = try db.cachedStatement(sql: Columns.upsert(
                into: "messages", Columns.message, rows: end - start, keepExisting: keepExisting))
            statement.setUncheckedArguments([])  // resets the statement and clears its bindings
            var binder = DirectBinder(statement.sqliteStatement)
            for message in messages[start..<end] {
                binder.bind(message.id)
                binder.bind(message.conversationId)
                binder.bind(message.direction.rawValue)
                binder.bind(message.author.rawValue)
                binder.bind(message.agentId)
                binder.bind(message.body)
                binder.bind(message.media.flatMap(encodeMedia))
                binder.bind(message.providerMessageId)
                binder.bind(message.clientKey)
                binder.bind(message.status.rawValue)
                binder.bind(message.error)
                binder.bind(message.createdAt)
            }
            try statement.execute()
            start = end
        }
    }

    private static func encodeMedia(_ media: MediaInfo) -> String? {
        guard let data = try? JSONEncoder().encode(media) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Binds values to a prepared statement's parameters in order, as GRDB would bind the same Swift values — except
/// that text holding U+0000 goes in as its UTF-8 bytes (a BLOB), as `WholeText.bindable` does, and any text is
/// bound with its length rather than as a C string.
struct DirectBinder {
    private let statement: SQLiteStatement
    private var index: Int32 = 1
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(_ statement: SQLiteStatement) { self.statement = statement }

    mutating func bind(_ value: Int64) {
        sqlite3_bind_int64(statement, index, value)
        index += 1
    }

    mutating func bind(_ value: Int64?) {
        if let value { bind(value) } else { bindNull() }
    }

    mutating func bind(_ value: String?) {
        guard var text = value else { return bindNull() }
        text.withUTF8 { bytes in
            guard let base = bytes.baseAddress, !bytes.isEmpty else {
                sqlite3_bind_text(statement, index, "", 0, Self.transient)
                return
            }
            if bytes.contains(0) {
                sqlite3_bind_blob(statement, index, base, Int32(bytes.count), Self.transient)
            } else {
                base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                    _ = sqlite3_bind_text(statement, index, $0, Int32(bytes.count), Self.transient)
                }
            }
        }
        index += 1
    }

    mutating func bindNull() {
        sqlite3_bind_null(statement, index)
        index += 1
    }
}
