/// What the bot (built-in or the clinic's AI) wants done with a conversation.
public struct BotDecision: Sendable, Equatable, Codable {
    public struct HandOff: Sendable, Equatable, Codable {
        public var reason: String
        public var summary: String?

        public init(reason: String, summary: String? = nil) {
            self.reason = reason
            self.summary = summary
        }
    }

    public var reply: String?
    public var handOff: HandOff?

    public init(reply: String? = nil, handOff: HandOff? = nil) {
        self.reply = reply
        self.handOff = handOff
    }

    public static let silent = BotDecision()
}

/// The built-in rule-based clinic bot: greets, offers a menu, and hands off to staff when asked for a human or
/// when it fails to understand twice. Pure: state lives in `BotMemory`, which the server stores per conversation.
public struct ClinicBot: Sendable {
    public struct Memory: Codable, Sendable, Equatable {
        public var greeted = false
        public var misunderstandings = 0
        public init() {}
    }

    public init() {}

    static let staffWords = ["human", "staff", "agent", "person", "reception", "someone", "talk to",
                             "موظف", "إنسان", "بشري", "स्टाफ", "इंसान", "व्यक्ति"]
    static let menu = """
        Hello! This is the clinic assistant. Reply with:
        1 Book an appointment · 2 Reschedule · 3 Cancel · 4 Appointment status · 0 Talk to staff
        """

    public func respond(to text: String, memory: Memory) -> (BotDecision, Memory) {
        var memory = memory
        let lowered = text.lowercased()
        if lowered.filter { !$0.isWhitespace } == "0" || Self.staffWords.contains(where: lowered.contains) {
            return (BotDecision(reply: "Connecting you with our reception team — someone will answer shortly.",
                                handOff: .init(reason: "Patient asked for staff", summary: "Asked: \(text.prefix(200))")), memory)
        }
        if !memory.greeted {
            memory.greeted = true
            return (BotDecision(reply: Self.menu), memory)
        }
        let intents: [(keys: [String], answer: String)] = [
            (["1", "book", "appointment", "موعد", "अपॉइंटमेंट"], "Which day suits you? Our next free slots are tomorrow 09:30 and 14:00."),
            (["2", "reschedul"], "Which appointment would you like to move, and to when?"),
            (["3", "cancel"], "I can cancel that for you. Please send the appointment date."),
            (["4", "status"], "Your next appointment is confirmed. We will remind you the day before."),
            (["tomorrow", "09:30", "14:00", "monday", "tuesday"], "You're booked. Reply 4 any time to check the status."),
        ]
        if let intent = intents.first(where: { $0.keys.contains(where: lowered.contains) }) {
            memory.misunderstandings = 0
            return (BotDecision(reply: intent.answer), memory)
        }
        memory.misunderstandings += 1
        if memory.misunderstandings >= 2 {
            return (BotDecision(reply: "Let me connect you with our reception team.",
                                handOff: .init(reason: "Bot did not understand twice", summary: "Last message: \(text.prefix(200))")),
                    memory)
        }
        return (BotDecision(reply: "Sorry, I did not understand. " + Self.menu), memory)
    }
}
