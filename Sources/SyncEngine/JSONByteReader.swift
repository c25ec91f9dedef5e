import Foundation

/// A strict, pull-style JSON reader over UTF-8 bytes, for `SyncBatchReader` (written by hand: no JSON library
/// faster than Foundation's is available to this package).
///
/// It accepts exactly RFC 8259 JSON and refuses — by throwing `NotFastPath` — anything it is not sure to read as
/// `JSONDecoder` would: invalid UTF-8, an escaped lone surrogate, an integer with a fraction or exponent or out of
/// Int64's range, nesting deeper than `maxDepth`, a non-ASCII key. The caller then decodes the same bytes with
/// `JSONDecoder`, so a refusal changes nothing but speed.
struct JSONByteReader {
    /// Anything the fast path does not take; never shown to anyone.
    struct NotFastPath: Error {}

    /// The state of one object being read field by field.
    struct ObjectState {
        var first = true
        /// Where the last key matched in the caller's name list: the next key is tried after it first, since
        /// servers write fields in a fixed order.
        var hint = 0
    }

    static let maxDepth = 64

    private let base: UnsafePointer<UInt8>
    private let count: Int
    private(set) var index = 0
    /// Strings with escapes are unescaped here; reused so a page allocates it once.
    private var scratch: [UInt8] = []

    init(_ buffer: UnsafeBufferPointer<UInt8>) {
        // An empty buffer has no base address; one readable byte stands in (count stays 0, so it is never read).
        base = buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!
        count = buffer.count
    }

