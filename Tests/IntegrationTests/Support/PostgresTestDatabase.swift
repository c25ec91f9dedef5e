import Foundation
import InboxServer
import Logging
import PostgresNIO
import Testing

/// A fresh PostgreSQL database for one test, on the server `scripts/with-postgres.sh` started
/// (`INBOX_TEST_POSTGRES_URL`). Without that variable the test fails: PostgreSQL tests never skip silently.
struct PostgresTestDatabase: Sendable {
    static let variable = "INBOX_TEST_POSTGRES_URL"

    let server: PostgresURL
    let name: String

    /// The new database's URL, for `PostgresInboxStore` and `InboxServerApp.postgres`.
    var url: String { server.with(database: name).string }

    static func create() async throws -> PostgresTestDatabase {
        let value = try #require(ProcessInfo.processInfo.environment[variable],
                                 "\(variable) is not set: run the PostgreSQL tests through scripts/with-postgres.sh (make test-postgres)")
        let server = try PostgresURL(value)
        let name = "inbox_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await PostgresDatabases.create(name, on: server)
        return PostgresTestDatabase(server: server, name: name)
    }

    /// Drops the database, disconnecting whatever is still connected to it.
    func drop() async {
        try? await PostgresDatabases.drop(name, on: server)
    }

    /// Runs statements on the test database itself (to inspect rows, or to cut connections).
    func withConnection<T: Sendable>(_ body: (PostgresConnection, Logger) async throws -> T) async throws -> T {
        try await PostgresDatabases.withConnection(server.with(database: name), body)
    }
}
