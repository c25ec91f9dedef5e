import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import InboxModel

/// Attachments: agents download what patients sent (`GET /v1/messages/{id}/media`) and upload what they send
/// (`POST /v1/media`); Twilio fetches agents' attachments from signed links (`GET /media/{id}/{signature}`).
struct MediaRoutes: Sendable {
    let store: any InboxStore
    let files: MediaFiles
    let maxBytes: Int
    let linkSecret: String

    /// Agents' routes go on the authenticated `/v1` group; the signed links Twilio fetches on the plain router.
    func register(agentRoutes: RouterGroup<AgentRequestContext>, on router: Router<BasicRequestContext>) {
        agentRoutes.get("/messages/:id/media") { _, context in
            let agent = try context.agent
            guard let id = context.parameters.get("id", as: Int64.self),
                  let media = try await store.storedMedia(messageId: id, clinicId: agent.clinicId) else {
                throw APIError(.notFound, "not_found", "No attachment for this message.")
            }
            return try serve(media)
        }
        agentRoutes.post("/media") { request, context in
            let agent = try context.agent
            let bytes = try await request.bytes(upTo: maxBytes)
            let file: StoredFile
            switch MediaTypes.check(bytes, declared: request.headers[.contentType]) {
            case .success(let mime): file = try files.save(bytes, mimeType: mime)
            case .failure(let refusal):
                throw APIError(.unsupportedMediaType, "unsupported_media", "Not sent: \(refusal.description).")
            }
            try await store.recordUpload(clinicId: agent.clinicId, file: file)
            let answer = UploadedMedia(uploadId: file.sha256, mimeType: file.mimeType, size: file.size)
            return Response.json(.created, Array(try JSONEncoder().encode(answer)))
        }
        router.get("/media/:id/:signature") { _, context in
            guard let id = context.parameters.get("id", as: Int64.self),
                  let signature = context.parameters.get("signature"),
                  constantTimeEquals(Data(signature.utf8), Data(Self.signature(messageId: id, secret: linkSecret).utf8)),
                  let media = try await store.storedMedia(messageId: id, clinicId: nil) else {
                throw APIError(.notFound, "not_found", "No such file.")
            }
            return try serve(media)
        }
    }

    /// The unguessable part of an attachment's public link.
    static func signature(messageId: Int64, secret: String) -> String {
        WebhookHMAC.sha256Hex(Array("media:\(messageId)".utf8), key: secret)
    }

    private func serve(_ media: StoredMedia) throws -> Response {
        guard media.state == .stored, let sha256 = media.sha256 else {
            let reason = media.state == .pending ? "The server is still fetching this attachment." : "The server does not have this attachment."
            throw APIError(.conflict, "media_not_stored", reason)
        }
        let bytes = try files.read(sha256)
        // Patients name files: only safe ASCII in the plain parameter, the full name percent-encoded in filename*.
        let name = media.fileName ?? "attachment"
        let plain = String(name.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && !"\"\\;".unicodeScalars.contains($0) ? Character($0) : "_" })
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: ".-_"))) ?? "attachment"
        return Response(status: .ok,
                        headers: [.contentType: media.mimeType ?? "application/octet-stream",
                                  .contentDisposition: "attachment; filename=\"\(plain)\"; filename*=UTF-8''\(encoded)",
                                  .init("X-Content-Type-Options")!: "nosniff",
                                  .cacheControl: "private, no-store"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
