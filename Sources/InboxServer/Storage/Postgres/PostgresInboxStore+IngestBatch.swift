import Foundation
import InboxModel
import InboxRecords
import NIOCore
import PostgresNIO

/// A provider batch stored in a fixed number of statements however many messages it carries: one read of its
/// patients, one of their open conversations (locked), then one multi-row statement per table written. Storing
/// message by message took four round trips each, and on a busy machine those round trips were most of the work
/// (issue 11: 1,621 msg/s on two instances).
///
/// The rules are applied in Swift exactly as one message at a time would apply them (`IngestRules` decides, over
/// the rows read up front, kept up to date in memory as the batch goes: a patient's second message sees the name
/// and the conversation its first one left), and the change log is recorded in the same order, so the stored rows,
/// versions and seqs are those of `ingestOne`.
extension PostgresInboxStore {
    struct PatientKey: Hashable {
        var clinicId: Int64
        var identity: String
    }

    struct ConversationKey: Hashable {
        var patient: PatientKey
        var clinicNumber: String
    }

    /// A patient as the batch leaves it; `id` is nil until a new one is inserted.
    private struct PatientRow {
        var id: Int64?
        var phone: String
        var displayName: String
        var optedOut: Bool
        var isNew = false
        /// An existing patient whose name or opt-out this batch changed.
        var changed = false
    }

    /// A conversation as the batch leaves it, with the version it had when read (0 for a new one).
    private struct ConversationRow {
        var conversation: Conversation
        var isNew: Bool
        var clinicId: Int64
        var readVersion: Int64
    }

    private struct MessageRow {
        var clinicId: Int64
        var conversation: ConversationKey
        var inbound: InboundMessage
        var media: MediaInfo?
    }

    /// What the change log gets, in the order the message-at-a-time path records it.
    private enum Change {
        case patient(PatientKey)
        case message(Int)
        case conversation(ConversationKey)
    }

