import Logging
import PostgresNIO

/// Creating and dropping whole databases on a PostgreSQL server: what the test suite and the benchmarks do to get a
/// fresh database per run. Not used by the server itself, which is given its database.
public enum PostgresDatabases {
    /// Creates `name` (letters, digits and underscores only) on the server `url` points at.
    public static func create(_ name: String, on url: PostgresURL) async throws {
        try checkName(name)
        try await withConnection(url) { connection, logger in
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
    }

    /// Drops `name`, disconnecting whatever is still connected to it.
    public static func drop(_ name: String, on url: PostgresURL) async throws {
        try checkName(name)
        try await withConnection(url) { connection, logger in
            try await connection.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
        }
    }

    /// One connection outside any pool, closed afterwards.
    public static func withConnection<T: Sendable>(_ url: PostgresURL,
                                                   _ body: (PostgresConnection, Logger) async throws -> T) async throws -> T {
        let logger = Logger(label: "inbox.postgres-admin")
        let connection = try await PostgresConnection.connect(
            configuration: url.connectionConfiguration(applicationName: "inbox admin"), id: 1, logger: logger)
        do {
            let result = try await body(connection, logger)
            try? await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// Names are spliced into the statement (identifiers cannot be bound), so only plain ones are taken.
    private static func checkName(_ name: String) throws {
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw StoreError.invalid("database names are letters, digits and underscores")
        }
    }
}
