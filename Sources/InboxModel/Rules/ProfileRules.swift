/// A patient's profile as agents edit it (display name, language, tags, notes, external record id): what may be
/// saved, and the compare-and-set that keeps two agents from silently overwriting each other. Decided without I/O.

/// `POST /v1/conversations/{id}/profile`: the whole editable profile, made on `baseVersion` of the patient.
public struct ProfileEdit: Codable, Sendable, Equatable {
    /// The patient's `version` the agent edited; another version by then means someone else saved first.
    public var baseVersion: Int64
    public var displayName: String
    public var language: String?
    public var tags: [String]
    public var notes: String
    public var externalRecordId: String?

    public init(baseVersion: Int64, displayName: String, language: String?, tags: [String], notes: String,
                externalRecordId: String?) {
        self.baseVersion = baseVersion
        self.displayName = displayName
        self.language = language
        self.tags = tags
        self.notes = notes
        self.externalRecordId = externalRecordId
    }

    /// The edit that would leave `patient` as it is (the editor's starting point).
    public init(of patient: Patient) {
        self.init(baseVersion: patient.version, displayName: patient.displayName, language: patient.language,
                  tags: patient.tags, notes: patient.notes, externalRecordId: patient.externalRecordId)
    }
}

public enum ProfileRules {
    public static let maxNameLength = 120
    public static let maxNotesLength = 2_000
    public static let maxTags = 20
    public static let maxTagLength = 32
    public static let maxRecordIdLength = 100

    /// A tag as stored and filtered on: trimmed, lower case, inner spaces as "-".
    public static func normalizedTag(_ tag: String) -> String {
        tag.trimmingWhitespace().lowercased().split(whereSeparator: \.isWhitespace).joined(separator: "-")
    }

    /// "vip, follow up ,vip" → ["vip", "follow-up"]: the editor's tag field.
    public static func tags(from text: String) -> [String] {
        var seen = Set<String>()
        return text.split(separator: ",").map { normalizedTag(String($0)) }.filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    /// The patient after `edit`, with the names of the fields it changed (empty: nothing to save), or why not.
    public static func apply(_ edit: ProfileEdit, to patient: Patient, now: Millis) throws(CommandRefusal) -> (Patient, [String]) {
        guard edit.baseVersion == patient.version else { throw conflict(current: patient) }
        let name = edit.displayName.trimmingWhitespace()
        let language = edit.language?.trimmingWhitespace()
        let recordId = edit.externalRecordId?.trimmingWhitespace()
        let tags = tags(from: edit.tags.joined(separator: ","))
        if name.isEmpty { throw invalid("The display name cannot be empty.") }
        if name.count > maxNameLength { throw invalid("The display name is longer than \(maxNameLength) characters.") }
        if edit.notes.count > maxNotesLength { throw invalid("Notes are longer than \(maxNotesLength) characters.") }
        if tags.count > maxTags { throw invalid("A patient has at most \(maxTags) tags.") }
        if let long = tags.first(where: { $0.count > maxTagLength }) { throw invalid("The tag \"\(long.prefix(40))\" is longer than \(maxTagLength) characters.") }
        if (recordId?.count ?? 0) > maxRecordIdLength { throw invalid("The record id is longer than \(maxRecordIdLength) characters.") }
        if let language, language.count > 35 || language.contains(where: { !($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
            throw invalid("The language must be a code like en, pt-BR or ar.")
        }
        if ([name, edit.notes, language ?? "", recordId ?? ""] + tags).contains(where: { $0.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || $0.value == 0x7F } })
            || name.contains("\n") {
            throw invalid("The profile cannot contain control characters.")
        }
        var next = patient
        var changed: [String] = []
        func set<T: Equatable>(_ path: WritableKeyPath<Patient, T>, _ value: T, _ label: String) {
            guard next[keyPath: path] != value else { return }
            next[keyPath: path] = value
            changed.append(label)
        }
        set(\.displayName, name, "name")
        set(\.language, language?.isEmpty == true ? nil : language, "language")
        set(\.tags, tags, "tags")
        set(\.notes, edit.notes, "notes")
        set(\.externalRecordId, recordId?.isEmpty == true ? nil : recordId, "record id")
        guard !changed.isEmpty else { return (patient, []) }
        // A patient with a record in the clinic's system is no longer a lead.
        if next.externalRecordId != nil { next.isLead = false }
        next.version += 1
        next.updatedAt = now
        return (next, changed)
    }

    /// 409 with the profile as it now is: the editor shows it, and nothing the other agent saved is lost.
    public static func conflict(current: Patient) -> CommandRefusal {
        let tags = current.tags.isEmpty ? "none" : current.tags.joined(separator: ", ")
        return CommandRefusal(status: 409, body: ErrorBody(
            error: "profile_conflict",
            message: "Someone else saved this profile first; it now reads: name \"\(current.displayName)\", tags \(tags). Edit it again to change it.",
            patient: current))
    }

    /// The activity-log line for a saved edit.
    public static func logLine(actor: Agent, changed: [String]) -> String {
        "\(actor.name) edited the patient's profile (\(changed.joined(separator: ", ")))"
    }

    static func invalid(_ message: String) -> CommandRefusal {
        CommandRefusal(status: 422, body: ErrorBody(error: "invalid_profile", message: message))
    }
}
