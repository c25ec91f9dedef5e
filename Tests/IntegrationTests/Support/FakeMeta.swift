import Foundation
import Hummingbird

/// A local stand-in for the WhatsApp Cloud API's send endpoint (`POST /{version}/{phone_number_id}/messages`),
/// speaking its documented request and answer formats. It records each request and can be told to fail.
final class FakeMeta: ProviderFake, @unchecked Sendable {
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
        var template: Template?
        var interactive: Interactive?
        /// An interactive list or reply buttons: the rows' or buttons' ids and titles.
        struct Interactive: Decodable, Sendable {
            var type: String
            var body: Body?
            var action: Action
            struct Body: Decodable, Sendable { var text: String }
            struct Action: Decodable, Sendable {
                var button: String?
                var sections: [Section]?
                var buttons: [Button]?
            }
            struct Section: Decodable, Sendable { var rows: [Option] }
            struct Button: Decodable, Sendable { var type: String; var reply: Option }
            struct Option: Decodable, Sendable { var id: String; var title: String }
            var options: [Option] { (action.sections ?? []).flatMap(\.rows) + (action.buttons ?? []).map(\.reply) }
        }
        var image: Attachment?
        var document: Attachment?
        struct Attachment: Decodable, Sendable {
            var id: String
            var caption: String?
            var filename: String?
        }
        struct Text: Decodable, Sendable {
            var preview_url: Bool?
            var body: String?
        }
        /// `{"name","language":{"code"},"components":[{"type":"body","parameters":[{"type":"text","text"}]}]}`
        struct Template: Decodable, Sendable {
            var name: String
            var language: Language
            var components: [Component]?
            struct Language: Decodable, Sendable { var code: String }
            struct Component: Decodable, Sendable {
                var type: String
                var parameters: [Parameter]
            }
            struct Parameter: Decodable, Sendable {
                var type: String
                var text: String?
            }
        }
    }

    let recorder = ProviderRecorder<Sent, Mode>(mode: .accept)
    /// Patients' media: `GET /{version}/{media-id}` answers a download URL under `/download/`, Bearer-protected.
    let shelf = MediaShelf()
    /// Agents' attachments uploaded with `POST /{version}/{phone_number_id}/media` (raw multipart bodies).
    private let uploadLock = NSLock()
    private var uploadBodies: [[UInt8]] = []
    var uploads: [[UInt8]] { uploadLock.withLock { uploadBodies } }

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
        router.get("/:version/:phoneNumberId") { request, context in  // the segment is a media id here
            let id = context.parameters.get("phoneNumberId") ?? ""
            guard request.headers[.authorization] == "Bearer \(TestServer.metaAccessToken)" else { return Response(status: .unauthorized) }
            return Self.json(.ok, #"{"url":"\#(fake.baseURL)/download/\#(id)","mime_type":"image/png","id":"\#(id)","messaging_product":"whatsapp"}"#)
        }
        router.post("/:version/:phoneNumberId/media") { request, _ in
            var buffer = try await request.body.collect(upTo: 32 << 20)
            let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
            let count = fake.uploadLock.withLock { fake.uploadBodies.append(bytes); return fake.uploadBodies.count }
            return Self.json(.ok, #"{"id":"media-upload-\#(count)"}"#)
        }
        fake.shelf.require(authorization: "Bearer \(TestServer.metaAccessToken)")
        fake.shelf.register(on: router, prefix: "/download")
        await fake.recorder.serve(router)
        return fake
    }

    private func answer(_ request: Sent) -> Response {
        let wamid = "wamid.HBgL\(UUID().uuidString.replacingOccurrences(of: "-", with: ""))"
        let (sent, mode) = recorder.record { mode in
            var sent = request
            if case .accept = mode { sent.wamid = wamid }
            return sent
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
        return Self.json(status, json)
    }

}
