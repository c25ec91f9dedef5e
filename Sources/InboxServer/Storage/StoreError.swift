import Foundation

/// Errors every storage adapter raises the same way.
public enum StoreError: Error, CustomStringConvertible {
    case invalid(String)
    /// A compare-and-set kept failing: other writers changed the row every time it was read.
    case conflict(String)

    public var description: String {
        switch self {
        case .invalid(let reason): reason
        case .conflict(let reason): reason
        }
    }
}

/// What a row of the change log names; mirrors apply each kind to its own table.
enum ChangeKind: String {
    case agent, patient, conversation, message, read, channel, template
    /// A patient's erasure (tombstone): mirrors delete what it names.
    case erasure
    /// A clinic's appointment (reminders, the patient's answer): the sidebar shows the next one.
    case appointment
    /// A clinic's canned reply, added, changed or removed (`inbox canned`).
    case canned
}

/// Agents' names, as every adapter stores them: colleagues and patients' timelines show them, so they are short and
/// printable.
enum AgentNames {
    static func valid(_ name: String) throws -> String {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 80,
              !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0.properties.generalCategory == .format }) else {
            throw StoreError.invalid("an agent's name must be 1–80 printable characters")
        }
        return trimmed
    }
}
