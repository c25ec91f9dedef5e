import ArgumentParser
import Foundation
import InboxServer

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the server: provider webhooks, the sync endpoint, agent commands and deliveries.",
        discussion: """
            Provider settings come from the environment:
              Twilio  TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_API_BASE, TWILIO_MENU_CONTENT_SIDS
                      (the bot's menu as a Content template: list:5=HX…,buttons:2=HX…)
              Meta    META_APP_SECRET, META_VERIFY_TOKEN, META_ACCESS_TOKEN, META_GRAPH_BASE, META_API_VERSION
              WAHA    WAHA_BASE_URL, WAHA_API_KEY, WAHA_HMAC_KEY (required: unsigned WAHA webhooks get 403 unless
                      INBOX_WAHA_ALLOW_UNSIGNED=1, for a lab only)
              Gupshup GUPSHUP_API_KEY, GUPSHUP_APP_NAME, GUPSHUP_API_BASE, GUPSHUP_TEMPLATE_IDS (name/lang=id,...)
            Webhooks: /webhooks/twilio (+ /status), /webhooks/meta (GET verification, POST), /webhooks/waha,
                    /webhooks/gupshup/TOKEN (Gupshup signs nothing: each number's callback URL carries a secret
                    token, printed by `inbox number add NUMBER --provider gupshup --ref APP`).
            Limits  INBOX_MAX_CONNECTIONS (default: the open-file limit less 128), INBOX_IDLE_TIMEOUT_MS (30000),
                    INBOX_HEADER_TIMEOUT_MS (10000), INBOX_BODY_TIMEOUT_MS (30000), INBOX_SHUTDOWN_DRAIN_MS (10000)
            Metrics /metrics (Prometheus text) on the main port, or on --metrics-host/--metrics-port
                    (INBOX_METRICS_HOST, INBOX_METRICS_PORT).
            The soft open-file limit is raised to the hard limit at start.
            Storage: --db PATH is a SQLite file (created 0600 if missing), for one server. --database postgres://…
                    (INBOX_DATABASE_URL) is a PostgreSQL database several instances share; give them one media
                    directory (INBOX_MEDIA_DIR). See docs/deployment.md.
            """)

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Port to listen on (0 picks a free one).") var port = 8080
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "The base URL providers call (Twilio signs it); defaults to http://HOST:PORT.") var publicURL: String?
    @Flag(help: "Do not run the built-in clinic bot.") var noBot = false
    @Option(help: "Serve /metrics on this address instead of the main one (with --metrics-port).") var metricsHost: String?
    @Option(help: "Serve /metrics on this port instead of the main one.") var metricsPort: Int?
    @Option(help: "Open connections above this close the oldest idle one (default: the open-file limit less 128).")
    var maxConnections: Int?

    func run() async throws {
        LoggingSetup.bootstrap()
        let openFiles = OpenFileLimit.raiseToHardLimit()
        var configuration = ServerConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.publicURL = publicURL
        configuration.runBot = !noBot
        configuration.applyEnvironment(ProcessInfo.processInfo.environment)
        if let metricsHost { configuration.metricsHost = metricsHost }
        if let metricsPort { configuration.metricsPort = metricsPort }
        if let maxConnections {
            guard maxConnections > 0 else { throw ValidationError("--max-connections must be at least 1") }
            configuration.connections.maxConnections = maxConnections
        }
        if configuration.connections.resolvedMaxConnections(openFileLimit: openFiles) > openFiles {
            FileHandle.standardError.write(Data("warning: --max-connections is above the open-file limit (\(openFiles))\n".utf8))
        }
        let location = try database.location
        // One server per SQLite file; PostgreSQL is made for several.
        let databaseLock = try location.sqlitePath.map { try ServerDatabaseLock(database: $0) }
        if let databaseLock, !databaseLock.acquire() {
            throw ValidationError("another inbox server is already using \(location.sqlitePath ?? "")")
        }
        let app = try await InboxServerApp.open(location, configuration: configuration)
        do {
            try await app.run(handleSignals: true) { port in
                // Written unbuffered: scripts wait for this line to learn the port.
                FileHandle.standardOutput.write(Data("inbox server listening on http://\(host):\(port)\n".utf8))
            }
        } catch {
            await app.close()
            throw error
        }
        await app.close()
        withExtendedLifetime(databaseLock) {}
    }
}
