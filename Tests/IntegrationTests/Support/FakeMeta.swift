import Foundation
import Hummingbird

/// A local stand-in for the WhatsApp Cloud API's send endpoint (`POST /{version}/{phone_number_id}/messages`),
/// speaking its documented request and answer formats. It records each request and can be told to fail.
final class FakeMeta: @unchecked Sendable {
    enum Mode: Sendable { case accept, serverError, reject(status: Int, code: Int, message: String) }

    struct Sent: Sendable {
        var version: String
        var phoneNumberId: String
        var authorization: String
        var contentType: String
        /// The request body decoded as the documented text message; nil if it was not one.
        var message: TextMessage?
        var wamid: String?

        var to: String? { message?.to }
        var body: String? { message?.text?.body }
    }

    /// `{"messaging_product","recipient_type","to","type","text":{"preview_url","body"}}`
    struct TextMessage: Decodable, Sendable {
        var messaging_product: String?
        var recipient_type: String?
        var to: String?
        var type: String?
        var text: Text?
        struct Text: Decodable, Sendable {
            var preview_url: Bool?
            var body: String?
        }
    }

    private let lock = NSLock()
    private var _sent: [Sent] = []
    private var _mode: Mode = .accept
    private var task: Task<Void, any Error>?
    private(set) var port = 0

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var sent: [Sent] { lock.withLock { _sent } }
    var mode: Mode {
        get { lock.withLock { _mode } }
        set { lock.withLock { _mode = newValue } }
    }

    static func start() async throws -> FakeMeta {
        let fake = FakeMeta()
        let router = Router(context: BasicRequestContext.self)
        router.post("/:version/:phoneNumberId/messages") { request, context in
            var buffer = try await request.body.collect(upTo: 1 << 20)
            let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
            let sent = Sent(version: context.parameters.get("version") ?? "",
                            phoneNumberId: context.parameters.get("phoneNumberId") ?? "",
                            authorization: request.headers[.authorization] ?? "",
                            contentType: request.headers[.contentType] ?? "",
                            message: try? JSONDecoder().decode(TextMessage.self, from: Data(bytes)))
            return fake.answer(sent)
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) })
        fake.task = Task { try await app.run() }
        for await port in ports { fake.port = port; break }
        return fake
    }

    private func answer(_ request: Sent) -> Response {
        var sent = request
        let wamid = "wamid.HBgL\(UUID().uuidString.replacingOccurrences(of: "-", with: ""))"
        let mode: Mode = lock.withLock {
            if case .accept = _mode { sent.wamid = wamid }
            _sent.append(sent)
            return _mode
        }
        let json: String
        let status: HTTPResponse.Status
        switch mode {
        case .accept:
            status = .ok
            let to = sent.to ?? ""
            json = #"{"messaging_product":"whatsapp","contacts":[{"input":"\#(to)","wa_id":"\#(to.dropFirst())"}],"messages":[{"id":"\#(wamid)"}]}"#
        case .serverError:
            status = .internalServerError
            json = #"{"error":{"message":"An unknown error occurred","type":"OAuthException","code":1,"fbtrace_id":"Afake"}}"#
        case .reject(let code, let errorCode, let message):
            status = .init(code: code)
            json = #"{"error":{"message":"\#(message)","type":"OAuthException","code":\#(errorCode),"fbtrace_id":"Afake"}}"#
        }
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
    }

    func stop() async {
        task?.cancel()
        _ = try? await task?.value
    }
}
