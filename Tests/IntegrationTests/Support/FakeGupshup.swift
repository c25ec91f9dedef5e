import CurlHTTP
import Foundation
import Hummingbird

/// A local stand-in for Gupshup's WhatsApp API, speaking its documented formats: `POST /wa/api/v1/msg` and
/// `POST /wa/api/v1/template/msg`, form-encoded with an `apikey` header, answered `{"status":"submitted","messageId"}`.
/// It records each request, can be told to fail, and serves patients' media at `/media/{name}` the way Gupshup's
/// expiring links do: to anyone holding the link, so it also records whether a key came along.
final class FakeGupshup: ProviderFake, @unchecked Sendable {
    enum Mode: Sendable {
        case accept
        case serverError
        /// A documented error answer: `{"status":"error","message":…}` with this HTTP status.
        case refuse(status: Int, message: String)
    }

    struct Sent: Sendable {
        /// `/wa/api/v1/msg` or `/wa/api/v1/template/msg`.
        var path: String
        var apiKey: String
        var contentType: String
        var form: [String: String]
        /// The id this fake answered with, when it accepted.
        var messageId: String?

        var channel: String? { form["channel"] }
        var source: String? { form["source"] }
        var destination: String? { form["destination"] }
        var appName: String? { form["src.name"] }
        /// `message` decoded: `{"type":"text","text"}`, `{"type":"image","originalUrl","previewUrl","caption"}`, …
        var message: [String: String]? { form["message"].flatMap(Self.object) }
        /// `template` decoded: `{"id","params":[…]}`.
        var template: Template? { form["template"].flatMap { try? JSONDecoder().decode(Template.self, from: Data($0.utf8)) } }

        struct Template: Decodable, Sendable {
            var id: String
            var params: [String]
        }

        static func object(_ json: String) -> [String: String]? {
            (try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])?
                .compactMapValues { $0 as? String }
        }
    }

    let recorder = ProviderRecorder<Sent, Mode>(mode: .accept)
    private let lock = NSLock()
    private var files: [String: (type: String, bytes: [UInt8])] = [:]
    private var downloadHeaders: [[String]] = []
    /// The header names each media download came with.
    var downloads: [[String]] { lock.withLock { downloadHeaders } }

    func put(_ name: String, contentType: String, bytes: [UInt8]) {
        lock.withLock { files[name] = (contentType, bytes) }
    }

    static func start() async throws -> FakeGupshup {
        let fake = FakeGupshup()
        let router = Router(context: BasicRequestContext.self)
        for path in ["/wa/api/v1/msg", "/wa/api/v1/template/msg"] {
            router.post(RouterPath(stringLiteral: path)) { request, _ in
                var buffer = try await request.body.collect(upTo: 1 << 20)
                let text = buffer.readString(length: buffer.readableBytes) ?? ""
                let form = Dictionary(FormEncoding.decode(text) ?? [], uniquingKeysWith: { a, _ in a })
                return fake.answer(Sent(path: path, apiKey: request.headers.first { $0.name.canonicalName.lowercased() == "apikey" }?.value ?? "",
                                        contentType: request.headers[.contentType] ?? "", form: form))
            }
        }
        router.get("/media/:name") { request, context in
            let file = fake.lock.withLock { () -> (type: String, bytes: [UInt8])? in
                fake.downloadHeaders.append(request.headers.map { $0.name.canonicalName.lowercased() })
                return fake.files[context.parameters.get("name") ?? ""]
            }
            guard let file else { return Response(status: .notFound) }
            return Response(status: .ok, headers: [.contentType: file.type], body: ResponseBody(byteBuffer: ByteBuffer(bytes: file.bytes)))
        }
        await fake.recorder.serve(router)
        return fake
    }

    private func answer(_ request: Sent) -> Response {
        let id = UUID().uuidString.lowercased()
        let (_, mode) = recorder.record { mode in
            var sent = request
            if case .accept = mode { sent.messageId = id }
            return sent
        }
        switch mode {
        case .accept:
            return Self.json(.ok, #"{"status":"submitted","messageId":"\#(id)"}"#)
        case .serverError:
            return Self.json(.internalServerError, #"{"status":"error","message":"Internal Server Error"}"#)
        case .refuse(let status, let message):
            return Self.json(.init(code: status), #"{"status":"error","message":"\#(message)"}"#)
        }
    }
}
