import Foundation
import InboxModel

/// Parses Gupshup's v2 callbacks (`{"app","timestamp","version":2,"type","payload"}`) into provider-neutral values.
///
/// Gupshup posts one event per request: a patient's `message`, a `message-event` (enqueued, sent, delivered, read,
/// failed) for something we sent, or a `user-event`/`billing-event` the inbox has no use for. Only a body that is
/// not a JSON object is an error; any other shape is `ignored`, because Gupshup retries whatever is not a 2xx.
///
/// Gupshup does not sign callbacks (its documentation offers only allow-listing its IPs, by e-mail to support), so
/// each number's callback URL carries a secret: `/webhooks/gupshup/{token}`, see `callbackToken`.
public enum GupshupWebhook {
    public enum Event: Sendable {
        /// A patient's message to the app named `app`; `message.clinicNumber` is empty until the route resolves it.
        case message(app: String, InboundMessage)
        /// A delivery event for a message this server sent through the app.
        case status(app: String, StatusReport)
        /// Nothing the inbox stores (user and billing events, unknown shapes); why, for the log.
        case ignored(String)
    }

    /// The secret in a number's callback URL: HMAC-SHA256 of the number under the server's own random key (the
    /// database's link secret), so nothing new is stored and the CLI that registers the number can print it.
    /// Distinct per number, so one clinic's URL cannot post as another's app.
    public static func callbackToken(clinicNumber: String, key: String) -> String {
        WebhookHMAC.sha256Hex(Array("gupshup-callback:\(clinicNumber)".utf8), key: key)
    }

    /// The path Gupshup's callback URL is set to for a number (after the server's public URL).
    public static func callbackPath(clinicNumber: String, key: String) -> String {
        "/webhooks/gupshup/" + callbackToken(clinicNumber: clinicNumber, key: key)
    }

    /// Whether `given` is the number's token, compared in constant time.
    static func isValid(token given: String, clinicNumber: String, key: String) -> Bool {
        !key.isEmpty && WebhookHMAC.matches(given: given, expected: callbackToken(clinicNumber: clinicNumber, key: key))
    }

    struct Malformed: Error {}

