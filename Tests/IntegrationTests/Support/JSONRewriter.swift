/// Rewrites a JSON document into another text of the same value, as another backend might send it: keys in any
/// order, whitespace anywhere it is allowed, characters escaped as `\uXXXX` (surrogate pairs beyond the BMP), keys
/// escaped too, unknown keys with nested values, explicit nulls for absent optional fields, empty arrays left out
/// or sent as null. The tests' own small parser (independent of the code under test) reads the input.
indirect enum JSONValue: Equatable {
    case object([(String, JSONValue)])
    case array([JSONValue])
    case string(String)
    /// A number's text, kept as written.
    case number(String)
    case bool(Bool)
    case null

    static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case let (.object(x), .object(y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case let (.array(x), .array(y)): x == y
        case let (.string(x), .string(y)): x == y
        case let (.number(x), .number(y)): x == y
        case let (.bool(x), .bool(y)): x == y
        case (.null, .null): true
        default: false
        }
    }

    /// Parses valid JSON (it is only given `JSONEncoder`'s and the page writer's output).
    static func parse(_ bytes: [UInt8]) -> JSONValue {
        var index = 0
        return parseValue(bytes, &index)
    }

    private static func skipSpace(_ b: [UInt8], _ i: inout Int) {
        while i < b.count, [0x20, 0x0A, 0x0D, 0x09].contains(b[i]) { i += 1 }
    }

    private static func parseValue(_ b: [UInt8], _ i: inout Int) -> JSONValue {
        skipSpace(b, &i)
        switch b[i] {
        case UInt8(ascii: "{"):
            i += 1
            var fields: [(String, JSONValue)] = []
            skipSpace(b, &i)
            if b[i] == UInt8(ascii: "}") { i += 1; return .object([]) }
            while true {
                skipSpace(b, &i)
                guard case .string(let key) = parseValue(b, &i) else { fatalError("key") }
                skipSpace(b, &i); i += 1  // :
                fields.append((key, parseValue(b, &i)))
                skipSpace(b, &i)
                i += 1
                if b[i - 1] == UInt8(ascii: "}") { return .object(fields) }
            }
        case UInt8(ascii: "["):
            i += 1
            var values: [JSONValue] = []
            skipSpace(b, &i)
            if b[i] == UInt8(ascii: "]") { i += 1; return .array([]) }
            while true {
                values.append(parseValue(b, &i))
                skipSpace(b, &i)
                i += 1
                if b[i - 1] == UInt8(ascii: "]") { return .array(values) }
            }
        case UInt8(ascii: "\""):
            i += 1
            var units: [UInt16] = []  // UTF-16, so escaped surrogate pairs join up
            while b[i] != UInt8(ascii: "\"") {
                if b[i] == UInt8(ascii: "\\") {
                    i += 1
                    switch b[i] {
                    case UInt8(ascii: "u"):
                        units.append(UInt16(String(decoding: b[(i + 1)...(i + 4)], as: UTF8.self), radix: 16)!)
                        i += 4
                    case UInt8(ascii: "n"): units.append(0x0A)
                    case UInt8(ascii: "r"): units.append(0x0D)
                    case UInt8(ascii: "t"): units.append(0x09)
                    case UInt8(ascii: "b"): units.append(0x08)
                    case UInt8(ascii: "f"): units.append(0x0C)
                    default: units.append(UInt16(b[i]))
                    }
                    i += 1
                } else {
                    var end = i
                    while b[end] != UInt8(ascii: "\"") && b[end] != UInt8(ascii: "\\") { end += 1 }
                    units.append(contentsOf: String(decoding: b[i..<end], as: UTF8.self).utf16)
                    i = end
                }
            }
            i += 1
            return .string(String(decoding: units, as: UTF16.self))
        case UInt8(ascii: "t"): i += 4; return .bool(true)
        case UInt8(ascii: "f"): i += 5; return .bool(false)
        case UInt8(ascii: "n"): i += 4; return .null
        default:
            let start = i
            while i < b.count, !",]} \n\r\t".utf8.contains(b[i]) { i += 1 }
            return .number(String(decoding: b[start..<i], as: UTF8.self))
        }
    }
}

/// Writes a `JSONValue` back as text, varied by a seeded generator.
struct JSONRewriter {
    var random: HostileBatches

    /// Optional fields of the sync rows: added as explicit nulls where absent (unknown keys where the object does
    /// not have such a field, which the reader must skip as well).
    static let optionalFields = ["agentId", "media", "providerMessageId", "clientKey", "error", "providerTime", "replyId",
                                 "assignedAgentId", "handoffReason", "handoffSummary", "waitingSince", "lastInboundAt",
                                 "snoozedUntil", "language", "externalRecordId", "fileName", "mimeType", "size", "url",
                                 "remaining", "presence", "active"]

    mutating func write(_ value: JSONValue, depth: Int = 0) -> String {
        switch value {
        case .object(var fields):
            let present = Set(fields.map(\.0))
            for name in Self.optionalFields where !present.contains(name) && random.chance(30) { fields.append((name, .null)) }
            if random.chance(30) { fields.append(("x-unknown-\(random.int(0...99))", unknownValue(depth: 0))) }
            if depth == 0 {
                // Empty arrays at the top are optional: left out, or null.
                fields = fields.compactMap { name, value in
                    guard value == .array([]) else { return (name, value) }
                    switch random.int(0...2) {
                    case 0: return nil
                    case 1: return (name, .null)
                    default: return (name, value)
                    }
                }
            }
            fields.shuffle(using: &random)
            let inner = fields.map { space() + string($0.0, isKey: true) + space() + ":" + space() + write($0.1, depth: depth + 1) }
            return "{" + inner.joined(separator: space() + ",") + space() + "}"
        case .array(let values):
            return "[" + space() + values.map { write($0, depth: depth + 1) }.joined(separator: space() + "," + space()) + space() + "]"
        case .string(let text): return string(text, isKey: false)
        case .number(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        case .null: return "null"
        }
    }

    private mutating func space() -> String {
        random.chance(70) ? "" : String((0..<random.int(1...3)).map { _ in random.pick([" ", "\n", "\r", "\t"]) })
    }

    private mutating func unknownValue(depth: Int) -> JSONValue {
        switch random.int(0...(depth > 3 ? 3 : 6)) {
        case 0: return .number(random.pick(["0", "-1", "3.25", "1e400", "-2.5E-7", "123456789012345678901234567890"]))
        case 1: return .string(random.text())
        case 2: return .bool(random.chance(50))
        case 3: return .null
        case 4: return .array((0..<random.int(0...3)).map { _ in unknownValue(depth: depth + 1) })
        default: return .object((0..<random.int(0...3)).map { i in ("k\(i)\u{1F600}", unknownValue(depth: depth + 1)) })
        }
    }

    /// Escapes what JSON requires, and at random anything else too (keys only when ASCII: an escaped key must still
    /// match its field).
    private mutating func string(_ text: String, isKey: Bool) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            let mustEscape = scalar.value < 0x20 || scalar == "\"" || scalar == "\\"
            if mustEscape || random.chance(isKey ? 10 : 5) {
                if !mustEscape, scalar == "/", random.chance(50) {
                    out += "\\/"
                    continue
                }
                for unit in String(scalar).utf16 {
                    let hex = String(unit, radix: 16, uppercase: random.chance(50))
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                }
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

extension HostileBatches: RandomNumberGenerator {}
