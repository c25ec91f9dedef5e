/// The languages the built-in bot understands and answers in. WhatsApp lays out each message by its first strong
/// character, so an Arabic answer that starts with an Arabic word reads right to left, times and menu numbers
/// included, without any direction marks.
public enum BotLanguage: String, Codable, Sendable, CaseIterable {
    case english = "en", arabic = "ar", hindi = "hi"

    /// The language a message is written in, by its letters' script; nil when it has no letters ("1", "👍"), so
    /// the conversation's language carries on.
    public static func of(_ text: String) -> BotLanguage? {
        var latin = 0, arabic = 0, devanagari = 0
        for scalar in text.unicodeScalars where scalar.properties.isAlphabetic {
            switch scalar.value {
            case 0x0600...0x06FF, 0x0750...0x077F, 0x08A0...0x08FF, 0xFB50...0xFDFF, 0xFE70...0xFEFF: arabic += 1
            case 0x0900...0x097F, 0xA8E0...0xA8FF: devanagari += 1
            default: latin += 1
            }
        }
        let counts = [(BotLanguage.arabic, arabic), (.hindi, devanagari), (.english, latin)]
        guard let best = counts.max(by: { $0.1 < $1.1 }), best.1 > 0 else { return nil }
        return best.0
    }
}

/// Everything the built-in bot says, in each of its languages.
struct BotPhrases: Sendable {
    /// The menu's first words, unless the number has its own greeting.
    let greeting: String
    /// "Reply with:", after the greeting.
    let replyWith: String
    /// Each menu option's title: the numbered text's and the interactive list's.
    let options: [BotMenuOption: String]
    /// The interactive list's button.
    let optionsButton: String
    let connecting: String
    let fileReceived: String
    let whichTime: @Sendable (String, String) -> String
    let moveIt: @Sendable (String, String) -> String
    let cancelled: String
    let confirmed: String
    let pickASlot: @Sendable (String, String) -> String
    let booked: @Sendable (String) -> String
    let handingOver: String
    let notUnderstood: String

    /// The menu as numbered text: "Hello! … Reply with:" and "1 Book an appointment · 2 Reschedule · …".
    func menu(greeting custom: String? = nil, offering offered: [BotMenuOption] = BotMenuOption.allCases) -> String {
        let lines = offered.map { "\($0.number) \(options[$0] ?? $0.rawValue)" }.joined(separator: " · ")
        return "\(custom ?? greeting) \(replyWith)\n\(lines)"
    }

    /// The same menu as an interactive list, `lead` (e.g. "Sorry, I did not understand.") before the greeting.
    func menuList(greeting custom: String? = nil, offering offered: [BotMenuOption] = BotMenuOption.allCases,
                  lead: String? = nil) -> InteractiveMenu {
        InteractiveMenu(kind: .list, body: [lead, custom ?? greeting].compactMap { $0 }.joined(separator: " "),
                        button: optionsButton,
                        options: offered.map { .init(id: BotChoice.menu($0).id, title: options[$0] ?? $0.rawValue) })
    }

    static func of(_ language: BotLanguage) -> BotPhrases {
        switch language {
        case .english: english
        case .arabic: arabic
        case .hindi: hindi
        }
    }

    static let english = BotPhrases(
        greeting: "Hello! This is the clinic assistant.",
        replyWith: "Reply with:",
        options: [.book: "Book an appointment", .reschedule: "Reschedule", .cancel: "Cancel",
                  .status: "Appointment status", .staff: "Talk to staff"],
        optionsButton: "Options",
        connecting: "Connecting you with our reception team — someone will answer shortly.",
        fileReceived: "Thank you, we received your file. Reply 0 if you would like a person to look at it.",
        whichTime: { "Which time suits you tomorrow? Reply 1 for \($0) or 2 for \($1)." },
        moveIt: { "Let's move it. Reply 1 for tomorrow \($0) or 2 for tomorrow \($1)." },
        cancelled: "Your appointment is cancelled. Reply 1 any time to book a new one.",
        confirmed: "Your next appointment is confirmed. We will remind you the day before.",
        pickASlot: { "Please reply 1 for \($0) or 2 for \($1), or 0 to talk to staff." },
        booked: { "You're booked for tomorrow at \($0). Reply 4 to check it or 3 to cancel." },
        handingOver: "Let me connect you with our reception team.",
        notUnderstood: "Sorry, I did not understand.")

