import Foundation
import HTTPTypes
import Hummingbird
import InboxModel
import Logging

/// `GET /webhooks/meta` (Meta's subscription handshake) and `POST /webhooks/meta` (messages and statuses).
struct MetaRoutes: Sendable {
    let store: any InboxStore
    let settings: ServerConfiguration.MetaSettings
    let maxBytes: Int
    let onInbound: @Sendable (IngestOutcome) async -> Void
    let logger: Logger

    func register(on router: Router<BasicRequestContext>) {
        router.get("/webhooks/meta") { request, _ in
            try verify(request)
        }
        router.post("/webhooks/meta") { request, _ in
            try await receive(request)
        }
    }

    /// Meta proves it holds the verify token we gave it and expects the challenge echoed back verbatim.
    func verify(_ request: Request) throws -> Response {
        let query = request.uri.queryParameters
        guard let expected = settings.verifyToken, !expected.isEmpty else {
            logger.error("Meta webhook verification refused: no META_VERIFY_TOKEN configured")
            throw APIError(.forbidden, "not_configured", "Meta is not configured on this server.")
        }
        let given = query.get("hub.verify_token") ?? ""
        guard query.get("hub.mode") == "subscribe",
              constantTimeEquals(Data(given.utf8), Data(expected.utf8)),
              let challenge = query.get("hub.challenge") else {
            throw APIError(.forbidden, "bad_verify_token", "hub.mode or hub.verify_token does not match.")
        }
        return Response(status: .ok, headers: [.contentType: "text/plain"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: challenge)))
    }

    /// Stores the batch before answering, so a 200 means every update is durable; Meta redelivers anything that
    /// got no 2xx and ingest dedupes on the wamid. The bot runs off the request path (`onInbound`).
    func receive(_ request: Request) async throws -> Response {
        let body = try await request.bytes(upTo: maxBytes)
        guard let secret = settings.appSecret, !secret.isEmpty else {
            logger.error("Meta webhook refused: no META_APP_SECRET configured")
            throw APIError(.forbidden, "not_configured", "Meta is not configured on this server.")
        }
        guard MetaWebhook.isValid(signature: request.headers[.hubSignature256] ?? "", body: body, appSecret: secret) else {
            throw APIError(.forbidden, "bad_signature", "X-Hub-Signature-256 does not match.")
        }
        let batch: MetaWebhook.Batch
        do {
            batch = try MetaWebhook.parse(body, receivedAt: Millis(Date().timeIntervalSince1970 * 1000))
        } catch {
            throw APIError(.badRequest, "malformed_webhook", "Meta webhook is not the documented JSON.")
        }
        if batch.skipped > 0 { logger.info("Meta webhook: \(batch.skipped) update(s) skipped (reactions or unkeyed)") }

        var numbers: [String: String?] = [:]  // phone_number_id → clinic number, looked up once per batch
        func clinicNumber(_ phoneNumberId: String) async throws -> String? {
            if numbers[phoneNumberId] == nil {
                numbers[phoneNumberId] = .some(try await store.clinicNumber(provider: .meta, providerRef: phoneNumberId))
            }
            return numbers[phoneNumberId] ?? nil
        }
        var inbound: [InboundMessage] = []
        for routed in batch.messages {
            guard let number = try await clinicNumber(routed.phoneNumberId) else {
                // Answering an error would make Meta redeliver the whole batch for days; the other numbers' updates
                // are fine. Registering the number later does not recover these.
                logger.warning("Meta message for unregistered phone_number_id \(routed.phoneNumberId) was dropped")
                continue
            }
            var message = routed.message
            message.clinicNumber = number
            inbound.append(message)
        }
        for outcome in try await store.ingest(inbound) {
            if outcome == .unknownNumber { logger.warning("Meta message refused: its number is no longer registered") }
            await onInbound(outcome)
        }
        // A status applies only to a message this clinic number sent through Meta.
        var statuses: [StatusReport] = []
        for routed in batch.statuses {
            guard let number = try await clinicNumber(routed.phoneNumberId) else {
                logger.warning("Meta status for unregistered phone_number_id \(routed.phoneNumberId) was dropped")
                continue
            }
            var report = routed.report
            report.clinicNumber = number
            statuses.append(report)
        }
        try await store.applyStatuses(statuses)
        return Response(status: .ok)
    }
}

extension HTTPField.Name {
    static let hubSignature256 = HTTPField.Name("X-Hub-Signature-256")!
}
