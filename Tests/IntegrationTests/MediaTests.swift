import CurlHTTP
import Foundation
import InboxModel
@testable import InboxServer
import Testing

@Suite("Media: fetched to server storage, downloaded by agents, attached to replies")
struct MediaTests {
    static let clinicNumber = "+15550001111"
    static let patient = "+15557654321"

    /// A Twilio clinic whose fake Twilio serves media behind the account's Basic auth.
    static func twilioClinic(_ configure: @escaping (inout ServerConfiguration) -> Void = { _ in })
        async throws -> (TestServer, FakeTwilio, NewAgent) {
        let twilio = try await FakeTwilio.start()
        twilio.shelf.require(authorization: "Basic " + Data("ACtest:\(TestServer.twilioToken)".utf8).base64EncodedString())
        let server = try await TestServer.start {
            $0.twilio.apiBase = twilio.baseURL
            configure(&$0)
        }
        let agent = try await server.addClinic("Sunrise", number: clinicNumber)[0]
        return (server, twilio, agent)
    }

    static func inboundWithMedia(_ sid: String, url: String, type: String) -> [(String, String)] {
        TestServer.inbound(sid: sid, from: patient, to: clinicNumber, body: "").map { $0.0 == "NumMedia" ? ("NumMedia", "1") : $0 }
            + [("MediaUrl0", url), ("MediaContentType0", type)]
    }

    static func download(_ server: TestServer, message: Int64, token: String?) async throws -> HTTPClient.Response {
        try await HTTPClient.shared.send(HTTPClient.Request(
            url: "\(server.baseURL)/v1/messages/\(message)/media",
            headers: token.map { [("Authorization", "Bearer \($0)")] } ?? []))
    }

    static func media(_ server: TestServer, token: String, providerId: String) async throws -> Message? {
        try await server.everything(token: token).messages.first { $0.providerMessageId == providerId }
    }

    @Test("a patient's image is fetched with Twilio's auth, kept 0600, and only its clinic's agents can download it")
    func twilioInboundImage() async throws {
        let (server, twilio, agent) = try await Self.twilioClinic()
        defer { Task { await server.stop(); await twilio.stop() } }
        let other = try await server.addClinic("Elsewhere", number: "+15550002222")[0]
        twilio.shelf.put("ME1", contentType: "image/png", bytes: SampleFiles.png)
        _ = try await server.twilioWebhook(Self.inboundWithMedia("SMimg", url: twilio.baseURL + "/media/ME1", type: "image/png"))

        #expect(try await eventually { try await Self.media(server, token: agent.token, providerId: "SMimg")?.media?.state == .stored })
        let message = try #require(try await Self.media(server, token: agent.token, providerId: "SMimg"))
        #expect(message.media?.size == Int64(SampleFiles.png.count))
        #expect(message.media?.kind == "image")

        let response = try await Self.download(server, message: message.id, token: agent.token)
        #expect(response.status == 200)
        #expect(response.body == SampleFiles.png)
        #expect(response.headers["content-type"] == "image/png")
        #expect(response.headers["x-content-type-options"] == "nosniff")
        #expect(try await Self.download(server, message: message.id, token: other.token).status == 404)
        #expect(try await Self.download(server, message: message.id, token: nil).status == 401)

        let file = MediaFiles.defaultDirectory(forDatabase: server.dbPath) + "/" + Hashing.sha256Hex(SampleFiles.png).prefix(2)
            + "/" + Hashing.sha256Hex(SampleFiles.png)
        #expect(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int == 0o600)
    }

