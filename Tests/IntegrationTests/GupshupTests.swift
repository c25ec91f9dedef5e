import CurlHTTP
import Foundation
import InboxModel
@testable import InboxServer
import Testing

/// Gupshup's v2 callbacks in the documented shapes (docs.gupshup.io: "Types of payloads", "Interactive",
/// "Message events"), and the server settings that aim its sender at `FakeGupshup`.
enum GupshupPayload {
    static let app = "SunriseClinicApp"
    static let clinicNumber = "+919163000003"
    static let patient = "918x98xx21x4".replacingOccurrences(of: "x", with: "7")
    static let apiKey = "test-gupshup-api-key"
    static let reminderTemplateId = "6f1c5a1e-0d6f-4f3b-9a8e-2b1c4d5e6f70"

    static func settings(_ configuration: inout ServerConfiguration, gupshup: FakeGupshup? = nil) {
        configuration.gupshup = .init(apiKey: apiKey, apiBase: gupshup?.baseURL ?? "http://127.0.0.1:9",
                                      templateIds: ["appointment_reminder/en": reminderTemplateId])
    }

    /// Now, in Gupshup's milliseconds: the 24-hour window runs from it, so replies are allowed.
    static var now: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    static func callback(_ type: String, app: String = app, timestamp: Int64 = now, _ payload: [String: Any]) -> [UInt8] {
        jsonBytes(["app": app, "timestamp": timestamp, "version": 2, "type": type, "payload": payload])
    }

    /// `{"type":"message","payload":{"id","source","type","payload":{…},"sender":{…}}}`
    static func message(_ id: String, type: String, _ content: [String: Any], from: String = patient,
                        name: String = "Drew", context: [String: Any]? = nil, app: String = app,
                        timestamp: Int64 = now) -> [UInt8] {
        var payload: [String: Any] = ["id": id, "source": from, "type": type, "payload": content,
                                      "sender": ["phone": from, "name": name, "country_code": "91", "dial_code": String(from.dropFirst(2))]]
        if let context { payload["context"] = context }
        return callback("message", app: app, timestamp: timestamp, payload)
    }

    /// `{"type":"message-event","payload":{"id","gsId","type","destination","payload":{…}}}`
    static func event(_ type: String, id: String, gsId: String? = nil, _ details: [String: Any] = [:], app: String = app) -> [UInt8] {
        var payload: [String: Any] = ["id": id, "type": type, "destination": patient, "payload": details]
        if let gsId { payload["gsId"] = gsId }
        return callback("message-event", app: app, payload)
    }
}

extension TestServer {
    /// The number's callback token, as `inbox number add --provider gupshup` prints it.
    func gupshupToken(_ number: String = GupshupPayload.clinicNumber) async throws -> String {
        GupshupWebhook.callbackToken(clinicNumber: number, key: try await store.mediaLinkSecret())
    }

    /// Posts a Gupshup callback to `/webhooks/gupshup/{token}` (the bare path with an empty token).
    func gupshupWebhook(_ body: [UInt8], token: String) async throws -> HTTPClient.Response {
        try await HTTPClient.shared.send(HTTPClient.Request(
            method: "POST", url: baseURL + "/webhooks/gupshup" + (token.isEmpty ? "" : "/" + token),
            headers: [("Content-Type", "application/json"), ("User-Agent", "Gupshup-Webhook")], body: body))
    }
}

@Suite("Gupshup callbacks and their authenticity")
struct GupshupTests {
    static func start(gupshup: FakeGupshup? = nil, _ more: @escaping (inout ServerConfiguration) -> Void = { _ in })
        async throws -> (TestServer, NewAgent, String) {
        let server = try await TestServer.start { GupshupPayload.settings(&$0, gupshup: gupshup); more(&$0) }
        let agent = try await server.addClinic("Sunrise", number: GupshupPayload.clinicNumber, provider: .gupshup,
                                               providerRef: GupshupPayload.app)[0]
        return (server, agent, try await server.gupshupToken())
    }