    static let arabic = BotPhrases(
        greeting: "مرحبًا! هذا مساعد العيادة.",
        replyWith: "أرسل:",
        options: [.book: "لحجز موعد", .reschedule: "لتغيير الموعد", .cancel: "للإلغاء", .status: "لحالة الموعد",
                  .staff: "للتحدث مع الموظفين"],
        optionsButton: "الخيارات",
        connecting: "سنوصلك بفريق الاستقبال، وسيرد عليك أحد الموظفين قريبًا.",
        fileReceived: "شكرًا، وصلنا ملفك. أرسل 0 إذا أردت أن يطّلع عليه أحد الموظفين.",
        whichTime: { "أي وقت يناسبك غدًا؟ أرسل 1 للساعة \($0) أو 2 للساعة \($1)." },
        moveIt: { "لنغيّر الموعد. أرسل 1 لغدٍ الساعة \($0) أو 2 لغدٍ الساعة \($1)." },
        cancelled: "تم إلغاء موعدك. أرسل 1 في أي وقت لحجز موعد جديد.",
        confirmed: "موعدك القادم مؤكد. سنذكّرك به قبل يوم.",
        pickASlot: { "من فضلك أرسل 1 للساعة \($0) أو 2 للساعة \($1)، أو 0 للتحدث مع الموظفين." },
        booked: { "تم حجز موعدك غدًا الساعة \($0). أرسل 4 للاطلاع عليه أو 3 لإلغائه." },
        handingOver: "سأوصلك بفريق الاستقبال.",
        notUnderstood: "عذرًا، لم أفهم.")

    static let hindi = BotPhrases(
        greeting: "नमस्ते! यह क्लिनिक सहायक है।",
        replyWith: "जवाब में भेजें:",
        options: [.book: "अपॉइंटमेंट बुक करें", .reschedule: "समय बदलें", .cancel: "रद्द करें",
                  .status: "अपॉइंटमेंट की स्थिति", .staff: "स्टाफ से बात करें"],
        optionsButton: "विकल्प",
        connecting: "आपको हमारी रिसेप्शन टीम से जोड़ रहे हैं — कोई जल्द ही जवाब देगा।",
        fileReceived: "धन्यवाद, हमें आपकी फ़ाइल मिल गई। अगर आप चाहते हैं कि कोई व्यक्ति इसे देखे तो 0 भेजें।",
        whichTime: { "कल कौन सा समय ठीक रहेगा? \($0) के लिए 1 या \($1) के लिए 2 भेजें।" },
        moveIt: { "चलिए समय बदलते हैं। कल \($0) के लिए 1 या कल \($1) के लिए 2 भेजें।" },
        cancelled: "आपका अपॉइंटमेंट रद्द कर दिया गया है। नया बुक करने के लिए कभी भी 1 भेजें।",
        confirmed: "आपका अगला अपॉइंटमेंट पक्का है। हम एक दिन पहले आपको याद दिलाएँगे।",
        pickASlot: { "कृपया \($0) के लिए 1 या \($1) के लिए 2 भेजें, या स्टाफ से बात करने के लिए 0 भेजें।" },
        booked: { "आपका अपॉइंटमेंट कल \($0) बजे बुक हो गया है। देखने के लिए 4 या रद्द करने के लिए 3 भेजें।" },
        handingOver: "मैं आपको हमारी रिसेप्शन टीम से जोड़ता हूँ।",
        notUnderstood: "माफ़ कीजिए, मैं समझ नहीं पाया।")
}
