import CurlHTTP
import Foundation
import Hummingbird
import InboxModel

/// The demo's stand-in for Twilio's Messages API on 127.0.0.1: accepts sends and, like Twilio, reports
/// `delivered` and then `read` through signed status callbacks, so delivery marks move on screen. It also serves
/// the simulated patients' files at `/media/{name}`.
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
        router.get("/media/:name") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/pdf"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: Self.samplePDF)))
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) })
        task = Task { try await app.run() }
        for await bound in ports { port = bound; break }
    }

    public func stop() { task?.cancel() }

    /// A one-page PDF that says what it is.
    static let samplePDF = """
        %PDF-1.4
        1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
        2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
        3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 300 100] /Contents 4 0 R
          /Resources << /Font << /F1 5 0 R >> >> >> endobj
        4 0 obj << /Length 52 >> stream
        BT /F1 14 Tf 20 50 Td (Demo referral letter) Tj ET
        endstream endobj
        5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj
        trailer << /Root 1 0 R >>
        %%EOF
        """

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
