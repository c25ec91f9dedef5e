import Foundation
import InboxModel

/// Appointments as a clinic's system hands them over — CSV lines or JSON requests — checked and with their times
/// resolved in the clinic's time zone. Shared by `inbox appointment import`/`add` and `POST /v1/admin/appointments`.
public enum AppointmentInput {
    /// The request checked (`AppointmentRules.problem`) and its time resolved: a time with an offset is taken as it
    /// is, one without is the clinic's wall-clock time in `timeZone`.
    public static func resolve(_ request: AppointmentRequest, timeZone: TimeZone) -> Result<NewAppointment, InputError> {
        let phone = request.phone.trimmingCharacters(in: .whitespaces)
        let name = request.name.trimmingCharacters(in: .whitespacesAndNewlines)
        let doctor = request.doctor.trimmingCharacters(in: .whitespacesAndNewlines)
        let template = request.template.trimmingCharacters(in: .whitespaces)
        if let problem = AppointmentRules.problem(phone: phone, name: name, doctor: doctor, template: template) {
            return .failure(InputError(message: problem))
        }
        let extras = [request.language, request.clinicNumber, request.externalId].compactMap { $0 } + [template]
        if extras.contains(where: { $0.count > 200 || $0.unicodeScalars.contains { $0.properties.generalCategory == .control } }) {
            return .failure(InputError(message: "the template, language, number or id is too long or holds control characters"))
        }
        guard let parsed = AppointmentRules.parseTime(request.time) else {
            return .failure(InputError(message: "the time must look like 2026-12-08 10:30 or 2026-12-08T10:30:00+04:00"))
        }
        let startsAt: Millis
        let offset: Int
        if let explicit = parsed.offset {
            startsAt = parsed.wallClock - Millis(explicit) * 1000
            offset = explicit
        } else {
            // The offset in force at that wall-clock time (twice, so a time near a DST change lands right).
            let guess = parsed.wallClock - Millis(timeZone.secondsFromGMT(for: date(parsed.wallClock))) * 1000
            offset = timeZone.secondsFromGMT(for: date(guess))
            startsAt = parsed.wallClock - Millis(offset) * 1000
        }
        let language = request.language?.trimmingCharacters(in: .whitespaces)
        return .success(NewAppointment(phone: phone, name: name, startsAt: startsAt, utcOffset: offset, doctor: doctor,
                                       template: template, language: (language?.isEmpty ?? true) ? "en" : language!,
                                       clinicNumber: request.clinicNumber.flatMap { $0.isEmpty ? nil : $0 },
                                       externalId: request.externalId.flatMap { $0.isEmpty ? nil : $0 }))
    }

    private static func date(_ millis: Millis) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }

    public struct InputError: Error, CustomStringConvertible, Equatable {
        public var message: String
        public var description: String { message }
    }

    /// The columns a CSV file may have, by header name (any order, any case); the first five are required.
    public static let csvColumns = ["phone", "name", "time", "doctor", "template", "language", "number", "id"]

    /// The appointments of a CSV file with a header line, one result per data line (numbered from 2, the header
    /// being line 1), so one bad line does not hold back the rest.
    public static func parseCSV(_ text: String) -> Result<[(line: Int, request: AppointmentRequest)], InputError> {
        let records = CSV.records(text)
        guard let header = records.first?.fields.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) else {
            return .failure(InputError(message: "the file is empty"))
        }
        let missing = csvColumns.prefix(5).filter { !header.contains($0) }
        guard missing.isEmpty else {
            return .failure(InputError(message: "the header line lacks \(missing.joined(separator: ", ")) (columns: \(csvColumns.joined(separator: ",")))"))
        }
        func column(_ fields: [String], _ name: String) -> String? {
            header.firstIndex(of: name).flatMap { $0 < fields.count ? fields[$0] : nil }
        }
        var requests: [(Int, AppointmentRequest)] = []
        for record in records.dropFirst() where !record.fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            let fields = record.fields
            requests.append((record.line, AppointmentRequest(
                phone: column(fields, "phone") ?? "", name: column(fields, "name") ?? "", time: column(fields, "time") ?? "",
                doctor: column(fields, "doctor") ?? "", template: column(fields, "template") ?? "",
                language: column(fields, "language"), clinicNumber: column(fields, "number"), externalId: column(fields, "id"))))
        }
        return .success(requests)
    }
}

/// RFC 4180 CSV: fields separated by commas, optionally in double quotes (which may hold commas, newlines and
/// doubled quotes); lines end with LF or CRLF. A leading byte-order mark is skipped (spreadsheets write one).
enum CSV {
    struct Record {
        var line: Int
        var fields: [String]
    }

    static func records(_ text: String) -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field = ""
        var quoted = false
        var line = 1
        var recordLine = 1
        var iterator = text.unicodeScalars.drop(while: { $0 == "\u{FEFF}" }).makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let scalar = pending { pending = nil; return scalar }
            return iterator.next()
        }
        func endRecord() {
            fields.append(field)
            records.append(Record(line: recordLine, fields: fields))
            fields = []
            field = ""
        }
        var sawAny = false
        while let scalar = next() {
            sawAny = true
            if quoted {
                if scalar == "\"" {
                    if let following = next() {
                        if following == "\"" { field.unicodeScalars.append("\"") } else { quoted = false; pending = following }
                    } else {
                        quoted = false
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where field.isEmpty: quoted = true
            case ",": fields.append(field); field = ""
            case "\r": continue
            case "\n":
                endRecord()
                line += 1
                recordLine = line
            default: field.unicodeScalars.append(scalar)
            }
        }
        if sawAny && (!field.isEmpty || !fields.isEmpty) { endRecord() }
        return records
    }
}
