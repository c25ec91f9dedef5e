import CurlHTTP
import Foundation
import InboxModel

/// Sends through the WhatsApp Cloud API: `POST {graphBase}/{version}/{phone_number_id}/messages` with a Bearer token.
/// The phone_number_id is the number's `provider_ref`.
public struct MetaSender: ProviderSender {
    public var accessToken: String
    /// `https://graph.facebook.com` in production; tests aim it at a local fake.
    public var graphBase: String
    public var apiVersion: String
    let http: HTTPClient

    public init(accessToken: String, graphBase: String = "https://graph.facebook.com", apiVersion: String = "v21.0",
                http: HTTPClient = .shared) {
        self.accessToken = accessToken
        self.graphBase = graphBase
        self.apiVersion = apiVersion
        self.http = http
    }

    /// The Cloud API refuses text bodies over 4,096 characters.
    static let maxBodyLength = 4096

    /// Error codes that say "later", not "never": throttling (4, 80007, 130429), the per-recipient pair limit
    /// (131056) and Meta's own transient failures (1, 2, 131000, 131016). Meta reports them with HTTP 400 too.
    static let transientCodes: Set<Int> = [1, 2, 4, 80007, 130429, 131000, 131016, 131056]

    public func send(_ job: DeliveryJob) async -> SendOutcome {
        guard job.message.body.count <= Self.maxBodyLength else {
            return .rejected("Message is longer than Meta's 4096-character limit")
        }
        guard let phoneNumberId = job.providerRef, !phoneNumberId.isEmpty else {
            return .rejected("No Meta phone_number_id is registered for \(job.clinicNumber)")
        }
        var payload: [String: Any] = ["messaging_product": "whatsapp", "recipient_type": "individual", "to": job.patientPhone]
        if let template = job.template {
            var body: [String: Any] = ["name": template.name, "language": ["code": template.language]]
            if !template.parameters.isEmpty {
                body["components"] = [["type": "body",
                                       "parameters": template.parameters.map { ["type": "text", "text": $0] }]]
            }
            payload["type"] = "template"
            payload["template"] = body
        } else {
            payload["type"] = "text"
            payload["text"] = ["preview_url": false, "body": job.message.body]
        }
        guard let body = try? JSONSerialization.data(withJSONObject: payload) else {
            return .rejected("The message could not be encoded as JSON")
        }
        let request = HTTPClient.Request(method: "POST", url: "\(graphBase)/\(apiVersion)/\(phoneNumberId)/messages",
                                         headers: [("Authorization", "Bearer \(accessToken)"),
                                                   ("Content-Type", "application/json")],
                                         body: Array(body), timeout: 15)
        let response: HTTPClient.Response
        do {
            response = try await http.send(request)
        } catch {
            // Meta has no request-dedupe key: a timeout after Meta accepted the message can duplicate it on retry.
            return .retryable("Meta unreachable: \(error)")
        }
        let json = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        switch response.status {
        case 200..<300:
            guard let messages = json?["messages"] as? [[String: Any]], let id = messages.first?["id"] as? String,
                  !id.isEmpty else { return .retryable("Meta answered without a message id") }
            return .sent(providerMessageId: id)
        case 429, 500...:
            return .retryable("Meta HTTP \(response.status)")
        default:
            let error = json?["error"] as? [String: Any]
            let code = (error?["code"] as? NSNumber)?.intValue
            let message = (error?["message"] as? String) ?? "no error message"
            let reason = code.map { "Meta error \($0): \(message)" } ?? "Meta HTTP \(response.status): \(message)"
            if let code, Self.transientCodes.contains(code) { return .retryable(reason) }
            return .rejected(reason)
        }
    }
}
