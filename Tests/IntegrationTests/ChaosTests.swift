import CurlHTTP
import Foundation
import GRDB
import InboxServer
import SyncEngine
import Testing

/// The spine's promise under failure: every accepted webhook reaches the mirror exactly once, in order.
@Suite("Chaos")
struct ChaosTests {
    static let clinicNumber = "+15550001111"
    static let patients = 300
    static let messages = Int(ProcessInfo.processInfo.environment["CHAOS_MESSAGES"] ?? "") ?? 10_000
    static let senders = 6

    @Test("10,000 webhooks for 300 patients survive a sync client killed at random and a server restart")
    func killAndRestart() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("inbox-chaos-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("server.sqlite").path
        let mirrorPath = directory.appendingPathComponent("mirror.sqlite").path
        let token = try InboxProcess.run(["agent", "add", "Aisha", "--clinic", "Sunrise", "--db", db])
            .split(separator: "\n").last.map(String.init) ?? ""
        try InboxProcess.run(["number", "add", Self.clinicNumber, "--clinic", "Sunrise", "--db", db])

        let environment = ["TWILIO_AUTH_TOKEN": TestServer.twilioToken]
        var server = try InboxProcess.launch(["serve", "--db", db, "--port", "0", "--no-bot"], environment: environment)
        let line = try server.waitForLine(containing: "listening on")
        let port = try #require(line.split(separator: ":").last.flatMap { Int($0) })
        let base = "http://127.0.0.1:\(port)"

        let progress = Progress()
        // Senders: each owns a slice of the patients and sends their messages in order, retrying until accepted.
        let sending = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<Self.senders {
                    group.addTask {
                        for index in stride(from: worker, to: Self.messages, by: Self.senders) {
                            try await Self.deliver(index: index, base: base)
                            progress.increment()
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        // The sync client, killed at random points and started again from its stored cursor.
        let syncing = Task {
            var restarts = 0
            while !progress.done {
                let client = try InboxProcess.launch(["sync", "--server", base, "--token", token, "--mirror", mirrorPath])
                try await Task.sleep(for: .milliseconds(Int.random(in: 150...900)))
                client.kill()
                restarts += 1
            }
            return restarts
        }
        // The server, killed once half-way and started again on the same port.
        while progress.count < Self.messages / 2 { try await Task.sleep(for: .milliseconds(20)) }
        server.kill()
        try await Task.sleep(for: .milliseconds(300))
        server = try InboxProcess.launch(["serve", "--db", db, "--port", String(port), "--no-bot"], environment: environment)
        _ = try server.waitForLine(containing: "listening on")

        try await sending.value
        progress.finish()
        let restarts = try await syncing.value
        defer { server.kill() }
        try InboxProcess.run(["sync", "--once", "--server", base, "--token", token, "--mirror", mirrorPath])

        let mirror = try Mirror(path: mirrorPath)
        let rows = try mirror.read { db in
            try Row.fetchAll(db, sql: "SELECT conversation_id, provider_message_id, body FROM messages ORDER BY id")
        }
        #expect(restarts >= 3, "the client was killed \(restarts) times")
        #expect(rows.count == Self.messages)
        #expect(Set(rows.map { $0[1] as String }).count == Self.messages, "no message twice")
        var lastSequence: [Int64: Int] = [:]
        var inOrder = true
        for row in rows {
            let sequence = Int((row[2] as String).split(separator: "#").last ?? "") ?? -1
            if let previous = lastSequence[row[0]], previous >= sequence { inOrder = false }
            lastSequence[row[0]] = sequence
        }
        #expect(inOrder, "messages are in order within each conversation")
        #expect(lastSequence.count == Self.patients)
        let cursor = try mirror.syncState()?.cursor
        #expect(cursor != nil)
    }

    static func deliver(index: Int, base: String) async throws {
        let patient = index % patients
        let parameters = TestServer.inbound(sid: "SMchaos\(index)", from: "+1555800\(String(format: "%04d", patient))",
                                            to: clinicNumber, body: "patient \(patient) says #\(index / patients)",
                                            name: "Patient \(patient)")
        let url = base + "/webhooks/twilio"
        let signature = TwilioSignature(authToken: TestServer.twilioToken).sign(url: url, parameters: parameters)
        let request = HTTPClient.Request(method: "POST", url: url,
                                         headers: [("Content-Type", "application/x-www-form-urlencoded"), ("X-Twilio-Signature", signature)],
                                         body: Array(FormEncoding.encode(parameters).utf8), timeout: 10)
        // Like Twilio: an unanswered or failed webhook is sent again; the server dedupes on MessageSid.
        for _ in 0..<500 {
            if let response = try? await HTTPClient.shared.send(request) {
                if response.status == 200 { return }
                if response.status < 500 { throw InboxProcess.Failure(message: "webhook \(index) refused: \(response.status)") }
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw InboxProcess.Failure(message: "webhook \(index) never accepted")
    }

    final class Progress: @unchecked Sendable {
        private let lock = NSLock()
        private var sent = 0
        private var finished = false
        var count: Int { lock.withLock { sent } }
        var done: Bool { lock.withLock { finished } }
        func increment() { lock.withLock { sent += 1 } }
        func finish() { lock.withLock { finished = true } }
    }
}