    @Test("every documented message type and event lands in sync and in a syncing mirror; user events change nothing")
    func documentedShapes() async throws {
        let gupshup = try await FakeGupshup.start()
        let (server, agent, token) = try await Self.start(gupshup: gupshup)
        defer { Task { await server.stop(); await gupshup.stop() } }
        gupshup.put("rash.png", contentType: "image/png", bytes: SampleFiles.png)
        let url = { (name: String) in "\(gupshup.baseURL)/media/\(name)" }
        let shapes: [[UInt8]] = [
            GupshupPayload.message("ABEGtext", type: "text", ["text": "Hi, is the clinic open?"], timestamp: 1_580_227_766_370),
            GupshupPayload.message("ABEGreply", type: "text", ["text": "yes"],
                                   context: ["id": "gBEGkYaYVSEEAgnPFrOLcjkFjL8", "gsId": "9b71295f-f7af-4c1f-b2b4-31b4a4867bad"]),
            GupshupPayload.message("ABEGimage", type: "image",
                                   ["caption": "my rash", "url": url("rash.png"), "contentType": "image/png", "urlExpiry": 1_580_832_695_997]),
            GupshupPayload.message("ABEGfile", type: "file",
                                   ["caption": "", "name": "referral.pdf", "url": url("referral.pdf"), "contentType": "application/pdf"]),
            GupshupPayload.message("ABEGaudio", type: "audio", ["url": url("voice.ogg"), "contentType": "audio/ogg; codecs=opus"]),
            GupshupPayload.message("ABEGvideo", type: "video", ["caption": "the swelling", "url": url("clip.mp4"), "contentType": "video/mp4"]),
            GupshupPayload.message("ABEGlocation", type: "location", ["longitude": 77.5946, "latitude": 12.9716]),
            GupshupPayload.message("ABEGcontact", type: "contact", ["contacts": [["name": ["formatted_name": "Jane Roe", "first_name": "Jane"],
                                                                                 "phones": [["phone": "+91 98450 00000", "type": "CELL"]]]]]),
            GupshupPayload.message("ABEGbutton", type: "button_reply", ["title": "Yes, confirm", "id": "confirm", "reply": "Yes, confirm 1"]),
            GupshupPayload.message("ABEGlist", type: "list_reply", ["title": "Tuesday 10:00", "id": "slot-tue-10", "reply": "Tuesday 10:00 1",
                                                                    "postbackText": "slot-tue-10", "description": "Dr Rahman"]),
            GupshupPayload.message("ABEGquick", type: "quick_reply", ["text": "View Account Balance", "type": "button"]),
            GupshupPayload.message("ABEGorder", type: "order", ["catalog_id": "1"]),
        ]
        for body in shapes { #expect(try await server.gupshupWebhook(body, token: token).status == 200) }
        // Ignored with 200 (Gupshup retries anything else), and nothing changes.
        let userEvent = GupshupPayload.callback("user-event", ["phone": GupshupPayload.patient, "type": "sandbox-start"])
        let unknown = jsonBytes(["app": GupshupPayload.app, "version": 3, "entry": [["changes": []]]])
        let odd = GupshupPayload.callback("message", ["id": 7, "payload": "text"])
        for body in [userEvent, unknown, odd] { #expect(try await server.gupshupWebhook(body, token: token).status == 200) }

        let seen = try await server.everything(token: agent.token)
        let byId = Dictionary(uniqueKeysWithValues: seen.messages.compactMap { m in m.providerMessageId.map { ($0, m) } })
        #expect(byId.count == shapes.count)
        #expect(byId["ABEGtext"]?.body == "Hi, is the clinic open?")
        #expect(byId["ABEGtext"]?.providerTime == 1_580_227_766_370, "Gupshup's time is kept; createdAt is receipt")
        #expect(byId["ABEGreply"]?.body == "yes")
        #expect(byId["ABEGimage"]?.body == "my rash")
        #expect(byId["ABEGimage"]?.media?.kind == "image")
        #expect(byId["ABEGfile"]?.media?.kind == "document")
        #expect(byId["ABEGfile"]?.media?.fileName == "referral.pdf")
        #expect(byId["ABEGfile"]?.media?.mimeType == "application/pdf")
        #expect(byId["ABEGaudio"]?.media?.kind == "audio")
        #expect(byId["ABEGvideo"]?.media?.kind == "video")
        #expect(byId["ABEGvideo"]?.body == "the swelling")
        #expect(byId["ABEGlocation"]?.media?.kind == "location")
        #expect(byId["ABEGlocation"]?.media?.url == "geo:12.9716,77.5946")
        #expect(byId["ABEGcontact"]?.body == "Jane Roe +91 98450 00000")
        #expect(byId["ABEGbutton"]?.body == "Yes, confirm")
        #expect(byId["ABEGlist"]?.body == "Tuesday 10:00")
        #expect(byId["ABEGquick"]?.body == "View Account Balance")
        #expect(byId["ABEGorder"]?.body == "[unsupported: order]")
        let patient = try #require(seen.patients.first)
        #expect(seen.patients.count == 1)
        #expect(patient.phone == "+" + GupshupPayload.patient)
        #expect(patient.displayName == "Drew")
        let conversation = try #require(seen.conversations.first)
        #expect(conversation.provider == .gupshup)
        #expect(conversation.clinicNumber == GupshupPayload.clinicNumber)

        // The image is copied from Gupshup's link, which is fetched without any key.
        #expect(try await eventually {
            try await server.everything(token: agent.token).messages.first { $0.providerMessageId == "ABEGimage" }?.media?.state == .stored
        })
        #expect(gupshup.downloads.allSatisfy { !$0.contains("apikey") && !$0.contains("authorization") })

        let mirror = try await server.syncedMirror(token: agent.token)
        let mirrored = try TestServer.mirroredMessages(mirror, conversations: seen.conversations)
        #expect(Set(mirrored.compactMap(\.providerMessageId)) == Set(byId.keys))
        #expect(mirrored.first { $0.providerMessageId == "ABEGlist" }?.body == "Tuesday 10:00")
        #expect(mirrored.first { $0.providerMessageId == "ABEGfile" }?.media?.fileName == "referral.pdf")
    }

