/// What the bot (built-in or the clinic's AI) wants done with a conversation.
public struct BotDecision: Sendable, Equatable, Codable {
    public struct HandOff: Sendable, Equatable, Codable {
        public var reason: String
        /// A summary written by the clinic's AI. The rule bot gives none: it could only repeat the patient's
        /// words, and the client shows those as what the patient wrote, never as a summary.
        public var summary: String?

        public init(reason: String, summary: String? = nil) {
            self.reason = reason
            self.summary = summary
        }
    }

    public var reply: String?
    public var handOff: HandOff?
    /// The reply's choices as an interactive list or reply buttons, for channels that show them (`reply` carries
    /// the same choices as numbered text).
    public var menu: InteractiveMenu?

    public init(reply: String? = nil, handOff: HandOff? = nil, menu: InteractiveMenu? = nil) {
        self.reply = reply
        self.handOff = handOff
        self.menu = menu
    }

    public static let silent = BotDecision()
}

/// The built-in rule-based clinic bot: greets, offers a menu, books through a short flow, answers reschedule,
/// cancel and status requests, and hands off to staff when asked for a human or when it fails to understand
/// twice. It recognises English, Arabic and Hindi. Pure: state lives in `Memory`, which the server stores per
/// conversation. A number's own settings (`NumberBot`) change its greeting, the options its menu offers and the
/// words that hand off at once.
public struct ClinicBot: Sendable {
    public struct Memory: Codable, Sendable, Equatable {
        public var greeted = false
        public var misunderstandings = 0
        /// Set while the bot waits for the answer to its own question.
        public var awaiting: Question?
        /// The language the patient last wrote in (nil: none yet, English); a reply without letters keeps it.
        public var language: BotLanguage?
        public init() {}
    }

    public enum Question: String, Codable, Sendable {
        /// "Which slot?" during booking.
        case bookingSlot
    }

    enum Intent: Equatable {
        case staff, menu, book, reschedule, cancel, status
    }

    /// The settings of the number the patient wrote to.
    public var settings: NumberBot

    public init(settings: NumberBot = NumberBot()) { self.settings = settings }

    static let slots = ["09:30", "14:00"]

    /// Keywords per intent, checked in this order: "cancel my appointment" is a cancellation, not a booking.
    static let keywords: [(Intent, [String])] = [
        (.staff, ["human", "staff", "agent", "person", "reception", "someone", "talk to", "doctor",
                  "موظف", "إنسان", "بشري", "الاستقبال", "स्टाफ", "इंसान", "व्यक्ति", "रिसेप्शन"]),
        (.reschedule, ["reschedul", "move my", "change my", "another time", "تأجيل", "تغيير", "बदल"]),
        (.cancel, ["cancel", "إلغاء", "الغاء", "रद्द", "कैंसिल"]),
        (.status, ["status", "when is my", "confirmed", "حالة", "متى موعدي", "स्थिति"]),
        (.book, ["book", "appointment", "slot", "حجز", "موعد", "अपॉइंटमेंट", "बुक"]),
        (.menu, ["menu", "help", "hello", "hi", "مرحبا", "السلام", "नमस्ते", "मदद"]),
    ]
    /// The menu's numbers count only as the whole message: "I have 10 questions" is not option 1.
    static let menuNumbers: [String: Intent] = ["0": .staff, "1": .book, "2": .reschedule, "3": .cancel, "4": .status,
                                                 "٠": .staff, "١": .book, "٢": .reschedule, "٣": .cancel, "٤": .status]

    static func intent(of text: String) -> Intent? {
        let trimmed = text.filter { !$0.isWhitespace && !$0.isPunctuation }
        if let numbered = menuNumbers[trimmed] { return numbered }
        let lowered = text.lowercased()
        let words = Set(lowered.split(whereSeparator: { !$0.isLetter }).map(String.init))
        for (intent, keys) in keywords {
            // Short Latin keys must be whole words ("hi" is not in "this"); the rest may be word stems.
            if keys.contains(where: { $0.count <= 3 && $0.allSatisfy(\.isASCII) ? words.contains($0) : lowered.contains($0) }) {
                return intent
            }
        }
        return nil
    }

    /// What the bot says when it hands a patient who wrote `text` to reception, in the patient's language.
    public static func handOffReply(to text: String) -> String {
        BotPhrases.of(BotLanguage.of(text) ?? .english).connecting
    }