    @Test("a file that is not what it claims, or larger than the limit, is refused with the reason and never kept")
    func refusals() async throws {
        let (server, twilio, agent) = try await Self.twilioClinic { $0.media.maxBytes = 150 }
        defer { Task { await server.stop(); await twilio.stop() } }
        twilio.shelf.put("fake", contentType: "image/jpeg", bytes: SampleFiles.fakeJPEG)
        twilio.shelf.put("big", contentType: "image/png", bytes: SampleFiles.png)
        _ = try await server.twilioWebhook(Self.inboundWithMedia("SMfake", url: twilio.baseURL + "/media/fake", type: "image/jpeg"))
        _ = try await server.twilioWebhook(Self.inboundWithMedia("SMbig", url: twilio.baseURL + "/media/big", type: "image/png"))

        #expect(try await eventually {
            let fake = try await Self.media(server, token: agent.token, providerId: "SMfake")
            let big = try await Self.media(server, token: agent.token, providerId: "SMbig")
            return fake?.media?.state == .refused && big?.media?.state == .refused
        })
        let fake = try #require(try await Self.media(server, token: agent.token, providerId: "SMfake"))
        #expect(fake.media?.error == "the content is a program (ELF), not image/jpeg")
        #expect(try await Self.media(server, token: agent.token, providerId: "SMbig")?.media?.error?.contains("150 bytes") == true)
        #expect(try await Self.download(server, message: fake.id, token: agent.token).status == 409)
        let directory = MediaFiles.defaultDirectory(forDatabase: server.dbPath)
        #expect((try FileManager.default.subpathsOfDirectory(atPath: directory)).isEmpty, "nothing refused is on disk")
    }

    @Test("Meta media: the id is resolved through the Graph API and fetched with the Bearer token")
    func metaInboundMedia() async throws {
        let meta = try await FakeMeta.start()
        let server = try await TestServer.start { TestServer.providers(&$0, meta: meta) }
        defer { Task { await server.stop(); await meta.stop() } }
        let agent = try await server.addClinic("Sunrise", number: MetaPayload.clinicNumber, provider: .meta,
                                               providerRef: MetaPayload.phoneNumberId)[0]
        meta.shelf.put("MID77", contentType: "image/png", bytes: SampleFiles.png)
        let image = MetaPayload.message("wamid.img", from: "16505551234", type: "image",
                                        ["image": ["id": "MID77", "mime_type": "image/png", "sha256": "x", "caption": "my scan"]])
        _ = try await server.metaWebhook(MetaPayload.webhook([MetaPayload.value(
            contacts: [MetaPayload.contact("16505551234", name: "Sheena")], messages: [image])]))
        #expect(try await eventually { try await Self.media(server, token: agent.token, providerId: "wamid.img")?.media?.state == .stored })
        let message = try #require(try await Self.media(server, token: agent.token, providerId: "wamid.img"))
        #expect(try await Self.download(server, message: message.id, token: agent.token).body == SampleFiles.png)
    }

    static func upload(_ server: TestServer, token: String, bytes: [UInt8], type: String) async throws -> HTTPClient.Response {
        try await HTTPClient.shared.send(HTTPClient.Request(method: "POST", url: server.baseURL + "/v1/media",
            headers: [("Authorization", "Bearer \(token)"), ("Content-Type", type)], body: bytes))
    }

    @Test("an agent's PDF is uploaded to Meta and sent as a document with its name and caption; bad uploads are refused")
    func metaOutboundDocument() async throws {
        let meta = try await FakeMeta.start()
        let server = try await TestServer.start { TestServer.providers(&$0, meta: meta); $0.media.maxBytes = 4096 }
        defer { Task { await server.stop(); await meta.stop() } }
        let agent = try await server.addClinic("Sunrise", number: MetaPayload.clinicNumber, provider: .meta,
                                               providerRef: MetaPayload.phoneNumberId)[0]
        _ = try await server.metaWebhook(MetaPayload.webhook([MetaPayload.value(
            contacts: [MetaPayload.contact("16505551234", name: "Sheena")],
            messages: [MetaPayload.text("wamid.in", from: "16505551234", "Can you send the invoice?")])]))
        let conversation = try await server.everything(token: agent.token).conversations[0].id

        #expect(try await Self.upload(server, token: agent.token, bytes: SampleFiles.fakeJPEG, type: "image/jpeg").status == 415)
        #expect(try await Self.upload(server, token: agent.token, bytes: SampleFiles.pdf + Array(repeating: 0x20, count: 5000),
                                      type: "application/pdf").status == 413)
        let uploaded = try await Self.upload(server, token: agent.token, bytes: SampleFiles.pdf, type: "application/pdf")
        #expect(uploaded.status == 201)
        let upload = try JSONDecoder().decode(UploadedMedia.self, from: Data(uploaded.body))
        #expect(upload.mimeType == "application/pdf")

        let send = MediaSend(uploadId: upload.uploadId, fileName: "../../invoice-March.pdf", caption: "Here it is")
        #expect(try await server.command(.sendMedia(send), conversation: conversation, token: agent.token).status == 200)
        #expect(try await eventually { meta.sent.count == 1 })
        #expect(meta.uploads.count == 1)
        #expect(meta.uploads.first.map { $0.count > SampleFiles.pdf.count && String(decoding: $0, as: UTF8.self).contains("%PDF-1.7") } == true)
        let document = try #require(meta.sent.first?.message?.document)
        #expect(meta.sent.first?.message?.type == "document")
        #expect(document.id == "media-upload-1")
        #expect(document.filename == "invoice-March.pdf", "only the last path component")
        #expect(document.caption == "Here it is")

        let unknown = MediaSend(uploadId: String(repeating: "a", count: 64), fileName: "x.pdf")
        #expect(try await server.command(.sendMedia(unknown), conversation: conversation, token: agent.token).status == 422)
    }

    @Test("through Twilio an attachment goes out as a signed MediaUrl that serves the file; a forged link gets 404")
    func twilioOutboundLink() async throws {
        let (server, twilio, agent) = try await Self.twilioClinic()
        defer { Task { await server.stop(); await twilio.stop() } }
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SMin", from: Self.patient, to: Self.clinicNumber, body: "hi"))
        let conversation = try await server.everything(token: agent.token).conversations[0].id
        let uploaded = try await Self.upload(server, token: agent.token, bytes: SampleFiles.png, type: "image/png")
        let upload = try JSONDecoder().decode(UploadedMedia.self, from: Data(uploaded.body))
        let send = MediaSend(uploadId: upload.uploadId, fileName: "map.png")
        #expect(try await server.command(.sendMedia(send), conversation: conversation, token: agent.token).status == 200)
        #expect(try await eventually { twilio.sent.count == 1 })
        let link = try #require(twilio.sent.first?.mediaURL)
        #expect(link.hasPrefix(server.baseURL + "/media/"))
        let fetched = try await HTTPClient.shared.send(HTTPClient.Request(url: link))
        #expect(fetched.status == 200)
        #expect(fetched.body == SampleFiles.png)
        let forged = String(link.dropLast(4)) + "0000"
        #expect(try await HTTPClient.shared.send(HTTPClient.Request(url: forged)).status == 404)
    }
}
