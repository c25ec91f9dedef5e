import CurlHTTP
import Foundation
import Hummingbird
import InboxModel

/// The demo's stand-in for Twilio's Messages API on 127.0.0.1: accepts sends and, like Twilio, reports
/// `delivered` and then `read` through signed status callbacks, so delivery marks move on screen.
public final class DemoTwilio: @unchecked Sendable {
    private let authToken: String
    private let statusURL: @Sendable () -> String
    private var task: Task<Void, any Error>?
    public private(set) var port = 0

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    public init(authToken: String, statusURL: @escaping @Sendable () -> String) {
        self.authToken = authToken
        self.statusURL = statusURL
    }

    public func start() async throws {
        let router = Router(context: BasicRequestContext.self)
        router.post("/2010-04-01/Accounts/:sid/Messages.json") { _, _ in
            let sid = "SM" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            Task { await self.report(sid) }
            return Response(status: .created, headers: [.contentType: "application/json"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"sid":"\#(sid)","status":"queued"}"#)))
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) })
        task = Task { try await app.run() }
        for await bound in ports { port = bound; break }
    }

    public func stop() { task?.cancel() }

    private func report(_ sid: String) async {
        for (delay, status) in [(700, "delivered"), (2500, "read")] {
            try? await Task.sleep(for: .milliseconds(delay))
            let parameters = [("MessageSid", sid), ("MessageStatus", status), ("AccountSid", "ACdemo")]
            let url = statusURL()
            let signature = TwilioSignature(authToken: authToken).sign(url: url, parameters: parameters)
            _ = try? await HTTPClient.shared.send(HTTPClient.Request(
                method: "POST", url: url,
                headers: [("Content-Type", "application/x-www-form-urlencoded"), ("X-Twilio-Signature", signature)],
                body: Array(FormEncoding.encode(parameters).utf8)))
        }
    }
}
