import Foundation
import GRDB
import InboxModel

/// A deterministic clinic history: patients, one conversation each, and messages interleaved across
/// conversations in time order (message k belongs to conversation k mod C), as a busy clinic's log would be.
struct SeedData {
    var patients: [Patient] = []
    var conversations: [Conversation] = []
    /// Ids are 1…M in time order.
    var messages: [Message] = []
    /// `media` of the messages that have one, as the JSON text both databases store (index = message index).
    var mediaJSON: [Int: String] = [:]
    /// The change log in seq order, as the server would leave it: one row per entity, each at its last change.
    var changeOrder: [(kind: Kind, id: Int64)] = []

    enum Kind: String { case patient, conversation, message }

    var bodyBytes: Int { messages.reduce(0) { $0 + $1.body.utf8.count } }

    static func generate(conversations count: Int, messages total: Int, clinicNumber: String, agentId: Int64,
                         baseTime: Millis = 1_700_000_000_000) -> SeedData {
        precondition(count > 0)
        var data = SeedData()
        data.patients.reserveCapacity(count)
        data.conversations.reserveCapacity(count)
        data.messages.reserveCapacity(total)
        data.changeOrder.reserveCapacity(total + 2 * count)

        for index in 0..<count {
            var rng = SplitMix64(seed: 0xC11_1C00 &+ UInt64(index))
            let phone = "+1555" + String(format: "%07d", index)
            let name = firstNames[Int(rng.next() % UInt64(firstNames.count))] + " "
                + lastNames[Int(rng.next() % UInt64(lastNames.count))]
            let tags: [String] = rng.next() % 4 == 0 ? ["new-patient"] : (rng.next() % 5 == 0 ? ["orthodontics", "vip"] : [])
            data.patients.append(Patient(id: Int64(index + 1), channelIdentity: "whatsapp:" + phone, displayName: name,
                                         phone: phone, language: rng.next() % 3 == 0 ? "es" : "en",
                                         isLead: index % 4 == 0, externalRecordId: index % 4 == 0 ? nil : "EHR-\(100_000 + index)",
                                         tags: tags, notes: index % 7 == 0 ? "Prefers mornings." : "",
                                         optedOut: false, updatedAt: baseTime))
            let status: ConversationStatus = switch index % 10 {
            case 0: .waiting
            case 1: .assigned
            case 2: .bot
            default: .closed
            }
            data.conversations.append(Conversation(
                id: Int64(index + 1), patientId: Int64(index + 1), clinicNumber: clinicNumber, provider: .twilio,
                status: status, assignedAgentId: status == .assigned ? agentId : nil,
                handoffReason: status == .waiting || status == .assigned ? "asked_for_human" : nil,
                handoffSummary: status == .waiting || status == .assigned ? "Wants to reschedule a cleaning to next week." : nil,
                waitingSince: nil, lastInboundAt: nil, lastMessageAt: baseTime, lastMessagePreview: "",
                version: 1, createdAt: baseTime))
        }

        let lastRound = total - count  // messages k >= lastRound are the last of their conversation
        for k in 0..<total {
            let conversationIndex = k % count
            let turn = k / count  // the message's position in its conversation
            var rng = SplitMix64(seed: 0xB0D1 &+ UInt64(k) &* 0x9E37_79B9)
            let createdAt = baseTime + Millis(k) * 1_000
            let inbound = turn % 3 != 1
            let author: AuthorKind = inbound ? .patient : (turn < 4 ? .bot : .agent)
            var body = ""
            let words = 1 + Int(rng.next() % 20)
            for w in 0..<words {
                if w > 0 { body += " " }
                body += vocabulary[Int(rng.next() % UInt64(vocabulary.count))]
            }
            if rng.next() % 3 == 0 { body += "?" }
            let media: MediaInfo? = k % 50 == 17
                ? MediaInfo(kind: "image", fileName: "IMG_\(k).jpg", mimeType: "image/jpeg", size: Int64(80_000 + k % 300_000),
                            url: "https://api.twilio.com/2010-04-01/Accounts/ACbench/Messages/MM\(k)/Media/ME\(k)")
                : nil
            let message = Message(
                id: Int64(k + 1), conversationId: Int64(conversationIndex + 1), direction: inbound ? .inbound : .outbound,
                author: author, agentId: author == .agent ? agentId : nil, body: body, media: media,
                providerMessageId: String(format: "SM%016llx%016llx", UInt64(k), rng.next()),
                clientKey: author == .agent ? String(format: "%08x-bench-4000-8000-%012llx", UInt32(k & 0xffff_ffff), UInt64(k)) : nil,
                status: inbound ? .delivered : (turn % 2 == 0 ? .read : .delivered), error: nil, createdAt: createdAt)
            if let media { data.mediaJSON[k] = String(decoding: try! JSONEncoder().encode(media), as: UTF8.self) }
            data.messages.append(message)

            var conversation = data.conversations[conversationIndex]
            if turn == 0 {
                data.changeOrder.append((.patient, Int64(conversationIndex + 1)))
                conversation.createdAt = createdAt
            }
            data.changeOrder.append((.message, message.id))
            conversation.lastMessageAt = createdAt
            conversation.lastMessagePreview = String(body.prefix(120))
            if inbound { conversation.lastInboundAt = createdAt }
            conversation.version += 1
            if conversation.status == .waiting { conversation.waitingSince = conversation.waitingSince ?? createdAt }
            data.conversations[conversationIndex] = conversation
            // Every message moves its conversation to the head of the log; it stays after its last message.
            if k >= lastRound { data.changeOrder.append((.conversation, conversation.id)) }
        }
        // Conversations without messages (only when M < C).
        for index in total..<max(total, count) {
            data.changeOrder.append((.patient, Int64(index + 1)))
            data.changeOrder.append((.conversation, Int64(index + 1)))
        }
        return data
    }

