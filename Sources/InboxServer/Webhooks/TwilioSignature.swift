import Crypto
import Foundation

/// Twilio's `X-Twilio-Signature`: base64(HMAC-SHA1(auth token, URL + each parameter's name and value, sorted by
/// name)). Twilio computes the URL inconsistently with and without the default port, so both forms are accepted.
public struct TwilioSignature: Sendable {
    let authToken: String

    public init(authToken: String) {
        self.authToken = authToken
    }

    public func sign(url: String, parameters: [(String, String)]) -> String {
        var payload = url
        // Sort by name, then by value for repeated names (Twilio's reference validator does the same).
        for (name, value) in parameters.sorted(by: { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }) {
            payload += name + value
        }
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(payload.utf8), using: SymmetricKey(data: Data(authToken.utf8)))
        return Data(mac).base64EncodedString()
    }

    public func isValid(signature: String, url: String, parameters: [(String, String)]) -> Bool {
        guard let given = Data(base64Encoded: signature) else { return false }
        return Self.urlVariants(url).contains { variant in
            guard let expected = Data(base64Encoded: sign(url: variant, parameters: parameters)) else { return false }
            return constantTimeEquals(given, expected)
        }
    }

    static func urlVariants(_ url: String) -> [String] {
        guard var parts = URLComponents(string: url), let scheme = parts.scheme else { return [url] }
        let defaultPort = scheme == "https" ? 443 : 80
        if parts.port == defaultPort {
            parts.port = nil
            return [url, parts.string ?? url]
        }
        if parts.port == nil {
            parts.port = defaultPort
            return [url, parts.string ?? url]
        }
        return [url]
    }
}

/// Compares MACs without leaking, through timing, how many leading bytes matched.
func constantTimeEquals(_ a: Data, _ b: Data) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for (x, y) in zip(a, b) { difference |= x ^ y }
    return difference == 0
}
