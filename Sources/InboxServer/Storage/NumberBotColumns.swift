import InboxModel

/// How a number's own bot (`NumberBot`) is kept on its `numbers` row, in both adapters: free text as it is, the
/// menu and the hand-off words comma-separated. NULL (or empty) is "the clinic's".
enum NumberBotColumns {
    static let names = ["label", "bot_greeting", "bot_menu", "ai_hook_url", "handoff_words"]

    static func values(_ bot: NumberBot) -> [String?] {
        [bot.label, bot.greeting, bot.menu.map { $0.map(\.rawValue).joined(separator: ",") }, bot.aiHookURL,
         bot.handOffWords.isEmpty ? nil : bot.handOffWords.joined(separator: ",")].map { $0.flatMap { $0.isEmpty ? nil : $0 } }
    }

    static func bot(_ values: [String?]) -> NumberBot {
        let present = values.map { $0.flatMap { $0.isEmpty ? nil : $0 } } + Array(repeating: nil, count: names.count)
        let menu = present[2].flatMap { try? NumberBot.menu($0).get() }
        return NumberBot(label: present[0], greeting: present[1], menu: menu, aiHookURL: present[3],
                         handOffWords: NumberBot.list(present[4]))
    }
}
