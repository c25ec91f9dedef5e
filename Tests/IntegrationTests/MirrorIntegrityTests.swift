import CurlHTTP
import Foundation
import GRDB
import InboxModel
import InboxServer
import Logging
import SyncEngine
import Testing

/// The client mirror's own guarantees, against a real server on 127.0.0.1 and real SQLite files: queued commands
/// belong to their agent, late rows never overwrite newer ones, refused commands can be discarded, and nothing
/// fails silently.
@Suite("Mirror integrity")
struct MirrorIntegrityTests {
    static let clinicNumber = "+15550001111"

    /// A clinic with Aisha and Bilal, one patient waiting, and a mirror file in the server's directory.
    static func clinic(_ server: TestServer) async throws -> (aisha: NewAgent, bilal: NewAgent, conversation: Int64, mirror: Mirror) {
        let agents = try await server.addClinic("Sunrise", number: clinicNumber, agents: ["Aisha", "Bilal"])
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SM1", from: "+15557654321", to: clinicNumber,
                                                              body: "Please call me", name: "Maria Lopez"))
        let conversation = try #require(try await server.everything(token: agents[0].token).conversations.first).id
        let mirror = try Mirror(path: server.directory.appendingPathComponent("mirror.sqlite").path)
        return (agents[0], agents[1], conversation, mirror)
    }

    static func replies(_ server: TestServer, token: String) async throws -> [Message] {
        try await server.everything(token: token).messages.filter { $0.author == .agent }
    }

    // MARK: 20 — queued replies never go out under the wrong agent

    @Test("after another agent signs in on the same terminal, the first agent's queued replies are held, then sent as them")
    func queuedRepliesStayWithTheirAgent() async throws {
        let twilio = try await FakeTwilio.start()
        let server = try await TestServer.start { $0.twilio.apiBase = twilio.baseURL }
        defer { Task { await server.stop(); await twilio.stop() } }
        let (aisha, bilal, conversation, mirror) = try await Self.clinic(server)
        let asAisha = ServerAPI(server: server.baseURL, token: aisha.token)
        let asBilal = ServerAPI(server: server.baseURL, token: bilal.token)

        // Aisha holds the conversation and queues three replies while offline.
        #expect(try await server.command(.takeOver, conversation: conversation, token: aisha.token).status == 200)
        try await SyncLoop(mirror: mirror, api: asAisha).syncOnce()
        for text in ["one", "two", "three"] { try mirror.enqueue(.reply(body: "Aisha says \(text)"), conversationId: conversation) }

        // Bilal signs in on the same PC. His loop runs (pull and send side by side) and sends his own command,
        // the positive control that proves the outbox was flushed under his token.
        let events = EventLog()
        let loop = SyncLoop(mirror: mirror, api: asBilal, onEvent: events.record)
        let running = Task { await loop.run() }
        #expect(try await eventually { try mirror.syncState()?.agentId == bilal.agent.id })
        try mirror.enqueue(.markRead(upToMessageId: 1), conversationId: conversation)
        loop.outboxChanged()
        #expect(try await eventually { try mirror.pendingCommands().isEmpty && mirror.outboxEntries().isEmpty })
        running.cancel()
        _ = await running.value

        #expect(try await Self.replies(server, token: aisha.token).isEmpty, "nothing was sent with Bilal's token")
        #expect(twilio.sent.isEmpty)
        let held = try mirror.heldCommands()
        #expect(held == [HeldOutbox(agentId: aisha.agent.id, agentName: "Aisha", server: server.baseURL, count: 3, replies: 3)])
        #expect(held.first?.summary(currentServer: server.baseURL) == "3 replies from Aisha held: log in as Aisha to send")
        #expect(events.signedIn.contains { $0.agent.id == bilal.agent.id && $0.changed })
        #expect(try mirror.pendingCommands(for: Mirror.Owner(server: server.baseURL, agentId: aisha.agent.id)).count == 3,
                "held, not lost")

        // Aisha signs in again: her replies go out, in order, under her name.
        try await SyncLoop(mirror: mirror, api: asAisha).syncOnce()
        let sent = try await Self.replies(server, token: aisha.token).sorted { $0.id < $1.id }
        #expect(sent.map(\.body) == ["Aisha says one", "Aisha says two", "Aisha says three"])
        #expect(sent.allSatisfy { $0.agentId == aisha.agent.id })
        #expect(try mirror.heldCommands().isEmpty)
        #expect(try mirror.outboxEntries().isEmpty)
    }

    @Test("`inbox login` as another agent says whose replies are held in the terminal's mirror")
    func loginReportsHeldReplies() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let (aisha, bilal, conversation, mirror) = try await Self.clinic(server)
        try await SyncLoop(mirror: mirror, api: ServerAPI(server: server.baseURL, token: aisha.token)).syncOnce()
        try mirror.enqueue(.reply(body: "queued while offline"), conversationId: conversation)
        try mirror.enqueue(.reply(body: "and another"), conversationId: conversation)

        let home = server.directory.appendingPathComponent("home").path
        let output = try InboxProcess.run(["login", "--server", server.baseURL, "--token", bilal.token, "--mirror", mirror.path],
                                          environment: ["HOME": home, "XDG_CONFIG_HOME": home + "/config"])
        #expect(output.contains("signed in as Bilal"), "\(output)")
        #expect(output.contains("2 replies from Aisha held: log in as Aisha to send"), "\(output)")
        #expect(!output.contains("queued while offline"), "never the text")
    }

    // MARK: 21 — one version-guarded writer

    @Test("a late command answer cannot set a synced message back from sent to pending, nor a conversation back")
    func lateCommandResultIsIgnored() async throws {
        let twilio = try await FakeTwilio.start()
        let server = try await TestServer.start { $0.twilio.apiBase = twilio.baseURL }
        defer { Task { await server.stop(); await twilio.stop() } }
        let (aisha, _, conversation, mirror) = try await Self.clinic(server)
        let api = ServerAPI(server: server.baseURL, token: aisha.token)
        _ = try await api.send(.takeOver, conversationId: conversation, key: "take")
        // The reply's answer as the server gave it: the message pending, the conversation assigned.
        let late = try #require(try await api.send(.reply(body: "We will call you"), conversationId: conversation, key: "reply"))
        let message = try #require(late.message)
        #expect(message.status == .pending)

        // Sync moves past it: the provider took the message (sent) and the conversation was closed.
        #expect(try await eventually { twilio.sent.count == 1 })
        _ = try await api.send(.close, conversationId: conversation, key: "close")
        let loop = SyncLoop(mirror: mirror, api: api)
        func mirrored() throws -> (DeliveryStatus?, ConversationStatus?, Int64?) {
            let detail = try mirror.conversationDetail(conversation)
            let stored = detail?.messages.first { $0.id == message.id }
            return (stored?.status, detail?.conversation.status, detail?.conversation.version)
        }
        #expect(try await eventually {
            try await loop.syncOnce()
            return try mirrored().0 == .sent && mirrored().1 == .closed
        })
        let synced = try mirrored()

        // The late answer arrives now, through the same writer sync uses.
        try mirror.commandSucceeded(key: "reply", result: late)
        let after = try mirrored()
        #expect(after.0 == .sent, "the message stays sent")
        #expect(after.1 == .closed, "the conversation stays closed")
        #expect(after.2 == synced.2)

        // Positive control: on a mirror that has not seen them, the same answer is stored.
        let fresh = try Mirror(path: server.directory.appendingPathComponent("fresh.sqlite").path)
        try fresh.commandSucceeded(key: "reply", result: late)
        let stored = try fresh.conversationDetail(conversation)
        #expect(stored?.messages.map(\.status) == [.pending])
        #expect(stored?.conversation.status == .assigned)
        // …and a newer synced row still replaces it.
        let newer = try await server.everything(token: aisha.token)
        try fresh.apply(newer)
        #expect(try fresh.conversationDetail(conversation)?.messages.last { $0.author == .agent }?.status == .sent)
        #expect(try fresh.conversationDetail(conversation)?.conversation.status == .closed)
    }

    @Test("a batch fetched from a cursor another process has since moved is dropped, never applied backwards")
    func staleBatchIsDropped() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let (aisha, _, conversation, mirror) = try await Self.clinic(server)
        let api = ServerAPI(server: server.baseURL, token: aisha.token)
        try await SyncLoop(mirror: mirror, api: api).syncOnce()
        let before = try #require(try mirror.syncState()?.cursor)
        let old = try await api.changes(since: nil, wait: .zero)  // what a slow second process fetched long ago
        #expect(try mirror.apply(old, since: nil) == false)
        #expect(try mirror.syncState()?.cursor == before)
        _ = try await api.send(.takeOver, conversationId: conversation, key: "t")
        let next = try await api.changes(since: before, wait: .zero)
        #expect(try mirror.apply(next, since: before) == true, "the batch that follows the mirror's cursor applies")
        #expect(try mirror.conversationDetail(conversation)?.conversation.status == .assigned)
    }

    // MARK: 22 — refused commands can be discarded

    @Test("a refused command stays failed until the agent discards it; then the failure count clears")
    func discardRefusedCommand() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let (aisha, bilal, conversation, mirror) = try await Self.clinic(server)
        #expect(try await server.command(.takeOver, conversation: conversation, token: bilal.token).status == 200)
        let loop = SyncLoop(mirror: mirror, api: ServerAPI(server: server.baseURL, token: aisha.token))
        try await loop.syncOnce()
        let refused = try mirror.enqueue(.reply(body: "too late"), conversationId: conversation)
        try await loop.syncOnce()
        #expect(try mirror.outboxCounts().failed == 1, "Bilal holds it: Aisha's reply is refused")
        let pending = try mirror.enqueue(.handBack, conversationId: conversation)
        #expect(try mirror.discardCommand(key: pending) == false, "a command on its way is never discarded")
        #expect(try mirror.discardCommand(key: refused))
        #expect(try mirror.outboxCounts().failed == 0)
        #expect(try mirror.outboxEntries().map(\.key) == [pending])
    }

    // MARK: 23 — no failure is swallowed

    @Test("an outbox row that cannot be read is kept as failed, reported, and logged without its text")
    func unreadableOutboxRowIsReported() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let (aisha, _, conversation, mirror) = try await Self.clinic(server)
        let logPath = server.directory.appendingPathComponent("state/inbox/inbox.log").path
        let logFile = try ClientLogFile(path: logPath)
        let logger = Logger(label: "inbox.sync") { ClientLogHandler(label: $0, file: logFile) }
        let events = EventLog()
        let loop = SyncLoop(mirror: mirror, api: ServerAPI(server: server.baseURL, token: aisha.token), logger: logger,
                            onEvent: events.record)
        try await loop.syncOnce()
        // A row this client cannot decode (a newer client's, or damaged), and a good one as the positive control.
        try mirror.enqueue(.takeOver, conversationId: conversation)
        let queue = try DatabaseQueue(path: mirror.path)
        try await queue.write { db in
            try db.execute(sql: """
                INSERT INTO outbox (key, conversation_id, action, request, state, created_at, updated_at, server, agent_id)
                SELECT 'broken-key', ?, 'reply', '{"body": "SECRET PATIENT TEXT', 'pending', 0, 0, server, agent_id
                FROM sync_state
                """, arguments: [conversation])
        }
        try await loop.syncOnce()

        let rows = try mirror.read { db in try Row.fetchAll(db, sql: "SELECT key, state, last_error FROM outbox") }
        #expect(rows.count == 1, "the readable command went out; the unreadable one is kept")
        #expect(rows.first?["key"] as String? == "broken-key")
        #expect(rows.first?["state"] as String? == "failed")
        #expect((rows.first?["last_error"] as String?)?.contains("could not be read") == true)
        #expect(try mirror.outboxCounts().failed == 1, "it counts as a failure on the status line")
        #expect(events.problems.contains { $0.contains("could not be read") }, "\(events.problems)")
        #expect(try await server.everything(token: aisha.token).conversations.first?.assignedAgentId == aisha.agent.id)

        let log = try String(contentsOfFile: logPath, encoding: .utf8)
        #expect(log.contains("broken-key") && log.contains("cannot be read"), "\(log)")
        #expect(!log.contains("SECRET"), "never message text in the log")
        let mode = try FileManager.default.attributesOfItem(atPath: logPath)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test("sync failures reach the connection state and the log file")
    func syncFailuresAreLogged() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("inbox-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let logPath = directory.appendingPathComponent("inbox.log").path
        let logFile = try ClientLogFile(path: logPath)
        let logger = Logger(label: "inbox.sync") { ClientLogHandler(label: $0, file: logFile) }
        let mirror = try Mirror(path: directory.appendingPathComponent("mirror.sqlite").path)
        let events = EventLog()
        var policy = SyncLoop.Policy()
        policy.baseBackoff = .milliseconds(20)
        let loop = SyncLoop(mirror: mirror, api: ServerAPI(server: "http://127.0.0.1:9", token: "t"), policy: policy,
                            logger: logger, onEvent: events.record)
        let running = Task { await loop.run() }
        defer { running.cancel() }
        #expect(try await eventually { events.failures > 0 })
        #expect(try await eventually { (try? String(contentsOfFile: logPath, encoding: .utf8))?.contains("sync failed") == true })
    }
}

/// Collects a sync loop's events across threads.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [SyncLoop.Event] = []

    var record: @Sendable (SyncLoop.Event) -> Void { { [self] event in lock.withLock { events.append(event) } } }

    var problems: [String] {
        lock.withLock { events.compactMap { if case .problem(let text) = $0 { text } else { nil } } }
    }

    var signedIn: [(agent: Agent, changed: Bool)] {
        lock.withLock { events.compactMap { if case .signedIn(let me, let changed) = $0 { (me.agent, changed) } else { nil } } }
    }

    var failures: Int {
        lock.withLock {
            events.filter {
                switch $0 {
                case .connection(.reconnecting), .connection(.offline): true
                default: false
                }
            }.count
        }
    }
}
