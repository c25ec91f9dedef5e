import CurlHTTP
import Foundation
import InboxModel
import InboxServer
import Logging
import SyncEngine
import Testing

/// Which store a test server runs on: the suites that matter run on both (`@Test(arguments: TestDatabase.all)`).
enum TestDatabase: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case sqlite, postgres

    static let all = allCases
    var testDescription: String { rawValue }
}

/// A real inbox server on 127.0.0.1 (port picked by the OS) over a real SQLite file in a temporary directory, or over
/// a fresh database of the test PostgreSQL (`PostgresTestDatabase`).
final class TestServer: @unchecked Sendable {
    static let twilioToken = "test-auth-token"

    let directory: URL
    /// The SQLite file (on PostgreSQL, where it would be: the media directory is beside it as on SQLite).
    let dbPath: String
    private(set) var app: InboxServerApp
    /// The PostgreSQL database it runs on, if any.
    let postgres: PostgresTestDatabase?
    /// Whether `stop` drops that database (the first instance on it does).
    private let ownsDatabase: Bool
    private(set) var port = 0
    private var task: Task<Void, any Error>?

    var baseURL: String { "http://127.0.0.1:\(port)" }
    /// How `inbox` commands name this server's database: `--db PATH` or `--database postgres://…`.
    var databaseArguments: [String] { postgres.map { ["--database", $0.url] } ?? ["--db", dbPath] }
    var store: any InboxStore { app.store }

    private init(directory: URL, dbPath: String, app: InboxServerApp, postgres: PostgresTestDatabase?, ownsDatabase: Bool) {
        self.directory = directory
        self.dbPath = dbPath
        self.app = app
        self.postgres = postgres
        self.ownsDatabase = ownsDatabase
    }

    convenience init(configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        let (directory, configuration, logger) = try Self.prepare(configure)
        let dbPath = directory.appendingPathComponent("server.sqlite").path
        self.init(directory: directory, dbPath: dbPath,
                  app: try InboxServerApp.sqlite(path: dbPath, configuration: configuration, logger: logger), postgres: nil,
                  ownsDatabase: false)
    }

