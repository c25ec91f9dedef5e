import Foundation
import InboxModel

/// Parses the WhatsApp Cloud API's JSON webhooks (`entry[].changes[].value`) into provider-neutral values.
///
/// One POST batches many updates, possibly for several of the business's numbers, so parsing never fails on one
/// odd item: a message without an id or sender is skipped (and counted), an unknown type is kept as a placeholder.
/// Only a body that is not the documented JSON shape at all is an error.
public enum MetaWebhook {
    /// A patient message and the `phone_number_id` it was written to. The route resolves that id to the clinic
    /// number, so `message.clinicNumber` is empty until then.
    public struct Routed: Sendable {
        public var phoneNumberId: String
        public var message: InboundMessage
    }

    /// A delivery status and the `phone_number_id` that sent the message it reports on.
    public struct RoutedStatus: Sendable {
        public var phoneNumberId: String
        public var report: StatusReport
    }

    public struct Batch: Sendable {
        public var messages: [Routed] = []
        public var statuses: [RoutedStatus] = []
        /// Items left out: reactions, and messages or statuses missing the fields they are keyed on.
        public var skipped = 0
    }

    /// `sha256=<hex>`, the `X-Hub-Signature-256` value Meta sends for `body`.
    public static func signature(body: [UInt8], appSecret: String) -> String {
        "sha256=" + WebhookHMAC.sha256Hex(body, key: appSecret)
    }

    /// Whether `header` is Meta's signature of exactly these bytes.
    public static func isValid(signature header: String, body: [UInt8], appSecret: String) -> Bool {
        guard header.hasPrefix("sha256=") else { return false }
        return WebhookHMAC.matches(given: String(header.dropFirst("sha256=".count)),
                                   expected: WebhookHMAC.sha256Hex(body, key: appSecret))
    }

    public static func parse(_ body: [UInt8], receivedAt: Millis) throws -> Batch {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let payload = try decoder.decode(Payload.self, from: Data(body))
        var batch = Batch()
        for change in (payload.entry ?? []).flatMap({ $0.changes ?? [] }) {
            guard let value = change.value else { continue }
            if let phoneNumberId = value.metadata?.phoneNumberId {
                for message in value.messages ?? [] {
                    if let inbound = inbound(message, contacts: value.contacts ?? [], receivedAt: receivedAt) {
                        batch.messages.append(Routed(phoneNumberId: phoneNumberId, message: inbound))
                    } else {
                        batch.skipped += 1
                    }
                }
            } else {
                batch.skipped += (value.messages?.count ?? 0) + (value.statuses?.count ?? 0)
                continue
            }
            for status in value.statuses ?? [] {
                if let report = report(status), let phoneNumberId = value.metadata?.phoneNumberId {
                    batch.statuses.append(RoutedStatus(phoneNumberId: phoneNumberId, report: report))
                } else {
                    batch.skipped += 1
                }
            }
        }
        return batch
    }

    static func inbound(_ message: MessageObject, contacts: [Contact], receivedAt: Millis) -> InboundMessage? {
        // System messages (e.g. user_changed_number) come without `contacts`; their `from` is still the patient.
        guard let id = message.id, !id.isEmpty,
              let sender = message.from ?? message.system?.waId, !sender.isEmpty,
              let (body, media) = content(of: message) else { return nil }
        let phone = sender.hasPrefix("+") ? sender : "+" + sender
        let digits = phone.dropFirst()
        let name = contacts.first { $0.waId.map { $0 == digits || $0 == phone } ?? false }?.profile?.name
        var inbound = InboundMessage(provider: .meta, clinicNumber: "", channelIdentity: "whatsapp:\(phone)", phone: phone,
                                     profileName: name.flatMap { $0.isEmpty ? nil : $0 }, providerMessageId: id, body: body,
                                     media: media, receivedAt: receivedAt, providerTime: message.timestamp.flatMap { ProviderTime.millis(fromSeconds: $0.seconds) })
        inbound.replyId = replyId(of: message)
        if message.type == "system" {
            // WhatsApp speaking, not the patient. For a number change `from` is the old number and `wa_id` the new.
            inbound.isSystemNotice = true
            if ["user_changed_number", "customer_changed_number"].contains(message.system?.type ?? ""),
               let waId = message.system?.waId, !waId.isEmpty, waId.allSatisfy({ $0.isASCII && $0.isNumber }) {
                let newPhone = "+" + waId
                if newPhone != phone { inbound.newPhone = newPhone }
            }
        }
        return inbound
    }

