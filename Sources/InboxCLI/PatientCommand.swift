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
        @Option(help: "The server's SQLite database.") var db: String
        @Option(help: "The media directory (default: INBOX_MEDIA_DIR, else <db>.media).") var mediaDir: String?

        func validate() throws {
            guard phone.wholeMatch(of: /\+[1-9][0-9]{6,14}/) != nil else {
                throw ValidationError("\(phone) is not an E.164 number like +15557654321")
            }
        }

        func run() async throws {
            let store = try SQLiteInboxStore(path: db, notifier: LocalChangeNotifier())
            let report = try await store.erasePatients(phone: phone, clinic: clinic)
            let directory = mediaDir ?? ProcessInfo.processInfo.environment["INBOX_MEDIA_DIR"].flatMap { $0.isEmpty ? nil : $0 }
                ?? MediaFiles.defaultDirectory(forDatabase: db)
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
