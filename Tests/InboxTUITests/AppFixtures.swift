import InboxModel

/// Deterministic clinic data: Tuesday 12 March 2024, 14:30 local time (UTC−3).
enum Fixtures {
    static let now: Millis = 1_710_264_600_000
    static let minute: Millis = 60_000
    static let hour: Millis = 3_600_000
    static let offset = -3 * 3600

    static let me = Agent(id: 1, name: "Bea Costa", role: .agent)
    static let carla = Agent(id: 2, name: "Carla Mendes", role: .agent)
    static let ravi = Agent(id: 3, name: "Dr. Ravi Shah", role: .admin)

    static func state(width: Int, height: Int) -> AppState {
        var state = AppState(me: me, clinic: "Sorriso Dental", settings: AppSettings(utcOffsetSeconds: offset),
                             now: now, screenWidth: width, screenHeight: height)
        _ = reduce(&state, .agentsLoaded([me, carla, ravi]))
        return state
    }

    /// A state with `detail` open in the conversation pane, focus on the conversation.
    static func openState(_ detail: ConversationDetail, width: Int, height: Int) -> AppState {
        var state = Fixtures.state(width: width, height: height)
        let row = QueueRow(conversation: detail.conversation, patientName: detail.patient?.displayName ?? "",
                           patientPhone: detail.patient?.phone ?? "", unread: 0)
        let tab: QueueTab = switch detail.conversation.status {
        case .waiting: .waiting
        case .assigned: .mine
        case .bot: .bot
        case .closed: .closed
        }
        _ = reduce(&state, .switchTab(tab))
        _ = reduce(&state, .queueLoaded(tab: tab, rows: [row], counts: counts))
        _ = reduce(&state, .openSelected)
        _ = reduce(&state, .conversationLoaded(detail))
        _ = reduce(&state, .connectionChanged(.online))
        return state
    }

    static let counts = QueueCounts(waiting: 6, mine: 2, bot: 14, closed: 230)

    static func conversation(_ id: Int64, status: ConversationStatus = .waiting, assigned: Int64? = nil,
                             reason: String? = "asked for a human", summary: String? = nil,
                             waitingFor: Millis = 0, preview: String = "", provider: ProviderKind = .meta) -> Conversation {
        Conversation(id: id, patientId: id, clinicNumber: "+551130000000", provider: provider, status: status,
                     assignedAgentId: assigned, handoffReason: reason, handoffSummary: summary,
                     waitingSince: now - waitingFor, lastInboundAt: now - waitingFor,
                     lastMessageAt: now - waitingFor, lastMessagePreview: preview, createdAt: now - 2 * hour)
    }

    static let waitingRows: [QueueRow] = [
        row(11, "Ana Silva", "Can I move my cleaning to Thursday?", waited: 9 * minute, unread: 3,
            reason: "patient in pain, wants earliest slot"),
        row(12, "Bruno Oliveira", "Quanto custa o clareamento?", waited: 4 * minute, unread: 1,
            reason: "asked for a human"),
        row(13, "", "Hello? Anyone there", waited: 3 * minute, unread: 2, reason: "AI unsure about insurance",
            phone: "+55 21 99876-5432"),
        row(14, "Chen Wei", "My crown fell off", waited: 90 * 1000, unread: 1, reason: "urgent: broken crown"),
        row(15, "Dona Maria Aparecida dos Santos Ferreira", "Obrigada!", waited: 40 * 1000, unread: 0,
            reason: "billing question"),
        row(16, "Eduardo", "Preciso do recibo do mês passado para o reembolso do plano", waited: 10 * 1000,
            unread: 12, reason: "asked for a person"),
    ]

    static func row(_ id: Int64, _ name: String, _ preview: String, waited: Millis, unread: Int, reason: String,
                    phone: String = "+55 11 90000-0000") -> QueueRow {
        QueueRow(conversation: conversation(id, reason: reason, waitingFor: waited, preview: preview),
                 patientName: name, patientPhone: phone, unread: unread)
    }

