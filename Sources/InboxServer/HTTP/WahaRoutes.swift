import Foundation
import HTTPTypes
import Hummingbird
import InboxModel
import Logging

/// `POST /webhooks/waha`: messages, delivery acks and session health from a self-hosted WAHA.
struct WahaRoutes: Sendable {
    let store: any InboxStore
    let settings: ServerConfiguration.WahaSettings
    let maxBytes: Int
    let onInbound: @Sendable ([InboundFollowUp.Ingested]) async -> Void
    let logger: Logger

    func register(on router: Router<BasicRequestContext>) {
        router.post("/webhooks/waha") { request, _ in
            try await receive(request)
        }
    }

    /// Everything is stored before answering, so a 200 means durable; WAHA retries anything else per its retry
    /// policy and ingest dedupes on the message id. Events that can never be stored (unknown session, groups)
    /// are answered 200 too: a retry would not change them.
    func receive(_ request: Request) async throws -> Response {
        // A server with no WAHA channel has no WAHA endpoint: nothing can be forged through it.
        guard try await store.hasNumbers(provider: .waha) else {
            throw APIError(.notFound, "not_found", "No WAHA number is registered on this server.")
        }
        let body = try await request.bytes(upTo: maxBytes)
        if let key = settings.hmacKey, !key.isEmpty {
            guard WahaWebhook.isValid(signature: request.headers[.webhookHmac] ?? "", body: body, key: key) else {
                throw APIError(.forbidden, "bad_signature", "X-Webhook-Hmac does not match.")
            }
        } else if !settings.allowUnsigned {
            logger.error("WAHA webhook refused: no WAHA_HMAC_KEY configured (INBOX_WAHA_ALLOW_UNSIGNED=1 is for labs only)")
            throw APIError(.forbidden, "not_configured", "WAHA webhooks must be signed: WAHA_HMAC_KEY is not set.")
        }
        let event: WahaWebhook.Event
        do {
            event = try WahaWebhook.parse(body, receivedAt: Millis(Date().timeIntervalSince1970 * 1000))
        } catch {
            throw APIError(.badRequest, "malformed_webhook", "WAHA webhook is invalid: \(Self.describe(error))")
        }
        switch event {
        case .message(let session, var message):
            guard let clinicNumber = try await number(for: session) else { break }
            message.clinicNumber = clinicNumber
            let outcome = try await store.ingest(message)
            if outcome == .unknownNumber {
                logger.warning("WAHA message for \(clinicNumber) refused: the number is no longer registered")
            }
            await onInbound([.init(message: message, outcome: outcome)])
        case .status(let session, var report):
            // Only messages sent through this session's number, and so its clinic, take the ack.
            guard let clinicNumber = try await number(for: session) else { break }
            report.clinicNumber = clinicNumber
            try await store.applyStatus(report)
        case .sessionStatus(let session, let state):
            guard let clinicNumber = try await number(for: session) else { break }
            logger.info("WAHA session \(session) is \(state)")
            try await store.setChannelHealth(clinicNumber: clinicNumber, provider: .waha, state: state,
                                             detail: WahaWebhook.detail(forState: state))
        case .ignored:
            break
        }
        return Response(status: .ok)
    }

    private func number(for session: String) async throws -> String? {
        let number = try await store.clinicNumber(provider: .waha, providerRef: session)
        if number == nil { logger.warning("WAHA event for unregistered session \(session) was dropped") }
        return number
    }

    /// Which field was wrong, without echoing any of the body (it may hold a patient's message).
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as WahaWebhook.ParseError: error.description
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "unexpected value at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        default: "not a JSON object"
        }
    }
}

extension HTTPField.Name {
    static let webhookHmac = HTTPField.Name("X-Webhook-Hmac")!
}