    /// The bytes of `range`, for handing one value to `JSONDecoder`.
    func bytes(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + range.lowerBound, count: range.count)
    }

    // MARK: Structure

    mutating func skipWhitespace() {
        while index < count {
            switch base[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    /// True when only whitespace is left.
    mutating func atEnd() -> Bool {
        skipWhitespace()
        return index == count
    }

    private mutating func next() throws(NotFastPath) -> UInt8 {
        skipWhitespace()
        guard index < count else { throw NotFastPath() }
        return base[index]
    }

    private mutating func consume(_ byte: UInt8) throws(NotFastPath) {
        guard try next() == byte else { throw NotFastPath() }
        index += 1
    }

    /// True when the next value is a string.
    mutating func atString() -> Bool {
        skipWhitespace()
        return index < count && base[index] == UInt8(ascii: "\"")
    }

    /// Consumes `null` if that is the next value.
    mutating func null() throws(NotFastPath) -> Bool {
        guard try next() == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    mutating func beginObject() throws(NotFastPath) -> ObjectState {
        try consume(UInt8(ascii: "{"))
        return ObjectState()
    }

    /// The next key's position in `names`, -1 for a key not in it, nil at the end of the object. The reader is
    /// then at the key's value.
    mutating func nextField(_ object: inout ObjectState, _ names: [StaticString]) throws(NotFastPath) -> Int? {
        var byte = try next()
        if byte == UInt8(ascii: "}") {
            index += 1
            return nil
        }
        if !object.first {
            guard byte == UInt8(ascii: ",") else { throw NotFastPath() }
            index += 1
            byte = try next()
        }
        object.first = false
        guard byte == UInt8(ascii: "\"") else { throw NotFastPath() }
        // No names: the object is being skipped, and its keys need only be valid.
        let field = names.isEmpty ? try skipKey() : try matchKey(names, hint: object.hint)
        try consume(UInt8(ascii: ":"))
        if field >= 0 { object.hint = field + 1 }
        return field
    }

    /// Reads a key and finds it in `names`. A key with escapes is unescaped first; one that is not ASCII is
    /// refused (`JSONDecoder` compares keys as Strings, where e.g. U+212A KELVIN SIGN equals "K").
    private mutating func matchKey(_ names: [StaticString], hint: Int) throws(NotFastPath) -> Int {
        index += 1  // the opening quote
        let start = index
        while index < count {
            let byte = base[index]
            if byte == UInt8(ascii: "\"") {
                let key = UnsafeBufferPointer(start: base + start, count: index - start)
                index += 1
                return Self.find(key, in: names, hint: hint)
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { break }
            index += 1
        }
        index = start - 1
        let key = try string()
        guard key.utf8.allSatisfy({ $0 < 0x80 }) else { throw NotFastPath() }
        var ascii = key
        return ascii.withUTF8 { Self.find($0, in: names, hint: hint) }
    }

    private mutating func skipKey() throws(NotFastPath) -> Int {
        try skipString()
        return -1
    }

    private static func find(_ key: UnsafeBufferPointer<UInt8>, in names: [StaticString], hint: Int) -> Int {
        let n = names.count
        for offset in 0..<n {
            let candidate = (hint + offset) % n
            let name = names[candidate]
            if name.utf8CodeUnitCount == key.count,
               key.count == 0 || memcmp(name.utf8Start, key.baseAddress!, key.count) == 0 {
                return candidate
            }
        }
        return -1
    }

    mutating func beginArray() throws(NotFastPath) -> ObjectState {
        try consume(UInt8(ascii: "["))
        return ObjectState()
    }

    /// True when another element follows (the reader is then at it); false at the end of the array.
    mutating func nextElement(_ array: inout ObjectState) throws(NotFastPath) -> Bool {
        let byte = try next()
        if byte == UInt8(ascii: "]") {
            index += 1
            return false
        }
        if !array.first {
            guard byte == UInt8(ascii: ",") else { throw NotFastPath() }
            index += 1
        }
        array.first = false
        return true
    }

    // MARK: Scalars

    mutating func bool() throws(NotFastPath) -> Bool {
        switch try next() {
        case UInt8(ascii: "t"): try literal("true"); return true
        case UInt8(ascii: "f"): try literal("false"); return false
        default: throw NotFastPath()
        }
    }

    private mutating func literal(_ word: StaticString) throws(NotFastPath) {
        let length = word.utf8CodeUnitCount
        guard count - index >= length, memcmp(base + index, word.utf8Start, length) == 0 else { throw NotFastPath() }
        index += length
    }

    /// An integer written as JSON's plain `-?(0|[1-9][0-9]*)` within Int64. Fractions, exponents and `-0` are
    /// refused, whatever their value: `JSONDecoder` decides what they mean.
    mutating func int64() throws(NotFastPath) -> Int64 {
        var byte = try next()
        let negative = byte == UInt8(ascii: "-")
        if negative {
            index += 1
            guard index < count else { throw NotFastPath() }
            byte = base[index]
        }
        guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { throw NotFastPath() }
        var magnitude: UInt64 = 0
        let start = index
        while index < count, base[index] >= UInt8(ascii: "0") && base[index] <= UInt8(ascii: "9") {
            let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(base[index] - UInt8(ascii: "0")))
            guard !o1 && !o2 else { throw NotFastPath() }
            magnitude = sum
            index += 1
        }
        if base[start] == UInt8(ascii: "0") && (index - start > 1 || negative) { throw NotFastPath() }
        if index < count, base[index] == UInt8(ascii: ".") || base[index] == UInt8(ascii: "e") || base[index] == UInt8(ascii: "E") {
            throw NotFastPath()
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { throw NotFastPath() }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { throw NotFastPath() }
        return Int64(magnitude)
    }

    mutating func string() throws(NotFastPath) -> String {
        try consume(UInt8(ascii: "\""))
        let start = index
        var ascii = true
        while index < count {
            let byte = base[index]
            if byte == UInt8(ascii: "\"") {
                let text = UnsafeBufferPointer(start: base + start, count: index - start)
                index += 1
                if ascii { return String(decoding: text, as: UTF8.self) }
                guard let valid = String(validating: text, as: UTF8.self) else { throw NotFastPath() }
                return valid
            }
            if byte == UInt8(ascii: "\\") { return try escapedString(from: start) }
            if byte < 0x20 { throw NotFastPath() }
            if byte >= 0x80 { ascii = false }
            index += 1
        }
        throw NotFastPath()
    }

    /// The slow half of `string()`: unescapes into `scratch` from the string's first byte.
    private mutating func escapedString(from start: Int) throws(NotFastPath) -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(start: base + start, count: index - start))
        while index < count {
            let byte = base[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let valid = String(validating: scratch, as: UTF8.self) else { throw NotFastPath() }
                return valid
            case UInt8(ascii: "\\"):
                let scalar = try unescape()
                if scalar.isASCII {
                    scratch.append(UInt8(scalar.value))
                } else {
                    scratch.append(contentsOf: UTF8.encode(scalar)!)
                }
            case 0..<0x20:
                throw NotFastPath()
            default:
                scratch.append(byte)
            }
        }
        throw NotFastPath()
    }

    /// One escape after its backslash. `\uXXXX` surrogates must come as a high-low pair.
    private mutating func unescape() throws(NotFastPath) -> Unicode.Scalar {
        guard index < count else { throw NotFastPath() }
        let byte = base[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return Unicode.Scalar(byte)
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if (0xD800...0xDBFF).contains(scalar) {
                guard count - index >= 6, base[index] == UInt8(ascii: "\\"), base[index + 1] == UInt8(ascii: "u") else { throw NotFastPath() }
                index += 2
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw NotFastPath() }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw NotFastPath()
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw NotFastPath() }
            return unicode
        default:
            throw NotFastPath()
        }
    }

    private mutating func hex4() throws(NotFastPath) -> UInt32 {
        guard count - index >= 4 else { throw NotFastPath() }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = base[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw NotFastPath()
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    // MARK: Skipping

    /// Skips one value of any kind, checking it as strictly as the values that are read; returns its bytes' range.
    @discardableResult
    mutating func skipValue(depth: Int = 0) throws(NotFastPath) -> Range<Int> {
        guard depth < Self.maxDepth else { throw NotFastPath() }
        let byte = try next()
        let start = index
        switch byte {
        case UInt8(ascii: "{"):
            var object = try beginObject()
            while try nextField(&object, []) != nil { try skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            var array = try beginArray()
            while try nextElement(&array) { try skipValue(depth: depth + 1) }
        case UInt8(ascii: "\""):
            try skipString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default:
            try skipNumber()
        }
        return start..<index
    }

    private mutating func skipString() throws(NotFastPath) {
        try consume(UInt8(ascii: "\""))
        var runStart = index  // a run of raw bytes, validated as UTF-8 when it ends (unless it is ASCII)
        var ascii = true
        while index < count {
            let byte = base[index]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                if !ascii {
                    let run = UnsafeBufferPointer(start: base + runStart, count: index - runStart)
                    guard String(validating: run, as: UTF8.self) != nil else { throw NotFastPath() }
                }
                index += 1
                if byte == UInt8(ascii: "\"") { return }
                _ = try unescape()
                runStart = index
                ascii = true
                continue
            }
            if byte < 0x20 { throw NotFastPath() }
            if byte >= 0x80 { ascii = false }
            index += 1
        }
        throw NotFastPath()
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    private mutating func skipNumber() throws(NotFastPath) {
        func digits(_ reader: inout JSONByteReader) -> Int {
            let start = reader.index
            while reader.index < reader.count, reader.base[reader.index] >= UInt8(ascii: "0"),
                  reader.base[reader.index] <= UInt8(ascii: "9") { reader.index += 1 }
            return reader.index - start
        }
        if index < count, base[index] == UInt8(ascii: "-") { index += 1 }
        let intStart = index
        let intDigits = digits(&self)
        guard intDigits > 0, base[intStart] != UInt8(ascii: "0") || intDigits == 1 else { throw NotFastPath() }
        if index < count, base[index] == UInt8(ascii: ".") {
            index += 1
            guard digits(&self) > 0 else { throw NotFastPath() }
        }
        if index < count, base[index] == UInt8(ascii: "e") || base[index] == UInt8(ascii: "E") {
            index += 1
            if index < count, base[index] == UInt8(ascii: "+") || base[index] == UInt8(ascii: "-") { index += 1 }
            guard digits(&self) > 0 else { throw NotFastPath() }
        }
    }
}
