import Foundation
import PostgresNIO

/// `postgres://user:password@host:port/database?sslmode=disable|prefer|require`, as libpq and `psql` take it.
public struct PostgresURL: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var sslMode: String

    public init(_ url: String) throws {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? ""),
              let host = components.host, !host.isEmpty else {
            throw StoreError.invalid("not a PostgreSQL URL (postgres://user@host:port/database)")
        }
        self.host = host
        port = components.port ?? 5432
        username = components.user?.removingPercentEncoding ?? "postgres"
        password = components.password?.removingPercentEncoding
        let path = components.path.drop(while: { $0 == "/" })
        database = path.isEmpty ? username : String(path).removingPercentEncoding ?? String(path)
        sslMode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "prefer"
        guard ["disable", "prefer", "require"].contains(sslMode) else {
            throw StoreError.invalid("sslmode must be disable, prefer or require")
        }
    }

    /// The same server with another database (tests create one per test).
    public func with(database: String) -> PostgresURL {
        var copy = self
        copy.database = database
        return copy
    }

    /// Without the password: safe for logs and error messages.
    public var description: String { "postgres://\(username)@\(host):\(port)/\(database)" }

    public var string: String {
        var url = URLComponents()
        url.scheme = "postgres"
        url.user = username
        url.password = password
        url.host = host
        url.port = port
        url.path = "/" + database
        if sslMode != "prefer" { url.queryItems = [URLQueryItem(name: "sslmode", value: sslMode)] }
        return url.string ?? description
    }

    var clientConfiguration: PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS = switch sslMode {
        case "disable": .disable
        case "require": .require(.makeClientConfiguration())
        default: .prefer(.makeClientConfiguration())
        }
        return PostgresClient.Configuration(host: host, port: port, username: username, password: password,
                                            database: database, tls: tls)
    }

    /// A single connection outside the pool (the listener, migrations), named in `pg_stat_activity.application_name`.
    func connectionConfiguration(applicationName: String) -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch sslMode {
        case "disable": tls = .disable
        case "require": tls = (try? .require(.init(configuration: .makeClientConfiguration()))) ?? .disable
        default: tls = (try? .prefer(.init(configuration: .makeClientConfiguration()))) ?? .disable
        }
        var configuration = PostgresConnection.Configuration(host: host, port: port, username: username, password: password,
                                                             database: database, tls: tls)
        configuration.options.additionalStartupParameters = [("application_name", applicationName)]
        return configuration
    }
}
