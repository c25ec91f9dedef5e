import Foundation
import GRDB
import InboxModel
import InboxRecords

/// Commands the agent issued, stored before they are sent and retried with the same idempotency key until the
/// server answers. A refusal (409 taken, 422 window closed…) is kept as `failed` with the server's reason.
///
/// Every row belongs to the agent and server it was queued under (`server`, `agent_id`), and is only ever sent
/// with that agent's credentials. When someone else signs in on the same terminal, those rows are held: not sent,
/// not dropped, and counted in `heldCommands()` so the screen can say whose they are.
extension Mirror {
    /// Who may send an outbox row: the agent on the server that queued it.
    public struct Owner: Sendable, Equatable {
        public var server: String
        public var agentId: Int64

        public init(server: String, agentId: Int64) {
            self.server = server
            self.agentId = agentId
        }
    }

    /// A queued command whose row cannot be read back (written by a newer client, or damaged). It is kept, marked
    /// failed, and reported; it is never sent and never silently dropped.
    public struct UnreadableCommand: Sendable, Equatable {
        public var key: String
        public var action: String
        public var reason: String
    }

    /// Rows that belong to the agent the mirror is bound to.
    static let ownedByBinding = """
        server IS (SELECT server FROM sync_state WHERE id = 1) AND agent_id IS (SELECT agent_id FROM sync_state WHERE id = 1)
        """

