import Crypto
import Foundation

/// How secrets are made and kept: tokens are random and stored only as their SHA-256; command bodies and files
/// are compared and named by it.
public enum Hashing {
    /// Lower-case hex SHA-256.
    public static func sha256Hex(_ bytes: some DataProtocol) -> String {
        let hex = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in SHA256.hash(data: bytes) {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// 32 random bytes in hex: an agent's token, a signing secret.
    public static func newToken() -> String {
        (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }
}