    /// The id of the tapped list row or reply button (`interactive.list_reply.id`, `interactive.button_reply.id`),
    /// or of a template's quick-reply button (`button.payload`).
    static func replyId(of message: MessageObject) -> String? {
        let id: String? = switch message.type {
        case "interactive": (message.interactive?.buttonReply ?? message.interactive?.listReply)?.id
        case "button": message.button?.payload
        default: nil
        }
        return id.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The text an agent reads and the attachment, per message type; nil for what is not a message (reactions).
    static func content(of message: MessageObject) -> (String, MediaInfo?)? {
        let type = message.type ?? "unknown"
        switch type {
        case "text":
            return (message.text?.body ?? "", nil)
        case "image", "video", "audio", "sticker", "document":
            let file = [message.image, message.video, message.audio, message.sticker, message.document]
                .compactMap { $0 }.first
            // The media id is kept so a later fetcher can download it (ids expire after 7 days).
            let media = MediaInfo(kind: type, fileName: file?.filename, mimeType: file?.mimeType,
                                  url: file?.id.map { "meta-media:\($0)" })
            return (file?.caption ?? "", media)
        case "location":
            let place = message.location
            let coordinates = place.flatMap { p in p.latitude.flatMap { lat in p.longitude.map { "\(lat),\($0)" } } }
            let label = [place?.name, place?.address].compactMap { $0 }.filter { !$0.isEmpty }.first ?? coordinates
            return ("", MediaInfo(kind: "location", fileName: label, url: coordinates.map { "geo:\($0)" }))
        case "contacts":
            // A shared contact card: the agent needs the name and number, so both go into the body.
            let lines = (message.contacts ?? []).map { card in
                let name = card.name?.formattedName ?? card.name?.firstName ?? "Contact"
                let phones = (card.phones ?? []).compactMap { $0.phone ?? $0.waId }
                return ([name] + phones).joined(separator: " ")
            }
            return (lines.joined(separator: "\n"),
                    MediaInfo(kind: "contacts", fileName: message.contacts?.first?.name?.formattedName))
        case "interactive":
            let reply = message.interactive?.buttonReply ?? message.interactive?.listReply
            return (reply?.title ?? "[unsupported: interactive \(message.interactive?.type ?? "")]", nil)
        case "button":
            return (message.button?.text ?? message.button?.payload ?? "", nil)
        case "system":
            return (message.system?.body ?? "", nil)
        case "reaction":
            // A reaction annotates an earlier message; there is no reaction model to attach it to yet.
            return nil
        default:
            return ("[unsupported: \(type)]", nil)
        }
    }

    static func report(_ status: Status) -> StatusReport? {
        guard let id = status.id, !id.isEmpty else { return nil }
        let mapped: DeliveryStatus
        switch status.status {
        case "sent": mapped = .sent
        case "delivered": mapped = .delivered
        case "read", "played": mapped = .read
        case "failed": mapped = .failed
        default: return nil  // e.g. "deleted", "warning": nothing the delivery state shows
        }
        return StatusReport(providerMessageId: id, status: mapped, error: status.errors?.first.map(describe), provider: .meta)
    }

    /// "Meta error 131047: Re-engagement message", the form agents see on a failed message.
    static func describe(_ error: ErrorObject) -> String {
        let code = error.code.map { "Meta error \($0)" } ?? "Meta error"
        guard let text = error.title ?? error.message, !text.isEmpty else { return code }
        return "\(code): \(text)"
    }

    // MARK: The documented JSON (snake_case keys, decoded with convertFromSnakeCase)

    struct Payload: Decodable {
        var object: String?
        var entry: [Entry]?
    }

    struct Entry: Decodable {
        var id: String?
        var changes: [Change]?
    }

    struct Change: Decodable {
        var field: String?
        var value: Value?
    }

    struct Value: Decodable {
        var metadata: Metadata?
        var contacts: [Contact]?
        var messages: [MessageObject]?
        var statuses: [Status]?
    }

    struct Metadata: Decodable {
        var displayPhoneNumber: String?
        var phoneNumberId: String?
    }

    struct Contact: Decodable {
        var waId: String?
        var profile: Profile?
        struct Profile: Decodable { var name: String? }
    }

    struct MessageObject: Decodable {
        var from: String?
        var id: String?
        var timestamp: Seconds?
        var type: String?
        var text: Text?
        var image: Media?
        var video: Media?
        var audio: Media?
        var sticker: Media?
        var document: Media?
        var location: Location?
        var contacts: [ContactCard]?
        var interactive: Interactive?
        var button: Button?
        var system: System?

        struct Text: Decodable { var body: String? }
        struct Media: Decodable {
            var id: String?
            var mimeType: String?
            var caption: String?
            var filename: String?
        }
        struct Location: Decodable {
            var latitude: Double?
            var longitude: Double?
            var name: String?
            var address: String?
        }
        struct ContactCard: Decodable {
            var name: Name?
            var phones: [Phone]?
            struct Name: Decodable {
                var formattedName: String?
                var firstName: String?
            }
            struct Phone: Decodable {
                var phone: String?
                var waId: String?
            }
        }
        struct Interactive: Decodable {
            var type: String?
            var buttonReply: Reply?
            var listReply: Reply?
            struct Reply: Decodable {
                var id: String?
                var title: String?
            }
        }
        struct Button: Decodable {
            var payload: String?
            var text: String?
        }
        struct System: Decodable {
            var body: String?
            var type: String?
            var waId: String?
        }
    }

    struct Status: Decodable {
        var id: String?
        var status: String?
        var timestamp: Seconds?
        var recipientId: String?
        var errors: [ErrorObject]?
    }

    struct ErrorObject: Decodable {
        var code: Int?
        var title: String?
        var message: String?
    }

    /// Meta sends Unix seconds as a string ("1749416383"); some relays send a number. Both are accepted.
    struct Seconds: Decodable {
        var seconds: Int64

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int64.self) {
                seconds = number
            } else if let parsed = Int64(try container.decode(String.self)) {
                seconds = parsed
            } else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "timestamp is not Unix seconds")
            }
        }
    }
}