    // MARK: Writing

    static let patientSQL = """
        INSERT INTO patients (id, channel_identity, display_name, phone, language, is_lead, external_record_id, tags,
            notes, opted_out, updated_at%@) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?%@)
        """
    static let conversationSQL = """
        INSERT INTO conversations (id, patient_id, clinic_number, provider, status, assigned_agent_id, handoff_reason,
            handoff_summary, waiting_since, last_inbound_at, last_message_at, last_message_preview, version, created_at%@)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?%@)
        """
    static let messageSQL = """
        INSERT INTO messages (id, conversation_id, direction, author, agent_id, body, media, provider_message_id,
            client_key, status, error, created_at%@) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?%@)
        """

    /// The server's tables have a trailing `clinic_id`; the mirror's do not.
    static func sql(_ template: String, clinicColumn: Bool) -> String {
        String(format: template, clinicColumn ? ", clinic_id" : "", clinicColumn ? ", ?" : "")
    }

    static func tagsJSON(_ tags: [String]) -> String {
        String(decoding: try! JSONEncoder().encode(tags), as: UTF8.self)
    }

    /// Inserts the patients with one prepared statement (`clinicId` non-nil: the server's table).
    func insertPatients(_ db: Database, clinicId: Int64?) throws {
        let statement = try db.makeStatement(sql: Self.sql(Self.patientSQL, clinicColumn: clinicId != nil))
        for p in patients {
            var arguments: StatementArguments = [p.id, p.channelIdentity, p.displayName, p.phone, p.language, p.isLead,
                                                 p.externalRecordId, Self.tagsJSON(p.tags), p.notes, p.optedOut, p.updatedAt]
            if let clinicId { arguments += [clinicId] }
            statement.setUncheckedArguments(arguments)
            try statement.execute()
        }
    }

    func insertConversations(_ db: Database, clinicId: Int64?) throws {
        let statement = try db.makeStatement(sql: Self.sql(Self.conversationSQL, clinicColumn: clinicId != nil))
        for c in conversations {
            var arguments: StatementArguments = [c.id, c.patientId, c.clinicNumber, c.provider.rawValue, c.status.rawValue,
                                                 c.assignedAgentId, c.handoffReason, c.handoffSummary, c.waitingSince,
                                                 c.lastInboundAt, c.lastMessageAt, c.lastMessagePreview, c.version, c.createdAt]
            if let clinicId { arguments += [clinicId] }
            statement.setUncheckedArguments(arguments)
            try statement.execute()
        }
    }

    func insertMessages(_ db: Database, range: Range<Int>, clinicId: Int64?) throws {
        let statement = try db.makeStatement(sql: Self.sql(Self.messageSQL, clinicColumn: clinicId != nil))
        for index in range {
            let m = messages[index]
            var arguments: StatementArguments = [m.id, m.conversationId, m.direction.rawValue, m.author.rawValue, m.agentId,
                                                 m.body, mediaJSON[index], m.providerMessageId, m.clientKey,
                                                 m.status.rawValue, m.error, m.createdAt]
            if let clinicId { arguments += [clinicId] }
            statement.setUncheckedArguments(arguments)
            try statement.execute()
        }
    }

    func insertChanges(_ db: Database, range: Range<Int>, clinicId: Int64) throws {
        let statement = try db.makeStatement(sql: "INSERT INTO changes (clinic_id, kind, entity_id) VALUES (?, ?, ?)")
        for index in range {
            let change = changeOrder[index]
            statement.setUncheckedArguments([clinicId, change.kind.rawValue, change.id])
            try statement.execute()
        }
    }
}

/// A small fast PRNG, so every run writes the same history.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

private let firstNames = ["Ana", "Luis", "María", "John", "Sofía", "Wei", "Amir", "Chloé", "Olu", "Priya", "Jonas", "Emma",
                          "Diego", "Fatima", "Kenji", "Laura", "Mateo", "Nora", "Pedro", "Zoë"]
private let lastNames = ["García", "Smith", "Martínez", "Nguyen", "Müller", "Okafor", "Rossi", "Kowalski", "Silva",
                         "Haddad", "Tanaka", "Johansson", "López", "Brown", "Dubois", "Patel"]
private let vocabulary = [
    "hello", "hi", "good", "morning", "afternoon", "I", "would", "like", "to", "book", "an", "appointment", "for", "my",
    "daughter", "son", "cleaning", "check-up", "tooth", "pain", "since", "yesterday", "is", "there", "any", "slot",
    "tomorrow", "next", "week", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "at", "9", "10:30", "3pm",
    "please", "thanks", "thank", "you", "very", "much", "can", "we", "reschedule", "cancel", "confirm", "the",
    "dentist", "doctor", "insurance", "cover", "how", "much", "does", "it", "cost", "price", "x-ray", "results",
    "are", "ready", "yes", "no", "ok", "perfect", "see", "you", "then", "sorry", "late", "running", "minutes",
    "parking", "address", "where", "open", "Saturday", "hola", "buenos", "días", "quisiera", "una", "cita", "para",
    "mañana", "gracias", "por", "favor", "dolor", "de", "muelas", "limpieza", "seguro", "médico", "horario",
    "we", "have", "availability", "on", "with", "Dr.", "Ruiz", "Chen", "your", "booked", "reminder", "arrive",
    "15", "before", "bring", "ID", "card", "form", "fill", "link", "payment", "received", "receipt", "invoice",
    "😊", "👍", "🙏", "prescription", "pharmacy", "allergy", "ibuprofen", "swelling", "bleeding", "gum", "braces",
    "whitening", "implant", "crown", "filling", "root", "canal", "emergency", "urgent", "today", "possible",
]