    /// Stores `accepted` (known numbers, no duplicates, stamped) and answers one outcome each, in order. No
    /// number-change notices: those move a patient's identity under the batch's feet and go through `ingestOne`.
    static func ingestTogether(_ db: PostgresWrite, _ accepted: [(clinicId: Int64, inbound: InboundMessage)],
                               botAnswers: Bool, optOutWords: Set<String>) async throws -> [IngestOutcome] {
        guard !accepted.isEmpty else { return [] }
        var patientOrder: [PatientKey] = []
        var seenPatients = Set<PatientKey>()
        for (clinicId, inbound) in accepted {
            let key = PatientKey(clinicId: clinicId, identity: inbound.channelIdentity.withoutNUL)
            if seenPatients.insert(key).inserted { patientOrder.append(key) }
        }
        var patients = try await readPatients(db, patientOrder)
        var conversations = try await readOpenConversations(db, accepted, patients: patients)

        // The rules, message by message, on the rows in memory.
        var newPatients: [PatientKey] = []
        var newConversations: [ConversationKey] = []
        var conversationOrder: [ConversationKey] = []
        var seenConversations = Set<ConversationKey>()
        var messages: [MessageRow] = []
        var changes: [Change] = []
        var stored: [(message: Int, conversation: ConversationKey, status: ConversationStatus)] = []
        for (clinicId, inbound) in accepted {
            let key = PatientKey(clinicId: clinicId, identity: inbound.channelIdentity.withoutNUL)
            let name = inbound.profileName ?? ""
            var patient: PatientRow
            if let known = patients[key] {
                patient = known
                if IngestRules.updatedDisplayName(current: patient.displayName, profileName: name) != nil {
                    patient.displayName = name
                    patient.changed = true
                    changes.append(.patient(key))
                }
            } else {
                patient = PatientRow(id: nil, phone: inbound.phone.withoutNUL, displayName: name, optedOut: false,
                                     isNew: true)
                newPatients.append(key)
                changes.append(.patient(key))
            }
            let text = InboundText(body: inbound.body, receivedAt: inbound.receivedAt,
                                   providerTime: inbound.providerTime, isSystemNotice: inbound.isSystemNotice)
            if let optOut = IngestRules.optOutChange(text, optOutWords: optOutWords), patient.optedOut != optOut {
                patient.optedOut = optOut
                patient.changed = true
                changes.append(.patient(key))
            }
            patients[key] = patient

            let conversationKey = ConversationKey(patient: key, clinicNumber: inbound.clinicNumber)
            var row: ConversationRow
            if let open = conversations[conversationKey] {
                row = open
            } else {
                let state = IngestRules.newConversationState(botAnswers: botAnswers, at: inbound.receivedAt)
                row = ConversationRow(
                    conversation: Conversation(id: 0, patientId: 0, clinicNumber: inbound.clinicNumber,
                                               provider: inbound.provider, status: state.status,
                                               handoffReason: state.handoffReason, waitingSince: state.waitingSince,
                                               lastMessageAt: inbound.receivedAt, version: 0,
                                               createdAt: inbound.receivedAt),
                    isNew: true, clinicId: clinicId, readVersion: 0)
                newConversations.append(conversationKey)
            }
            if seenConversations.insert(conversationKey).inserted { conversationOrder.append(conversationKey) }
            let media = IngestRules.storedMedia(inbound.media)
            messages.append(MessageRow(clinicId: clinicId, conversation: conversationKey, inbound: inbound, media: media))
            changes.append(.message(messages.count - 1))
            let preview = ConversationPreview.text(body: inbound.body, media: media)
            row.conversation = IngestRules.conversation(row.conversation, after: text, preview: preview)
            row.conversation.version += 1
            changes.append(.conversation(conversationKey))
            conversations[conversationKey] = row
            stored.append((messages.count - 1, conversationKey, row.conversation.status))
        }

        // The writes: one statement per table, rows in the order the messages first named them.
        let now = accepted[0].inbound.receivedAt
        try await insertPatients(db, newPatients, &patients, now: now)
        try await updatePatients(db, patients.values.filter { $0.changed && !$0.isNew }, now: now)
        try await insertConversations(db, newConversations, patients: patients, &conversations)
        let messageIds = try await insertMessages(db, messages, conversations: conversations)
        try await insertPendingMedia(db, messages, ids: messageIds)
        try await updateConversations(db, conversationOrder.map { conversations[$0]! })

        // Recorded twice, a change takes its later place (`recordChange` would move it): only the last one is kept.
        var kept = Set<String>()
        var log: [(clinicId: Int64, kind: ChangeKind, id: Int64)] = []
        for change in changes.reversed() {
            let entry: (clinicId: Int64, kind: ChangeKind, id: Int64)
            switch change {
            case .patient(let key): entry = (key.clinicId, .patient, patients[key]!.id!)
            case .message(let index): entry = (messages[index].clinicId, .message, messageIds[index])
            case .conversation(let key): entry = (key.patient.clinicId, .conversation, conversations[key]!.conversation.id)
            }
            if kept.insert("\(entry.clinicId) \(entry.kind.rawValue) \(entry.id)").inserted { log.append(entry) }
        }
        for entry in log.reversed() { db.recordChange(clinicId: entry.clinicId, kind: entry.kind, id: entry.id) }
        for (clinicId, _) in accepted { db.touch(clinicId) }
        return stored.map { entry in
            .stored(conversationId: conversations[entry.conversation]!.conversation.id, messageId: messageIds[entry.message],
                    conversationStatus: entry.status)
        }
    }

    private static func readPatients(_ db: PostgresWrite, _ keys: [PatientKey]) async throws -> [PatientKey: PatientRow] {
        var patients: [PatientKey: PatientRow] = [:]
        for row in try await db.rows("""
            SELECT id, clinic_id, channel_identity, phone, display_name, opted_out FROM patients
            WHERE (clinic_id, channel_identity) IN (SELECT * FROM unnest(\(keys.map(\.clinicId))::int8[],
                                                                         \(keys.map(\.identity))::text[]))
            """) {
            let key = PatientKey(clinicId: try row.int(1), identity: try row.string(2))
            patients[key] = PatientRow(id: try row.int(0), phone: try row.string(3), displayName: try row.text(4),
                                       optedOut: try row.bool(5))
        }
        return patients
    }

    /// The open conversations the batch writes to, locked until commit (in id order, as every multi-row lock is).
    private static func readOpenConversations(_ db: PostgresWrite, _ accepted: [(clinicId: Int64, inbound: InboundMessage)],
                                              patients: [PatientKey: PatientRow]) async throws -> [ConversationKey: ConversationRow] {
        var byPatientId: [Int64: PatientKey] = [:]
        var wanted = Set<ConversationKey>()
        for (clinicId, inbound) in accepted {
            let key = PatientKey(clinicId: clinicId, identity: inbound.channelIdentity.withoutNUL)
            guard let id = patients[key]?.id else { continue }
            byPatientId[id] = key
            wanted.insert(ConversationKey(patient: key, clinicNumber: inbound.clinicNumber))
        }
        guard !wanted.isEmpty else { return [:] }
        let keys = Array(wanted)
        var conversations: [ConversationKey: ConversationRow] = [:]
        for row in try await db.rows("""
            SELECT \(unescaped: Columns.list(Columns.conversation)) FROM conversations
            WHERE (patient_id, clinic_number) IN (SELECT * FROM unnest(\(keys.map { patients[$0.patient]!.id! })::int8[],
                                                                       \(keys.map(\.clinicNumber))::text[]))
              AND status <> 'closed'
            ORDER BY id FOR UPDATE
            """) {
            let conversation = try PGDecode.conversation(row)
            guard let patient = byPatientId[conversation.patientId] else { continue }
            conversations[ConversationKey(patient: patient, clinicNumber: conversation.clinicNumber)] =
                ConversationRow(conversation: conversation, isNew: false, clinicId: patient.clinicId,
                                readVersion: conversation.version)
        }
        return conversations
    }

