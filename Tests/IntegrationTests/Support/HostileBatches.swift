import InboxModel

/// Seeded random sync pages full of hostile patient text, for the differential tests of the hand-written JSON
/// writer and reader against `JSONEncoder`/`JSONDecoder`. The same seed gives the same pages, so a failure names
/// its seed and can be replayed.
struct HostileBatches {
    private var state: UInt64

    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    /// SplitMix64.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
    mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }
    mutating func pick<T>(_ values: [T]) -> T { values[int(0...values.count - 1)] }

    /// Pieces patients and providers really send, and ones that break naive JSON and terminals.
    static let pieces: [String] = [
        "Hello", "see you at 10:30", " ", "", "\"", "\\", "\\\"", "/", "</script>", "\\u0041", "\n", "\r\n", "\t",
        "\u{0}", "\u{1}", "\u{8}", "\u{C}", "\u{1B}[31m", "\u{1F}", "\u{7F}", "\u{85}", "\u{2028}", "\u{2029}",
        "\u{FEFF}", "\u{FFFD}", "\u{FFFF}", "é", "e\u{301}", "مرحبا، أحتاج موعدا", "\u{200F}", "नमस्ते", "你好",
        "😀", "👩🏽‍⚕️", "🇸🇦", "\u{10FFFF}", "\u{1D11E}", "{\"id\":1}", "null", "true", "1e400", "-0", "[]",
    ]

    mutating func text(maxPieces: Int = 6) -> String {
        if chance(2) { return String(repeating: pick(Self.pieces) + "x", count: int(1_000...5_000)) }  // very long
        var text = ""
        for _ in 0..<int(0...maxPieces) { text += pick(Self.pieces) }
        return text
    }

    mutating func optionalText() -> String? { chance(40) ? nil : text() }

    mutating func int64() -> Int64 {
        switch int(0...5) {
        case 0: pick([Int64.min, Int64.max, 0, -1, 1, Int64(Int32.max) + 1])
        case 1: -Int64(int(0...1_000_000))
        default: Int64(bitPattern: next() >> UInt64(int(0...63)))
        }
    }

    mutating func optionalInt() -> Int64? { chance(40) ? nil : int64() }

    mutating func message() -> Message {
        Message(id: int64(), conversationId: int64(), direction: pick([.inbound, .outbound]),
                author: pick([.patient, .bot, .agent, .system, .note]), agentId: optionalInt(), body: text(),
                media: chance(30) ? media() : nil, providerMessageId: optionalText(), clientKey: optionalText(),
                status: pick(DeliveryStatus.allCases), error: optionalText(), createdAt: int64(),
                providerTime: optionalInt(), replyId: optionalText())
    }

    mutating func media() -> MediaInfo {
        MediaInfo(kind: text(maxPieces: 2), fileName: optionalText(), mimeType: optionalText(), size: optionalInt(),
                  url: optionalText(), state: chance(30) ? nil : pick([.pending, .stored, .refused, .failed]),
                  error: optionalText())
    }

    mutating func conversation() -> Conversation {
        Conversation(id: int64(), patientId: int64(), clinicNumber: text(maxPieces: 2), provider: pick(ProviderKind.allCases),
                     status: pick(ConversationStatus.allCases), assignedAgentId: optionalInt(), handoffReason: optionalText(),
                     handoffSummary: optionalText(), waitingSince: optionalInt(), lastInboundAt: optionalInt(),
                     lastMessageAt: int64(), lastMessagePreview: text(), version: int64(), createdAt: int64(),
                     snoozedUntil: optionalInt())
    }

    mutating func patient() -> Patient {
        var tags: [String] = []
        for _ in 0..<int(0...3) { tags.append(text(maxPieces: 2)) }
        return Patient(id: int64(), channelIdentity: text(maxPieces: 2), displayName: text(), phone: text(maxPieces: 1),
                       language: optionalText(), isLead: chance(50), externalRecordId: optionalText(), tags: tags,
                       notes: text(), optedOut: chance(50), updatedAt: int64(), version: int64())
    }

    mutating func agent() -> Agent {
        Agent(id: int64(), name: text(maxPieces: 3), role: pick([.agent, .admin]), active: chance(70))
    }

    mutating func list<T>(_ max: Int, _ make: (inout HostileBatches) -> T) -> [T] {
        var values: [T] = []
        for _ in 0..<int(0...max) { values.append(make(&self)) }
        return values
    }

    /// A page with every kind of row, the rare ones included.
    mutating func batch() -> SyncBatch {
        var batch = SyncBatch(cursor: text(maxPieces: 2), more: chance(50))
        batch.remaining = chance(50) ? Int(int64()) : nil
        batch.agents = list(3) { $0.agent() }
        batch.patients = list(4) { $0.patient() }
        batch.conversations = list(4) { $0.conversation() }
        batch.messages = list(12) { $0.message() }
        batch.readHorizons = list(2) { ReadHorizon(conversationId: $0.int64(), agentId: $0.int64(), messageId: $0.int64()) }
        batch.channels = list(2) {
            ChannelHealth(clinicNumber: $0.text(maxPieces: 2), provider: $0.pick(ProviderKind.allCases), state: $0.text(maxPieces: 2),
                          detail: $0.optionalText(), updatedAt: $0.int64(), label: $0.optionalText())
        }
        batch.templates = list(2) {
            MessageTemplate(id: $0.int64(), name: $0.text(maxPieces: 2), language: "ar", category: $0.pick(TemplateCategory.allCases),
                            body: $0.text(), updatedAt: $0.int64())
        }
        batch.cannedReplies = list(2) {
            CannedReply(id: $0.int64(), shortcode: $0.text(maxPieces: 1), body: $0.text(), removed: $0.chance(30), updatedAt: $0.int64())
        }
        batch.erasures = list(2) { PatientErasure(patientId: $0.int64(), conversationIds: $0.list(3) { $0.int64() }, erasedAt: $0.int64()) }
        batch.appointments = list(2) {
            Appointment(id: $0.int64(), patientId: $0.int64(), clinicNumber: "+15550001111", startsAt: $0.int64(),
                        utcOffset: $0.int(-43_200...50_400), doctor: $0.text(maxPieces: 2), template: "reminder",
                        language: "en", status: $0.pick(AppointmentStatus.allCases), reminderMessageId: $0.optionalInt(),
                        externalId: $0.optionalText(), updatedAt: $0.int64())
        }
        if chance(30) {
            batch.presence = PresenceRoster(agents: list(3) {
                AgentPresence(agentId: $0.int64(), state: $0.pick([.online, .away]), conversationId: $0.optionalInt(),
                              typing: $0.chance(50))
            })
        }
        return batch
    }
}
