import CurlHTTP
import Foundation
import GRDB
import InboxModel
import InboxServer
import PostgresNIO
import SyncEngine
import Testing

/// Several `inbox serve` processes on one PostgreSQL, as a hospital group runs them behind a load balancer: any
/// instance takes webhooks and commands, every instance's long-polls wake, and no work is done twice.
@Suite("Several instances on one PostgreSQL")
struct ScaleOutTests {
    /// Two instances (A and B) of one clinic's database, with agents Aisha and Ben.
    struct Pair {
        let database: PostgresTestDatabase
        var a: ServerProcess
        var b: ServerProcess
        let ben: String

        static func start(environment: [String: String] = [:]) async throws -> Pair {
            let database = try await PostgresTestDatabase.create()
            var a = try ServerProcess.prepare(postgresURL: database.url)
            let ben = try InboxProcess.run(["agent", "add", "Ben", "--clinic", "Sunrise"] + a.databaseArguments)
                .split(separator: "\n").last.map(String.init) ?? ""
            var b = a.sibling()
            try a.start(environment: environment)
            try b.start(environment: environment)
            let pair = Pair(database: database, a: a, b: b, ben: ben)
            // "listening on" is printed once the port is bound; each instance's change listener connects on its own.
            #expect(try await pair.listeners(atLeast: 2), "both instances LISTEN for each other's commits")
            return pair
        }

        /// Whether `count` instances' change listeners are up: LISTEN is active once a listener has run its catch-up
        /// read of the clinics, so a commit from then on wakes that instance's long-polls without delay.
        func listeners(atLeast count: Int) async throws -> Bool {
            try await eventually {
                try await database.withConnection { connection, logger in
                    let rows = try await connection.query("""
                        SELECT count(*) FROM pg_stat_activity
                        WHERE datname = current_database() AND application_name = 'inbox-listener' AND state = 'idle'
                          AND query LIKE 'SELECT id FROM clinics%'
                        """, logger: logger)
                    var listening: Int64 = 0
                    for try await value in rows.decode(Int64.self) { listening = value }
                    return listening >= Int64(count)
                }
            }
        }

        /// Ends both instances at once, so none outlives the test (a `Task` in a `defer` may not run before the test
        /// process exits), then drops the database in the background.
        func stop() {
            a.running?.kill()
            b.running?.kill()
            a.remove()
            Task { [database] in await database.drop() }
        }
    }

    @Test("a webhook posted to instance A reaches a client long-polling instance B within 1 s")
    func wakeUpAcrossInstances() async throws {
        let pair = try await Pair.start()
        defer { pair.stop() }
        let start = try JSONDecoder().decode(SyncBatch.self, from: Data(try await pair.b.sync().body))

        let polling = Task { (try await pair.b.sync(since: start.cursor, timeout: 20_000), ContinuousClock.now) }
        // The poll is held on B before the webhook goes to A.
        #expect(try await eventually { try await Self.heldPolls(pair.b) >= 1 })
        let posted = ContinuousClock.now
        #expect(try await pair.a.twilioWebhook(sid: "SMcross1", body: "from A").status == 200)
        let (answer, answered) = try await polling.value
        let elapsed = answered - posted
        let batch = try JSONDecoder().decode(SyncBatch.self, from: Data(answer.body))
        #expect(batch.messages.map(\.body) == ["from A"])
        #expect(elapsed < .seconds(1), "woken after \(elapsed)")
    }