    public static func parse(_ body: [UInt8], receivedAt: Millis) throws -> Event {
        // A JSON object of any shape is Gupshup's to send; anything else is not a callback at all.
        guard (try? JSONSerialization.jsonObject(with: Data(body))) is [String: Any] else { throw Malformed() }
        guard let envelope = try? JSONDecoder().decode(Envelope.self, from: Data(body)) else {
            return .ignored("a callback of an unknown shape")
        }
        switch envelope.type {
        case "message":
            guard let app = envelope.app, !app.isEmpty, let payload = envelope.payload,
                  let inbound = inbound(payload, timestamp: envelope.timestamp, receivedAt: receivedAt) else {
                return .ignored("a message without an app, id or sender")
            }
            return inbound.map { .message(app: app, $0) } ?? .ignored("a reaction")
        case "message-event":
            guard let app = envelope.app, !app.isEmpty, let payload = envelope.payload else {
                return .ignored("a message event without an app")
            }
            return report(payload).map { .status(app: app, $0) } ?? .ignored("a message event the inbox does not track")
        default:
            return .ignored("a \(envelope.type.map { "\"\($0)\"" } ?? "typeless") callback")
        }
    }

    /// nil: not a message (no id or sender); `.some(nil)`: a message with nothing to show (a reaction).
    static func inbound(_ payload: Payload, timestamp: Int64?, receivedAt: Millis) -> InboundMessage?? {
        guard let id = payload.id, !id.isEmpty,
              let sender = payload.sender?.phone ?? payload.source, !sender.isEmpty else { return nil }
        guard let (body, media) = content(of: payload) else { return .some(nil) }
        let phone = sender.hasPrefix("+") ? sender : "+" + sender
        let name = payload.sender?.name.flatMap { $0.isEmpty ? nil : $0 }
        return InboundMessage(provider: .gupshup, clinicNumber: "", channelIdentity: "whatsapp:\(phone)", phone: phone,
                              profileName: name, providerMessageId: id, body: body, media: media,
                              receivedAt: receivedAt, providerTime: timestamp.flatMap { $0 > 0 ? $0 : nil },
                              replyId: replyId(of: payload))
    }

    /// The tapped option's id: a list row's `postbackText` (its own payload; the list's `id` names the whole list),
    /// else a reply button's `id`. A template's quick reply carries only its text.
    static func replyId(of payload: Payload) -> String? {
        guard ["button_reply", "list_reply", "quick_reply"].contains(payload.type ?? "") else { return nil }
        return [payload.payload?.postbackText, payload.payload?.id].compactMap { $0 }.first { !$0.isEmpty }
    }

    /// What an agent reads and the attachment, per payload type; nil for what is not a message (reactions).
    static func content(of payload: Payload) -> (String, MediaInfo?)? {
        let type = payload.type ?? "unknown"
        let inner = payload.payload
        switch type {
        case "text":
            return (inner?.text?.value ?? "", nil)
        case "image", "video", "audio", "file", "sticker":
            // Gupshup's url is a download link that expires (`urlExpiry`): the fetcher copies it promptly.
            let kind = type == "file" ? "document" : type
            let media = MediaInfo(kind: kind, fileName: inner?.name, mimeType: inner?.contentType, url: inner?.url)
            return (inner?.caption ?? "", media)
        case "location":
            let coordinates = inner.flatMap { p in p.latitude.flatMap { lat in p.longitude.map { "\(lat.value),\($0.value)" } } }
            let label = [inner?.name, inner?.address].compactMap { $0 }.filter { !$0.isEmpty }.first ?? coordinates
            return ("", MediaInfo(kind: "location", fileName: label, url: coordinates.map { "geo:\($0)" }))
        case "contact":
            let lines = (inner?.contacts ?? []).map { card in
                let name = card.name?.formattedName ?? card.name?.firstName ?? "Contact"
                return ([name] + (card.phones ?? []).compactMap { $0.phone ?? $0.waId }).joined(separator: " ")
            }
            return (lines.joined(separator: "\n"),
                    MediaInfo(kind: "contacts", fileName: inner?.contacts?.first?.name?.formattedName))
        case "button_reply", "list_reply", "quick_reply":
            // The tapped button's or row's title, as the patient saw it (a template's quick reply carries `text`).
            let title = [inner?.title, inner?.text?.value, inner?.reply, inner?.postbackText].compactMap { $0 }
                .first { !$0.isEmpty }
            return (title ?? "[unsupported: \(type)]", nil)
        case "reaction":
            return nil
        default:
            // A patient wrote something this inbox cannot show: agents still see that they wrote.
            return ("[unsupported: \(type)]", nil)
        }
    }

    /// Gupshup's `id` is its own message id (what the send API answered) for enqueued and failed events; for
    /// sent, delivered and read it is WhatsApp's, with Gupshup's in `gsId`. So `gsId` wins when present.
    static func report(_ payload: Payload) -> StatusReport? {
        guard let id = payload.gsId.flatMap({ $0.isEmpty ? nil : $0 }) ?? payload.id, !id.isEmpty else { return nil }
        let status: DeliveryStatus
        switch payload.type {
        case "enqueued", "sent": status = .sent  // enqueued: Gupshup holds it, which a successful send already said
        case "delivered": status = .delivered
        case "read": status = .read
        case "failed": status = .failed
        default: return nil  // "deleted" and anything newer: nothing the delivery state shows
        }
        let error = status == .failed ? describeFailure(payload.payload) : nil
        return StatusReport(providerMessageId: id, status: status, error: error, provider: .gupshup)
    }

    /// "Gupshup error 1002: Number Does Not Exists On WhatsApp", the form agents see on a failed message.
    static func describeFailure(_ inner: Inner?) -> String {
        let code = inner?.code.map { "Gupshup error \($0.value)" } ?? "Gupshup error"
        guard let reason = inner?.reason, !reason.isEmpty else {
            return inner?.code == nil ? "Gupshup reported the message failed" : code
        }
        return "\(code): \(reason)"
    }

    // MARK: The documented JSON (every field optional: one odd field must not make a callback unreadable)

    struct Envelope: Decodable {
        var app: String?
        var timestamp: Int64?
        var version: Int?
        var type: String?
        var payload: Payload?
    }

    struct Payload: Decodable {
        var id: String?
        var gsId: String?
        var source: String?
        var destination: String?
        var type: String?
        var payload: Inner?
        var sender: Sender?

        struct Sender: Decodable {
            var phone: String?
            var name: String?
        }
    }

    /// The type-dependent inner payload: message content, or an event's details (`code`, `reason`, `ts`).
    struct Inner: Decodable {
        var text: Loose?
        var url: String?
        var caption: String?
        var contentType: String?
        var name: String?
        var address: String?
        var latitude: Loose?
        var longitude: Loose?
        var title: String?
        var id: String?
        var reply: String?
        var postbackText: String?
        var contacts: [ContactCard]?
        var code: Loose?
        var reason: String?

        struct ContactCard: Decodable {
            var name: Name?
            var phones: [Phone]?
            struct Name: Decodable {
                var formattedName: String?
                var firstName: String?
                enum CodingKeys: String, CodingKey {
                    case formattedName = "formatted_name", firstName = "first_name"
                }
            }
            struct Phone: Decodable {
                var phone: String?
                var waId: String?
                enum CodingKeys: String, CodingKey { case phone, waId = "wa_id" }
            }
        }
    }

    /// A value Gupshup sends as a string in one place and a number in another (codes, coordinates).
    struct Loose: Decodable, Equatable {
        var value: String

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                value = text
            } else if let whole = try? container.decode(Int64.self) {
                value = String(whole)
            } else {
                value = String(try container.decode(Double.self))
            }
        }
    }
}
