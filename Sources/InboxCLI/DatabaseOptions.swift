import ArgumentParser
import Foundation
import InboxServer

/// The server's database, for `inbox serve` and every administrative command.
struct DatabaseOptions: ParsableArguments {
    @Option(help: "The server's SQLite database.") var db: String?
    @Option(help: ArgumentHelp("The server's PostgreSQL database instead of --db (default: INBOX_DATABASE_URL).",
                               valueName: "postgres://user@host:port/name"))
    var database: String?

    func validate() throws { _ = try location }

    var location: StoreLocation {
        get throws {
            do {
                return try StoreLocation.resolve(db: db, database: database, environment: ProcessInfo.processInfo.environment)
            } catch {
                throw ValidationError(error.description)
            }
        }
    }

    func withStore<T: Sendable>(_ body: (any InboxStore) async throws -> T) async throws -> T {
        try await location.withStore(body)
    }
}
