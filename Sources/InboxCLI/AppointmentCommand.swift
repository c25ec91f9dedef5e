import ArgumentParser
import Foundation
import InboxModel
import InboxServer

struct AppointmentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "appointment", abstract: "The clinic's appointments, each reminded once by a WhatsApp template.",
        discussion: """
            The server sends each appointment's reminder template INBOX_REMINDER_LEAD_HOURS (default 24) before it \
            starts, once, and never for a cancelled one. The template's {{1}}…{{4}} are the patient's name, the \
            doctor, the day (Tue 8 Dec) and the time (10:30). The patient's "confirm", "reschedule" or "cancel" \
            (a button or words in English, Arabic or Hindi) updates the appointment; "reschedule" hands the \
            conversation to staff. A running server picks up appointments added here within 5 seconds.
            """,
        subcommands: [Add.self, Import.self, List.self, Cancel.self])

    /// Where a time without an offset is read.
    struct TimeZoneOption: ParsableArguments {
        @Option(name: .customLong("time-zone"),
                help: "The clinic's time zone for times without an offset, e.g. Asia/Dubai (default: INBOX_TIME_ZONE, else this machine's).")
        var identifier: String?

        var zone: TimeZone {
            get throws {
                let name = identifier ?? ProcessInfo.processInfo.environment["INBOX_TIME_ZONE"].flatMap { $0.isEmpty ? nil : $0 }
                guard let name else { return .current }
                guard let zone = TimeZone(identifier: name) else { throw ValidationError("unknown time zone \(name)") }
                return zone
            }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add one appointment (adding the patient when new).")
        @Option(help: "The clinic.") var clinic: String
        @Option(help: "The patient's WhatsApp number, E.164 (+971501234567).") var phone: String
        @Option(help: "The patient's name.") var name: String
        @Option(help: "When: 2026-12-08 10:30 (clinic time) or 2026-12-08T10:30:00+04:00.") var time: String
        @Option(help: "The doctor, as patients should read it (Dr Rahman).") var doctor: String
        @Option(help: "The approved utility template the reminder sends.") var template: String = "appointment_reminder"
        @Option(help: "The template's language (en, ar, hi…).") var language: String = "en"
        @Option(help: "The clinic number the reminder goes out from (default: the clinic's first).") var number: String?
        @Option(name: .customLong("id"), help: "The clinic system's own id for it (a second add with it changes nothing).")
        var externalId: String?
        @OptionGroup var timeZone: TimeZoneOption
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let request = AppointmentRequest(phone: phone, name: name, time: time, doctor: doctor, template: template,
                                             language: language, clinicNumber: number, externalId: externalId)
            let appointment: NewAppointment
            switch AppointmentInput.resolve(request, timeZone: try timeZone.zone) {
            case .success(let resolved): appointment = resolved
            case .failure(let error): throw ValidationError(error.message)
            }
            let line = try await database.withStore { try await $0.addAppointments([appointment], clinic: clinic) }[0]
            if let error = line.error { throw ValidationError(error) }
            print(line.created ? "appointment \(line.id ?? 0) added" : "appointment \(line.id ?? 0) was already there")
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add every appointment of a CSV file; importing the same file again adds nothing.",
            discussion: """
                The first line names the columns: phone,name,time,doctor,template and optionally language, number \
                (the clinic number to send from) and id (the clinic system's id). Lines that cannot be kept are \
                reported with their line number; the others are added.
                """)
        @Argument(help: "The CSV file.") var file: String
        @Option(help: "The clinic.") var clinic: String
        @OptionGroup var timeZone: TimeZoneOption
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let text = try readImportFile(file)
            let rows: [(line: Int, request: AppointmentRequest)]
            switch AppointmentInput.parseCSV(text) {
            case .success(let parsed): rows = parsed
            case .failure(let error): throw ValidationError("\(file): \(error.message)")
            }
            let zone = try timeZone.zone
            var problems: [String] = []
            var valid: [(line: Int, appointment: NewAppointment)] = []
            for row in rows {
                switch AppointmentInput.resolve(row.request, timeZone: zone) {
                case .success(let appointment): valid.append((row.line, appointment))
                case .failure(let error): problems.append("\(file):\(row.line): \(error.message)")
                }
            }
            let lines = try await database.withStore { try await $0.addAppointments(valid.map(\.appointment), clinic: clinic) }
            for (entry, line) in zip(valid, lines) {
                if let error = line.error { problems.append("\(file):\(entry.line): \(error)") }
            }
            let added = lines.filter(\.created).count
            let already = lines.filter { !$0.created && $0.error == nil }.count
            print("\(added) appointment\(added == 1 ? "" : "s") added, \(already) already there, \(problems.count) refused")
            for problem in problems { FileHandle.standardError.write(Data((problem + "\n").utf8)) }
            if !problems.isEmpty { throw ExitCode(1) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the clinic's appointments from now on, soonest first.")
        @Option(help: "The clinic.") var clinic: String
        @Flag(help: "Past appointments too.") var all = false
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let from: Millis = all ? 0 : Millis(Date().timeIntervalSince1970 * 1000)
            let listing = try await database.withStore { try await $0.appointments(clinic: clinic, from: from) }
            if listing.isEmpty { print("no appointments for clinic \(clinic)"); return }
            for entry in listing {
                let appointment = entry.appointment
                // Names come from the clinic's file: printed without control characters.
                let fields = ["\(appointment.id)", AppointmentRules.describe(appointment), entry.patientName, entry.phone,
                              appointment.status.rawValue, appointment.template + "/" + appointment.language,
                              entry.reminderError.map { "reminder failed: \($0)" } ?? ""]
                print(fields.map(Self.printable).joined(separator: "\t"))
            }
        }

        static func printable(_ text: String) -> String {
            String(String.UnicodeScalarView(text.unicodeScalars.filter {
                $0.properties.generalCategory != .control && $0.properties.generalCategory != .format
            }))
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel an appointment: its reminder is never sent.")
        @Argument(help: "The appointment's id (inbox appointment list).") var id: Int64
        @Option(help: "The clinic (refuses another clinic's appointment).") var clinic: String?
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            guard let appointment = try await database.withStore({ try await $0.cancelAppointment(id: id, clinic: clinic) }) else {
                throw ValidationError("no appointment \(id)\(clinic.map { " in clinic \($0)" } ?? "")")
            }
            print("appointment \(appointment.id) cancelled (\(AppointmentRules.describe(appointment)))")
        }
    }
}
