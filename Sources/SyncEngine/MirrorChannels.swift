import GRDB
import InboxModel
import InboxRecords

extension Mirror {
    /// The clinic's WhatsApp channels as last synced (breaker open → `degraded`, a WAHA session that is not
    /// WORKING → its state), so the client can say why replies wait.
    public func channels() throws -> [ChannelHealth] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT \(Columns.list(Columns.channel)) FROM channels ORDER BY clinic_number")
                .map { ChannelHealth(row: $0) }
        }
    }
}
