import Foundation
import Hummingbird
import CurlHTTP

/// A local stand-in for Twilio's Messages API (`POST /2010-04-01/Accounts/{sid}/Messages.json`), speaking its
/// documented request and answer formats. It records each request and can be told to fail.
final class FakeTwilio: ProviderFake, @unchecked Sendable {
    enum Mode: Sendable { case accept, serverError, reject(code: Int, message: String) }

    struct Sent: Sendable {
        var to: String
        var from: String
        var body: String
        var authorization: String
        var contentSid: String? = nil
        var contentVariables: String? = nil
        var mediaURL: String? = nil
        /// When the request arrived (to measure how long the server left Twilio alone).
        var receivedAt = ContinuousClock.now
    }

    let recorder = ProviderRecorder<Sent, Mode>(mode: .accept)
    /// Patients' media, at `{baseURL}/media/{name}` behind the account's Basic auth.
    let shelf = MediaShelf()

    static func start() async throws -> FakeTwilio {
        let fake = FakeTwilio()
        let router = Router(context: BasicRequestContext.self)
        router.post("/2010-04-01/Accounts/:sid/Messages.json") { request, _ in
            var buffer = try await request.body.collect(upTo: 1 << 20)
            let text = buffer.readString(length: buffer.readableBytes) ?? ""
            let form = Dictionary(FormEncoding.decode(text) ?? [], uniquingKeysWith: { a, _ in a })
            let sent = Sent(to: form["To"] ?? "", from: form["From"] ?? "", body: form["Body"] ?? "",
                            authorization: request.headers[.authorization] ?? "",
                            contentSid: form["ContentSid"], contentVariables: form["ContentVariables"],
                            mediaURL: form["MediaUrl"])
            return fake.answer(sent)
        }
        fake.shelf.register(on: router, prefix: "/media")
        await fake.recorder.serve(router)
        return fake
    }

    private func answer(_ sent: Sent) -> Response {
        let (_, mode) = recorder.record { _ in sent }
        let json: String
        let status: HTTPResponse.Status
        switch mode {
        case .accept:
            status = .created
            json = #"{"sid":"SM\#(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(32).lowercased())","status":"queued"}"#
        case .serverError:
            status = .internalServerError
            json = #"{"code":20500,"message":"Internal Server Error","status":500}"#
        case .reject(let code, let message):
            status = .badRequest
            json = #"{"code":\#(code),"message":"\#(message)","status":400}"#
        }
        return Self.json(status, json)
    }

}
