import CurlHTTP
import Foundation
import HTTPTypes
import Hummingbird
import InboxModel
import Logging

/// `POST /webhooks/twilio` (inbound messages) and `POST /webhooks/twilio/status` (delivery callbacks).
struct TwilioRoutes: Sendable {
    let store: any InboxStore
    let signature: TwilioSignature?
    let maxBytes: Int
    let onInbound: @Sendable ([InboundFollowUp.Ingested]) async -> Void
    let logger: Logger
    let publicURLProvider: @Sendable () -> String

    func register(on router: Router<BasicRequestContext>) {
        router.post("/webhooks/twilio") { request, _ in
            let form = try await verifiedForm(request)
            let inbound: InboundMessage
            do {
                inbound = try TwilioWebhook.inbound(form, receivedAt: Millis(Date().timeIntervalSince1970 * 1000))
            } catch {
                throw APIError(.badRequest, "malformed_webhook", "Twilio webhook is invalid: \(error)")
            }
            let outcome = try await store.ingest(inbound)
            if outcome == .unknownNumber {
                logger.warning("Twilio message for an unregistered number was refused")
                throw APIError(.notFound, "unknown_number", "No clinic owns the number this message was sent to.")
            }
            await onInbound([.init(message: inbound, outcome: outcome)])
            return Response.emptyTwiML
        }
        router.post("/webhooks/twilio/status") { request, _ in
            let form = try await verifiedForm(request)
            let report: StatusReport?
            do {
                report = try TwilioWebhook.status(form)
            } catch {
                throw APIError(.badRequest, "malformed_webhook", "Twilio status callback is invalid: \(error)")
            }
            if let report { try await store.applyStatus(report) }
            return Response.emptyTwiML
        }
    }

    /// Size cap, form decoding and the signature over exactly the parameters that arrived.
    private func verifiedForm(_ request: Request) async throws -> [(String, String)] {
        let body = try await request.bytes(upTo: maxBytes)
        guard let text = String(validating: body, as: UTF8.self), let form = FormEncoding.decode(text) else {
            throw APIError(.badRequest, "malformed_body", "The body is not form-encoded UTF-8.")
        }
        guard let signature else {
            logger.error("Twilio webhook refused: no TWILIO_AUTH_TOKEN configured")
            throw APIError(.forbidden, "not_configured", "Twilio is not configured on this server.")
        }
        let given = request.headers[.twilioSignature] ?? ""
        guard signature.isValid(signature: given, url: publicURLProvider() + request.uri.description, parameters: form) else {
            throw APIError(.forbidden, "bad_signature", "X-Twilio-Signature does not match.")
        }
        return form
    }
}
