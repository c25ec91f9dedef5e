import Foundation
import InboxModel
import InboxRecords
import PostgresNIO

/// Sync pages, as `SQLiteInboxStore+Sync`, over the clinic's own seqs: a cursor says nothing about other clinics,
/// and `latestSeq` is the clinic's counter. The page is read in one snapshot, and a snapshot holding seq N holds every
/// seq below it (`PostgresWrite.flush`), so a page never skips a row that commits later.
extension PostgresInboxStore {
    public func changes(for agent: AuthenticatedAgent, after seq: Int64, limit: Int) async throws -> ChangePage {
        let cache = pageCache
        return try await read { db in
            let latest = try await db.int("SELECT seq FROM clinic_counters WHERE clinic_id = \(agent.clinicId)") ?? 0
            let key = ClinicPageCache.Key(clinicId: agent.clinicId, after: seq, limit: limit)
            var page: ChangePage
            if let cached = cache.page(for: key, latestSeq: latest) {
                page = cached
            } else {
                page = try await Self.clinicPage(db, clinic: agent.clinicId, after: seq, limit: limit, latest: latest)
                cache.store(page, for: key)
            }
            // Read horizons are private: each agent receives only its own, so they are never cached. A page with
            // no read change in it has none to look for (and most long-polls woken by a message skip this query).
            if page.hasReadChanges {
                page.batch.readHorizons = try await db.rows("""
                    SELECT e.conversation_id, e.agent_id, e.message_id FROM changes c JOIN read_horizons e ON e.id = c.entity_id
                    WHERE c.clinic_id = \(agent.clinicId) AND c.seq > \(seq) AND c.seq <= \(page.lastSeq)
                      AND c.kind = 'read' AND e.agent_id = \(agent.agent.id) ORDER BY c.seq
                    """).map {
                    ReadHorizon(conversationId: try $0.int(0), agentId: try $0.int(1), messageId: try $0.int(2))
                }
            }
            return page
        }
    }

    /// Everything in the clinic's change log after `seq`, up to `limit` changes, except read horizons.
    static func clinicPage(_ db: PostgresWrite, clinic: Int64, after seq: Int64, limit: Int, latest: Int64) async throws -> ChangePage {
        // The batch ends at the limit-th change after the cursor, or at the clinic's last change.
        let bounds = try await db.row("""
            SELECT (SELECT seq FROM changes WHERE clinic_id = \(clinic) AND seq > \(seq) ORDER BY seq OFFSET \(Int64(limit - 1)) LIMIT 1),
                   (SELECT MAX(seq) FROM changes WHERE clinic_id = \(clinic) AND seq > \(seq))
            """)
        let upperAtLimit = try bounds?.optionalInt(0)
        guard let upper = try upperAtLimit ?? bounds?.optionalInt(1) else {
            return ChangePage(batch: SyncBatch(cursor: ""), lastSeq: seq, latestSeq: latest, hasReadChanges: false)
        }
        var more = false
        if upperAtLimit != nil {
            more = try await db.exists("SELECT 1 FROM changes WHERE clinic_id = \(clinic) AND seq > \(upper) LIMIT 1")
        }

        // Which kinds of change the page holds: each kind is a round trip, and a page woken by one message holds two.
        let kinds = Set(try await db.rows("""
            SELECT DISTINCT kind FROM changes WHERE clinic_id = \(clinic) AND seq > \(seq) AND seq <= \(upper)
            """).map { try $0.string(0) })
        func rows<T>(_ kind: ChangeKind, table: String, columns: [String], _ decode: (PGRow) throws -> T) async throws -> [T] {
            guard kinds.contains(kind.rawValue) else { return [] }
            return try await db.rows("""
                SELECT \(unescaped: Columns.list(columns, alias: "e")) FROM changes c JOIN \(unescaped: table) e ON e.id = c.entity_id
                WHERE c.clinic_id = \(clinic) AND c.seq > \(seq) AND c.seq <= \(upper) AND c.kind = \(kind.rawValue)
                ORDER BY c.seq
                """).map(decode)
        }
        var batch = SyncBatch(cursor: "", more: more)
        if more {
            // For a catching-up client's progress line; counted only while more is pending (as on SQLite), so held
            // long-polls at the head of the log never pay for it.
            batch.remaining = try await db.int("SELECT COUNT(*) FROM changes WHERE clinic_id = \(clinic) AND seq > \(upper)")
                .map { Int($0) }
        }
        batch.agents = try await rows(.agent, table: "agents", columns: Columns.agent) { try PGDecode.agent($0) }
        batch.patients = try await rows(.patient, table: "patients", columns: Columns.patient) { try PGDecode.patient($0) }
        batch.conversations = try await rows(.conversation, table: "conversations", columns: Columns.conversation) {
            try PGDecode.conversation($0)
        }
        batch.messages = try await rows(.message, table: "messages", columns: Columns.message + ["provider_time"]) { row in
            var message = try PGDecode.message(row)
            message.providerTime = try row.optionalInt(Columns.message.count)
            return message
        }
        batch.channels = try await rows(.channel, table: "channels", columns: Columns.channel) { try PGDecode.channel($0) }
        batch.templates = try await rows(.template, table: "templates", columns: Columns.template) { try PGDecode.template($0) }
        batch.cannedReplies = try await rows(.canned, table: "canned_replies", columns: Columns.cannedReply) {
            try PGDecode.cannedReply($0)
        }
        batch.erasures = try await rows(.erasure, table: "erasures", columns: ["patient_id", "conversation_ids", "erased_at"]) {
            PatientErasure(patientId: try $0.int(0),
                           conversationIds: (try? JSONDecoder().decode([Int64].self, from: Data(try $0.string(1).utf8))) ?? [],
                           erasedAt: try $0.int(2))
        }
        batch.appointments = try await rows(.appointment, table: "appointments", columns: Columns.appointment) {
            try Self.appointment($0)
        }
        return ChangePage(batch: batch, lastSeq: upper, latestSeq: latest, hasReadChanges: kinds.contains(ChangeKind.read.rawValue))
    }
}
