import Foundation
import InboxModel

/// Parses WAHA's webhook envelope (`{"event", "session", "payload", …}`) into provider-neutral values.
///
/// WAHA drives a WhatsApp client session, so it also reports things a business API never would (the clinic's own
/// messages, groups, status broadcasts); those come back as `.ignored` and are answered 200.
public enum WahaWebhook {
    public enum Event: Sendable {
        /// A patient's message to the number behind `session`; `message.clinicNumber` is empty until routed.
        case message(session: String, InboundMessage)
        /// A delivery ack for a message sent through `session`.
        case status(session: String, StatusReport)
        /// The session's state (`WORKING`, `SCAN_QR_CODE`, `FAILED`, `STOPPED`, …).
        case sessionStatus(session: String, state: String)
        case ignored(reason: String)
    }

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case missing(String)

        public var description: String {
            switch self {
            case .missing(let field): "the \(field) field is missing"
            }
        }
    }

    /// Hex HMAC-SHA512 of the raw body, the `X-Webhook-Hmac` WAHA sends when the webhook has an `hmac.key`.
    public static func signature(body: [UInt8], key: String) -> String {
        WebhookHMAC.sha512Hex(body, key: key)
    }

    public static func isValid(signature: String, body: [UInt8], key: String) -> Bool {
        WebhookHMAC.matches(given: signature, expected: WebhookHMAC.sha512Hex(body, key: key))
    }

    /// Throws `DecodingError` for a body that is not a JSON envelope, `ParseError` for one missing its keys.
    public static func parse(_ body: [UInt8], receivedAt: Millis) throws -> Event {
        let data = Data(body)
        let decoder = JSONDecoder()
        let header = try decoder.decode(Header.self, from: data)
        guard let event = header.event, !event.isEmpty else { throw ParseError.missing("event") }
        switch event {
        case "message":
            guard let session = header.session, !session.isEmpty else { throw ParseError.missing("session") }
            let payload = try decoder.decode(Envelope<MessagePayload>.self, from: data).payload
            // The envelope's timestamp is already milliseconds; the payload's is seconds.
            return try message(payload, session: session, receivedAt: receivedAt, envelopeTime: header.timestamp)
        case "message.ack":
            // Acks are scoped to the session's number: the session is as required as for messages.
            guard let session = header.session, !session.isEmpty else { throw ParseError.missing("session") }
            let payload = try decoder.decode(Envelope<AckPayload>.self, from: data).payload
            return try ack(payload, session: session)
        case "session.status":
            guard let session = header.session, !session.isEmpty else { throw ParseError.missing("session") }
            let payload = try decoder.decode(Envelope<SessionPayload>.self, from: data).payload
            guard let state = payload?.status, !state.isEmpty else { throw ParseError.missing("payload.status") }
            return .sessionStatus(session: session, state: state)
        default:
            // `message.any` repeats `message` plus the clinic's own sends; groups have their own events.
            return .ignored(reason: "event \(event)")
        }
    }

    static func message(_ payload: MessagePayload?, session: String, receivedAt: Millis, envelopeTime: Millis?) throws -> Event {
        guard let payload else { throw ParseError.missing("payload") }
        guard let id = payload.id, !id.isEmpty else { throw ParseError.missing("payload.id") }
        guard let from = payload.from, !from.isEmpty else { throw ParseError.missing("payload.from") }
        if payload.fromMe == true { return .ignored(reason: "sent from the clinic's own phone") }
        guard let phone = phone(fromChatId: from) else { return .ignored(reason: "not a one-to-one chat") }
        var media: MediaInfo?
        if payload.hasMedia == true {
            // `media: null` means WAHA did not download the file: the agent still sees that one was sent.
            let mime = payload.media?.mimetype
            media = MediaInfo(kind: mime.map(MediaTypes.kind(of:)) ?? "file", fileName: payload.media?.filename,
                              mimeType: mime, url: payload.media?.url)
        }
        let providerTime = payload.timestamp.flatMap(ProviderTime.millis(fromSeconds:)) ?? envelopeTime
        return .message(session: session, InboundMessage(
            provider: .waha, clinicNumber: "", channelIdentity: "whatsapp:\(phone)", phone: phone,
            profileName: payload.data?.name, providerMessageId: id, body: payload.body ?? "", media: media,
            receivedAt: receivedAt, providerTime: providerTime))
    }

    static func ack(_ payload: AckPayload?, session: String) throws -> Event {
        guard let payload else { throw ParseError.missing("payload") }
        guard let id = payload.id, !id.isEmpty else { throw ParseError.missing("payload.id") }
        let level = payload.ack ?? ackLevels[payload.ackName ?? ""]
        let status: DeliveryStatus
        switch level {
        case -1: status = .failed
        case 1: status = .sent
        case 2: status = .delivered
        case 3, 4: status = .read  // 4 is PLAYED: a voice note listened to has certainly been read
        case 0: return .ignored(reason: "ack PENDING")
        default: throw ParseError.missing("payload.ack")
        }
        return .status(session: session, StatusReport(providerMessageId: id, status: status,
                                                      error: status == .failed ? "WAHA reported ERROR for this message" : nil,
                                                      provider: .waha))
    }

    static let ackLevels = ["ERROR": -1, "PENDING": 0, "SERVER": 1, "DEVICE": 2, "READ": 3, "PLAYED": 4]

    /// `15551234567@c.us` → `+15551234567`. Newer engines may say `@s.whatsapp.net` for the same thing. Groups
    /// (`@g.us`), broadcasts and hidden-number ids (`@lid`) are not a patient's phone: nil.
    static func phone(fromChatId chatId: String) -> String? {
        let parts = chatId.split(separator: "@", maxSplits: 1)
        guard parts.count == 2, ["c.us", "s.whatsapp.net"].contains(parts[1]) else { return nil }
        let digits = parts[0].split(separator: ":").first ?? ""  // multi-device suffix, e.g. 1555…:12@s.whatsapp.net
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        return "+" + digits
    }

    /// What a session state means for the clinic, shown next to the channel in the app.
    public static func detail(forState state: String) -> String? {
        switch state {
        case "WORKING": nil
        case "SCAN_QR_CODE": "WhatsApp is logged out: scan the QR code in WAHA with the clinic's phone"
        case "STARTING": "The WhatsApp session is starting"
        case "FAILED": "The WhatsApp session failed: restart it in WAHA"
        case "STOPPED": "The WhatsApp session is stopped: start it in WAHA"
        default: nil
        }
    }

    // MARK: The documented JSON

    struct Header: Decodable {
        var event: String?
        var session: String?
        /// Milliseconds since the epoch.
        var timestamp: Int64?
    }

    struct Envelope<Payload: Decodable>: Decodable {
        var payload: Payload?
    }

    struct MessagePayload: Decodable {
        var id: String?
        /// Seconds since the epoch.
        var timestamp: Int64?
        var from: String?
        var fromMe: Bool?
        var body: String?
        var hasMedia: Bool?
        var media: Media?
        var data: EngineData?

        enum CodingKeys: String, CodingKey {
            case id, timestamp, from, fromMe, body, hasMedia, media
            case data = "_data"
        }

        struct Media: Decodable {
            var url: String?
            var mimetype: String?
            var filename: String?
        }
    }

    /// `_data` differs per engine and carries no promises, so it is read defensively: only the sender's display
    /// name is taken from it, and any shape it has decodes.
    struct EngineData: Decodable {
        var name: String?

        enum CodingKeys: String, CodingKey { case notifyName, pushName }

        init(from decoder: any Decoder) throws {
            let container = try? decoder.container(keyedBy: CodingKeys.self)
            let candidates = [CodingKeys.notifyName, .pushName].compactMap { key in
                (try? container?.decodeIfPresent(String.self, forKey: key)) ?? nil
            }
            name = candidates.first { !$0.isEmpty }
        }
    }

    struct AckPayload: Decodable {
        var id: String?
        var ack: Int?
        var ackName: String?
    }

    struct SessionPayload: Decodable {
        var name: String?
        var status: String?
    }
}
