import Foundation
import GRDB
import InboxModel

/// Column lists and row decoding for the tables the server and the mirror share.
///
/// Decoding reads columns by position from `SELECT <columns>` statements built from these lists: catch-up
/// moves millions of rows, and positional access skips a name lookup per column per row.
public enum Columns {
    public static let agent = ["id", "name", "role", "active"]
    public static let patient = ["id", "channel_identity", "display_name", "phone", "language", "is_lead",
                                 "external_record_id", "tags", "notes", "opted_out", "updated_at", "version"]
    public static let conversation = ["id", "patient_id", "clinic_number", "provider", "status", "assigned_agent_id",
                                      "handoff_reason", "handoff_summary", "waiting_since", "last_inbound_at",
                                      "last_message_at", "last_message_preview", "version", "created_at", "snoozed_until"]
    public static let message = ["id", "conversation_id", "direction", "author", "agent_id", "body", "media",
                                 "provider_message_id", "client_key", "status", "error", "created_at"]
    public static let channel = ["clinic_number", "provider", "state", "detail", "updated_at", "label"]
    public static let template = ["id", "name", "language", "category", "body", "updated_at"]
    public static let cannedReply = ["id", "shortcode", "body", "removed", "updated_at"]

    /// `a, b, c` with an optional table alias.
    public static func list(_ columns: [String], alias: String? = nil) -> String {
        columns.map { column in alias.map { "\($0).\(column)" } ?? column }.joined(separator: ", ")
    }

    /// `INSERT INTO table (cols) VALUES (?, …), … ON CONFLICT(id) DO UPDATE SET col = excluded.col, …` for `rows`
    /// rows: an upsert that fires UPDATE triggers (REPLACE would delete the row and skip them).
    ///
    /// `onlyIf` guards the update (e.g. `excluded.version >= conversations.version`: an older row never replaces
    /// a newer one); `keepExisting` turns the update into `DO NOTHING`.
    public static func upsert(into table: String, _ columns: [String], key: String = "id", rows: Int = 1,
                              onlyIf condition: String? = nil, keepExisting: Bool = false) -> String {
        let row = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        let values = Array(repeating: row, count: rows).joined(separator: ", ")
        let insert = "INSERT INTO \(table) (\(list(columns))) VALUES \(values) ON CONFLICT(\(key))"
        if keepExisting { return insert + " DO NOTHING" }
        let updates = columns.filter { $0 != key }.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        return insert + " DO UPDATE SET \(updates)" + (condition.map { " WHERE \($0)" } ?? "")
    }
}

private let jsonEncoder = JSONEncoder()
private let jsonDecoder = JSONDecoder()

func encodeJSON<T: Encodable>(_ value: T?) -> String? {
    guard let value, let data = try? jsonEncoder.encode(value) else { return nil }
    return String(decoding: data, as: UTF8.self)
}

func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String?) -> T? {
    guard let text, !text.isEmpty else { return nil }
    return try? jsonDecoder.decode(type, from: Data(text.utf8))
}

extension RawRepresentable where RawValue == String {
    /// Unknown values from a newer server decode as the given fallback rather than failing the whole batch.
    static func decode(_ raw: String, or fallback: Self) -> Self { Self(rawValue: raw) ?? fallback }
}

extension Agent {
    public init(row: Row, offset: Int = 0) {
        // A query that lists only id, name and role (older code, older mirrors) reads as an active agent.
        self.init(id: row[offset], name: row[offset + 1], role: .decode(row[offset + 2], or: .agent),
                  active: row.count > offset + 3 ? row[offset + 3] : true)
    }

    public var databaseValues: [(any DatabaseValueConvertible)?] { [id, name, role.rawValue, active] }
}

