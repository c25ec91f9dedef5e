import Foundation
import Hummingbird
import InboxModel
import Logging

/// `POST /webhooks/gupshup/{token}`: patients' messages and delivery events from Gupshup's v2 callbacks.
///
/// Gupshup signs nothing, so the token in the URL is the proof: it must be the callback token of the number the
/// callback's app is registered for (`GupshupWebhook.callbackToken`). Without it (or on the bare path) a message or
/// event is refused with 403 before anything is stored.
struct GupshupRoutes: Sendable {
    let store: any InboxStore
    let maxBytes: Int
    /// The database's random key the callback tokens are derived from.
    let tokenKey: String
    let onInbound: @Sendable ([InboundFollowUp.Ingested]) async -> Void
    let logger: Logger

    func register(on router: Router<BasicRequestContext>) {
        router.post("/webhooks/gupshup") { request, _ in
            try await receive(request, token: "")
        }
        router.post("/webhooks/gupshup/:token") { request, context in
            try await receive(request, token: context.parameters.get("token") ?? "")
        }
    }

    /// Stored before answering, so a 200 means durable; Gupshup retries what gets no 2xx within 10 seconds and
    /// ingest dedupes on the message id. What the inbox does not keep is answered 200, so it is not retried.
    func receive(_ request: Request, token: String) async throws -> Response {
        // A server with no Gupshup number has no Gupshup endpoint: nothing can be forged through it.
        guard try await store.hasNumbers(provider: .gupshup) else {
            throw APIError(.notFound, "not_found", "No Gupshup number is registered on this server.")
        }
        let body = try await request.bytes(upTo: maxBytes)
        let event: GupshupWebhook.Event
        do {
            event = try GupshupWebhook.parse(body, receivedAt: Millis(Date().timeIntervalSince1970 * 1000))
        } catch {
            throw APIError(.badRequest, "malformed_webhook", "Gupshup callback is not a JSON object.")
        }
        switch event {
        case .message(let app, var message):
            message.clinicNumber = try await authenticatedNumber(app: app, token: token)
            let outcome = try await store.ingest(message)
            if outcome == .unknownNumber { logger.warning("Gupshup message refused: its number is no longer registered") }
            await onInbound([.init(message: message, outcome: outcome)])
        case .status(let app, var report):
            // Only messages sent from this app's number, and so its clinic, take the event.
            report.clinicNumber = try await authenticatedNumber(app: app, token: token)
            try await store.applyStatus(report)
        case .ignored(let why):
            logger.debug("Gupshup callback ignored: \(why)")
        }
        return Response(status: .ok)
    }

    /// The clinic number of `app`, if `token` is that number's callback token; 403 otherwise. An unknown app is
    /// refused the same way: without its number there is nothing to check the token against.
    private func authenticatedNumber(app: String, token: String) async throws -> String {
        guard let number = try await store.clinicNumber(provider: .gupshup, providerRef: app) else {
            logger.warning("Gupshup callback for an app no number is registered with was refused")
            throw APIError(.forbidden, "unknown_app", "No Gupshup number is registered for this app.")
        }
        guard GupshupWebhook.isValid(token: token, clinicNumber: number, key: tokenKey) else {
            throw APIError(.forbidden, "bad_token", "The callback URL's token does not match this app's number.")
        }
        return number
    }
}