    /// New patients with what the batch left them (a name, an opt-out), as one insert of the first and an update
    /// would leave them.
    private static func insertPatients(_ db: PostgresWrite, _ keys: [PatientKey], _ patients: inout [PatientKey: PatientRow],
                                       now: Millis) async throws {
        guard !keys.isEmpty else { return }
        let rows = keys.map { patients[$0]! }
        let inserted = try await db.rows("""
            INSERT INTO patients (clinic_id, channel_identity, display_name, phone, is_lead, tags, notes, opted_out, updated_at)
            SELECT c, i, d, p, TRUE, '[]', '', o, \(now)
            FROM unnest(\(keys.map(\.clinicId))::int8[], \(keys.map(\.identity))::text[],
                        \(rows.map { ByteBuffer(string: $0.displayName) })::bytea[], \(rows.map(\.phone))::text[],
                        \(rows.map(\.optedOut))::bool[]) AS t(c, i, d, p, o)
            RETURNING id, clinic_id, channel_identity
            """)
        for row in inserted {
            patients[PatientKey(clinicId: try row.int(1), identity: try row.string(2))]?.id = try row.int(0)
        }
        guard keys.allSatisfy({ patients[$0]?.id != nil }) else { throw StoreError.invalid("could not add the patient") }
    }

    private static func updatePatients(_ db: PostgresWrite, _ rows: [PatientRow], now: Millis) async throws {
        guard !rows.isEmpty else { return }
        try await db.execute("""
            UPDATE patients SET display_name = t.d, opted_out = t.o, updated_at = \(now)
            FROM unnest(\(rows.map { $0.id! })::int8[], \(rows.map { ByteBuffer(string: $0.displayName) })::bytea[],
                        \(rows.map(\.optedOut))::bool[]) AS t(id, d, o)
            WHERE patients.id = t.id
            """)
    }

    private static func insertConversations(_ db: PostgresWrite, _ keys: [ConversationKey], patients: [PatientKey: PatientRow],
                                            _ conversations: inout [ConversationKey: ConversationRow]) async throws {
        guard !keys.isEmpty else { return }
        let rows = keys.map { conversations[$0]!.conversation }
        let patientIds = keys.map { patients[$0.patient]!.id! }
        let inserted = try await db.rows("""
            INSERT INTO conversations (clinic_id, patient_id, clinic_number, provider, status, handoff_reason, waiting_since,
                last_message_at, last_message_preview, version, created_at)
            SELECT c, p, n, v, s, r, w, m, ''::bytea, 0, a
            FROM unnest(\(keys.map(\.patient.clinicId))::int8[], \(patientIds)::int8[], \(keys.map(\.clinicNumber))::text[],
                        \(rows.map(\.provider.rawValue))::text[], \(rows.map(\.status.rawValue))::text[],
                        \(PGNullableArray(rows.map(\.handoffReason)))::text[], \(PGNullableArray(rows.map(\.waitingSince)))::int8[],
                        \(rows.map(\.lastMessageAt))::int8[], \(rows.map(\.createdAt))::int8[]) AS t(c, p, n, v, s, r, w, m, a)
            RETURNING id, patient_id, clinic_number
            """)
        var keyOf: [Int64: PatientKey] = [:]
        for (key, id) in zip(keys, patientIds) { keyOf[id] = key.patient }
        for row in inserted {
            guard let patient = keyOf[try row.int(1)] else { continue }
            let key = ConversationKey(patient: patient, clinicNumber: try row.string(2))
            conversations[key]?.conversation.id = try row.int(0)
            conversations[key]?.conversation.patientId = try row.int(1)
        }
        guard keys.allSatisfy({ conversations[$0]!.conversation.id != 0 }) else {
            throw StoreError.invalid("could not open a conversation")
        }
    }