    static func manyRows(_ count: Int) -> [QueueRow] {
        (0..<count).map { index in
            row(Int64(1000 + index), "Patient \(index)", "Message number \(index) about an appointment",
                waited: Millis(count - index) * 1000, unread: index % 4, reason: index % 3 == 0 ? "urgent" : "asked for a human")
        }
    }

    static let ana = Patient(id: 11, channelIdentity: "whatsapp:+5511912345678", displayName: "Ana Silva",
                             phone: "+55 11 91234-5678", language: "pt-BR", isLead: false, externalRecordId: "MR-1042",
                             tags: ["vip", "orthodontics"],
                             notes: "Prefers mornings. Allergic to latex. Husband Paulo also a patient.",
                             optedOut: false, updatedAt: now - 48 * hour)

    static var deliveryDetail: ConversationDetail {
        var conversation = conversation(11, status: .assigned, assigned: me.id, reason: "patient in pain, wants earliest slot",
                                        summary: "Ana has had tooth pain since Sunday and asked to move Thursday's cleaning to an emergency slot. She sent a scan from her last visit.",
                                        waitingFor: 0, preview: "Sorry for the wait")
        conversation.lastInboundAt = now - 9 * hour - 20 * minute
        conversation.waitingSince = now - 40 * minute
        func message(_ id: Int64, _ direction: MessageDirection, _ author: AuthorKind, _ body: String, at: Millis,
                     status: DeliveryStatus = .delivered, agent: Int64? = nil, media: MediaInfo? = nil,
                     error: String? = nil) -> Message {
            Message(id: id, conversationId: 11, direction: direction, author: author, agentId: agent, body: body,
                    media: media, status: status, error: error, createdAt: at)
        }
        let yesterday = now - 24 * hour
        let messages = [
            message(101, .inbound, .patient, "Hi! I need to move my cleaning appointment.", at: yesterday - 2 * hour),
            message(102, .outbound, .bot, "Of course! Which day works best for you?", at: yesterday - 2 * hour + minute,
                    status: .read),
            message(103, .inbound, .patient, "Thursday morning if possible. It also hurts when I chew, here is the scan from last time.",
                    at: now - 9 * hour - 20 * minute,
                    media: MediaInfo(kind: "image", fileName: "scan.pdf", mimeType: "application/pdf", size: 1_258_291)),
            message(104, .outbound, .system, "The AI handed this conversation to a person: patient in pain",
                    at: now - 40 * minute),
            message(105, .outbound, .agent, "Hi Ana, this is Bea from the front desk.", at: now - 20 * minute,
                    status: .sent, agent: me.id),
            message(106, .outbound, .agent, "I'm sorry it hurts. Dr. Shah can see you today at 16:00.",
                    at: now - 19 * minute, status: .delivered, agent: me.id),
            message(107, .outbound, .agent, "Would that work?", at: now - 18 * minute, status: .read, agent: me.id),
            message(108, .outbound, .agent, "Here is the address: Rua Augusta 1200, 3º andar.", at: now - 10 * minute,
                    status: .failed, agent: me.id, error: "131047 re-engagement message required"),
            message(109, .outbound, .agent, "Carla here, covering for a second.", at: now - 8 * minute, status: .read,
                    agent: carla.id),
        ]
        let outbox = [
            OutboxEntry(key: "k-1", conversationId: 11, command: .reply(body: "Let me check the schedule for you."),
                        state: .pending, createdAt: now - minute),
            OutboxEntry(key: "k-2", conversationId: 11, command: .reply(body: "Sorry for the wait"), state: .failed,
                        attempts: 3, lastError: "server unreachable", createdAt: now - 30 * 1000),
        ]
        return ConversationDetail(conversation: conversation, patient: ana, messages: messages, outbox: outbox)
    }

    static let mixedScriptRows: [QueueRow] = [
        row(21, "فاطمة الزهراء", "مرحبا، أريد تغيير موعدي من فضلك", waited: 6 * minute, unread: 2,
            reason: "asked for a human"),
        row(22, "प्रिया शर्मा", "नमस्ते, क्या कल सुबह की अपॉइंटमेंट मिल सकती है?", waited: 3 * minute, unread: 1,
            reason: "urgent"),
        row(23, "王小明", "你好，我想预约洗牙。周四可以吗？", waited: 2 * minute, unread: 4, reason: "AI unsure"),
        row(24, "Zoë 👩‍⚕️🇧🇷", "👍🏽👍🏽 obrigado!! 🦷✨ see you 🇯🇵🇰🇷", waited: 30 * 1000, unread: 1,
            reason: "asked for a person"),
    ]

