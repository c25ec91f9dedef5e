import Foundation
import Hummingbird

/// A local stand-in for WAHA's `POST /api/sendText`, answering like the WEBJS engine (an `id` object carrying
/// `_serialized`) or with a plain string id. It records each request and can be told to fail.
final class FakeWaha: ProviderFake, @unchecked Sendable {
    enum Mode: Sendable {
        case acceptObjectId, acceptStringId, serverError
        /// WAHA's answer while the session is not WORKING.
        case sessionNotReady
        case reject(status: Int, message: String)
    }

    struct Sent: Sendable {
        var apiKey: String?
        var session: String?
        var chatId: String?
        var text: String?
        /// The serialized id answered, which `message.ack` webhooks quote.
        var messageId: String?
    }

    private struct SendText: Decodable {
        var session: String?
        var chatId: String?
        var text: String?
    }

    let recorder = ProviderRecorder<Sent, Mode>(mode: .acceptObjectId)

    static func start() async throws -> FakeWaha {
        let fake = FakeWaha()
        let router = Router(context: BasicRequestContext.self)
        router.post("/api/sendText") { request, _ in
            var buffer = try await request.body.collect(upTo: 1 << 20)
            let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
            let body = try? JSONDecoder().decode(SendText.self, from: Data(bytes))
            let sent = Sent(apiKey: request.headers.first { $0.name.canonicalName == "x-api-key" }?.value, session: body?.session,
                            chatId: body?.chatId, text: body?.text)
            return fake.answer(sent)
        }
        await fake.recorder.serve(router)
        return fake
    }

    private func answer(_ request: Sent) -> Response {
        let chat = request.chatId ?? ""
        let short = "3EB0" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(18)
        let serialized = "true_\(chat)_\(short)"
        let (_, mode) = recorder.record { mode in
            var sent = request
            switch mode {
            case .acceptObjectId, .acceptStringId: sent.messageId = serialized
            default: break
            }
            return sent
        }
        let json: String
        var status = HTTPResponse.Status.created
        switch mode {
        case .acceptObjectId:
            json = #"{"id":{"fromMe":true,"remote":"\#(chat)","id":"\#(short)","_serialized":"\#(serialized)"},"ack":0,"hasMedia":false,"fromMe":true,"to":"\#(chat)"}"#
        case .acceptStringId:
            json = #"{"id":"\#(serialized)","timestamp":1667561485,"fromMe":true,"to":"\#(chat)"}"#
        case .serverError:
            status = .internalServerError
            json = #"{"statusCode":500,"message":"Internal server error"}"#
        case .sessionNotReady:
            status = .unprocessableContent
            json = #"{"error":"Session status is not as expected. Try again later or restart the session","session":"default","status":"SCAN_QR_CODE","expected":["WORKING"]}"#
        case .reject(let code, let message):
            status = .init(code: code)
            json = #"{"statusCode":\#(code),"message":"\#(message)","error":"Bad Request"}"#
        }
        return Self.json(status, json)
    }

}
