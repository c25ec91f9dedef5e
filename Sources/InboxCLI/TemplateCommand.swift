import ArgumentParser
import Foundation
import InboxModel
import InboxServer

struct TemplateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template", abstract: "The clinic's approved WhatsApp templates, for sends outside the 24-hour window.",
        discussion: "Agents receive changes with their next sync (within a minute while the server runs).",
        subcommands: [Add.self, Import.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add or replace one template (keyed by name and language).")
        @Argument(help: "Meta's template name, e.g. appointment_reminder.") var name: String
        @Option(help: "The clinic.") var clinic: String
        @Option(help: "Language code, e.g. en, ar, en_US.") var language: String
        @Option(help: "utility, marketing or authentication.") var category: String
        @Option(help: "The approved text with {{1}}…{{n}} parameters.") var body: String
        @Option(help: "Twilio Content API id (HX…) of the same template.") var twilioContentSid: String?
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            guard let category = TemplateCategory(rawValue: category) else {
                throw ValidationError("category must be utility, marketing or authentication")
            }
            let definition = TemplateDefinition(name: name, language: language, category: category, body: body,
                                                twilioContentSid: twilioContentSid)
            if let problem = definition.problem { throw ValidationError(problem) }
            try await database.withStore { try await $0.saveTemplates([definition], clinic: clinic) }
            print("template \(name) (\(language), \(category.rawValue)) saved for clinic \(clinic)")
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add or replace every template in a templates.toml file (see README, \"Templates\").")
        @Argument(help: "The templates file.") var file: String
        @Option(help: "The clinic.") var clinic: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let text = try readImportFile(file)
            let definitions = try TemplateFile.parse(text)
            try await database.withStore { try await $0.saveTemplates(definitions, clinic: clinic) }
            print("\(definitions.count) template\(definitions.count == 1 ? "" : "s") saved for clinic \(clinic)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the clinic's templates.")
        @Option(help: "The clinic.") var clinic: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let templates = try await database.withStore { try await $0.templates(clinic: clinic) }
            if templates.isEmpty { print("no templates for clinic \(clinic)"); return }
            for template in templates {
                print("\(template.name)\t\(template.language)\t\(template.category.rawValue)\t\(template.parameterCount) parameters\t\(template.body)")
            }
        }
    }
}

/// The text of a file an `import` command reads (templates, canned replies, appointments), or a usage error that
/// names it.
func readImportFile(_ path: String) throws -> String {
    do { return try String(contentsOfFile: path, encoding: .utf8) } catch {
        throw ValidationError("cannot read \(path): \(error.localizedDescription)")
    }
}
