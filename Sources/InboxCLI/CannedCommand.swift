import ArgumentParser
import Foundation
import InboxModel
import InboxServer

struct CannedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "canned", abstract: "The clinic's canned replies, inserted with /shortcode in the composer.",
        discussion: """
            A canned reply is free text with {{name}}, {{first_name}} and {{clinic}} placeholders, filled from the \
            patient when an agent picks it; it goes out as an ordinary reply, inside the 24-hour window only. Agents \
            receive changes with their next sync (within a minute while the server runs).
            """,
        subcommands: [Add.self, Import.self, List.self, Remove.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add or replace one canned reply (keyed by shortcode).")
        @Argument(help: "What agents type after /, e.g. address (lower-case letters, digits, - and _).") var shortcode: String
        @Option(help: "The clinic.") var clinic: String
        @Option(help: "The text, with {{name}}, {{first_name}} and {{clinic}} placeholders.") var body: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let definition = CannedReplyDefinition(shortcode: shortcode, body: body)
            if let problem = definition.problem { throw ValidationError(problem) }
            try await database.withStore { try await $0.saveCannedReplies([definition], clinic: clinic) }
            print("canned reply /\(shortcode) saved for clinic \(clinic)")
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add or replace every canned reply in a canned.toml file ([[canned]] tables with shortcode and body).")
        @Argument(help: "The canned replies file.") var file: String
        @Option(help: "The clinic.") var clinic: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let text = try readImportFile(file)
            let definitions = try CannedReplyFile.parse(text)
            try await database.withStore { try await $0.saveCannedReplies(definitions, clinic: clinic) }
            print("\(definitions.count) canned repl\(definitions.count == 1 ? "y" : "ies") saved for clinic \(clinic)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the clinic's canned replies.")
        @Option(help: "The clinic.") var clinic: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let replies = try await database.withStore { try await $0.cannedReplies(clinic: clinic) }
            if replies.isEmpty { print("no canned replies for clinic \(clinic)"); return }
            for reply in replies {
                print("/\(reply.shortcode)\t\(reply.body.replacingOccurrences(of: "\n", with: " "))")
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a canned reply; agents' pickers drop it at their next sync.")
        @Argument(help: "The shortcode.") var shortcode: String
        @Option(help: "The clinic.") var clinic: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let removed = try await database.withStore { try await $0.removeCannedReply(shortcode: shortcode, clinic: clinic) }
            guard removed else { throw ValidationError("clinic \(clinic) has no canned reply /\(shortcode)") }
            print("canned reply /\(shortcode) removed from clinic \(clinic)")
        }
    }
}
