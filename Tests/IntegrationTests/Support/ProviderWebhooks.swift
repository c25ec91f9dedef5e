import CurlHTTP
import Foundation
import InboxModel
import InboxServer

/// Meta and WAHA settings, fixtures and signed webhook posts for `TestServer`.
extension TestServer {
    static let metaAppSecret = "test-meta-app-secret"
    static let metaVerifyToken = "test-meta-verify-token"
    static let metaAccessToken = "test-meta-access-token"
    static let wahaApiKey = "test-waha-api-key"
    static let wahaHmacKey = "test-waha-hmac-key"

    /// Meta and WAHA credentials; senders aimed at the fakes when given, else at a closed port.
    static func providers(_ configuration: inout ServerConfiguration, meta: FakeMeta? = nil, waha: FakeWaha? = nil) {
        configuration.meta = .init(appSecret: metaAppSecret, verifyToken: metaVerifyToken, accessToken: metaAccessToken,
                                   graphBase: meta?.baseURL ?? "http://127.0.0.1:9", apiVersion: "v21.0")
        configuration.waha = .init(baseURL: waha?.baseURL ?? "http://127.0.0.1:9", apiKey: wahaApiKey, hmacKey: wahaHmacKey)
    }

    /// A clinic whose number is reached through `provider` under `providerRef`; returns its agents.
    func addClinic(_ clinic: String, number: String, provider: ProviderKind, providerRef: String,
                   agents: [String] = ["Aisha"]) async throws -> [NewAgent] {
        try await store.addNumber(number, clinic: clinic, provider: provider, providerRef: providerRef)
        var created: [NewAgent] = []
        for name in agents { created.append(try await store.addAgent(name: name, clinic: clinic, role: .agent)) }
        return created
    }

    /// Posts a Meta webhook signed with the app secret unless `signature` says otherwise (nil header: `.some(nil)`).
    func metaWebhook(_ body: [UInt8], signature: String?? = .none) async throws -> HTTPClient.Response {
        var headers = [("Content-Type", "application/json")]
        let header = signature ?? MetaWebhook.signature(body: body, appSecret: Self.metaAppSecret)
        if let header { headers.append(("X-Hub-Signature-256", header)) }
        return try await HTTPClient.shared.send(HTTPClient.Request(method: "POST", url: baseURL + "/webhooks/meta",
                                                                   headers: headers, body: body))
    }

    func metaVerification(mode: String = "subscribe", token: String, challenge: String) async throws -> HTTPClient.Response {
        let query = [("hub.mode", mode), ("hub.verify_token", token), ("hub.challenge", challenge)]
        return try await HTTPClient.shared.send(HTTPClient.Request(url: baseURL + "/webhooks/meta?" + FormEncoding.encode(query)))
    }

    /// Posts a WAHA webhook with WAHA's HMAC headers unless `hmac` says otherwise (nil header: `.some(nil)`).
    func wahaWebhook(_ body: [UInt8], hmac: String?? = .none) async throws -> HTTPClient.Response {
        var headers = [("Content-Type", "application/json"), ("X-Webhook-Request-Id", UUID().uuidString)]
        let header = hmac ?? WahaWebhook.signature(body: body, key: Self.wahaHmacKey)
        if let header { headers += [("X-Webhook-Hmac", header), ("X-Webhook-Hmac-Algorithm", "sha512")] }
        return try await HTTPClient.shared.send(HTTPClient.Request(method: "POST", url: baseURL + "/webhooks/waha",
                                                                   headers: headers, body: body))
    }
}

/// Serializes a test payload written as Swift literals.
func jsonBytes(_ object: Any) -> [UInt8] {
    Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
}
