import Foundation
import InboxModel
import Logging
import PostgresNIO
import Synchronization

/// `InboxStore` on PostgreSQL: several stateless `inbox serve` instances on one database (a hospital group).
///
/// Same answers, error bodies and change-log rows as `SQLiteInboxStore`; what differs is how several writers are
/// kept apart:
/// - change seqs are per clinic and taken at the end of each writing transaction under the clinic's counter row
///   lock (`PostgresWrite.flush`), so a clinic's cursor never skips a row that commits later with a lower seq;
/// - every commit NOTIFYs the clinics it touched, and each instance LISTENs (`PostgresChangeNotifier`);
/// - deliveries and media fetches are claimed with a lease (`FOR UPDATE SKIP LOCKED`), so two instances never send
///   the same reply, and a crashed instance's claims expire and are retried;
/// - conversations are read `FOR UPDATE` where a command or a bot decision acts on them, and each message's ingest
///   takes an advisory lock on its patient, so concurrent writers queue instead of failing their compare-and-set.
///
/// The pool runs in a task the store owns from `init` until `close()`; `open` also applies the migrations.
public final class PostgresInboxStore: InboxStore, Sendable {
    let client: PostgresClient
    let url: PostgresURL
    public let notifier: PostgresChangeNotifier
    let logger: Logger
    let clock: @Sendable () -> Millis
    let botAnswers: Bool
    let optOutWords: Set<String>
    let earlyStatusBounds: EarlyStatusBounds
    /// How long a claimed delivery or media fetch stays with this instance before another may take it over.
    let claimLease: Millis
    /// Names this instance's claims (`claimed_by`): host, process and a random part.
    let instance: String
    let pageCache = ClinicPageCache()
    let agentCache = Mutex(AgentTokenCache())
    private let running: Task<Void, Never>
    private let listening = Mutex<Task<Void, Never>?>(nil)

    public init(url: String, notifier: PostgresChangeNotifier, botAnswers: Bool = true,
                optOutWords: Set<String> = IngestRules.defaultOptOutWords,
                earlyStatusBounds: EarlyStatusBounds = EarlyStatusBounds(), claimLease: Millis = 120_000,
                maxConnections: Int = 20,
                clock: @escaping @Sendable () -> Millis = { Millis(Date().timeIntervalSince1970 * 1000) },
                logger: Logger = Logger(label: "inbox.postgres")) throws {
        let url = try PostgresURL(url)
        var configuration = url.clientConfiguration
        configuration.options.maximumConnections = maxConnections
        // postgres-nio logs statements with their bound values at debug level: patients' words must stay out of logs.
        var logger = logger
        if logger.logLevel < .info { logger.logLevel = .info }
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.url = url
        self.notifier = notifier
        self.logger = logger
        self.clock = clock
        self.botAnswers = botAnswers
        self.optOutWords = Set(optOutWords.map { $0.uppercased() })
        self.earlyStatusBounds = earlyStatusBounds
        self.claimLease = claimLease
        instance = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):"
            + String(UInt32.random(in: 0...UInt32.max), radix: 36)
        running = Task { await client.run() }
        notifier.onAdministrativeChange { [weak self] in self?.forgetAuthenticatedTokens() }
    }

    /// Applies missing migrations (on a connection of its own), then starts listening for other instances'
    /// changes: the store is ready. `open` does both.
    public func start() async throws {
        try await PostgresSchema.migrate(url, logger: logger)
        let (notifier, url, logger) = (self.notifier, self.url, self.logger)
        listening.withLock { task in
            guard task == nil else { return }
            task = Task { await notifier.listen(url: url, logger: logger) }
        }
    }

    /// Connects, migrates and returns a running store.
    public static func open(url: String, notifier: PostgresChangeNotifier, botAnswers: Bool = true,
                            optOutWords: Set<String> = IngestRules.defaultOptOutWords,
                            claimLease: Millis = 120_000, maxConnections: Int = 20,
                            clock: @escaping @Sendable () -> Millis = { Millis(Date().timeIntervalSince1970 * 1000) },
                            logger: Logger = Logger(label: "inbox.postgres")) async throws -> PostgresInboxStore {
        let store = try PostgresInboxStore(url: url, notifier: notifier, botAnswers: botAnswers, optOutWords: optOutWords,
                                           claimLease: claimLease, maxConnections: maxConnections, clock: clock,
                                           logger: logger)
        do {
            try await store.start()
        } catch {
            await store.close()
            throw error
        }
        return store
    }

    /// Closes the pool and the listening connection; later calls fail.
    public func close() async {
        let listener = listening.withLock { $0 }
        listener?.cancel()
        await listener?.value
        running.cancel()
        await running.value
    }

    deinit {
        running.cancel()
        listening.withLock { $0?.cancel() }
    }

    // MARK: Transactions

    /// Runs a write transaction; once it has committed, drops remembered tokens if agents changed and wakes the
    /// long-polls of the clinics it touched (other instances are woken by the NOTIFY the commit delivers).
    ///
    /// A deadlock, a serialization failure or a unique-key race with another instance rolls the whole transaction
    /// back; it is then run again from the start (at most three times), as the body reads everything it decides on.
    func write<T: Sendable>(_ body: (PostgresWrite) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                let (result, touched, administrative) = try await client.withConnection { connection in
                    let write = PostgresWrite(connection: connection, logger: logger)
                    try await write.execute("BEGIN")
                    do {
                        let result = try await body(write)
                        try await write.flush()
                        try await write.execute("COMMIT")
                        return (result, write.touched, !write.administrative.isEmpty)
                    } catch {
                        _ = try? await write.execute("ROLLBACK")
                        throw error
                    }
                }
                if administrative { forgetAuthenticatedTokens() }
                for clinic in touched { notifier.publish(clinicId: clinic) }
                return result
            } catch let error as PSQLError where attempt < 3 && Self.isRetryable(error) {
                continue
            }
        }
    }

    /// Reads from one snapshot (several statements that must agree, like a sync page and its horizons).
    func read<T: Sendable>(_ body: (PostgresWrite) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            let read = PostgresWrite(connection: connection, logger: logger)
            try await read.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            do {
                let result = try await body(read)
                try await read.execute("COMMIT")
                return result
            } catch {
                _ = try? await read.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// One statement outside a transaction.
    func rows(_ query: PostgresQuery) async throws -> [PGRow] {
        try await client.query(query, logger: logger).collect().map(PGRow.init)
    }

    static func isRetryable(_ error: PSQLError) -> Bool {
        guard let state = error.serverInfo?[.sqlState] else { return false }
        return ["40P01", "40001", "23505"].contains(state)
    }

    // MARK: Shared helpers

    public func epoch() async throws -> String {
        try await rows("SELECT value FROM server_meta WHERE key = 'epoch'").first?.string(0) ?? ""
    }

    public func mediaLinkSecret() async throws -> String {
        try await rows("SELECT value FROM server_meta WHERE key = 'media_link_secret'").first?.string(0) ?? ""
    }

    /// The clinic's id, creating the clinic (and its counter row) when it is new.
    static func clinicId(_ db: PostgresWrite, name: String, createAt now: Millis) async throws -> Int64 {
        if let id = try await db.int("SELECT id FROM clinics WHERE name = \(name)") { return id }
        guard let id = try await db.int("""
            INSERT INTO clinics (name, created_at) VALUES (\(name), \(now)) RETURNING id
            """) else { throw StoreError.invalid("could not create clinic \(name)") }
        try await db.execute("INSERT INTO clinic_counters (clinic_id, seq) VALUES (\(id), 0)")
        return id
    }
}
