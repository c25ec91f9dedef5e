import ArgumentParser
import Foundation
import InboxModel
import InboxServer

/// `inbox patient erase`: a patient's data request. Runs while the server does; agents' mirrors delete the
/// patient at their next sync (the server wakes them within a quarter of a second).
struct PatientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "patient", abstract: "Patients' data requests.",
                                                    subcommands: [Erase.self])

    struct Erase: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Erase a patient: messages, attachments (files too), conversations and the patient.",
            discussion: """
                Every syncing client deletes the same rows from its mirror. Files agents already saved to their \
                own download folders are outside the server's reach. Prints counts only.
                """)

        @Option(help: "The patient's number in E.164 form, e.g. +15557654321.") var phone: String
        @Option(help: "The clinic the patient wrote to.") var clinic: String
        @OptionGroup var database: DatabaseOptions
        @Option(help: "The media directory (default: INBOX_MEDIA_DIR, else <db>.media beside a SQLite database).") var mediaDir: String?

        func validate() throws {
            guard phone.wholeMatch(of: /\+[1-9][0-9]{6,14}/) != nil else {
                throw ValidationError("\(phone) is not an E.164 number like +15557654321")
            }
        }

        /// Shared by every instance on PostgreSQL, so it is named there; beside the SQLite file otherwise.
        func mediaDirectory() throws -> String {
            if let directory = mediaDir ?? ProcessInfo.processInfo.environment["INBOX_MEDIA_DIR"].flatMap({ $0.isEmpty ? nil : $0 }) {
                return directory
            }
            guard let path = try database.location.sqlitePath else {
                throw ValidationError("on PostgreSQL, give the shared media directory: --media-dir or INBOX_MEDIA_DIR")
            }
            return MediaFiles.defaultDirectory(forDatabase: path)
        }

        func run() async throws {
            try await database.withStore { store in
                let report = try await store.erasePatients(phone: phone, clinic: clinic)
                let directory = try mediaDirectory()
                let deleted = try MediaFiles(directory: directory).remove(report.unreferencedFiles)
                guard report.patients > 0 else {
                    print("no patient with that number in clinic \(clinic)")
                    throw ExitCode(2)
                }
                print("erased \(report.patients) patient(s), \(report.conversations) conversation(s), "
                      + "\(report.messages) message(s), \(deleted) file(s)")
            }
        }
    }
}
