import Logging

/// Where the server's data lives: one SQLite file (a clinic's server, the default) or a PostgreSQL database that
/// several `inbox serve` instances share (a hospital group).
public enum StoreLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(url: String)

    /// `--db PATH` means SQLite, `--database URL` (or `INBOX_DATABASE_URL`) PostgreSQL; exactly one of them.
    public static func resolve(db: String?, database: String?, environment: [String: String]) throws(StoreLocationError) -> StoreLocation {
        let url = database ?? environment["INBOX_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        switch (db, url) {
        case (let path?, nil): return .sqlite(path: path)
        case (nil, let url?):
            guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
                throw .notPostgres(url)
            }
            return .postgres(url: url)
        case (_?, _?): throw database == nil ? .ambiguousEnvironment : .both
        case (nil, nil): throw .missing
        }
    }

    /// The SQLite file, when it is one: what backups, the media directory's default and the single-server lock
    /// are about.
    public var sqlitePath: String? {
        if case .sqlite(let path) = self { return path }
        return nil
    }

    /// Opens the store for one administrative task (`inbox agent add`, …) and closes it afterwards. Its changes
    /// reach running servers on their own: on SQLite through the change stamps they poll every 250 ms, on
    /// PostgreSQL through NOTIFY.
    public func withStore<T: Sendable>(_ body: (any InboxStore) async throws -> T) async throws -> T {
        switch self {
        case .sqlite(let path):
            return try await body(SQLiteInboxStore(path: path, notifier: LocalChangeNotifier()))
        case .postgres(let url):
            let store = try await PostgresInboxStore.open(url: url, notifier: PostgresChangeNotifier())
            do {
                let result = try await body(store)
                await store.close()
                return result
            } catch {
                await store.close()
                throw error
            }
        }
    }
}

public enum StoreLocationError: Error, CustomStringConvertible {
    case missing, both, ambiguousEnvironment
    case notPostgres(String)

    public var description: String {
        switch self {
        case .missing: "give the database: --db PATH (SQLite) or --database postgres://… (or INBOX_DATABASE_URL)"
        case .both: "give either --db (SQLite) or --database (PostgreSQL), not both"
        case .ambiguousEnvironment: "INBOX_DATABASE_URL is set and --db was given: unset one of them"
        case .notPostgres(let url): "\(url.prefix(12))… is not a postgres:// URL"
        }
    }
}

extension InboxServerApp {
    /// The server over the store at `location`.
    public static func open(_ location: StoreLocation, configuration: ServerConfiguration,
                            logger: Logger = Logger(label: "inbox.server")) async throws -> InboxServerApp {
        switch location {
        case .sqlite(let path): try sqlite(path: path, configuration: configuration, logger: logger)
        case .postgres(let url): try await postgres(url: url, configuration: configuration, logger: logger)
        }
    }
}
