import ArgumentParser
import Foundation
import InboxServer

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the server: provider webhooks, the sync endpoint, agent commands and deliveries.",
        discussion: """
            Twilio credentials come from TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and (for tests) TWILIO_API_BASE.
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
