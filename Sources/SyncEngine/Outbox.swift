import Foundation
import GRDB
import InboxModel
import InboxRecords

/// Commands the agent issued, stored before they are sent and retried with the same idempotency key until the
/// server answers. A refusal (409 taken, 422 window closed…) is kept as `failed` with the server's reason.
extension Mirror {
    /// Queues a command; returns its idempotency key. The draft of a replied conversation is cleared in the same
    /// transaction, so a crash cannot leave both a queued reply and its draft.
    @discardableResult
    public func enqueue(_ command: Command, conversationId: Int64, key: String = UUID().uuidString.lowercased(),
                        now: Millis = Mirror.now()) throws -> String {
        let request = String(decoding: try JSONEncoder().encode(command.requestBody), as: UTF8.self)
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO outbox (key, conversation_id, action, request, state, created_at, updated_at)
                VALUES (?, ?, ?, ?, 'pending', ?, ?)
                """, arguments: [key, conversationId, command.action, request, now, now])
            if case .reply = command {
                try db.execute(sql: "DELETE FROM drafts WHERE conversation_id = ?", arguments: [conversationId])
            }
        }
        return key
    }

    /// Pending commands, oldest first: they go out in the order the agent issued them.
    public func pendingCommands() throws -> [OutboxEntry] {
        try outboxEntries(where: "state = 'pending'")
    }

    public func outboxEntries(conversationId: Int64? = nil) throws -> [OutboxEntry] {
        if let conversationId { return try outboxEntries(where: "conversation_id = \(conversationId)") }
        return try outboxEntries(where: "1")
    }

    private func outboxEntries(where condition: String) throws -> [OutboxEntry] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT key, conversation_id, action, request, state, attempts, last_error, created_at FROM outbox
                WHERE \(condition) ORDER BY created_at, rowid
                """).compactMap { row in
                let request = (try? JSONDecoder().decode(CommandRequest.self, from: Data((row[3] as String).utf8))) ?? CommandRequest()
                guard let command = Command(action: row[2], request: request) else { return nil }
                return OutboxEntry(key: row[0], conversationId: row[1], command: command,
                                   state: OutboxEntry.State(rawValue: row[4]) ?? .failed, attempts: row[5],
                                   lastError: row[6], createdAt: row[7])
            }
        }
    }

    /// The server accepted the command. Its rows are applied now, so the screen does not wait for the next
    /// poll (sync delivers them again; upserts make that harmless).
    public func commandSucceeded(key: String, result: CommandResult?) throws {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM outbox WHERE key = ?", arguments: [key])
            guard let result else { return }
            try db.execute(sql: Columns.upsert(into: "conversations", Columns.conversation),
                           arguments: StatementArguments(values: result.conversation.databaseValues))
            if let message = result.message {
                try db.execute(sql: Columns.upsert(into: "messages", Columns.message),
                               arguments: StatementArguments(values: message.databaseValues))
            }
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

    public func discardCommand(key: String) throws {
        try pool.write { db in try db.execute(sql: "DELETE FROM outbox WHERE key = ?", arguments: [key]) }
    }

    public func pendingCount() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE state = 'pending'") ?? 0 }
    }

    // MARK: Drafts

    public func saveDraft(_ body: String, conversationId: Int64) throws {
        try pool.write { db in
            if body.isEmpty {
                try db.execute(sql: "DELETE FROM drafts WHERE conversation_id = ?", arguments: [conversationId])
            } else {
                try db.execute(sql: """
                    INSERT INTO drafts (conversation_id, body, updated_at) VALUES (?, ?, ?)
                    ON CONFLICT(conversation_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at
                    """, arguments: [conversationId, body, Mirror.now()])
            }
        }
    }

    public func draft(conversationId: Int64) throws -> String {
        try pool.read { db in
            try String.fetchOne(db, sql: "SELECT body FROM drafts WHERE conversation_id = ?", arguments: [conversationId]) ?? ""
        }
    }
}
