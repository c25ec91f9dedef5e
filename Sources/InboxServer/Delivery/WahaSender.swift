import CurlHTTP
import Foundation
import InboxModel

/// Sends through a self-hosted WAHA: `POST {base}/api/sendText` (or `/api/sendFile` for an attachment, its bytes
/// inline as base64) with `X-Api-Key`. The session name is the number's `provider_ref`.
public struct WahaSender: ProviderSender {
    public var baseURL: String
    /// WAHA can run without a key; then no header is sent.
    public var apiKey: String?
    let files: MediaFiles?
    let http: HTTPClient

    public init(baseURL: String, apiKey: String?, files: MediaFiles? = nil, http: HTTPClient = .shared) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.apiKey = apiKey
        self.files = files
        self.http = http
    }

    public func send(_ job: DeliveryJob) async -> SendOutcome {
        guard let session = job.providerRef, !session.isEmpty else {
            return .rejected("No WAHA session is registered for \(job.clinicNumber)")
        }
        let digits = job.patientPhone.filter { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty else { return .rejected("The patient has no phone number to write to") }
        var payload: [String: Any] = ["session": session, "chatId": "\(digits)@c.us"]
        var endpoint = "sendText"
        if let attachment = job.attachment {
            guard let bytes = try? files?.read(attachment.sha256) else {
                return .rejected("The attachment's file is missing from the media directory")
            }
            endpoint = "sendFile"
            payload["file"] = ["mimetype": attachment.mimeType, "filename": attachment.fileName,
                               "data": Data(bytes).base64EncodedString()]
            payload["caption"] = job.message.body
        } else {
            payload["text"] = job.message.body
        }
        guard let body = try? JSONSerialization.data(withJSONObject: payload) else {
            return .rejected("The message could not be encoded as JSON")
        }
        var headers = [("Content-Type", "application/json")]
        if let apiKey, !apiKey.isEmpty { headers.append(("X-Api-Key", apiKey)) }
        let request = HTTPClient.Request(method: "POST", url: "\(baseURL)/api/\(endpoint)", headers: headers,
                                         body: Array(body), timeout: job.attachment == nil ? 30 : 120)
        let response: HTTPClient.Response
        do {
            response = try await http.send(request)
        } catch {
            return .retryable("WAHA unreachable: \(error)")
        }
        let json = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        switch response.status {
        case 200..<300:
            // WAHA has accepted the message: retrying would send it twice. An answer we cannot read an id from
            // still means "sent"; acks for it simply have nothing to match.
            return .sent(providerMessageId: json.flatMap(Self.messageId) ?? "waha-untracked-\(UUID().uuidString)")
        case 422, 429, 500...:
            // WAHA answers 422 while the session is not WORKING (restarting, waiting for a QR scan): worth a retry.
            return .retryable("WAHA HTTP \(response.status): \(Self.reason(json))")
        default:
            return .rejected("WAHA HTTP \(response.status): \(Self.reason(json))")
        }
    }

    /// The serialized id (`true_<chat>_<id>`) that `message.ack` webhooks quote. Engines answer with `id` as that
    /// string or as an object carrying `_serialized`; WEBJS also nests it under `_data.id`.
    static func messageId(_ json: [String: Any]) -> String? {
        func serialized(_ value: Any?) -> String? {
            if let string = value as? String, !string.isEmpty { return string }
            if let object = value as? [String: Any], let string = object["_serialized"] as? String, !string.isEmpty {
                return string
            }
            return nil
        }
        return serialized(json["id"]) ?? serialized((json["_data"] as? [String: Any])?["id"])
    }

    static func reason(_ json: [String: Any]?) -> String {
        // NestJS errors carry `message` (a string or a list); WAHA's own carry `error`.
        if let message = json?["message"] as? String { return message }
        if let messages = json?["message"] as? [String] { return messages.joined(separator: "; ") }
        if let error = json?["error"] as? String { return error }
        return "no error message"
    }
}