    static var mixedScriptDetail: ConversationDetail {
        let conversation = conversation(21, status: .assigned, assigned: me.id, reason: "طلب التحدث مع موظف",
                                        summary: "المريضة تريد تغيير الموعد 患者想改约 मरीज़ समय बदलना चाहती है 🦷",
                                        waitingFor: 6 * minute)
        let patient = Patient(id: 21, channelIdentity: "whatsapp:+971500000000", displayName: "فاطمة الزهراء",
                              phone: "+971 50 000 0000", language: "ar", isLead: true, tags: ["عربي", "中文", "हिंदी"],
                              notes: "تفضل المواعيد الصباحية 早上 सुबह 🌅", updatedAt: now)
        let bodies: [(AuthorKind, String)] = [
            (.patient, "مرحبا، أريد تغيير موعدي من فضلك. هل يوم الخميس متاح؟"),
            (.bot, "नमस्ते! मैं आपकी मदद कर सकता हूँ। कृपया अपना पसंदीदा समय बताइए।"),
            (.patient, "你好，我想预约洗牙。周四上午可以吗？我的牙齿有点疼。"),
            (.agent, "Claro! 👩‍⚕️ Thursday 10:00 works 🇧🇷🇯🇵 👍🏽 — see you then ✨🦷"),
            (.patient, "شكرا 🙏🏽 mixed: abc مرحبا 123 नमस्ते 中文 👨‍👩‍👧‍👦 end"),
        ]
        let messages = bodies.enumerated().map { index, entry in
            Message(id: Int64(200 + index), conversationId: 21,
                    direction: entry.0 == .patient ? .inbound : .outbound, author: entry.0,
                    agentId: entry.0 == .agent ? me.id : nil, body: entry.1,
                    status: entry.0 == .patient ? .delivered : .read,
                    createdAt: now - Millis(10 - index) * minute)
        }
        return ConversationDetail(conversation: conversation, patient: patient, messages: messages)
    }

    static let searchHits: [SearchHit] = [
        SearchHit(messageId: 101, conversationId: 11, patientName: "Ana Silva",
                  snippet: "I need to move my cleaning appointment", createdAt: now - 26 * hour),
        SearchHit(messageId: 301, conversationId: 12, patientName: "Bruno Oliveira",
                  snippet: "can we move it to next week?", createdAt: now - 3 * 24 * hour),
        SearchHit(messageId: 302, conversationId: 21, patientName: "فاطمة الزهراء",
                  snippet: "move مرحبا", createdAt: now - 40 * 24 * hour),
    ]
}

extension ConversationDetail {
    func withId(_ id: Int64) -> ConversationDetail {
        var copy = self
        copy.conversation.id = id
        return copy
    }
}

extension Fixtures {
    static let templates: [MessageTemplate] = [
        MessageTemplate(id: 1, name: "appointment_reminder", language: "pt_BR", category: .utility,
                        body: "Olá {{1}}, lembramos da sua consulta em {{2}}. Responda SIM para confirmar.", updatedAt: now),
        MessageTemplate(id: 2, name: "results_ready", language: "pt_BR", category: .utility,
                        body: "{{1}}, seus exames estão prontos.", updatedAt: now),
        MessageTemplate(id: 3, name: "whitening_offer", language: "pt_BR", category: .marketing,
                        body: "Clareamento com 20% de desconto este mês!", updatedAt: now),
    ]

    /// The delivery fixture, with the clinic's templates and the patient's window closed 25 hours ago.
    static var windowClosedDetail: ConversationDetail {
        var detail = deliveryDetail
        detail.conversation.lastInboundAt = now - 25 * hour
        detail.templates = templates
        return detail
    }
}
