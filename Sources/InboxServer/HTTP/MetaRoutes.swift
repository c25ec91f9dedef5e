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
    let onInbound: @Sendable ([InboundFollowUp.Ingested]) async -> Void
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
        /// Gives each update the clinic number its phone_number_id belongs to. An update for an unregistered
        /// number is dropped: answering an error would make Meta redeliver the whole batch for days, and the other
        /// numbers' updates are fine. Registering the number later does not recover it.
        func stamped<Update>(_ routed: [(phoneNumberId: String, update: Update)], kind: String,
                             _ stamp: (inout Update, String) -> Void) async throws -> [Update] {
            var stamped: [Update] = []
            for (phoneNumberId, update) in routed {
                if numbers[phoneNumberId] == nil {
                    numbers[phoneNumberId] = .some(try await store.clinicNumber(provider: .meta, providerRef: phoneNumberId))
                }
                guard let number = numbers[phoneNumberId] ?? nil else {
                    logger.warning("Meta \(kind) for unregistered phone_number_id \(phoneNumberId) was dropped")
                    continue
                }
                var update = update
                stamp(&update, number)
                stamped.append(update)
            }
            return stamped
        }
        let inbound = try await stamped(batch.messages.map { ($0.phoneNumberId, $0.message) }, kind: "message") {
            $0.clinicNumber = $1
        }
        let outcomes = try await store.ingest(inbound)
        if outcomes.contains(.unknownNumber) { logger.warning("Meta message refused: its number is no longer registered") }
        await onInbound(zip(inbound, outcomes).map { .init(message: $0, outcome: $1) })
        // A status applies only to a message this clinic number sent through Meta.
        let statuses = try await stamped(batch.statuses.map { ($0.phoneNumberId, $0.report) }, kind: "status") {
            $0.clinicNumber = $1
        }
        try await store.applyStatuses(statuses)
        return Response(status: .ok)
    }
}

extension HTTPField.Name {
    static let hubSignature256 = HTTPField.Name("X-Hub-Signature-256")!
}
