import CurlHTTP
import Foundation
import GRDB
import InboxModel
import InboxServer
import Logging
import SyncEngine
import Testing

/// Retention (idempotency records, attachments) and a patient's erasure reaching syncing mirrors.
@Suite("Retention and erasure", .serialized)
struct RetentionTests {
    static let clinicNumber = "+15550004444"
    static let day: Millis = 86_400_000

    static func count(_ server: TestServer, _ sql: String, _ arguments: StatementArguments = []) throws -> Int {
        try sharedDatabase(server.dbPath).read { try Int.fetchOne($0, sql: sql, arguments: arguments) ?? 0 }
    }

    static func housekeeping(_ server: TestServer, environment: [String: String], at now: Millis) throws -> Housekeeping {
        var policy = RetentionPolicy()
        policy.applyEnvironment(environment)
        return Housekeeping(store: server.store, files: try MediaFiles(directory: server.dbPath + ".media"), policy: policy,
                            logger: Logger(label: "test.retention"), clock: { now })
    }

    static func nowMillis() -> Millis { Millis(Date().timeIntervalSince1970 * 1000) }

    @Test("idempotency records are forgotten after INBOX_IDEMPOTENCY_RETENTION_HOURS, not before")
    func idempotencyPruned() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let agent = try await server.addClinic("Sunrise", number: Self.clinicNumber)[0]
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SMi1", from: "+15557654321", to: Self.clinicNumber, body: "hi"))
        let conversation = try #require(try await server.everything(token: agent.token).conversations.first).id
        #expect(try await server.command(.takeOver, conversation: conversation, token: agent.token, key: "k1").status == 200)
        #expect(try Self.count(server, "SELECT COUNT(*) FROM idempotency") == 1)

        let environment = ["INBOX_IDEMPOTENCY_RETENTION_HOURS": "2"]
        try await Self.housekeeping(server, environment: environment, at: Self.nowMillis() + 3_600_000).sweep()
        #expect(try Self.count(server, "SELECT COUNT(*) FROM idempotency") == 1, "one hour old: kept")
        try await Self.housekeeping(server, environment: environment, at: Self.nowMillis() + 3 * 3_600_000).sweep()
        #expect(try Self.count(server, "SELECT COUNT(*) FROM idempotency") == 0, "three hours old: forgotten")

