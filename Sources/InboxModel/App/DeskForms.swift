/// The dialogs of snooze (`z`), the patient profile editor and the queue's tag filter, and the little state the
/// desk keeps around them (see Reducer+Snooze and Reducer+Profile).

/// What the desk remembers between frames for snooze and the tag filter.
public struct DeskState: Sendable, Equatable {
    /// Only conversations whose patient has this tag are listed (nil: all).
    public var tagFilter: String?
    /// Snoozed conversations as last counted: a drop means one came back, and it rings like a hand-off.
    public var lastSnoozedCount: Int?
    /// I woke one myself: the next drop does not ring.
    public var ownWakes = 0

    public init() {}
}

/// `z`: when a conversation comes back.
public struct SnoozePicker: Sendable, Equatable {
    public enum Option: Sendable, Equatable {
        case wakeNow
        case choice(SnoozeChoice)
    }

    public var conversationId: Int64
    public var patientName: String
    public var options: [Option]
    public var selection = 0
    /// Typing a custom time ("2s", "30m", "2h", "3d", "14:30").
    public var typing = false
    public var custom = ComposerBuffer()

    public init(conversationId: Int64, patientName: String, snoozed: Bool) {
        self.conversationId = conversationId
        self.patientName = patientName
        options = (snoozed ? [.wakeNow] : []) + SnoozeChoice.allCases.map(Option.choice)
    }

    public func label(_ option: Option) -> String {
        switch option {
        case .wakeNow: "Wake now (back in the queue)"
        case .choice(let choice): choice.label
        }
    }
}

/// `P`: the patient's profile, field by field. Saving sends the whole profile with the version it was opened on.
public struct ProfileEditor: Sendable, Equatable {
    public enum Field: Int, Sendable, CaseIterable {
        case name, language, tags, recordId, notes

        public var label: String {
            switch self {
            case .name: "Name"
            case .language: "Language"
            case .tags: "Tags"
            case .recordId: "Record id"
            case .notes: "Notes"
            }
        }
    }

    public var conversationId: Int64
    public var patientId: Int64
    public var baseVersion: Int64
    public var field: Field = .name
    public var values: [ComposerBuffer]

    public init(conversationId: Int64, patient: Patient) {
        self.conversationId = conversationId
        patientId = patient.id
        baseVersion = patient.version
        values = [ComposerBuffer(patient.displayName), ComposerBuffer(patient.language ?? ""),
                  ComposerBuffer(patient.tags.joined(separator: ", ")), ComposerBuffer(patient.externalRecordId ?? ""),
                  ComposerBuffer(patient.notes)]
    }

    public func value(_ field: Field) -> ComposerBuffer { values[field.rawValue] }

    public var edit: ProfileEdit {
        func optional(_ field: Field) -> String? {
            let text = value(field).text.trimmingWhitespace()
            return text.isEmpty ? nil : text
        }
        return ProfileEdit(baseVersion: baseVersion, displayName: value(.name).text.trimmingWhitespace(),
                           language: optional(.language), tags: ProfileRules.tags(from: value(.tags).text),
                           notes: value(.notes).text, externalRecordId: optional(.recordId))
    }
}

/// `#`: list only conversations whose patient has a tag.
public struct TagFilterPrompt: Sendable, Equatable {
    public var tag: ComposerBuffer

    public init(current: String?) { tag = ComposerBuffer(current ?? "") }
}
