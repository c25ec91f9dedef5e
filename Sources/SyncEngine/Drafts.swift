import GRDB
import InboxModel

/// Unsent composer text, per conversation. Like the outbox, a draft belongs to the agent (and server) the mirror
/// was bound to when it was typed: another agent signing in on the same terminal neither sees nor overwrites it.
extension Mirror {
    public func saveDraft(_ body: String, conversationId: Int64) throws {
        try pool.write { db in
            if body.isEmpty {
                try db.execute(sql: "DELETE FROM drafts WHERE conversation_id = ? AND \(Self.ownedByBinding)",
                               arguments: [conversationId])
            } else {
                try db.execute(sql: """
                    INSERT INTO drafts (server, agent_id, conversation_id, body, updated_at)
                    SELECT server, agent_id, ?, ?, ? FROM sync_state WHERE id = 1 AND agent_id IS NOT NULL
                    ON CONFLICT(server, agent_id, conversation_id) DO UPDATE SET body = excluded.body,
                        updated_at = excluded.updated_at
                    """, arguments: [conversationId, body, Mirror.now()])
                guard db.changesCount > 0 else { throw MirrorError.notSignedIn }
            }
        }
    }

    public func draft(conversationId: Int64) throws -> String {
        try pool.read { db in
            try String.fetchOne(db, sql: "SELECT body FROM drafts WHERE conversation_id = ? AND \(Self.ownedByBinding)",
                                arguments: [conversationId]) ?? ""
        }
    }
}

public enum MirrorError: Error, Sendable, CustomStringConvertible {
    /// The mirror has never been bound to an agent: nothing can be queued or saved in anyone's name yet.
    case notSignedIn

    public var description: String {
        switch self {
        case .notSignedIn: "not signed in yet: the mirror does not know which agent this terminal is"
        }
    }
}
