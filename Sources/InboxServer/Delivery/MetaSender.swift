import CurlHTTP
import Foundation
import InboxModel

/// Sends through the WhatsApp Cloud API: `POST {graphBase}/{version}/{phone_number_id}/messages` with a Bearer token.
/// The phone_number_id is the number's `provider_ref`. Attachments are uploaded first (`…/media`), then sent by id.
public struct MetaSender: ProviderSender {
    public var accessToken: String
    /// `https://graph.facebook.com` in production; tests aim it at a local fake.
    public var graphBase: String
    public var apiVersion: String
    let files: MediaFiles?
    let http: HTTPClient

    public init(accessToken: String, graphBase: String = "https://graph.facebook.com", apiVersion: String = "v21.0",
                files: MediaFiles? = nil, http: HTTPClient = .shared) {
        self.accessToken = accessToken
        self.graphBase = graphBase
        self.apiVersion = apiVersion
        self.files = files
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
        } else if let attachment = job.attachment {
            let mediaId: String
            switch await upload(attachment, phoneNumberId: phoneNumberId) {
            case .success(let id): mediaId = id
            case .failure(let failure): return failure.outcome
            }
            var object: [String: Any] = ["id": mediaId]
            if attachment.kind != "audio", !job.message.body.isEmpty { object["caption"] = job.message.body }
            if attachment.kind == "document" { object["filename"] = attachment.fileName }
            payload["type"] = attachment.kind
            payload[attachment.kind] = object
        } else if let menu = job.interactive {
            payload["type"] = "interactive"
            payload["interactive"] = Self.interactive(menu.fitted)
        } else {
            payload["type"] = "text"
            payload["text"] = ["preview_url": false, "body": job.message.body]
        }
        guard let body = try? JSONSerialization.data(withJSONObject: payload) else {
            return .rejected("The message could not be encoded as JSON")
        }
        switch await post("\(phoneNumberId)/messages", contentType: "application/json", body: Array(body)) {
        case .success(let json):
            guard let messages = json["messages"] as? [[String: Any]], let id = messages.first?["id"] as? String,
                  !id.isEmpty else { return .retryable("Meta answered without a message id") }
            return .sent(providerMessageId: id)
        case .failure(let failure):
            return failure.outcome
        }
    }

    /// `POST /{phone_number_id}/media` (multipart): the id the message then refers to.
    private func upload(_ attachment: DeliveryAttachment, phoneNumberId: String) async -> Result<String, SendFailure> {
        guard let files, let bytes = try? files.read(attachment.sha256) else {
            return .failure(SendFailure(outcome: .rejected("The attachment's file is missing from the media directory")))
        }
        let form = Multipart.encode(fields: [("messaging_product", "whatsapp"), ("type", attachment.mimeType)],
                                    file: .init(field: "file", fileName: attachment.fileName,
                                                contentType: attachment.mimeType, bytes: bytes))
        switch await post("\(phoneNumberId)/media", contentType: form.contentType, body: form.body, timeout: 120) {
        case .success(let json):
            guard let id = json["id"] as? String, !id.isEmpty else {
                return .failure(SendFailure(outcome: .retryable("Meta answered the upload without a media id")))
            }
            return .success(id)
        case .failure(let failure):
            return .failure(failure)
        }
    }

    struct SendFailure: Error { var outcome: SendOutcome }

    /// One Graph API call: the JSON answer, or what its failure means for the delivery.
    private func post(_ path: String, contentType: String, body: [UInt8], timeout: Double = 15) async
        -> Result<[String: Any], SendFailure> {
        let request = HTTPClient.Request(method: "POST", url: "\(graphBase)/\(apiVersion)/\(path)",
                                         headers: [("Authorization", "Bearer \(accessToken)"), ("Content-Type", contentType)],
                                         body: body, timeout: timeout)
        let response: HTTPClient.Response
        do {
            response = try await http.send(request)
        } catch {
            // Meta has no request-dedupe key: a timeout after Meta accepted the message can duplicate it on retry.
            return .failure(SendFailure(outcome: .retryable("Meta unreachable: \(error)")))
        }
        let json = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
        switch response.status {
        case 200..<300:
            return .success(json)
        case 429, 500...:
            return .failure(SendFailure(outcome: .retryable("Meta HTTP \(response.status)")))
        default:
            let error = json["error"] as? [String: Any]
            let code = (error?["code"] as? NSNumber)?.intValue
            let message = (error?["message"] as? String) ?? "no error message"
            let reason = code.map { "Meta error \($0): \(message)" } ?? "Meta HTTP \(response.status): \(message)"
            if let code, Self.transientCodes.contains(code) { return .failure(SendFailure(outcome: .retryable(reason))) }
            return .failure(SendFailure(outcome: .rejected(reason)))
        }
    }
}
