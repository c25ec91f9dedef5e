import Foundation
import Logging
import PostgresNIO
import Synchronization

/// Wake-ups across server instances on one PostgreSQL database.
///
/// Waiting is local (`LocalChangeNotifier`: per-clinic generations and held continuations). Publishing is done by the
/// store inside each writing transaction (`pg_notify`, which PostgreSQL delivers to every listener when the
/// transaction commits, and never when it rolls back), and again locally right after commit so this instance's
/// long-polls need not wait for the round trip. One connection per instance LISTENs and bumps the local generation of
/// every clinic it hears about, so a commit on any instance wakes the clinic's held long-polls on all of them.
///
/// A notification sent while the listening connection is down is lost; so after every (re)connection, once LISTEN is
/// active, every clinic is woken: each held long-poll reads its cursor again and answers with whatever it missed.
public final class PostgresChangeNotifier: ChangeNotifier, Sendable {
    static let channel = "inbox_changes"
    /// The listening connection's `application_name`.
    static let listenerName = "inbox-listener"

    private let local = LocalChangeNotifier()
    private let state = Mutex(State())

    private struct State {
        var listening = false
        var connections = 0
        var administrativeHandlers: [@Sendable () -> Void] = []
    }

    public init() {}

    public func generation(clinicId: Int64) -> UInt64 { local.generation(clinicId: clinicId) }

    public func wait(clinicId: Int64, after: UInt64, timeout: Duration) async -> Bool {
        await local.wait(clinicId: clinicId, after: after, timeout: timeout)
    }

    /// Local only: the store's transactions NOTIFY other instances themselves, at commit.
    public func publish(clinicId: Int64) { local.publish(clinicId: clinicId) }

    public func releaseAll() { local.releaseAll() }

    /// Requests currently held open on this instance.
    public var waitingCount: Int { local.waitingCount }

    /// Whether LISTEN is active now (tests wait for it before relying on cross-instance wake-ups).
    public var isListening: Bool { state.withLock { $0.listening } }

    /// How many times the listening connection has been established (a reconnection makes it grow).
    public var listenerConnections: Int { state.withLock { $0.connections } }

    /// Called before the clinic's long-polls are woken when its agents, templates or erasures changed on any
    /// instance (or the shell): the store drops remembered tokens there, so a woken poll reads the database.
    func onAdministrativeChange(_ handler: @escaping @Sendable () -> Void) {
        state.withLock { $0.administrativeHandlers.append(handler) }
    }

    /// Payloads are a clinic id, prefixed with `a` for administrative changes.
    func received(_ payload: String) {
        let administrative = payload.hasPrefix("a")
        guard let clinicId = Int64(administrative ? payload.dropFirst() : Substring(payload)) else { return }
        if administrative { forgetTokens() }
        local.publish(clinicId: clinicId)
    }

    private func forgetTokens() {
        for handler in state.withLock({ $0.administrativeHandlers }) { handler() }
    }

    /// Listens until the task is cancelled, reconnecting (with backoff up to 5 s) whenever the connection drops.
    func listen(url: PostgresURL, logger: Logger) async {
        var delay: Duration = .milliseconds(100)
        while !Task.isCancelled {
            var connection: PostgresConnection?
            do {
                let opened = try await PostgresConnection.connect(configuration: url.connectionConfiguration(applicationName: Self.listenerName), id: 0,
                                                                  logger: logger)
                connection = opened
                try await opened.listen(on: Self.channel) { notifications in
                    // LISTEN is active: catch up on whatever happened while it was not.
                    let clinics = try await opened.query("SELECT id FROM clinics", logger: logger).collect()
                    state.withLock {
                        $0.listening = true
                        $0.connections += 1
                    }
                    delay = .milliseconds(100)
                    forgetTokens()
                    for row in clinics { if let id = try? PGRow(row).int(0) { local.publish(clinicId: id) } }
                    for try await notification in notifications { received(notification.payload) }
                }
            } catch {
                if !Task.isCancelled { logger.warning("change listener lost its connection; reconnecting: \(Self.describe(error))") }
            }
            state.withLock { $0.listening = false }
            try? await connection?.close()
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(5))
        }
    }

    /// The SQLSTATE and server message only: a full PSQLError description carries the statement and its values.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(type(of: error))" }
        let state = error.serverInfo?[.sqlState] ?? "-"
        return "\(error.code) \(state) \(error.serverInfo?[.message] ?? "")"
    }
}
