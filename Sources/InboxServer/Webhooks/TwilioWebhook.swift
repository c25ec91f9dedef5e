import CurlHTTP
import InboxModel

/// Parses Twilio's form-encoded WhatsApp webhooks into provider-neutral values.
public enum TwilioWebhook {
    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case missing(String)
        case malformed(String)

        public var description: String {
            switch self {
            case .missing(let field): "the \(field) field is missing"
            case .malformed(let reason): reason
            }
        }
    }

    /// `whatsapp:+15551234567` → `+15551234567`.
    static func address(_ value: String) -> String {
        value.hasPrefix("whatsapp:") ? String(value.dropFirst("whatsapp:".count)) : value
    }

    public static func inbound(_ parameters: [(String, String)], receivedAt: Millis) throws(ParseError) -> InboundMessage {
        let form = Dictionary(parameters, uniquingKeysWith: { first, _ in first })
        guard let sid = form["MessageSid"], !sid.isEmpty else { throw .missing("MessageSid") }
        guard let from = form["From"], !from.isEmpty else { throw .missing("From") }
        guard let to = form["To"], !to.isEmpty else { throw .missing("To") }
        let phone = address(from)
        var media: MediaInfo?
        if let count = form["NumMedia"].flatMap(Int.init), count > 0 {
            let mime = form["MediaContentType0"]
            media = MediaInfo(kind: mime.map(MediaTypes.kind(of:)) ?? "file", fileName: form["MediaUrl0"].flatMap { $0.split(separator: "/").last.map(String.init) },
                              mimeType: mime, url: form["MediaUrl0"])
        } else if let latitude = form["Latitude"], let longitude = form["Longitude"] {
            media = MediaInfo(kind: "location", fileName: form["Label"] ?? form["Address"] ?? "\(latitude),\(longitude)")
        }
        let body = form["Body"] ?? form["ButtonText"] ?? ""
        return InboundMessage(provider: .twilio, clinicNumber: address(to), channelIdentity: "whatsapp:\(phone)",
                              phone: phone, profileName: form["ProfileName"], providerMessageId: sid, body: body,
                              media: media, receivedAt: receivedAt,
                              replyId: form["ButtonPayload"].flatMap { $0.isEmpty ? nil : $0 })
    }

    public static func status(_ parameters: [(String, String)]) throws(ParseError) -> StatusReport? {
        let form = Dictionary(parameters, uniquingKeysWith: { first, _ in first })
        guard let sid = form["MessageSid"], !sid.isEmpty else { throw .missing("MessageSid") }
        guard let raw = form["MessageStatus"] else { throw .missing("MessageStatus") }
        let status: DeliveryStatus
        switch raw {
        case "sent": status = .sent
        case "read": status = .read
        case "delivered", "partially_delivered": status = .delivered
        case "failed", "undelivered", "canceled": status = .failed
        case "queued", "sending", "accepted", "scheduled", "receiving", "received":
            return nil  // nothing the agent needs to see
        default: throw .malformed("unknown MessageStatus \(raw)")
        }
        let error = [form["ErrorCode"].map { "Twilio error \($0)" }, form["ErrorMessage"]]
            .compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
        // `From` is the clinic number that sent the message; when present the status applies only to its messages.
        let clinicNumber = form["From"].map(address).flatMap { $0.isEmpty ? nil : $0 }
        return StatusReport(providerMessageId: sid, status: status, error: error.isEmpty ? nil : error,
                            provider: .twilio, clinicNumber: clinicNumber)
    }
}