    /// Queues a command in the name of the agent the mirror is bound to; returns its idempotency key. The draft
    /// of a replied conversation is cleared in the same transaction, so a crash cannot leave both a queued reply
    /// and its draft. Throws `MirrorError.notSignedIn` on a mirror that was never bound.
    @discardableResult
    public func enqueue(_ command: Command, conversationId: Int64, key: String = UUID().uuidString.lowercased(),
                        now: Millis = Mirror.now()) throws -> String {
        let request = String(decoding: try JSONEncoder().encode(command.requestBody), as: UTF8.self)
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO outbox (key, conversation_id, action, request, state, created_at, updated_at,
                    server, agent_id, agent_name)
                SELECT ?, ?, ?, ?, 'pending', ?, ?, s.server, s.agent_id, (SELECT name FROM agents WHERE id = s.agent_id)
                FROM sync_state s WHERE s.id = 1 AND s.agent_id IS NOT NULL
                """, arguments: [key, conversationId, command.action, request, now, now])
            guard db.changesCount > 0 else { throw MirrorError.notSignedIn }
            if case .reply = command {
                try db.execute(sql: "DELETE FROM drafts WHERE conversation_id = ? AND \(Self.ownedByBinding)",
                               arguments: [conversationId])
            }
        }
        return key
    }

    /// `owner`'s pending commands, oldest first: they go out in the order the agent issued them. Only the sync
    /// loop that has proven (with `/v1/me`) that its token is `owner` may send them.
    public func pendingCommands(for owner: Owner) throws -> [OutboxEntry] {
        try outboxEntries(where: "state = 'pending' AND server = ? AND agent_id = ?", [owner.server, owner.agentId])
    }

    /// The pending commands of the agent the mirror is bound to.
    public func pendingCommands() throws -> [OutboxEntry] {
        try outboxEntries(where: "state = 'pending' AND \(Self.ownedByBinding)", [])
    }

    /// The bound agent's commands (all of them, or one conversation's), oldest first.
    public func outboxEntries(conversationId: Int64? = nil) throws -> [OutboxEntry] {
        if let conversationId {
            return try outboxEntries(where: "conversation_id = ? AND \(Self.ownedByBinding)", [conversationId])
        }
        return try outboxEntries(where: Self.ownedByBinding, [])
    }

    private func outboxEntries(where condition: String, _ arguments: StatementArguments) throws -> [OutboxEntry] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT key, conversation_id, action, request, state, attempts, last_error, created_at FROM outbox
                WHERE \(condition) ORDER BY created_at, rowid
                """, arguments: arguments).compactMap { row in
                // Unreadable rows are not skipped silently: `takeUnreadableCommands` marks and reports them.
                guard let command = try? Self.decodeCommand(action: row[2], request: row[3]) else { return nil }
                return OutboxEntry(key: row[0], conversationId: row[1], command: command,
                                   state: OutboxEntry.State(rawValue: row[4]) ?? .failed, attempts: row[5],
                                   lastError: row[6], createdAt: row[7])
            }
        }
    }

    struct UnreadableRequest: Error, CustomStringConvertible {
        var description: String
    }

    static func decodeCommand(action: String, request: String) throws -> Command {
        let decoded: CommandRequest
        do {
            decoded = try JSONDecoder().decode(CommandRequest.self, from: Data(request.utf8))
        } catch {
            throw UnreadableRequest(description: "its request is not readable JSON")
        }
        guard let command = Command(action: action, request: decoded) else {
            throw UnreadableRequest(description: "this client does not know the command '\(action)' with those fields")
        }
        return command
    }

    /// Marks pending rows that cannot be decoded as failed (kept, visible, retried or discarded by the agent) and
    /// returns them so the caller can report them. Reasons name the action and the problem, never the text.
    public func takeUnreadableCommands() throws -> [UnreadableCommand] {
        try pool.write { db in
            var unreadable: [UnreadableCommand] = []
            for row in try Row.fetchAll(db, sql: "SELECT key, action, request FROM outbox WHERE state = 'pending'") {
                do {
                    _ = try Self.decodeCommand(action: row[1], request: row[2])
                } catch {
                    let reason = "This queued command could not be read (\(error)); it was kept, not sent"
                    try db.execute(sql: "UPDATE outbox SET state = 'failed', last_error = ?, updated_at = ? WHERE key = ?",
                                   arguments: [reason, Mirror.now(), row[0] as String])
                    unreadable.append(UnreadableCommand(key: row[0], action: row[1], reason: "\(error)"))
                }
            }
            return unreadable
        }
    }

    /// The server accepted the command. Its rows are applied now, through the mirror's one version-guarded
    /// writer, so the screen does not wait for the next poll and a late answer cannot undo newer synced rows.
    public func commandSucceeded(key: String, result: CommandResult?) throws {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM outbox WHERE key = ?", arguments: [key])
            guard let result else { return }
            try Self.write(db, SyncBatch(cursor: "", conversations: [result.conversation],
                                         messages: result.message.map { [$0] } ?? []), from: .commandResult)
        }
    }

    /// A transient failure: stays pending and is retried with the same key.
    public func commandAttemptFailed(key: String, error: String) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE outbox SET attempts = attempts + 1, last_error = ?, updated_at = ? WHERE key = ?",
                           arguments: [error, Mirror.now(), key])
        }
    }

    /// The server refused the command: keep it, visibly, until the agent retries or discards it.
    public func commandRefused(key: String, error: String) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ?, updated_at = ? WHERE key = ?",
                           arguments: [error, Mirror.now(), key])
        }
    }

    /// Retry a refused command under a new key: it is a new request now (the old key's answer is final).
    public func retryCommand(key: String) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE outbox SET key = ?, state = 'pending', last_error = NULL, updated_at = ? WHERE key = ? AND state = 'failed'",
                           arguments: [UUID().uuidString.lowercased(), Mirror.now(), key])
        }
    }

    /// The agent gave up on a refused command: it leaves the outbox (and the failure count). Only failed rows can
    /// be discarded, so a command on its way to the server is never lost to a stale key.
    @discardableResult
    public func discardCommand(key: String) throws -> Bool {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM outbox WHERE key = ? AND state = 'failed'", arguments: [key])
            return db.changesCount > 0
        }
    }

    /// The bound agent's pending and failed commands.
    public func outboxCounts() throws -> (pending: Int, failed: Int) {
        try pool.read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT COALESCE(SUM(state = 'pending'), 0), COALESCE(SUM(state = 'failed'), 0) FROM outbox
                WHERE \(Self.ownedByBinding)
                """)
            return (row?[0] ?? 0, row?[1] ?? 0)
        }
    }

    /// Commands waiting for another agent (or another server) to sign in here, grouped by whose they are: not
    /// the bound agent's, or, with `owner`, not that agent's (`inbox login` asks before the mirror is rebound).
    public func heldCommands(notOwnedBy owner: Owner? = nil) throws -> [HeldOutbox] {
        let mine = owner.map { _ in "server IS ? AND agent_id IS ?" } ?? Self.ownedByBinding
        let arguments: StatementArguments = owner.map { [$0.server, $0.agentId] } ?? []
        return try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT agent_id, MAX(agent_name), server, COUNT(*), SUM(action IN ('reply', 'template', 'media'))
                FROM outbox WHERE NOT (\(mine)) GROUP BY server, agent_id ORDER BY MIN(created_at)
                """, arguments: arguments).map {
                HeldOutbox(agentId: $0[0] ?? 0, agentName: $0[1], server: $0[2] ?? "", count: $0[3], replies: $0[4] ?? 0)
            }
        }
    }
}
