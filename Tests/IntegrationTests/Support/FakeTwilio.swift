import Foundation
import Hummingbird
import CurlHTTP

/// A local stand-in for Twilio's Messages API (`POST /2010-04-01/Accounts/{sid}/Messages.json`), speaking its
/// documented request and answer formats. It records each request and can be told to fail.
final class FakeTwilio: @unchecked Sendable {
    enum Mode: Sendable { case accept, serverError, reject(code: Int, message: String) }

    struct Sent: Sendable {
        var to: String
        var from: String
        var body: String
        var authorization: String
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

    static func start() async throws -> FakeTwilio {
        let fake = FakeTwilio()
        let router = Router(context: BasicRequestContext.self)
        router.post("/2010-04-01/Accounts/:sid/Messages.json") { request, _ in
            var buffer = try await request.body.collect(upTo: 1 << 20)
            let text = buffer.readString(length: buffer.readableBytes) ?? ""
            let form = Dictionary(FormEncoding.decode(text) ?? [], uniquingKeysWith: { a, _ in a })
            let sent = Sent(to: form["To"] ?? "", from: form["From"] ?? "", body: form["Body"] ?? "",
                            authorization: request.headers[.authorization] ?? "")
            return fake.answer(sent)
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) })
        fake.task = Task { try await app.run() }
        for await port in ports { fake.port = port; break }
        return fake
    }

    private func answer(_ sent: Sent) -> Response {
        let mode: Mode = lock.withLock {
            _sent.append(sent)
            return _mode
        }
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
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
    }

    func stop() async {
        task?.cancel()
        _ = try? await task?.value
    }
}