    /// Answers in the language the patient wrote in (English, Arabic or Hindi). `replyId` is the id of the list row
    /// or button the patient tapped (`BotChoice`): it decides, whatever the title read in the patient's language.
    public func respond(to text: String, replyId: String? = nil, memory: Memory) -> (BotDecision, Memory) {
        var memory = memory
        var text = text
        switch replyId.flatMap(BotChoice.init(replyId:)) {
        case .menu(let option):
            // A menu tap leaves any question: "Book" while a slot is asked for is the menu's 1, not slot 1.
            memory.awaiting = nil
            text = option.number
        case .slot(let time) where Self.slots.contains(time):
            text = time
        case .slot, nil:
            break
        }
        memory.language = BotLanguage.of(text) ?? memory.language
        let say = BotPhrases.of(memory.language ?? .english)
        if let word = settings.handOffWord(in: text) {
            memory.awaiting = nil
            return (BotDecision(reply: say.connecting, handOff: .init(reason: "Patient wrote \"\(word)\"")), memory)
        }
        let intent = Self.intent(of: text)
        if intent == .staff {
            memory.awaiting = nil
            return (BotDecision(reply: say.connecting, handOff: .init(reason: "Patient asked for staff")), memory)
        }
        // While a slot is asked for, "1"/"2" choose it; another request ("cancel") leaves the flow.
        // An attachment without text (a photo, a referral letter) is acknowledged, not "misunderstood".
        if text.allSatisfy(\.isWhitespace) {
            return (BotDecision(reply: say.fileReceived), memory)
        }
        if memory.awaiting == .bookingSlot, Self.slot(in: text) != nil || intent == nil || intent == .book {
            return bookSlot(text, memory: memory, say: say)
        }
        memory.awaiting = nil
        if !memory.greeted {
            memory.greeted = true
            if intent == nil || intent == .menu { return (BotDecision(reply: menu(say), menu: menuList(say)), memory) }
        }
        switch intent {
        case .book:
            memory.misunderstandings = 0
            memory.awaiting = .bookingSlot
            let question = say.whichTime(Self.slots[0], Self.slots[1])
            return (BotDecision(reply: question, menu: slotButtons(question, say)), memory)
        case .reschedule:
            memory.misunderstandings = 0
            memory.awaiting = .bookingSlot
            let question = say.moveIt(Self.slots[0], Self.slots[1])
            return (BotDecision(reply: question, menu: slotButtons(question, say)), memory)
        case .cancel:
            memory.misunderstandings = 0
            return (BotDecision(reply: say.cancelled), memory)
        case .status:
            memory.misunderstandings = 0
            return (BotDecision(reply: say.confirmed), memory)
        case .menu:
            return (BotDecision(reply: menu(say), menu: menuList(say)), memory)
        case .staff, nil:
            return misunderstood(text, memory: memory, say: say)
        }
    }

    private func bookSlot(_ text: String, memory: Memory, say: BotPhrases) -> (BotDecision, Memory) {
        var memory = memory
        guard let slot = Self.slot(in: text) else {
            var (decision, next) = misunderstood(text, memory: memory, say: say)
            if decision.handOff == nil {
                let question = say.pickASlot(Self.slots[0], Self.slots[1])
                decision.reply = question
                decision.menu = slotButtons(question, say)
            }
            return (decision, next)
        }
        memory.awaiting = nil
        memory.misunderstandings = 0
        return (BotDecision(reply: say.booked(slot)), memory)
    }

    /// The slot a reply picks: its number alone, or its time anywhere in the text.
    static func slot(in text: String) -> String? {
        let choice = text.filter { !$0.isWhitespace && !$0.isPunctuation }
        if ["1", "١", "१"].contains(choice) || text.contains(slots[0]) { return slots[0] }
        if ["2", "٢", "२"].contains(choice) || text.contains(slots[1]) { return slots[1] }
        return nil
    }

    private func misunderstood(_ text: String, memory: Memory, say: BotPhrases) -> (BotDecision, Memory) {
        var memory = memory
        memory.misunderstandings += 1
        if memory.misunderstandings >= 2 {
            memory.awaiting = nil
            return (BotDecision(reply: say.handingOver, handOff: .init(reason: "Bot did not understand twice")), memory)
        }
        return (BotDecision(reply: say.notUnderstood + " " + menu(say), menu: menuList(say, lead: say.notUnderstood)), memory)
    }

    private func menuList(_ say: BotPhrases, lead: String? = nil) -> InteractiveMenu {
        say.menuList(greeting: settings.greeting, offering: settings.menu ?? BotMenuOption.allCases, lead: lead)
    }

    /// The booking slots as reply buttons under `question`.
    private func slotButtons(_ question: String, _ say: BotPhrases) -> InteractiveMenu {
        InteractiveMenu(kind: .buttons, body: question, button: say.optionsButton,
                        options: Self.slots.map { .init(id: BotChoice.slot($0).id, title: $0) })
    }

    /// The menu with the number's greeting and options.
    private func menu(_ say: BotPhrases) -> String {
        say.menu(greeting: settings.greeting, offering: settings.menu ?? BotMenuOption.allCases)
    }
}
