/// A WhatsApp number's own bot (`inbox number set`), overriding the clinic's: a clinic with a dental line and a
/// pharmacy line greets and serves each in its own way (seed 004 links an agent to each number). Unset fields
/// fall back to the clinic's: the built-in greeting and menu, the clinic's AI hook, no extra hand-off words.
public struct NumberBot: Sendable, Equatable, Codable {
    /// The desk agents see beside the number, e.g. "Dental desk".
    public var label: String?
    /// What the bot says first, before the menu, instead of "Hello! This is the clinic assistant."
    public var greeting: String?
    /// The menu options offered, in order; nil: all of them.
    public var menu: [BotMenuOption]?
    /// The number's own AI endpoint, answering instead of the clinic's (or the built-in bot).
    public var aiHookURL: String?
    /// Words that hand the patient to staff at once on this number (matched case-insensitively anywhere in the
    /// message), besides the built-in ones ("human", "staff", "موظف", …).
    public var handOffWords: [String]

    public init(label: String? = nil, greeting: String? = nil, menu: [BotMenuOption]? = nil, aiHookURL: String? = nil,
                handOffWords: [String] = []) {
        self.label = label
        self.greeting = greeting
        self.menu = menu
        self.aiHookURL = aiHookURL
        self.handOffWords = handOffWords
    }

    /// The hand-off word `text` contains, if any.
    func handOffWord(in text: String) -> String? {
        let lowered = text.lowercased()
        return handOffWords.first { !$0.isEmpty && lowered.contains($0.lowercased()) }
    }

    /// Comma-separated lists as `inbox number set` takes them and the database keeps them.
    public static func list(_ text: String?) -> [String] {
        (text ?? "").split(separator: ",").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
    }

    /// The menu named by `text` ("book,status,staff"), or why it cannot be one.
    public static func menu(_ text: String) -> Result<[BotMenuOption], MenuProblem> {
        var options: [BotMenuOption] = []
        for name in list(text) {
            guard let option = BotMenuOption(rawValue: name.lowercased()) else { return .failure(MenuProblem(name: name)) }
            if !options.contains(option) { options.append(option) }
        }
        return options.isEmpty ? .failure(MenuProblem(name: text)) : .success(options)
    }

    public struct MenuProblem: Error, CustomStringConvertible {
        public var name: String
        public var description: String {
            "\"\(name)\" is not a menu option: use \(BotMenuOption.allCases.map(\.rawValue).joined(separator: ", "))"
        }
    }
}

/// The built-in bot's menu options: a number a patient may reply with, and the id a tap on the option carries.
public enum BotMenuOption: String, Codable, Sendable, CaseIterable {
    case book, reschedule, cancel, status, staff

    /// What the patient types for it in a numbered-text menu.
    public var number: String {
        switch self {
        case .book: "1"
        case .reschedule: "2"
        case .cancel: "3"
        case .status: "4"
        case .staff: "0"
        }
    }
}
