import ArgumentParser
import Foundation
import InboxServer

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the server: provider webhooks, the sync endpoint, agent commands and deliveries.",
        discussion: """
            Provider settings come from the environment:
              Twilio  TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_API_BASE
              Meta    META_APP_SECRET, META_VERIFY_TOKEN, META_ACCESS_TOKEN, META_GRAPH_BASE, META_API_VERSION
              WAHA    WAHA_BASE_URL, WAHA_API_KEY, WAHA_HMAC_KEY
            Webhooks: /webhooks/twilio (+ /status), /webhooks/meta (GET verification, POST), /webhooks/waha.
            """)

    @Option(help: "The server's SQLite database (created 0600 if missing).") var db: String
    @Option(help: "Port to listen on (0 picks a free one).") var port = 8080
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "The base URL providers call (Twilio signs it); defaults to http://HOST:PORT.") var publicURL: String?
    @Flag(help: "Do not run the built-in clinic bot.") var noBot = false

    func run() async throws {
        LoggingSetup.bootstrap()
        var configuration = ServerConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.publicURL = publicURL
        configuration.runBot = !noBot
        configuration.applyEnvironment(ProcessInfo.processInfo.environment)
        let app = try InboxServerApp.sqlite(path: db, configuration: configuration)
        try await app.run(handleSignals: true) { port in
            // Written unbuffered: scripts wait for this line to learn the port.
            FileHandle.standardOutput.write(Data("inbox server listening on http://\(host):\(port)\n".utf8))
        }
    }
}
