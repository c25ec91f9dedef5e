import Foundation
import InboxModel
import PostgresNIO

/// One result row, read by position (the `SELECT` lists come from `Columns`, as in the SQLite adapter).
struct PGRow: Sendable {
    let cells: [PostgresCell]

    init(_ row: PostgresRow) { cells = Array(row) }

    var count: Int { cells.count }

    func int(_ index: Int) throws -> Int64 { try cells[index].decode(Int64.self) }
    func optionalInt(_ index: Int) throws -> Int64? { try cells[index].decode(Int64?.self) }
    func string(_ index: Int) throws -> String { try cells[index].decode(String.self) }
    func optionalString(_ index: Int) throws -> String? { try cells[index].decode(String?.self) }
    func bool(_ index: Int) throws -> Bool { try cells[index].decode(Bool.self) }
    func data(_ index: Int) throws -> Data { try cells[index].decode(Data.self) }

    /// A BYTEA column holding UTF-8 text (which may contain U+0000); "" for NULL.
    func text(_ index: Int) throws -> String {
        guard let data = try cells[index].decode(Data?.self) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Text bound into a BYTEA column: its UTF-8 bytes, U+0000 included.
func wholeText(_ text: String) -> Data { Data(text.utf8) }

extension String {
    /// PostgreSQL's TEXT cannot hold U+0000: text from outside (providers, AI hooks) bound into a TEXT column drops it,
    /// where the SQLite adapter's binding would have cut the text there.
    var withoutNUL: String { contains("\u{0}") ? replacingOccurrences(of: "\u{0}", with: "") : self }
}

private let decoder = JSONDecoder()

private func json<T: Decodable>(_ type: T.Type, _ text: String?) -> T? {
    guard let text, !text.isEmpty else { return nil }
    return try? decoder.decode(type, from: Data(text.utf8))
}

extension RawRepresentable where RawValue == String {
    fileprivate static func pg(_ raw: String, or fallback: Self) -> Self { Self(rawValue: raw) ?? fallback }
}

/// Decoders for `SELECT \(Columns.list(Columns.x))` rows, mirroring `InboxRecords`' GRDB ones.
enum PGDecode {
    static func agent(_ row: PGRow, _ o: Int = 0) throws -> Agent {
        Agent(id: try row.int(o), name: try row.string(o + 1), role: .pg(try row.string(o + 2), or: .agent),
              active: try row.bool(o + 3))
    }

    static func patient(_ row: PGRow, _ o: Int = 0) throws -> Patient {
        Patient(id: try row.int(o), channelIdentity: try row.string(o + 1), displayName: try row.text(o + 2),
                phone: try row.string(o + 3), language: try row.optionalString(o + 4), isLead: try row.bool(o + 5),
                externalRecordId: try row.optionalString(o + 6), tags: json([String].self, try row.string(o + 7)) ?? [],
                notes: try row.string(o + 8), optedOut: try row.bool(o + 9), updatedAt: try row.int(o + 10),
                version: try row.int(o + 11))
    }

    static func conversation(_ row: PGRow, _ o: Int = 0) throws -> Conversation {
        Conversation(id: try row.int(o), patientId: try row.int(o + 1), clinicNumber: try row.string(o + 2),
                     provider: .pg(try row.string(o + 3), or: .twilio), status: .pg(try row.string(o + 4), or: .bot),
                     assignedAgentId: try row.optionalInt(o + 5), handoffReason: try row.optionalString(o + 6),
                     handoffSummary: try row.optionalString(o + 7), waitingSince: try row.optionalInt(o + 8),
                     lastInboundAt: try row.optionalInt(o + 9), lastMessageAt: try row.int(o + 10),
                     lastMessagePreview: try row.text(o + 11), version: try row.int(o + 12), createdAt: try row.int(o + 13),
                     snoozedUntil: try row.optionalInt(o + 14))
    }

    static func message(_ row: PGRow, _ o: Int = 0) throws -> Message {
        Message(id: try row.int(o), conversationId: try row.int(o + 1), direction: .pg(try row.string(o + 2), or: .inbound),
                author: .pg(try row.string(o + 3), or: .system), agentId: try row.optionalInt(o + 4),
                body: try row.text(o + 5), media: json(MediaInfo.self, try row.optionalString(o + 6)),
                providerMessageId: try row.optionalString(o + 7), clientKey: try row.optionalString(o + 8),
                status: .pg(try row.string(o + 9), or: .pending), error: try row.optionalString(o + 10),
                createdAt: try row.int(o + 11))
    }

    static func channel(_ row: PGRow, _ o: Int = 0) throws -> ChannelHealth {
        ChannelHealth(clinicNumber: try row.string(o), provider: .pg(try row.string(o + 1), or: .twilio),
                      state: try row.string(o + 2), detail: try row.optionalString(o + 3), updatedAt: try row.int(o + 4),
                      label: try row.optionalString(o + 5))
    }

    static func cannedReply(_ row: PGRow, _ o: Int = 0) throws -> CannedReply {
        CannedReply(id: try row.int(o), shortcode: try row.string(o + 1), body: try row.string(o + 2),
                    removed: try row.bool(o + 3), updatedAt: try row.int(o + 4))
    }

    static func template(_ row: PGRow, _ o: Int = 0) throws -> MessageTemplate {
        MessageTemplate(id: try row.int(o), name: try row.string(o + 1), language: try row.string(o + 2),
                        category: .pg(try row.string(o + 3), or: .utility), body: try row.string(o + 4),
                        updatedAt: try row.int(o + 5))
    }
}
