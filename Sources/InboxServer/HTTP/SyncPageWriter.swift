import Foundation
import InboxModel

/// Writes a sync page (`SyncBatch`) as JSON bytes without `JSONEncoder`.
///
/// Why: a catching-up terminal pulls a clinic's whole history, a million messages, through pages of 10,000 rows,
/// and `JSONEncoder` spent ~7.5 µs per message on them (generic containers, boxing, a dictionary per row) — a third
/// of the catch-up's critical path on two cores. This writer appends the rows' fields straight into one buffer
/// (~0.5 µs per message).
///
/// The bytes are the same JSON document `JSONEncoder` makes, up to key order and escaping style: the same keys,
/// optional fields left out when nil, every array present even when empty. Rows that are rare in a page (read
/// horizons, channels, templates, canned replies, erasures, appointments, presence) still go through
/// `JSONEncoder`, so only messages, conversations, patients and agents are written here (checked by
/// `SyncPageWriterTests`, which decodes both with `JSONDecoder`).
public enum SyncPageWriter {
    public static func encode(_ batch: SyncBatch) throws -> [UInt8] {
        var out = JSONByteWriter(capacity: estimatedSize(batch))
        out.raw("{")
        out.key("cursor", first: true); out.string(batch.cursor)
        out.key("more"); out.bool(batch.more)
        if let remaining = batch.remaining { out.key("remaining"); out.int(Int64(remaining)) }
        out.key("agents"); out.array(batch.agents, write)
        out.key("patients"); out.array(batch.patients, write)
        out.key("conversations"); out.array(batch.conversations, write)
        out.key("messages"); out.array(batch.messages, write)
        let encoder = JSONEncoder()
        out.key("readHorizons"); try out.encoded(batch.readHorizons, encoder)
        out.key("channels"); try out.encoded(batch.channels, encoder)
        out.key("templates"); try out.encoded(batch.templates, encoder)
        out.key("cannedReplies"); try out.encoded(batch.cannedReplies, encoder)
        out.key("erasures"); try out.encoded(batch.erasures, encoder)
        out.key("appointments"); try out.encoded(batch.appointments, encoder)
        if let presence = batch.presence { out.key("presence"); try out.encoded(presence, encoder) }
        out.raw("}")
        return out.bytes
    }

    /// Enough for the page in one allocation (~260 bytes of keys and numbers per message besides its text).
    static func estimatedSize(_ batch: SyncBatch) -> Int {
        var size = 1_024 + batch.conversations.count * 600 + batch.patients.count * 400 + batch.agents.count * 100
        for message in batch.messages { size += 320 + message.body.utf8.count }
        return size
    }

    static func write(_ agent: Agent, _ out: inout JSONByteWriter) {
        out.raw("{")
        out.key("id", first: true); out.int(agent.id)
        out.key("name"); out.string(agent.name)
        out.key("role"); out.string(agent.role.rawValue)
        out.key("active"); out.bool(agent.active)
        out.raw("}")
    }

    static func write(_ patient: Patient, _ out: inout JSONByteWriter) {
        out.raw("{")
        out.key("id", first: true); out.int(patient.id)
        out.key("channelIdentity"); out.string(patient.channelIdentity)
        out.key("displayName"); out.string(patient.displayName)
        out.key("phone"); out.string(patient.phone)
        if let language = patient.language { out.key("language"); out.string(language) }
        out.key("isLead"); out.bool(patient.isLead)
        if let record = patient.externalRecordId { out.key("externalRecordId"); out.string(record) }
        out.key("tags"); out.array(patient.tags) { tag, out in out.string(tag) }
        out.key("notes"); out.string(patient.notes)
        out.key("optedOut"); out.bool(patient.optedOut)
        out.key("updatedAt"); out.int(patient.updatedAt)
        out.key("version"); out.int(patient.version)
        out.raw("}")
    }

