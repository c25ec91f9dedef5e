import GRDB
import InboxModel
import InboxRecords

/// The clinic's canned replies in the mirror: synced rows replace older ones, a removed one is deleted.
extension Mirror {
    static func writeCannedReplies(_ db: Database, _ replies: [CannedReply]) throws {
        for reply in replies {
            if reply.removed {
                try db.execute(sql: "DELETE FROM canned_replies WHERE id = ?", arguments: [reply.id])
            } else {
                try db.execute(sql: Columns.upsert(into: "canned_replies", Columns.cannedReply),
                               arguments: StatementArguments(values: reply.databaseValues))
            }
        }
    }

    static func cannedReplies(_ db: Database) throws -> [CannedReply] {
        try Row.fetchAll(db, sql: "SELECT \(Columns.list(Columns.cannedReply)) FROM canned_replies ORDER BY shortcode")
            .map { CannedReply(row: $0) }
    }

    /// Every canned reply the mirror holds, by shortcode.
    public func cannedReplies() throws -> [CannedReply] {
        try pool.read { db in try Self.cannedReplies(db) }
    }
}
