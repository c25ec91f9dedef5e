import CurlHTTP
import Foundation
import InboxModel

/// Sends through Gupshup's WhatsApp API with the app's API key (`apikey` header), form-encoded:
/// `POST {base}/wa/api/v1/msg` with `channel=whatsapp&source=…&destination=…&src.name=…&message={json}` for text and
/// attachments, `POST {base}/wa/api/v1/template/msg` with `template={"id","params"}` for a template with a Gupshup id.
/// The number's `provider_ref` is its Gupshup app name (`src.name`); `source` is the number without the `+`.
public struct GupshupSender: ProviderSender {
    public var settings: ServerConfiguration.GupshupSettings
    /// The signed public link Gupshup fetches an agent's attachment from (as Twilio does).
    let mediaLink: @Sendable (Int64) -> String
    let http: HTTPClient

    public init(settings: ServerConfiguration.GupshupSettings, mediaLink: @escaping @Sendable (Int64) -> String = { _ in "" },
                http: HTTPClient = .shared) {
        var settings = settings
        while settings.apiBase.hasSuffix("/") { settings.apiBase.removeLast() }
        self.settings = settings
        self.mediaLink = mediaLink
        self.http = http
    }

    /// WhatsApp refuses text bodies over 4,096 characters.
    static let maxBodyLength = 4096

    public func send(_ job: DeliveryJob) async -> SendOutcome {
        guard let apiKey = settings.apiKey, !apiKey.isEmpty else { return .rejected("GUPSHUP_API_KEY is not set") }
        guard let app = job.providerRef.flatMap({ $0.isEmpty ? nil : $0 }) ?? settings.appName else {
            return .rejected("No Gupshup app name is registered for \(job.clinicNumber)")
        }
        guard job.message.body.count <= Self.maxBodyLength else {
            return .rejected("Message is longer than WhatsApp's 4096-character limit")
        }
        let destination = job.patientPhone.filter { $0.isASCII && $0.isNumber }
        guard !destination.isEmpty else { return .rejected("The patient has no phone number to write to") }
        var form = [("channel", "whatsapp"), ("source", job.clinicNumber.filter { $0.isASCII && $0.isNumber }),
                    ("destination", destination), ("src.name", app)]
        let path: String
        if let template = job.template, let id = settings.templateId(name: template.name, language: template.language) {
            path = "/wa/api/v1/template/msg"
            form.append(("template", Self.json(["id": id, "params": template.parameters])))
        } else {
            // Without a Gupshup template id the rendered text goes out as is; outside the 24-hour window Gupshup
            // sends it only if it matches one of the app's approved templates (else error 1005).
            path = "/wa/api/v1/msg"
            form.append(("message", Self.json(message(job))))
        }
        let request = HTTPClient.Request(method: "POST", url: settings.apiBase + path,
                                         headers: [("apikey", apiKey), ("Content-Type", "application/x-www-form-urlencoded")],
                                         body: Array(FormEncoding.encode(form).utf8), timeout: 15)
        let response: HTTPClient.Response
        do {
            response = try await http.send(request)
        } catch {
            return .retryable("Gupshup unreachable: \(error)")
        }
        let json = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        let reason = (json?["message"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? "no error message"
        switch response.status {
        case 200..<300:
            if let id = json?["messageId"] as? String, !id.isEmpty { return .sent(providerMessageId: id) }
            if json?["status"] as? String == "error" { return .rejected("Gupshup: \(reason)") }
            // Gupshup took the request: another try would send it twice. Its events simply have nothing to match.
            return .sent(providerMessageId: "gupshup-untracked-\(UUID().uuidString)")
        case 429, 500...:
            return .retryable("Gupshup HTTP \(response.status)")
        default:
            return .rejected("Gupshup HTTP \(response.status): \(reason)")
        }
    }

    /// Gupshup's message object: text, or an attachment by the signed link Gupshup downloads it from.
    func message(_ job: DeliveryJob) -> [String: Any] {
        if let menu = job.interactive { return Self.list(menu.fitted, messageId: job.message.id) }
        guard let attachment = job.attachment else { return ["type": "text", "text": job.message.body] }
        let link = mediaLink(job.message.id)
        var object: [String: Any]
        switch attachment.kind {
        case "image": object = ["type": "image", "originalUrl": link, "previewUrl": link]
        case "video": object = ["type": "video", "url": link]
        case "audio": object = ["type": "audio", "url": link]
        default: object = ["type": "file", "url": link, "filename": attachment.fileName]
        }
        if attachment.kind != "audio", !job.message.body.isEmpty { object["caption"] = job.message.body }
        return object
    }

    static func json(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
        return data.map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