    /// The messages, ids in batch order; their ids answered in the same order.
    private static func insertMessages(_ db: PostgresWrite, _ messages: [MessageRow],
                                       conversations: [ConversationKey: ConversationRow]) async throws -> [Int64] {
        let encoder = JSONEncoder()
        let media = messages.map { m in m.media.flatMap { try? encoder.encode($0) }.map { String(decoding: $0, as: UTF8.self) } }
        let providerIds = messages.map { $0.inbound.providerMessageId.withoutNUL }
        let inserted = try await db.rows("""
            INSERT INTO messages (conversation_id, direction, author, body, media, provider_message_id, status, created_at,
                clinic_id, provider_time, reply_id)
            SELECT cv, 'inbound', a, b, m, pid, 'delivered', t, c, pt, r
            FROM unnest(\(messages.map { conversations[$0.conversation]!.conversation.id })::int8[],
                        \(messages.map { ($0.inbound.isSystemNotice ? AuthorKind.system : .patient).rawValue })::text[],
                        \(messages.map { ByteBuffer(string: $0.inbound.body) })::bytea[], \(PGNullableArray(media))::text[],
                        \(providerIds)::text[], \(messages.map(\.inbound.receivedAt))::int8[],
                        \(messages.map(\.clinicId))::int8[], \(PGNullableArray(messages.map(\.inbound.providerTime)))::int8[],
                        \(PGNullableArray(messages.map { $0.inbound.replyId?.withoutNUL }))::text[])
                 WITH ORDINALITY AS x(cv, a, b, m, pid, t, c, pt, r, o)
            ORDER BY o
            RETURNING id, provider_message_id
            """)
        var ids: [String: Int64] = [:]
        for row in inserted { ids[try row.string(1)] = try row.int(0) }
        return try providerIds.map { id in
            guard let stored = ids[id] else { throw StoreError.invalid("could not store the message") }
            return stored
        }
    }

    /// Attachments with a provider link, fetched promptly by the media fetcher: provider links expire (Meta's
    /// within minutes).
    private static func insertPendingMedia(_ db: PostgresWrite, _ messages: [MessageRow], ids: [Int64]) async throws {
        let pending = messages.indices.filter { messages[$0].media?.state == .pending }
        guard !pending.isEmpty else { return }
        try await db.execute("""
            INSERT INTO media (message_id, clinic_id, provider, source, state, mime_type, next_attempt_at)
            SELECT id, c, p, s, 'pending', m, 0
            FROM unnest(\(pending.map { ids[$0] })::int8[], \(pending.map { messages[$0].clinicId })::int8[],
                        \(pending.map { messages[$0].inbound.provider.rawValue })::text[],
                        \(PGNullableArray(pending.map { messages[$0].media?.url?.withoutNUL }))::text[],
                        \(PGNullableArray(pending.map { messages[$0].media?.mimeType?.withoutNUL }))::text[]) AS t(id, c, p, s, m)
            """)
    }

    /// Every mutable column with compare-and-set on the version read (the rows are locked, so it always holds),
    /// as `saveConversation` writes them.
    private static func updateConversations(_ db: PostgresWrite, _ rows: [ConversationRow]) async throws {
        let c = rows.map(\.conversation)
        let saved = try await db.rows("""
            UPDATE conversations SET status = t.s, assigned_agent_id = t.a, handoff_reason = t.r, handoff_summary = t.h,
                waiting_since = t.w, last_inbound_at = t.li, last_message_at = t.lm, last_message_preview = t.pv,
                version = t.v, snoozed_until = t.sz
            FROM unnest(\(c.map(\.id))::int8[], \(rows.map(\.readVersion))::int8[], \(c.map(\.status.rawValue))::text[],
                        \(PGNullableArray(c.map(\.assignedAgentId)))::int8[],
                        \(PGNullableArray(c.map { $0.handoffReason?.withoutNUL }))::text[],
                        \(PGNullableArray(c.map { $0.handoffSummary?.withoutNUL }))::text[],
                        \(PGNullableArray(c.map(\.waitingSince)))::int8[], \(PGNullableArray(c.map(\.lastInboundAt)))::int8[],
                        \(c.map(\.lastMessageAt))::int8[], \(c.map { ByteBuffer(string: $0.lastMessagePreview) })::bytea[],
                        \(c.map(\.version))::int8[], \(PGNullableArray(c.map(\.snoozedUntil)))::int8[])
                AS t(id, e, s, a, r, h, w, li, lm, pv, v, sz)
            WHERE conversations.id = t.id AND conversations.version = t.e
            RETURNING conversations.id
            """)
        guard saved.count == rows.count else {
            throw StoreError.conflict("a conversation changed under this batch although it was locked")
        }
    }
}