extension Patient {
    public init(row: Row, offset o: Int = 0) {
        self.init(id: row[o], channelIdentity: row[o + 1], displayName: WholeText.read(row, o + 2), phone: row[o + 3],
                  language: row[o + 4], isLead: row[o + 5], externalRecordId: row[o + 6],
                  tags: decodeJSON([String].self, row[o + 7]) ?? [], notes: row[o + 8], optedOut: row[o + 9],
                  updatedAt: row[o + 10], version: row[o + 11])
    }

    public var databaseValues: [(any DatabaseValueConvertible)?] {
        [id, channelIdentity, WholeText.bindable(displayName), phone, language, isLead, externalRecordId, encodeJSON(tags) ?? "[]",
         notes, optedOut, updatedAt, version]
    }
}

extension Conversation {
    public init(row: Row, offset o: Int = 0) {
        self.init(id: row[o], patientId: row[o + 1], clinicNumber: row[o + 2],
                  provider: .decode(row[o + 3], or: .twilio), status: .decode(row[o + 4], or: .bot),
                  assignedAgentId: row[o + 5], handoffReason: row[o + 6], handoffSummary: row[o + 7],
                  waitingSince: row[o + 8], lastInboundAt: row[o + 9], lastMessageAt: row[o + 10],
                  lastMessagePreview: WholeText.read(row, o + 11), version: row[o + 12], createdAt: row[o + 13],
                  snoozedUntil: row[o + 14])
    }

    public var databaseValues: [(any DatabaseValueConvertible)?] {
        [id, patientId, clinicNumber, provider.rawValue, status.rawValue, assignedAgentId, handoffReason,
         handoffSummary, waitingSince, lastInboundAt, lastMessageAt, WholeText.bindable(lastMessagePreview), version,
         createdAt, snoozedUntil]
    }
}

extension Message {
    public init(row: Row, offset o: Int = 0) {
        self.init(id: row[o], conversationId: row[o + 1], direction: .decode(row[o + 2], or: .inbound),
                  author: .decode(row[o + 3], or: .system), agentId: row[o + 4], body: WholeText.read(row, o + 5),
                  media: decodeJSON(MediaInfo.self, row[o + 6]), providerMessageId: row[o + 7],
                  clientKey: row[o + 8], status: .decode(row[o + 9], or: .pending), error: row[o + 10],
                  createdAt: row[o + 11])
    }

    public var databaseValues: [(any DatabaseValueConvertible)?] {
        [id, conversationId, direction.rawValue, author.rawValue, agentId, WholeText.bindable(body), encodeJSON(media),
         providerMessageId, clientKey, status.rawValue, error, createdAt]
    }
}

extension ChannelHealth {
    public init(row: Row, offset o: Int = 0) {
        self.init(clinicNumber: row[o], provider: .decode(row[o + 1], or: .twilio), state: row[o + 2],
                  detail: row[o + 3], updatedAt: row[o + 4], label: row[o + 5])
    }

    public var databaseValues: [(any DatabaseValueConvertible)?] {
        [clinicNumber, provider.rawValue, state, detail, updatedAt, label]
    }
}

extension MessageTemplate {
    public init(row: Row, offset o: Int = 0) {
        self.init(id: row[o], name: row[o + 1], language: row[o + 2], category: .decode(row[o + 3], or: .utility),
                  body: row[o + 4], updatedAt: row[o + 5])
    }

    public var databaseValues: [(any DatabaseValueConvertible)?] {
        [id, name, language, category.rawValue, body, updatedAt]
    }
}

extension CannedReply {
    public init(row: Row, offset o: Int = 0) {
        self.init(id: row[o], shortcode: row[o + 1], body: row[o + 2], removed: row[o + 3], updatedAt: row[o + 4])
    }

    public var databaseValues: [(any DatabaseValueConvertible)?] {
        [id, shortcode, body, removed, updatedAt]
    }
}

extension StatementArguments {
    public init(values: [(any DatabaseValueConvertible)?]) {
        self.init(values.map { $0?.databaseValue ?? .null })
    }
}