    @Test("a forged callback changes nothing: wrong, missing or another number's token → 403; malformed 400; oversized 413")
    func forgedCallbacks() async throws {
        let server = try await TestServer.start { GupshupPayload.settings(&$0); $0.maxWebhookBytes = 4096 }
        defer { Task { await server.stop() } }
        let inbound = GupshupPayload.message("ABEGforged", type: "text", ["text": "forged"])
        #expect(try await server.gupshupWebhook(inbound, token: "anything").status == 404, "no Gupshup number: no endpoint")

        let agent = try await server.addClinic("Sunrise", number: GupshupPayload.clinicNumber, provider: .gupshup,
                                               providerRef: GupshupPayload.app)[0]
        _ = try await server.addClinic("Harbour", number: "+919163000004", provider: .gupshup, providerRef: "HarbourApp")
        let token = try await server.gupshupToken()
        let harbourToken = try await server.gupshupToken("+919163000004")
        #expect(token != harbourToken)
        var wrong = Array(token)
        wrong[0] = wrong[0] == "a" ? "b" : "a"
        for forged in ["", String(wrong), String(token.dropLast(2)), token.uppercased() + "00", "not-hex", harbourToken] {
            #expect(try await server.gupshupWebhook(inbound, token: forged).status == 403)
        }
        let otherApp = GupshupPayload.message("ABEGstranger", type: "text", ["text": "who"], app: "SomeoneElsesApp")
        #expect(try await server.gupshupWebhook(otherApp, token: token).status == 403)
        #expect(try await server.gupshupWebhook(Array("{\"app\": ".utf8), token: token).status == 400)
        #expect(try await server.gupshupWebhook(Array("[1, 2]".utf8), token: token).status == 400)
        let huge = GupshupPayload.message("ABEGhuge", type: "text", ["text": String(repeating: "a", count: 5000)])
        #expect(try await server.gupshupWebhook(huge, token: token).status == 413)
        #expect(try await server.everything(token: agent.token).messages.isEmpty)

        #expect(try await server.gupshupWebhook(inbound, token: token).status == 200)
        #expect(try await server.gupshupWebhook(inbound, token: token).status == 200, "a redelivery is stored once")
        #expect(try await server.everything(token: agent.token).messages.map(\.body) == ["forged"])
    }

    @Test("inbox number add --provider gupshup prints the callback URL the server accepts; without --ref it refuses")
    func numberAdd() async throws {
        let server = try await TestServer.start { GupshupPayload.settings(&$0) }
        defer { Task { await server.stop() } }
        #expect(throws: InboxProcess.Failure.self) {
            try InboxProcess.run(["number", "add", GupshupPayload.clinicNumber, "--clinic", "Sunrise", "--provider", "gupshup"] + server.databaseArguments)
        }
        let output = try InboxProcess.run(["number", "add", GupshupPayload.clinicNumber, "--clinic", "Sunrise",
                                           "--provider", "gupshup", "--ref", GupshupPayload.app] + server.databaseArguments)
        let path = try #require(output.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("/webhooks/gupshup/") })
        #expect(path == "/webhooks/gupshup/" + (try await server.gupshupToken()))
        let again = try InboxProcess.run(["number", "add", GupshupPayload.clinicNumber, "--clinic", "Sunrise",
                                          "--provider", "gupshup", "--ref", GupshupPayload.app] + server.databaseArguments)
        #expect(again.contains(path), "the token is derived, so registering again prints the same URL")

        let agent = try await server.store.addAgent(name: "Aisha", clinic: "Sunrise", role: .agent)
        let body = GupshupPayload.message("ABEGcli", type: "text", ["text": "hello"])
        #expect(try await server.gupshupWebhook(body, token: String(path.dropFirst("/webhooks/gupshup/".count))).status == 200)
        #expect(try await server.everything(token: agent.token).messages.map(\.body) == ["hello"])
    }
}