    /// A server (not started) on `database`; on PostgreSQL, `sharing` puts it on another server's database, as a
    /// second instance behind the same load balancer.
    static func make(database: TestDatabase, sharing other: TestServer? = nil,
                     configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> TestServer {
        guard database == .postgres else { return try TestServer(configure: configure) }
        var (directory, configuration, logger) = try prepare(configure)
        // Where SQLite's file would be: tests find media beside it. Instances share the media directory, as they
        // would share a mounted one.
        let dbPath = directory.appendingPathComponent("server.sqlite").path
        configuration.media.directory = other?.app.configuration.media.directory
            ?? MediaFiles.defaultDirectory(forDatabase: dbPath)
        let postgres: PostgresTestDatabase
        if let shared = other?.postgres { postgres = shared } else { postgres = try await PostgresTestDatabase.create() }
        do {
            let app = try await InboxServerApp.postgres(url: postgres.url, configuration: configuration, logger: logger)
            return TestServer(directory: directory, dbPath: dbPath, app: app, postgres: postgres, ownsDatabase: other == nil)
        } catch {
            if other == nil { await postgres.drop() }
            throw error
        }
    }

    private static func prepare(_ configure: (inout ServerConfiguration) -> Void) throws -> (URL, ServerConfiguration, Logger) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("inbox-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.runBot = false
        configuration.twilio = .init(accountSid: "ACtest", authToken: Self.twilioToken, apiBase: "http://127.0.0.1:9")
        configuration.delivery = .init(maxAttempts: 3, baseDelay: 20, maxDelay: 200)
        configure(&configuration)
        var logger = Logger(label: "inbox.test-server")
        logger.logLevel = .critical  // cancellation at shutdown logs errors that are not the test's concern
        return (directory, configuration, logger)
    }

    /// On SQLite, or on PostgreSQL when `INBOX_TEST_DATABASE=postgres`: existing suites run unchanged on either
    /// (`INBOX_TEST_DATABASE=postgres scripts/with-postgres.sh swift test --filter CommandTests`).
    static func start(configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> TestServer {
        let database = TestDatabase(rawValue: ProcessInfo.processInfo.environment["INBOX_TEST_DATABASE"] ?? "") ?? .sqlite
        let server = try await make(database: database, configure: configure)
        try await server.start()
        return server
    }

    static func start(database: TestDatabase, sharing other: TestServer? = nil,
                      configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> TestServer {
        let server = try await make(database: database, sharing: other, configure: configure)
        try await server.start()
        return server
    }

    func start() async throws {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = self.app
        task = Task { try await app.run { port in continuation.yield(port) } }
        for await bound in ports { port = bound; break }
    }

    /// Stops serving, closes the store and starts a new server on the same database with the same configuration,
    /// as a restarted process would (on a new port).
    func restart() async throws {
        task?.cancel()
        _ = try? await task?.value
        await app.close()
        var logger = Logger(label: "inbox.test-server")
        logger.logLevel = .critical
        if let postgres {
            app = try await InboxServerApp.postgres(url: postgres.url, configuration: app.configuration, logger: logger)
        } else {
            app = try InboxServerApp.sqlite(path: dbPath, configuration: app.configuration, logger: logger)
        }
        try await start()
    }

    func stop() async {
        task?.cancel()
        _ = try? await task?.value
        await app.close()
        if ownsDatabase { await postgres?.drop() }
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: Fixtures

    /// A clinic with one agent and one Twilio number; returns the agent's token.
    @discardableResult
    func addClinic(_ clinic: String, number: String, agents: [String] = ["Aisha"]) async throws -> [NewAgent] {
        try await store.addNumber(number, clinic: clinic, provider: .twilio, providerRef: nil)
        var created: [NewAgent] = []
        for name in agents { created.append(try await store.addAgent(name: name, clinic: clinic, role: .agent)) }
        return created
    }

    /// Posts a Twilio inbound-message webhook signed like Twilio signs it.
    func twilioWebhook(_ parameters: [(String, String)], path: String = "/webhooks/twilio",
                       signature: String? = nil) async throws -> HTTPClient.Response {
        let url = baseURL + path
        let signed = signature ?? TwilioSignature(authToken: Self.twilioToken).sign(url: url, parameters: parameters)
        return try await HTTPClient.shared.send(HTTPClient.Request(
            method: "POST", url: url,
            headers: [("Content-Type", "application/x-www-form-urlencoded"), ("X-Twilio-Signature", signed)],
            body: Array(FormEncoding.encode(parameters).utf8)))
    }

    static func inbound(sid: String, from: String, to: String, body: String, name: String = "Patient") -> [(String, String)] {
        [("MessageSid", sid), ("SmsMessageSid", sid), ("AccountSid", "ACtest"), ("From", "whatsapp:\(from)"),
         ("To", "whatsapp:\(to)"), ("Body", body), ("NumMedia", "0"), ("ProfileName", name),
         ("WaId", String(from.dropFirst()))]
    }

    /// Sends a command as the agent would, with an explicit idempotency key.
    func command(_ command: Command, conversation: Int64, token: String, key: String = UUID().uuidString) async throws -> HTTPClient.Response {
        // Sorted keys, as the client sends them: a replay under the same key must be the same bytes.
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let body = try encoder.encode(command.requestBody)
        return try await HTTPClient.shared.send(HTTPClient.Request(
            method: "POST", url: "\(baseURL)/v1/conversations/\(conversation)/\(command.action)",
            headers: [("Authorization", "Bearer \(token)"), ("Idempotency-Key", key), ("Content-Type", "application/json")],
            body: Array(body)))
    }

    func sync(token: String, since: String? = nil, timeout: Int = 0) async throws -> HTTPClient.Response {
        var url = "\(baseURL)/v1/sync?timeout=\(timeout)"
        if let since { url += "&since=\(since)" }
        return try await HTTPClient.shared.send(HTTPClient.Request(url: url, headers: [("Authorization", "Bearer \(token)")],
                                                                   timeout: Double(timeout) / 1000 + 10))
    }

    /// Everything the agent can see, pulled until nothing is pending.
    func everything(token: String) async throws -> SyncBatch {
        var all = SyncBatch(cursor: "")
        var cursor: String?
        while true {
            let response = try await sync(token: token, since: cursor)
            let batch = try JSONDecoder().decode(SyncBatch.self, from: Data(response.body))
            all.patients += batch.patients
            all.conversations += batch.conversations
            all.messages += batch.messages
            all.agents += batch.agents
            all.channels += batch.channels
            all.templates += batch.templates
            cursor = batch.cursor
            all.cursor = batch.cursor
            if !batch.more { return all }
        }
    }
}

/// Polls `condition` until it holds or `timeout` passes.
func eventually(timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

extension TestServer {
    /// A fresh client mirror (a real SQLite file) synced to the server's present state: what a terminal would show.
    func syncedMirror(token: String) async throws -> Mirror {
        let mirror = try Mirror(path: directory.appendingPathComponent("mirror-\(UUID().uuidString).sqlite").path)
        try await SyncLoop(mirror: mirror, api: ServerAPI(server: baseURL, token: token)).syncOnce()
        return mirror
    }

    /// Every message in the mirror, conversation by conversation, as the conversation pane would list them.
    static func mirroredMessages(_ mirror: Mirror, conversations: [Conversation]) throws -> [Message] {
        try conversations.flatMap { try mirror.conversationDetail($0.id)?.messages ?? [] }
    }
}
