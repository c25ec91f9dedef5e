import ArgumentParser
import InboxModel
import InboxServer

extension ClinicCommand {
    struct MarketingLimitCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "marketing-limit",
            abstract: "Show or set how many marketing templates one patient may get.",
            discussion: """
                Marketing templates beyond the limit are refused before anything is sent, with the reason and when the
                next one may go; utility and authentication templates are never limited. Without a setting a patient
                gets at most 1 marketing template in any 24 hours and 4 in any 30 days. A limit of 0 stops
                marketing templates altogether.
                """)

        @Argument(help: "The clinic.") var clinic: String
        @Option(name: .customLong("per-day"), help: "At most this many in any 24 hours.") var perDay: Int?
        @Option(name: .customLong("per-30-days"), help: "At most this many in any 30 days.") var perMonth: Int?
        @Flag(help: "Go back to the standard limits (1 a day, 4 in 30 days).") var standard = false
        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            if standard, perDay != nil || perMonth != nil { throw ValidationError("give limits, or --standard") }
            if (perDay ?? 0) < 0 || (perMonth ?? 0) < 0 { throw ValidationError("limits cannot be negative") }
        }

        func run() async throws {
            try await database.withStore { store in
                if standard {
                    try await store.setMarketingLimits(clinic: clinic, limits: nil)
                } else if perDay != nil || perMonth != nil {
                    let current = try await store.marketingLimits(clinic: clinic)
                    let limits = MarketingLimits(perDay: perDay ?? current.perDay, perMonth: perMonth ?? current.perMonth)
                    if let problem = limits.problem { throw ValidationError(problem) }
                    try await store.setMarketingLimits(clinic: clinic, limits: limits)
                }
                let limits = try await store.marketingLimits(clinic: clinic)
                print("clinic \(clinic): at most \(limits.perDay) marketing template(s) per patient in any 24 hours, \(limits.perMonth) in any 30 days")
            }
        }
    }
}
