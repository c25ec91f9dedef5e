import ArgumentParser
import InboxModel
import InboxServer

struct NumberCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "number", abstract: "Manage the clinic's WhatsApp numbers.",
                                                    subcommands: [Add.self, SetBot.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a WhatsApp number (E.164) for a clinic; inbound traffic to it is routed there.")

        @Argument(help: "The number in E.164 form, e.g. +15550001111.") var number: String
        @Option(help: "The clinic that owns the number.") var clinic: String
        @Option(help: "twilio, meta, waha or gupshup.") var provider: String = "twilio"
        @Option(help: "The provider's own id for the number (Meta phone_number_id, WAHA session, Gupshup app name).")
        var ref: String?
        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            guard number.wholeMatch(of: /\+[1-9][0-9]{6,14}/) != nil else {
                throw ValidationError("\(number) is not an E.164 number like +15550001111")
            }
            guard ProviderKind(rawValue: provider) != nil else {
                throw ValidationError("provider must be one of: twilio, meta, waha, gupshup")
            }
            // Gupshup's callbacks name the app, not the number: without the app name they cannot be routed.
            if provider == "gupshup", (ref ?? "").isEmpty {
                throw ValidationError("a Gupshup number needs its Gupshup app name: --ref APP_NAME")
            }
        }

        func run() async throws {
            try await database.withStore { store in
                try await store.addNumber(number, clinic: clinic, provider: ProviderKind(rawValue: provider) ?? .twilio, providerRef: ref)
                print("number \(number) (\(provider)) belongs to clinic \(clinic)")
                if provider == ProviderKind.gupshup.rawValue {
                    // The token is derived, not stored: running this again prints the same URL.
                    let path = GupshupWebhook.callbackPath(clinicNumber: number, key: try await store.mediaLinkSecret())
                    print("Gupshup callback URL (the server's public URL, then): \(path)")
                    print("Keep it secret: anyone who has it can post as this number's patients.")
                }
            }
        }
    }
}

struct ClinicCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "clinic", abstract: "Clinic settings.",
                                                    subcommands: [AIHookCommand.self, MarketingLimitCommand.self])

    struct AIHookCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ai-hook",
            abstract: "Let the clinic's own AI answer first instead of the built-in bot.",
            discussion: """
                The server POSTs {conversation, patient, messages} as JSON to URL and expects
                {"reply": "…"} and/or {"handOff": {"reason": "…", "summary": "…"}} back. A timeout
                (INBOX_AI_HOOK_TIMEOUT_MS, default 8000) or any error hands the conversation to staff.
                """)

        @Argument(help: "The clinic.") var clinic: String
        @Argument(help: "The endpoint URL; omit with --clear.") var url: String?
        @Flag(help: "Go back to the built-in bot.") var clear = false
        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            if clear == (url != nil) { throw ValidationError("give a URL, or --clear") }
            if let url, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
                throw ValidationError("the AI hook must be an http(s) URL")
            }
        }

        func run() async throws {
            try await database.withStore { store in
                try await store.setAIHook(clinic: clinic, url: url)
                print(url.map { "clinic \(clinic): the AI at \($0) answers first" } ?? "clinic \(clinic): the built-in bot answers first")
            }
        }
    }
}
