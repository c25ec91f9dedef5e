import ArgumentParser
import InboxModel
import InboxServer

extension NumberCommand {
    struct SetBot: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Give a number its own bot: desk label, greeting, menu, AI hook and hand-off words.",
            discussion: """
                Each setting overrides the clinic's for patients who write to this number; an empty value ("")
                goes back to the clinic's. Options not given keep their current value. With none, shows them.
                """)

        @Argument(help: "The registered number, e.g. +15550001111.") var number: String
        @Option(help: "The desk agents see beside the number, e.g. \"Dental desk\".") var label: String?
        @Option(help: "What the bot says first, before its menu.") var greeting: String?
        @Option(help: ArgumentHelp("The menu options offered, in order: book, reschedule, cancel, status, staff.",
                                   valueName: "book,status,staff"))
        var menu: String?
        @Option(name: .customLong("ai-hook"), help: "This number's own AI endpoint (http or https).") var aiHook: String?
        @Option(name: .customLong("handoff-words"),
                help: ArgumentHelp("Words that hand the patient to staff at once.", valueName: "nurse,emergency"))
        var handOffWords: String?
        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            if let menu, !menu.isEmpty, case .failure(let problem) = NumberBot.menu(menu) {
                throw ValidationError(problem.description)
            }
            if let aiHook, !aiHook.isEmpty, !(aiHook.hasPrefix("http://") || aiHook.hasPrefix("https://")) {
                throw ValidationError("the AI hook must be an http(s) URL")
            }
        }

        func run() async throws {
            try await database.withStore { store in
                guard var bot = try await store.numberBot(number: number) else {
                    throw ValidationError("\(number) is not a registered number (inbox number add)")
                }
                let changes = [label, greeting, menu, aiHook, handOffWords].contains { $0 != nil }
                if let label { bot.label = label.isEmpty ? nil : label }
                if let greeting { bot.greeting = greeting.isEmpty ? nil : greeting }
                if let menu { bot.menu = try menu.isEmpty ? nil : NumberBot.menu(menu).get() }
                if let aiHook { bot.aiHookURL = aiHook.isEmpty ? nil : aiHook }
                if let handOffWords { bot.handOffWords = NumberBot.list(handOffWords) }
                if changes { try await store.setNumberBot(number: number, bot) }
                print("number \(number)")
                print("  desk:          \(bot.label ?? "(none)")")
                print("  greeting:      \(bot.greeting ?? "(the clinic's)")")
                print("  menu:          \(bot.menu.map { $0.map(\.rawValue).joined(separator: ",") } ?? "(all options)")")
                print("  AI hook:       \(bot.aiHookURL ?? "(the clinic's)")")
                print("  hand-off words: \(bot.handOffWords.isEmpty ? "(none)" : bot.handOffWords.joined(separator: ","))")
            }
        }
    }
}
