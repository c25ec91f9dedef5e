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

    /// A patient's name takes at most this many lines: a 5,000-character name must not push the facts below it
    /// out of view.
    static let maxNameLines = 2

    static func lines(_ detail: ConversationDetail, state: AppState, theme: Theme, width: Int) -> [StyledLine] {
        var lines: [StyledLine] = []
        let valueWidth = max(1, width - labelWidth)
        let reorder = state.settings.bidi
        func field(_ label: String, _ value: String, _ style: Style) {
            for (index, part) in TextLayout.lines(value, width: valueWidth, reorder: reorder).enumerated() {
                let head = index == 0 ? TextLayout.pad(label, width: labelWidth) : String(repeating: " ", count: labelWidth)
                lines.append(StyledLine([Span(head, theme.dim), Span(part, style)], alignRight: part.isRightToLeft))
            }
        }
        let patient = detail.patient
        for part in nameLines(detail.patientLabel, width: max(1, width), reorder: reorder) {
            lines.append(StyledLine([Span(part, theme.title)], alignRight: part.isRightToLeft))
        }
        if let phone = patient?.phone, !phone.isEmpty, phone != detail.patientLabel {
            lines.append(StyledLine([Span(phone, theme.base)]))
        }
        lines.append(StyledLine([]))

        // What decides whether and how to answer comes first: the window and the opt-out.
        appendWindow(detail, state: state, theme: theme, to: field)
        guard let patient else {
            field("Patient", "not synced yet", theme.dim)
            appendLine(detail, state: state, theme: theme, to: field)
            return lines
        }
        field("Opt-out", patient.optedOut ? "YES: do not write" : "no",
              patient.optedOut ? theme.statusError : theme.base)
        if let language = PatientLanguage.of(patient, messages: detail.messages) {
            field("Language", language.description, language.isGuess ? theme.dim : theme.base)
        } else {
            field("Language", "not known yet", theme.dim)
        }
        if patient.isLead {
            field("Patient", "new, no file", theme.base)
        } else {
            field("Patient", "registered", theme.base)
            field("File", patient.externalRecordId ?? "no number", patient.externalRecordId == nil ? theme.dim : theme.base)
        }
        if let next = AppointmentRules.next(detail.appointments, now: state.now) {
            let style = next.status == .rescheduleRequested ? theme.timerWarn : theme.base
            let text = nextAppointment(next, now: state.now, offset: state.settings.utcOffsetSeconds)
            // Too long for one line: the time on the first, the doctor from the second, rather than a name cut in two.
            if let comma = text.firstRange(of: ", "), TextLayout.lines(text, width: valueWidth, reorder: reorder).count > 1 {
                field("Next", String(text[..<comma.lowerBound]) + ",", style)
                field("", String(text[comma.upperBound...]), style)
            } else {
                field("Next", text, style)
            }
        }
        field("Tags", patient.tags.isEmpty ? "none" : patient.tags.joined(separator: ", "),
              patient.tags.isEmpty ? theme.dim : theme.base)
        appendLine(detail, state: state, theme: theme, to: field)
        lines.append(StyledLine([]))
        lines.append(StyledLine([Span("Notes", theme.dim)]))
        if patient.notes.isEmpty {
            lines.append(StyledLine([Span("none", theme.dim)]))
        } else {
            for part in TextLayout.lines(patient.notes, width: max(1, width), reorder: reorder) {
                lines.append(StyledLine([Span(part, theme.base)], alignRight: part.isRightToLeft))
            }
        }
        return lines
    }

    /// The name wrapped into at most ``maxNameLines`` lines, the last ending with "…" when the name is longer.
    static func nameLines(_ name: String, width: Int, reorder: Bool) -> [TextLayout.Line] {
        let all = TextLayout.lines(name, width: width, reorder: reorder)
        guard all.count > maxNameLines else { return all }
        let logical = TextLayout.wrap(name, width: width)[maxNameLines - 1]
        let glyphs = TextLayout.glyphs(TextLayout.truncate(logical + " …", width: width))
        let isRightToLeft = all[maxNameLines - 1].isRightToLeft
        let visual = reorder && Graphemes.containsRTL(glyphs)
            ? Bidi.reorder(glyphs, direction: isRightToLeft ? .rightToLeft : .leftToRight) : glyphs
        return Array(all.prefix(maxNameLines - 1)) + [TextLayout.Line(glyphs: visual, isRightToLeft: isRightToLeft)]
    }

    /// "Tue 10:30, Dr Rahman" within the coming week, "Tue 15 Dec 10:30, Dr Rahman" beyond it, in the terminal's
    /// local time; with the patient's answer when they gave one.
    static func nextAppointment(_ appointment: Appointment, now: Millis, offset: Int) -> String {
        let day = Formatting.date(appointment.startsAt, offset: offset)
        let today = Formatting.date(now, offset: offset)
        var when = Formatting.weekdays[day.weekday]
        if day.dayNumber - today.dayNumber >= 6 { when += " \(day.day) \(Formatting.months[day.month - 1])" }
        var text = "\(when) \(Formatting.clock(appointment.startsAt, offset: offset)), \(appointment.doctor)"
        switch appointment.status {
        case .confirmed: text += " (confirmed)"
        case .rescheduleRequested: text += " (wants another time)"
        case .scheduled, .reminded, .cancelled: break
        }
        return text
    }

    /// Whether free text can still reach the patient (WhatsApp's 24-hour window), in plain words.
    private static func appendWindow(_ detail: ConversationDetail, state: AppState, theme: Theme,
                                     to field: (String, String, Style) -> Void) {
        switch ReplyWindow(conversation: detail.conversation, now: state.now) {
        case .open(let remaining):
            field("Replies", Formatting.hoursAndMinutes(remaining) + " left",
                  remaining < 2 * 3_600_000 ? theme.timerWarn : theme.timerFresh)
        case .closed:
            field("Replies", "template only (24h passed)", theme.statusError)
        case .notApplicable:
            field("Replies", "no time limit", theme.dim)
        }
    }

    /// Which of the clinic's WhatsApp numbers the patient wrote to, and the desk it serves when the clinic named it.
    private static func appendLine(_ detail: ConversationDetail, state: AppState, theme: Theme,
                                   to field: (String, String, Style) -> Void) {
        let number = detail.conversation.clinicNumber
        field("Clinic", number, theme.dim)
        if let desk = state.channels.first(where: { $0.clinicNumber == number })?.label, !desk.isEmpty {
            field("Desk", desk, theme.base)
        }
    }
}
