import Foundation
import InboxModel

/// Reads a sync answer (`SyncBatch`) without `JSONDecoder`'s `Codable` machinery, which cost ~7–10 µs per message
/// (generic metadata look-ups, containers, boxing): a third of a million-message catch-up on two cores.
///
/// Written by hand for the rows a catch-up is made of — messages, conversations, patients, agents — with the same
/// rules as their `Decodable` conformances (optional fields absent or null; unknown keys skipped; `active` and
/// `version` defaults; an attachment's unknown `state` read as none). The kinds that are rare in a page (read
/// horizons, channels, templates, canned replies, erasures, appointments, presence) are handed to `JSONDecoder` as
/// their own bytes. It returns nil for anything it is not sure to read as `JSONDecoder` would (a duplicate key,
/// an unknown enum value, a missing field, an integer written as `1.0`, …); `ServerAPI` then decodes the answer
/// with `JSONDecoder`, so the result and the errors are always those of `JSONDecoder` (`SyncBatchReaderTests`).
public enum SyncBatchReader {
    public static func decode(_ bytes: [UInt8]) -> SyncBatch? {
        bytes.withUnsafeBufferPointer { buffer in
            var reader = JSONByteReader(buffer)
            do {
                let batch = try readBatch(&reader)
                return reader.atEnd() ? batch : nil
            } catch {
                return nil
            }
        }
    }

    typealias Reader = JSONByteReader
    typealias NotFastPath = JSONByteReader.NotFastPath

    private static let batchFields: [StaticString] = [
        "cursor", "more", "remaining", "agents", "patients", "conversations", "messages", "readHorizons", "channels",
        "templates", "cannedReplies", "erasures", "appointments", "presence",
    ]

    private static func readBatch(_ r: inout Reader) throws(NotFastPath) -> SyncBatch {
        var cursor: String?
        var batch = SyncBatch(cursor: "")
        var seen = FieldSet()
        var object = try r.beginObject()
        while let field = try r.nextField(&object, batchFields) {
            guard field >= 0 else { try r.skipValue(); continue }
            try seen.insert(field)
            switch field {
            case 0: cursor = try r.string()
            case 1: batch.more = try r.null() ? false : try r.bool()
            case 2: batch.remaining = try r.null() ? nil : Int(try r.int64())
            case 3: batch.agents = try r.null() ? [] : try array(&r, agent)
            case 4: batch.patients = try r.null() ? [] : try array(&r, patient)
            case 5: batch.conversations = try r.null() ? [] : try array(&r, conversation)
            case 6: batch.messages = try r.null() ? [] : try array(&r, message)
            case 7: batch.readHorizons = try decoded(&r) ?? []
            case 8: batch.channels = try decoded(&r) ?? []
            case 9: batch.templates = try decoded(&r) ?? []
            case 10: batch.cannedReplies = try decoded(&r) ?? []
            case 11: batch.erasures = try decoded(&r) ?? []
            case 12: batch.appointments = try decoded(&r) ?? []
            default: batch.presence = try decoded(&r)
            }
        }
        guard let cursor else { throw NotFastPath() }
        batch.cursor = cursor
        return batch
    }

    private static func array<T>(_ r: inout Reader, _ element: (inout Reader) throws(NotFastPath) -> T) throws(NotFastPath) -> [T] {
        var values: [T] = []
        var array = try r.beginArray()
        while try r.nextElement(&array) { values.append(try element(&r)) }
        return values
    }