    @Test("2,000 webhooks spread over two instances while A is SIGKILLed and restarted: exactly 2,000 messages, in order")
    func killOneInstance() async throws {
        var pair = try await Pair.start()
        defer { pair.stop() }
        let total = 2_000, patients = 50, senders = 6
        let bases = Locked([pair.a.baseURL, pair.b.baseURL])
        let progress = ChaosTests.Progress()
        let spans = Spans()
        let sending = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<senders {
                    group.addTask {
                        for index in stride(from: worker, to: total, by: senders) {
                            let sent = ContinuousClock.now
                            try await Self.deliver(index: index, patients: patients, bases: bases.value)
                            spans.record(index, sent: sent, accepted: .now)
                            progress.increment()
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        while progress.count < total / 3 { try await Task.sleep(for: .milliseconds(20)) }
        pair.a.running?.kill()
        #expect(try await eventually { pair.a.running?.process.isRunning == false })
        // Traffic goes on through B; then A comes back on a new port, as a restarted container would.
        while progress.count < total * 2 / 3 { try await Task.sleep(for: .milliseconds(20)) }
        try pair.a.start()
        bases.value = [pair.a.baseURL, pair.b.baseURL]
        try await sending.value

        let mirrorPath = pair.a.directory.appendingPathComponent("mirror.sqlite").path
        try InboxProcess.run(["sync", "--once", "--server", pair.a.baseURL, "--token", pair.a.token, "--mirror", mirrorPath])
        let rows = try Mirror(path: mirrorPath).read { db in
            try Row.fetchAll(db, sql: "SELECT conversation_id, provider_message_id, body FROM messages ORDER BY id")
        }
        #expect(rows.count == total)
        #expect(Set(rows.map { $0[1] as String }).count == total, "no message twice")
        // A patient's messages come from several senders at once, so "in order" is the order the server accepted
        // them: a message whose 200 came back before another was first sent must come first in the mirror.
        // Two that were in flight together (a retry after the kill among them) have no order to keep.
        var byConversation: [Int64: [Int]] = [:]
        for row in rows {
            let sequence = Int((row[2] as String).split(separator: "#").last ?? "") ?? -1
            let patient = Int((row[2] as String).split(separator: " ")[1]) ?? -1
            byConversation[row[0], default: []].append(sequence * patients + patient)
        }
        let span = spans.all
        var misordered: [(Int, Int)] = []
        for indices in byConversation.values {
            for (position, earlier) in indices.enumerated() {
                for later in indices[(position + 1)...] where span[later]!.accepted < span[earlier]!.sent {
                    misordered.append((earlier, later))
                }
            }
        }
        #expect(misordered.isEmpty, "accepted before the other was sent, yet after it in the mirror: \(misordered.prefix(5))")
        #expect(byConversation.count == patients)
    }

    /// When each webhook was first sent and when the server accepted it.
    final class Spans: @unchecked Sendable {
        private let lock = NSLock()
        private var spans: [Int: (sent: ContinuousClock.Instant, accepted: ContinuousClock.Instant)] = [:]
        var all: [Int: (sent: ContinuousClock.Instant, accepted: ContinuousClock.Instant)] { lock.withLock { spans } }
        func record(_ index: Int, sent: ContinuousClock.Instant, accepted: ContinuousClock.Instant) {
            lock.withLock { spans[index] = (sent, accepted) }
        }
    }

    @Test("100 take-over races between two agents on different instances: exactly one winner each")
    func takeOverRacesAcrossInstances() async throws {
        let pair = try await Pair.start()
        defer { pair.stop() }
        for index in 0..<100 {
            let response = try await pair.a.twilioWebhook(sid: "SMrace\(index)", from: "+1555700\(String(format: "%04d", index))",
                                                          body: "help")
            #expect(response.status == 200)
        }
        let everything = try await Self.everything(pair.a)
        let ids = everything.conversations.map(\.id)
        #expect(ids.count == 100)
        #expect(everything.conversations.allSatisfy { $0.status == .waiting })
        var aisha = pair.a
        aisha.running = nil
        var ben = pair.b
        ben = ServerProcess(directory: ben.directory, db: ben.db, databaseArguments: ben.databaseArguments, token: pair.ben,
                            running: nil, port: pair.b.port)
        var winners: [Int: Int] = [:]
        for id in ids {
            async let first = aisha.command("takeover", conversation: id)
            async let second = ben.command("takeover", conversation: id)
            let statuses = try await [first.status, second.status]
            #expect(statuses.sorted() == [200, 409], "conversation \(id): \(statuses)")
            winners[statuses.firstIndex(of: 200) ?? -1, default: 0] += 1
        }
        let after = try await Self.everything(pair.b).conversations
        #expect(after.count == 100 && after.allSatisfy { $0.status == .assigned && $0.assignedAgentId != nil })
        #expect(winners[-1] == nil)
    }

    @Test("replies sent while both instances run delivery workers reach the provider exactly once each")
    func deliveredOnce() async throws {
        let twilio = try await FakeTwilio.start()
        defer { Task { await twilio.stop() } }
        let pair = try await Pair.start(environment: ["TWILIO_API_BASE": twilio.baseURL])
        defer { pair.stop() }
        let count = 40
        for index in 0..<count {
            _ = try await pair.b.twilioWebhook(sid: "SMonce\(index)", from: "+1555710\(String(format: "%04d", index))", body: "hi")
        }
        let ids = try await Self.everything(pair.a).conversations.map(\.id)
        #expect(ids.count == count)
        for (index, id) in ids.enumerated() {
            let instance = index.isMultiple(of: 2) ? pair.a : pair.b
            #expect(try await instance.command("reply", conversation: id, body: ["body": "reply \(index)"]).status == 200)
        }
        // Every reply is recorded as sent (by whichever instance claimed it) ...
        #expect(try await eventually(timeout: .seconds(20)) {
            try await Self.everything(pair.b).messages.filter { $0.direction == .outbound && $0.status == .sent }.count == count
        })
        // ... and the provider saw each exactly once.
        let bodies = twilio.sent.map(\.body)
        #expect(bodies.count == count, "\(bodies.count) provider requests for \(count) replies")
        #expect(Set(bodies).count == count)
    }

    @Test("`inbox agent add` against PostgreSQL reaches a client long-polling either instance within 2 s")
    func adminChangeWakesClients() async throws {
        let pair = try await Pair.start()
        defer { pair.stop() }
        let start = try JSONDecoder().decode(SyncBatch.self, from: Data(try await pair.b.sync().body))
        let polling = Task { (try await pair.b.sync(since: start.cursor, timeout: 20_000), ContinuousClock.now) }
        #expect(try await eventually { try await Self.heldPolls(pair.b) >= 1 })
        let added = ContinuousClock.now
        try InboxProcess.run(["agent", "add", "Chen", "--clinic", "Sunrise"] + pair.a.databaseArguments)
        // When the poll was answered, not when this test got round to reading it (after the command's exit).
        let (answer, answered) = try await polling.value
        let batch = try JSONDecoder().decode(SyncBatch.self, from: Data(answer.body))
        #expect(batch.agents.map(\.name).contains("Chen"))
        #expect(answered - added < .seconds(2), "woken \(answered - added) after the command started")
    }

    // MARK: Helpers

    /// Long-polls the instance holds now, from its metrics.
    static func heldPolls(_ server: ServerProcess) async throws -> Int {
        let metrics = try await HTTPClient.shared.send(HTTPClient.Request(url: server.baseURL + "/metrics"))
        let text = String(decoding: metrics.body, as: UTF8.self)
        let line = text.split(separator: "\n").first { $0.hasPrefix("inbox_long_polls_held") }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") }.map { Int($0) } ?? 0
    }

    static func everything(_ server: ServerProcess) async throws -> SyncBatch {
        var all = SyncBatch(cursor: "")
        var cursor: String?
        while true {
            let batch = try JSONDecoder().decode(SyncBatch.self, from: Data(try await server.sync(since: cursor).body))
            all.conversations += batch.conversations
            all.messages += batch.messages
            all.agents += batch.agents
            cursor = batch.cursor
            if !batch.more { return all }
        }
    }

    /// One patient message to whichever instance answers: the load balancer's retry when one is down.
    static func deliver(index: Int, patients: Int, bases: [String]) async throws {
        let patient = index % patients
        let parameters = TestServer.inbound(sid: "SMscale\(index)", from: "+1555820\(String(format: "%04d", patient))",
                                            to: ServerProcess.clinicNumber, body: "patient \(patient) says #\(index / patients)")
        for attempt in 0..<1_000 {
            let url = bases[(index + attempt) % bases.count] + "/webhooks/twilio"
            let signature = TwilioSignature(authToken: TestServer.twilioToken).sign(url: url, parameters: parameters)
            let request = HTTPClient.Request(method: "POST", url: url,
                                             headers: [("Content-Type", "application/x-www-form-urlencoded"), ("X-Twilio-Signature", signature)],
                                             body: Array(FormEncoding.encode(parameters).utf8), timeout: 5)
            if let response = try? await HTTPClient.shared.send(request) {
                if response.status == 200 { return }
                if response.status < 500 { throw InboxProcess.Failure(message: "webhook \(index) refused: \(response.status)") }
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw InboxProcess.Failure(message: "webhook \(index) never accepted")
    }
}
