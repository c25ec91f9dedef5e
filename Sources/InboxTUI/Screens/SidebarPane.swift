import InboxModel

/// Who the patient is and whether they can be written to: the facts a receptionist checks before answering.
enum SidebarPane {
    static let labelWidth = 9

    static func draw(_ state: AppState, rect: Rect, theme: Theme, grid: inout CellGrid) {
        guard let detail = state.conversation?.detail else {
            grid.write("No conversation open", x: rect.x + 1, y: rect.y, maxWidth: rect.width - 2, style: theme.dim)
            return
        }
        let lines = self.lines(detail, state: state, theme: theme, width: rect.width - 1)
        // Scrolling stops with the last line still in view.
        let first = min(state.sidebarScroll, max(0, lines.count - 1))
        for (row, line) in lines.dropFirst(first).prefix(rect.height).enumerated() {
            grid.draw(line, x: rect.x + 1, y: rect.y + row, width: rect.width - 1)
        }
    }

    static func lines(_ detail: ConversationDetail, state: AppState, theme: Theme, width: Int) -> [StyledLine] {
        var lines: [StyledLine] = []
        let valueWidth = max(1, width - labelWidth)
        func field(_ label: String, _ value: String, _ style: Style) {
            for (index, part) in TextLayout.wrap(value, width: valueWidth).enumerated() {
                let head = index == 0 ? TextLayout.pad(label, width: labelWidth) : String(repeating: " ", count: labelWidth)
                lines.append(StyledLine([Span(head, theme.dim), Span(part, style)]))
            }
        }
        let patient = detail.patient
        for part in TextLayout.wrap(detail.patientLabel, width: max(1, width)) {
            lines.append(StyledLine([Span(part, theme.title)]))
        }
        if let phone = patient?.phone, !phone.isEmpty, phone != detail.patientLabel {
            lines.append(StyledLine([Span(phone, theme.base)]))
        }
        lines.append(StyledLine([]))

        guard let patient else {
            field("Patient", "not synced yet", theme.dim)
            appendWindow(detail, state: state, theme: theme, to: field)
            return lines
        }
        field("Language", patient.language ?? "unknown", patient.language == nil ? theme.dim : theme.base)
        if patient.isLead {
            field("Type", "lead (no record)", theme.base)
        } else {
            field("Type", "patient", theme.base)
        }
        field("Record", patient.externalRecordId ?? "none", patient.externalRecordId == nil ? theme.dim : theme.base)
        field("Tags", patient.tags.isEmpty ? "none" : patient.tags.joined(separator: ", "),
              patient.tags.isEmpty ? theme.dim : theme.base)
        field("Opt-out", patient.optedOut ? "YES: do not message" : "no",
              patient.optedOut ? theme.statusError : theme.base)
        appendWindow(detail, state: state, theme: theme, to: field)
        lines.append(StyledLine([]))
        lines.append(StyledLine([Span("Notes", theme.dim)]))
        if patient.notes.isEmpty {
            lines.append(StyledLine([Span("none", theme.dim)]))
        } else {
            for part in TextLayout.wrap(patient.notes, width: max(1, width)) {
                lines.append(StyledLine([Span(part, theme.base)]))
            }
        }
        return lines
    }

    /// "14h 05m left" or "closed": whether free text can still reach the patient.
    private static func appendWindow(_ detail: ConversationDetail, state: AppState, theme: Theme,
                                     to field: (String, String, Style) -> Void) {
        switch ReplyWindow(conversation: detail.conversation, now: state.now) {
        case .open(let remaining):
            field("24h", Formatting.hoursAndMinutes(remaining) + " left",
                  remaining < 2 * 3_600_000 ? theme.timerWarn : theme.timerFresh)
        case .closed:
            field("24h", "closed", theme.statusError)
        case .notApplicable:
            field("24h", "n/a (WAHA)", theme.dim)
        }
        field("Number", "\(detail.conversation.clinicNumber) (\(detail.conversation.provider.rawValue))", theme.dim)
    }
}
