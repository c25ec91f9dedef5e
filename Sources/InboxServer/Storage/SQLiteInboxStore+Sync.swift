import Foundation
import GRDB
import InboxModel
import InboxRecords

extension SQLiteInboxStore {
    public func changes(for agent: AuthenticatedAgent, after seq: Int64, limit: Int) async throws -> ChangePage {
        let cache = pageCache
        return try await pool.read { db in
            let latest = try db.valueCached("SELECT MAX(seq) FROM changes") as Int64? ?? 0
            let key = ClinicPageCache.Key(clinicId: agent.clinicId, after: seq, limit: limit)
            var page: ChangePage
            if let cached = cache.page(for: key, latestSeq: latest) {
                page = cached
            } else {
                page = try Self.clinicPage(db, clinic: agent.clinicId, after: seq, limit: limit, latest: latest)
                cache.store(page, for: key)
            }
            // Read horizons are private: each agent receives only its own, so they are never cached. A page with
            // no read change in it has none to look for.
            if page.hasReadChanges {
                page.batch.readHorizons = try db.rowsCached("""
                    SELECT e.conversation_id, e.agent_id, e.message_id FROM changes c JOIN read_horizons e ON e.id = c.entity_id
                    WHERE c.clinic_id = ? AND c.seq > ? AND c.seq <= ? AND c.kind = 'read' AND e.agent_id = ? ORDER BY c.seq
                    """, [agent.clinicId, seq, page.lastSeq, agent.agent.id]).map {
                    ReadHorizon(conversationId: $0[0], agentId: $0[1], messageId: $0[2])
                }
            }
            return page
        }
    }

    /// Everything in the clinic's change log after `seq`, up to `limit` changes, except read horizons.
    static func clinicPage(_ db: Database, clinic: Int64, after seq: Int64, limit: Int, latest: Int64) throws -> ChangePage {
        // The batch ends at the limit-th change after the cursor, or at the clinic's last change.
        let upperAtLimit: Int64? = try db.valueCached("""
            SELECT seq FROM changes WHERE clinic_id = ? AND seq > ? ORDER BY seq LIMIT 1 OFFSET ?
            """, [clinic, seq, limit - 1])
        let upper = try upperAtLimit
            ?? db.valueCached("SELECT MAX(seq) FROM changes WHERE clinic_id = ? AND seq > ?", [clinic, seq])
        guard let upper else {
            return ChangePage(batch: SyncBatch(cursor: ""), lastSeq: seq, latestSeq: latest, hasReadChanges: false)
        }
        let more = try upperAtLimit != nil && db.valueCached("""
            SELECT EXISTS (SELECT 1 FROM changes WHERE clinic_id = ? AND seq > ?)
            """, [clinic, upper]) as Bool? == true

        // Which kinds of change the page holds: a long-poll woken by one message reads two tables, not eight.
        let kinds = try Set(String.fetchAll(db.cachedStatement(sql: """
            SELECT DISTINCT kind FROM changes WHERE clinic_id = ? AND seq > ? AND seq <= ?
            """), arguments: [clinic, seq, upper]))
        func rows<T>(_ kind: ChangeKind, table: String, columns: [String], _ decode: (Row) -> T) throws -> [T] {
            guard kinds.contains(kind.rawValue) else { return [] }
            let sql = """
                SELECT \(Columns.list(columns, alias: "e")) FROM changes c JOIN \(table) e ON e.id = c.entity_id
                WHERE c.clinic_id = ? AND c.seq > ? AND c.seq <= ? AND c.kind = '\(kind.rawValue)' ORDER BY c.seq
                """
            var result: [T] = []
            let cursor = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: [clinic, seq, upper])
            while let row = try cursor.next() { result.append(decode(row)) }
            return result
        }
        var batch = SyncBatch(cursor: "", more: more)
        if more {
            // For a catching-up client's progress line. Counted only while more is pending, so held long-polls
            // (which are at the head of the log) never pay for it; the page cache keeps it with the page.
            batch.remaining = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM changes WHERE clinic_id = ? AND seq > ?",
                                               arguments: [clinic, upper])
        }
        batch.agents = try rows(.agent, table: "agents", columns: Columns.agent) { Agent(row: $0) }
        batch.patients = try rows(.patient, table: "patients", columns: Columns.patient) { Patient(row: $0) }
        batch.conversations = try rows(.conversation, table: "conversations", columns: Columns.conversation) { Conversation(row: $0) }
        batch.messages = try rows(.message, table: "messages", columns: Columns.message + ["provider_time"]) { row in
            var message = Message(row: row)
            message.providerTime = row[Columns.message.count]
            return message
        }
        batch.channels = try rows(.channel, table: "channels", columns: Columns.channel) { ChannelHealth(row: $0) }
        batch.templates = try rows(.template, table: "templates", columns: Columns.template) { MessageTemplate(row: $0) }
        batch.cannedReplies = try rows(.canned, table: "canned_replies", columns: Columns.cannedReply) { CannedReply(row: $0) }
        batch.erasures = try rows(.erasure, table: "erasures", columns: ["patient_id", "conversation_ids", "erased_at"]) {
            PatientErasure(patientId: $0[0], conversationIds: (try? JSONDecoder().decode([Int64].self, from: Data(($0[1] as String).utf8))) ?? [],
                           erasedAt: $0[2])
        }
        batch.appointments = try rows(.appointment, table: "appointments", columns: Columns.appointment) { Appointment(row: $0) }
        return ChangePage(batch: batch, lastSeq: upper, latestSeq: latest, hasReadChanges: kinds.contains(ChangeKind.read.rawValue))
    }
}

/// When a commit wakes a clinic's held long-polls, they all ask for the same cursor at once. The first one reads
/// the page; the others reuse it for as long as the change log's head has not moved.
final class ClinicPageCache: @unchecked Sendable {
    struct Key: Hashable {
        var clinicId: Int64
        var after: Int64
        var limit: Int
    }

    private let lock = NSLock()
    private var pages: [Key: ChangePage] = [:]
    /// Only the newest pages matter: terminals at older cursors are catching up and read each page once.
    private let capacity = 64

    func page(for key: Key, latestSeq: Int64) -> ChangePage? {
        lock.withLock {
            guard let page = pages[key], page.latestSeq == latestSeq else { return nil }
            return page
        }
    }

    func store(_ page: ChangePage, for key: Key) {
        lock.withLock {
            if pages.count >= capacity {
                pages = pages.filter { $0.value.latestSeq == page.latestSeq }
                if pages.count >= capacity { pages.removeAll(keepingCapacity: true) }
            }
            pages[key] = page
        }
    }
}