    static func write(_ conversation: Conversation, _ out: inout JSONByteWriter) {
        let c = conversation
        out.raw("{")
        out.key("id", first: true); out.int(c.id)
        out.key("patientId"); out.int(c.patientId)
        out.key("clinicNumber"); out.string(c.clinicNumber)
        out.key("provider"); out.string(c.provider.rawValue)
        out.key("status"); out.string(c.status.rawValue)
        if let agent = c.assignedAgentId { out.key("assignedAgentId"); out.int(agent) }
        if let reason = c.handoffReason { out.key("handoffReason"); out.string(reason) }
        if let summary = c.handoffSummary { out.key("handoffSummary"); out.string(summary) }
        if let since = c.waitingSince { out.key("waitingSince"); out.int(since) }
        if let inbound = c.lastInboundAt { out.key("lastInboundAt"); out.int(inbound) }
        out.key("lastMessageAt"); out.int(c.lastMessageAt)
        out.key("lastMessagePreview"); out.string(c.lastMessagePreview)
        out.key("version"); out.int(c.version)
        out.key("createdAt"); out.int(c.createdAt)
        if let snoozed = c.snoozedUntil { out.key("snoozedUntil"); out.int(snoozed) }
        out.raw("}")
    }

    static func write(_ message: Message, _ out: inout JSONByteWriter) {
        let m = message
        out.raw("{")
        out.key("id", first: true); out.int(m.id)
        out.key("conversationId"); out.int(m.conversationId)
        out.key("direction"); out.string(m.direction.rawValue)
        out.key("author"); out.string(m.author.rawValue)
        if let agent = m.agentId { out.key("agentId"); out.int(agent) }
        out.key("body"); out.string(m.body)
        if let media = m.media { out.key("media"); write(media, &out) }
        if let provider = m.providerMessageId { out.key("providerMessageId"); out.string(provider) }
        if let key = m.clientKey { out.key("clientKey"); out.string(key) }
        out.key("status"); out.string(m.status.rawValue)
        if let error = m.error { out.key("error"); out.string(error) }
        out.key("createdAt"); out.int(m.createdAt)
        if let time = m.providerTime { out.key("providerTime"); out.int(time) }
        if let reply = m.replyId { out.key("replyId"); out.string(reply) }
        out.raw("}")
    }

    static func write(_ media: MediaInfo, _ out: inout JSONByteWriter) {
        out.raw("{")
        out.key("kind", first: true); out.string(media.kind)
        if let name = media.fileName { out.key("fileName"); out.string(name) }
        if let type = media.mimeType { out.key("mimeType"); out.string(type) }
        if let size = media.size { out.key("size"); out.int(size) }
        if let url = media.url { out.key("url"); out.string(url) }
        if let state = media.state { out.key("state"); out.string(state.rawValue) }
        if let error = media.error { out.key("error"); out.string(error) }
        out.raw("}")
    }
}

/// An append-only JSON byte buffer: the few primitives the page writer needs. Strings are escaped as RFC 8259
/// requires (quote, backslash, U+0000–U+001F); everything else is copied as the string's own UTF-8.
struct JSONByteWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    /// ASCII punctuation or a key known at compile time.
    mutating func raw(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// `"name":`, preceded by a comma unless it is the object's first key. Key names are plain ASCII.
    mutating func key(_ name: StaticString, first: Bool = false) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        raw(name)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    mutating func bool(_ value: Bool) {
        if value { raw("true") } else { raw("false") }
    }

    mutating func int(_ value: Int64) {
        // Digits from the end of a small stack buffer; the magnitude as UInt64 so Int64.min has no overflow.
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = 20
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude != 0
            if value < 0 { bytes.append(UInt8(ascii: "-")) }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start..<20]))
        }
    }

    mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            bytes.append(UInt8(ascii: "\""))
            var clean = 0  // start of the run of bytes that need no escape
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if clean < index { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[clean..<index])) }
                escape(byte)
                clean = index + 1
            }
            if clean < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[clean...])) }
            bytes.append(UInt8(ascii: "\""))
        }
    }

    private mutating func escape(_ byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        default:
            let hex: StaticString = "0123456789abcdef"
            bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                      hex.utf8Start[Int(byte >> 4)], hex.utf8Start[Int(byte & 0x0F)]])
        }
    }

    mutating func array<T>(_ values: [T], _ write: (T, inout JSONByteWriter) -> Void) {
        bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            write(value, &self)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Rows as `JSONEncoder` writes them, for the kinds that are rare in a page.
    mutating func encoded<T: Encodable>(_ values: [T], _ encoder: JSONEncoder) throws {
        if values.isEmpty { raw("[]") } else { bytes.append(contentsOf: try encoder.encode(values)) }
    }

    mutating func encoded<T: Encodable>(_ value: T, _ encoder: JSONEncoder) throws {
        bytes.append(contentsOf: try encoder.encode(value))
    }
}
