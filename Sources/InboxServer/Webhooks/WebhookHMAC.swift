import Crypto
import Foundation

/// Hex HMACs over a webhook's raw body, as Meta (`X-Hub-Signature-256`, SHA-256) and WAHA (`X-Webhook-Hmac`,
/// SHA-512) send them. Always over the bytes received: re-serialized JSON would not match.
enum WebhookHMAC {
    static func sha256Hex(_ body: [UInt8], key: String) -> String {
        hex(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(key.utf8))))
    }

    static func sha512Hex(_ body: [UInt8], key: String) -> String {
        hex(HMAC<SHA512>.authenticationCode(for: body, using: SymmetricKey(data: Data(key.utf8))))
    }

    /// Compares a received hex MAC with the expected one in constant time; any case of hex digit is accepted.
    static func matches(given: String, expected: String) -> Bool {
        guard let given = bytes(fromHex: given), let expected = bytes(fromHex: expected) else { return false }
        return constantTimeEquals(given, expected)
    }

    static func hex(_ mac: some Sequence<UInt8>) -> String {
        mac.map { String(format: "%02x", $0) }.joined()
    }

    static func bytes(fromHex text: String) -> Data? {
        let digits = Array(text.utf8)
        guard !digits.isEmpty, digits.count.isMultiple(of: 2) else { return nil }
        var result = Data(capacity: digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            result.append(high << 4 | low)
            index += 2
        }
        return result
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