        var defaults = RetentionPolicy()
        defaults.applyEnvironment([:])
        #expect(defaults.idempotency == .seconds(72 * 3600) && defaults.mediaDays == nil)
        defaults.applyEnvironment(["INBOX_IDEMPOTENCY_RETENTION_HOURS": "soon", "INBOX_MEDIA_RETENTION_DAYS": "30"])
        #expect(defaults.idempotency == .seconds(72 * 3600) && defaults.mediaDays == 30)
    }

    @Test("INBOX_MEDIA_RETENTION_DAYS deletes the file and marks the attachment removed; agents see why")
    func mediaExpires() async throws {
        let twilio = try await FakeTwilio.start()
        twilio.shelf.require(authorization: "Basic " + Data("ACtest:\(TestServer.twilioToken)".utf8).base64EncodedString())
        twilio.shelf.put("ME1", contentType: "image/png", bytes: SampleFiles.png)
        let server = try await TestServer.start { $0.twilio.apiBase = twilio.baseURL }
        defer { Task { await server.stop(); await twilio.stop() } }
        let agent = try await server.addClinic("Sunrise", number: Self.clinicNumber)[0]
        let inbound = TestServer.inbound(sid: "SMm1", from: "+15557654321", to: Self.clinicNumber, body: "my rash")
            .map { $0.0 == "NumMedia" ? ("NumMedia", "1") : $0 }
            + [("MediaUrl0", twilio.baseURL + "/media/ME1"), ("MediaContentType0", "image/png")]
        _ = try await server.twilioWebhook(inbound)
        #expect(try await eventually { try Self.count(server, "SELECT COUNT(*) FROM media WHERE state = 'stored'") == 1 })
        let message = try #require(try await server.everything(token: agent.token).messages.first)
        let file = try MediaFiles(directory: server.dbPath + ".media").path(Hashing.sha256Hex(SampleFiles.png))
        #expect(FileManager.default.fileExists(atPath: file))
        let mirror = try await server.syncedMirror(token: agent.token)

        let environment = ["INBOX_MEDIA_RETENTION_DAYS": "30"]
        try await Self.housekeeping(server, environment: environment, at: Self.nowMillis() + 29 * Self.day).sweep()
        #expect(FileManager.default.fileExists(atPath: file), "29 days old: kept")
        try await Self.housekeeping(server, environment: environment, at: Self.nowMillis() + 31 * Self.day).sweep()
        #expect(!FileManager.default.fileExists(atPath: file), "31 days old: deleted")
        #expect(try Self.count(server, "SELECT COUNT(*) FROM media WHERE state = 'removed' AND sha256 IS NULL") == 1)

        let download = try await HTTPClient.shared.send(HTTPClient.Request(
            url: "\(server.baseURL)/v1/messages/\(message.id)/media", headers: [("Authorization", "Bearer \(agent.token)")]))
        #expect(download.status == 409)
        try await SyncLoop(mirror: mirror, api: ServerAPI(server: server.baseURL, token: agent.token)).syncOnce()
        let synced = try #require(try mirror.conversationDetail(message.conversationId)?.messages.first)
        #expect(synced.media?.state == .failed)
        #expect(synced.media?.error == "removed after 30 days (the clinic's retention policy)")
        #expect(synced.body == "my rash", "the message itself stays")
    }

    @Test("inbox patient erase (another process) removes the patient everywhere and reaches a syncing mirror")
    func patientErasure() async throws {
        let twilio = try await FakeTwilio.start()
        twilio.shelf.require(authorization: "Basic " + Data("ACtest:\(TestServer.twilioToken)".utf8).base64EncodedString())
        twilio.shelf.put("ME9", contentType: "image/png", bytes: SampleFiles.png)
        let server = try await TestServer.start { $0.twilio.apiBase = twilio.baseURL }
        defer { Task { await server.stop(); await twilio.stop() } }
        let agent = try await server.addClinic("Sunrise", number: Self.clinicNumber)[0]
        let erased = "+15557650001", kept = "+15557650002"
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SMe1", from: erased, to: Self.clinicNumber,
                                                              body: "my diagnosis zebrafinch", name: "Maria Lopez"))
        let photo = TestServer.inbound(sid: "SMe2", from: erased, to: Self.clinicNumber, body: "scan", name: "Maria Lopez")
            .map { $0.0 == "NumMedia" ? ("NumMedia", "1") : $0 }
            + [("MediaUrl0", twilio.baseURL + "/media/ME9"), ("MediaContentType0", "image/png")]
        _ = try await server.twilioWebhook(photo)
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SMe3", from: kept, to: Self.clinicNumber,
                                                              body: "please call me", name: "Omar Haddad"))
        #expect(try await eventually { try Self.count(server, "SELECT COUNT(*) FROM media WHERE state = 'stored'") == 1 })
        let before = try await server.everything(token: agent.token)
        let maria = try #require(before.patients.first { $0.phone == erased })
        let mariaConversation = try #require(before.conversations.first { $0.patientId == maria.id })
        #expect(try await server.command(.takeOver, conversation: mariaConversation.id, token: agent.token).status == 200)
        #expect(try await server.command(.reply(body: "We have your zebrafinch results"), conversation: mariaConversation.id,
                                         token: agent.token).status == 200)

        // A mirror that keeps syncing (long-polls), as a running client's would.
        let mirror = try Mirror(path: server.directory.appendingPathComponent("syncing.sqlite").path)
        let loop = SyncLoop(mirror: mirror, api: ServerAPI(server: server.baseURL, token: agent.token))
        let syncing = Task { await loop.run() }
        defer { syncing.cancel() }
        #expect(try await eventually { try !mirror.search("zebrafinch").isEmpty })
        #expect(try await eventually { try mirror.conversationDetail(mariaConversation.id)?.messages.count == 4 })  // with the take-over line

        // Bad input changes nothing.
        #expect(throws: InboxProcess.Failure.self) {
            try InboxProcess.run(["patient", "erase", "--phone", "+15550009999", "--clinic", "Sunrise"] + server.databaseArguments)
        }
        #expect(throws: InboxProcess.Failure.self) {
            try InboxProcess.run(["patient", "erase", "--phone", "5557650001", "--clinic", "Sunrise"] + server.databaseArguments)
        }
        #expect(try Self.count(server, "SELECT COUNT(*) FROM patients") == 2)

        let output = try InboxProcess.run(["patient", "erase", "--phone", erased, "--clinic", "Sunrise"] + server.databaseArguments)
        #expect(output.contains("erased 1 patient(s), 1 conversation(s), 4 message(s), 1 file(s)"), "\(output)")
        #expect(!output.contains("zebrafinch") && !output.contains("Maria"))

        // The syncing mirror drops the patient without a restart (the server wakes its long-poll).
        #expect(try await eventually(timeout: .seconds(15)) { try mirror.conversationDetail(mariaConversation.id) == nil })
        #expect(try mirror.search("zebrafinch").isEmpty)
        #expect(try mirror.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM patients WHERE id = ?", arguments: [maria.id]) } == 0)
        #expect(try mirror.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM messages WHERE conversation_id = ?",
                                                   arguments: [mariaConversation.id]) } == 0)
        let omar = try #require(before.conversations.first { $0.patientId != maria.id })
        #expect(try mirror.conversationDetail(omar.id)?.messages.map(\.body) == ["please call me"])

        // The server keeps nothing of her but a tombstone of ids; the file is gone; a fresh mirror never sees her.
        for (table, column) in [("patients", "phone"), ("messages", "body")] {
            #expect(try Self.count(server, "SELECT COUNT(*) FROM \(table) WHERE \(column) LIKE ?", ["%" + (table == "patients" ? erased : "zebrafinch") + "%"]) == 0)
        }
        #expect(try Self.count(server, "SELECT COUNT(*) FROM media") == 0)
        #expect(try Self.count(server, "SELECT COUNT(*) FROM idempotency") == 0)
        #expect(try Self.count(server, "SELECT COUNT(*) FROM erasures WHERE patient_id = ?", [maria.id]) == 1)
        let file = try MediaFiles(directory: server.dbPath + ".media").path(Hashing.sha256Hex(SampleFiles.png))
        #expect(!FileManager.default.fileExists(atPath: file))
        let fresh = try await server.everything(token: agent.token)
        #expect(!fresh.patients.contains { $0.id == maria.id })
        #expect(!fresh.messages.contains { $0.conversationId == mariaConversation.id })
    }
}