    /// A value of a kind that is rare in a page, through `JSONDecoder` on its own bytes; nil for null.
    private static func decoded<T: Decodable>(_ r: inout Reader) throws(NotFastPath) -> T? {
        if try r.null() { return nil }
        let range = try r.skipValue()
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: r.bytes(range)))
        } catch {
            throw NotFastPath()
        }
    }

    private static let messageFields: [StaticString] = [
        "id", "conversationId", "direction", "author", "agentId", "body", "media", "providerMessageId", "clientKey",
        "status", "error", "createdAt", "providerTime", "replyId",
    ]

    static func message(_ r: inout Reader) throws(NotFastPath) -> Message {
        var id: Int64?, conversationId: Int64?, createdAt: Int64?
        var direction: MessageDirection?, author: AuthorKind?, status: DeliveryStatus?
        var body: String?
        var agentId: Int64?, providerTime: Int64?
        var media: MediaInfo?
        var providerMessageId: String?, clientKey: String?, error: String?, replyId: String?
        var seen = FieldSet()
        var object = try r.beginObject()
        while let field = try r.nextField(&object, messageFields) {
            guard field >= 0 else { try r.skipValue(); continue }
            try seen.insert(field)
            switch field {
            case 0: id = try r.int64()
            case 1: conversationId = try r.int64()
            case 2: direction = try enumeration(&r)
            case 3: author = try enumeration(&r)
            case 4: agentId = try optionalInt(&r)
            case 5: body = try r.string()
            case 6: media = try r.null() ? nil : try mediaInfo(&r)
            case 7: providerMessageId = try optionalString(&r)
            case 8: clientKey = try optionalString(&r)
            case 9: status = try enumeration(&r)
            case 10: error = try optionalString(&r)
            case 11: createdAt = try r.int64()
            case 12: providerTime = try optionalInt(&r)
            default: replyId = try optionalString(&r)
            }
        }
        guard let id, let conversationId, let direction, let author, let body, let status, let createdAt else {
            throw NotFastPath()
        }
        return Message(id: id, conversationId: conversationId, direction: direction, author: author, agentId: agentId,
                       body: body, media: media, providerMessageId: providerMessageId, clientKey: clientKey,
                       status: status, error: error, createdAt: createdAt, providerTime: providerTime, replyId: replyId)
    }

    private static let mediaFields: [StaticString] = ["kind", "fileName", "mimeType", "size", "url", "state", "error"]

    static func mediaInfo(_ r: inout Reader) throws(NotFastPath) -> MediaInfo {
        var kind: String?
        var media = MediaInfo(kind: "")
        var seen = FieldSet()
        var object = try r.beginObject()
        while let field = try r.nextField(&object, mediaFields) {
            guard field >= 0 else { try r.skipValue(); continue }
            try seen.insert(field)
            switch field {
            case 0: kind = try r.string()
            case 1: media.fileName = try optionalString(&r)
            case 2: media.mimeType = try optionalString(&r)
            case 3: media.size = try optionalInt(&r)
            case 4: media.url = try optionalString(&r)
            case 5:
                // As `MediaInfo.init(from:)`: a state this client does not know, or not a string at all, is none.
                if try r.null() {
                    media.state = nil
                } else if r.atString() {
                    media.state = MediaState(rawValue: try r.string())
                } else {
                    try r.skipValue()
                    media.state = nil
                }
            default: media.error = try optionalString(&r)
            }
        }
        guard let kind else { throw NotFastPath() }
        media.kind = kind
        return media
    }

    private static let conversationFields: [StaticString] = [
        "id", "patientId", "clinicNumber", "provider", "status", "assignedAgentId", "handoffReason", "handoffSummary",
        "waitingSince", "lastInboundAt", "lastMessageAt", "lastMessagePreview", "version", "createdAt", "snoozedUntil",
    ]

    static func conversation(_ r: inout Reader) throws(NotFastPath) -> Conversation {
        var id: Int64?, patientId: Int64?, lastMessageAt: Int64?, version: Int64?, createdAt: Int64?
        var clinicNumber: String?, lastMessagePreview: String?
        var provider: ProviderKind?, status: ConversationStatus?
        var assignedAgentId: Int64?, waitingSince: Int64?, lastInboundAt: Int64?, snoozedUntil: Int64?
        var handoffReason: String?, handoffSummary: String?
        var seen = FieldSet()
        var object = try r.beginObject()
        while let field = try r.nextField(&object, conversationFields) {
            guard field >= 0 else { try r.skipValue(); continue }
            try seen.insert(field)
            switch field {
            case 0: id = try r.int64()
            case 1: patientId = try r.int64()
            case 2: clinicNumber = try r.string()
            case 3: provider = try enumeration(&r)
            case 4: status = try enumeration(&r)
            case 5: assignedAgentId = try optionalInt(&r)
            case 6: handoffReason = try optionalString(&r)
            case 7: handoffSummary = try optionalString(&r)
            case 8: waitingSince = try optionalInt(&r)
            case 9: lastInboundAt = try optionalInt(&r)
            case 10: lastMessageAt = try r.int64()
            case 11: lastMessagePreview = try r.string()
            case 12: version = try r.int64()
            case 13: createdAt = try r.int64()
            default: snoozedUntil = try optionalInt(&r)
            }
        }
        guard let id, let patientId, let clinicNumber, let provider, let status, let lastMessageAt, let lastMessagePreview,
              let version, let createdAt else { throw NotFastPath() }
        return Conversation(id: id, patientId: patientId, clinicNumber: clinicNumber, provider: provider, status: status,
                            assignedAgentId: assignedAgentId, handoffReason: handoffReason, handoffSummary: handoffSummary,
                            waitingSince: waitingSince, lastInboundAt: lastInboundAt, lastMessageAt: lastMessageAt,
                            lastMessagePreview: lastMessagePreview, version: version, createdAt: createdAt,
                            snoozedUntil: snoozedUntil)
    }

    private static let patientFields: [StaticString] = [
        "id", "channelIdentity", "displayName", "phone", "language", "isLead", "externalRecordId", "tags", "notes",
        "optedOut", "updatedAt", "version",
    ]

    static func patient(_ r: inout Reader) throws(NotFastPath) -> Patient {
        var id: Int64?, updatedAt: Int64?, version: Int64?
        var channelIdentity: String?, displayName: String?, phone: String?, notes: String?
        var language: String?, externalRecordId: String?
        var isLead: Bool?, optedOut: Bool?
        var tags: [String]?
        var seen = FieldSet()
        var object = try r.beginObject()
        while let field = try r.nextField(&object, patientFields) {
            guard field >= 0 else { try r.skipValue(); continue }
            try seen.insert(field)
            switch field {
            case 0: id = try r.int64()
            case 1: channelIdentity = try r.string()
            case 2: displayName = try r.string()
            case 3: phone = try r.string()
            case 4: language = try optionalString(&r)
            case 5: isLead = try r.bool()
            case 6: externalRecordId = try optionalString(&r)
            case 7: tags = try array(&r) { (r: inout Reader) throws(NotFastPath) in try r.string() }
            case 8: notes = try r.string()
            case 9: optedOut = try r.bool()
            case 10: updatedAt = try r.int64()
            default: version = try optionalInt(&r)
            }
        }
        guard let id, let channelIdentity, let displayName, let phone, let isLead, let tags, let notes, let optedOut,
              let updatedAt else { throw NotFastPath() }
        return Patient(id: id, channelIdentity: channelIdentity, displayName: displayName, phone: phone, language: language,
                       isLead: isLead, externalRecordId: externalRecordId, tags: tags, notes: notes, optedOut: optedOut,
                       updatedAt: updatedAt, version: version ?? 1)
    }

    private static let agentFields: [StaticString] = ["id", "name", "role", "active"]

    static func agent(_ r: inout Reader) throws(NotFastPath) -> Agent {
        var id: Int64?, name: String?, role: AgentRole?, active: Bool?
        var seen = FieldSet()
        var object = try r.beginObject()
        while let field = try r.nextField(&object, agentFields) {
            guard field >= 0 else { try r.skipValue(); continue }
            try seen.insert(field)
            switch field {
            case 0: id = try r.int64()
            case 1: name = try r.string()
            case 2: role = try enumeration(&r)
            default: active = try r.null() ? nil : try r.bool()
            }
        }
        guard let id, let name, let role else { throw NotFastPath() }
        return Agent(id: id, name: name, role: role, active: active ?? true)
    }

    // MARK: Values

    private static func optionalInt(_ r: inout Reader) throws(NotFastPath) -> Int64? {
        try r.null() ? nil : try r.int64()
    }

    private static func optionalString(_ r: inout Reader) throws(NotFastPath) -> String? {
        try r.null() ? nil : try r.string()
    }

    /// A synthesized `Decodable` enum: an unknown raw value fails the whole answer, so it is `JSONDecoder`'s to fail.
    private static func enumeration<E: RawRepresentable>(_ r: inout Reader) throws(NotFastPath) -> E where E.RawValue == String {
        guard let value = E(rawValue: try r.string()) else { throw NotFastPath() }
        return value
    }
}

/// Which fields of an object were read: a key seen twice is left to `JSONDecoder`.
struct FieldSet {
    private var bits: UInt64 = 0

    mutating func insert(_ field: Int) throws(JSONByteReader.NotFastPath) {
        let bit: UInt64 = 1 << UInt64(field)
        guard bits & bit == 0 else { throw JSONByteReader.NotFastPath() }
        bits |= bit
    }
}
