/// The template picker: choose one of the clinic's approved templates, fill its numbered parameters one by one,
/// read the preview, send. It opens with `T`, and instead of the composer when the 24-hour window is closed.
public struct TemplatePicker: Sendable, Equatable {
    public enum Stage: Sendable, Equatable {
        case choosing
        /// Asking for parameter `number` (1-based).
        case filling(number: Int)
        case preview
    }

    public var conversationId: Int64
    public var patientName: String
    /// Taken when the picker opens, the patient's language first.
    public var templates: [MessageTemplate]
    /// Marketing templates are refused for a patient who opted out: the picker says so before the server does.
    public var patientOptedOut: Bool
    /// Opened because free text cannot be sent: the picker explains why it appeared.
    public var windowClosed: Bool
    /// The patient's language (given or guessed from their messages), whose templates are listed first.
    public var patientLanguage: String?
    public var selection = 0
    public var stage: Stage = .choosing
    public var parameters: [String] = []
    public var input = ComposerBuffer()

    public init(conversationId: Int64, patientName: String, templates: [MessageTemplate], patientOptedOut: Bool,
                windowClosed: Bool, patientLanguage: String? = nil) {
        self.conversationId = conversationId
        self.patientLanguage = patientLanguage
        self.patientName = patientName
        self.templates = templates
        self.patientOptedOut = patientOptedOut
        self.windowClosed = windowClosed
    }

    public var selected: MessageTemplate? { templates.indices.contains(selection) ? templates[selection] : nil }

    /// The text as it would go out now: filled parameters, the one being typed, and placeholders for the rest.
    public var preview: String {
        guard let template = selected else { return "" }
        var values = parameters
        if case .filling = stage { values.append(input.text) }
        return template.render(values)
    }

    public func isRefused(_ template: MessageTemplate) -> Bool { patientOptedOut && template.category == .marketing }
}

extension AppState {
    /// `T`, or `r`/Enter on a conversation whose window is closed.
    mutating func openTemplatePicker(windowClosed: Bool = false) -> [Effect] {
        guard let detail = conversation?.detail else {
            if conversation != nil { fail(describe(.loading)) } else { fail(describe(.noConversation)) }
            return []
        }
        if let lock = composerLock { fail(describe(lock)); return [] }
        guard !detail.templates.isEmpty else {
            fail(windowClosed
                 ? "The 24-hour window is closed and the clinic has no templates: an admin adds them with `inbox template add`"
                 : "The clinic has no templates yet: an admin adds them with `inbox template add`")
            return []
        }
        // The patient's language first, guessed from their messages when the provider gave none.
        let language = PatientLanguage.of(detail.patient, messages: detail.messages)
        overlay = .templates(TemplatePicker(conversationId: detail.conversation.id, patientName: detail.patientLabel,
                                            templates: PatientLanguage.ordered(detail.templates, for: language),
                                            patientOptedOut: detail.patient?.optedOut == true,
                                            windowClosed: windowClosed, patientLanguage: language?.code))
        return []
    }

    mutating func submitTemplatePicker(_ picker: TemplatePicker) -> [Effect] {
        var picker = picker
        guard let template = picker.selected else { overlay = nil; return [] }
        switch picker.stage {
        case .choosing:
            if picker.isRefused(template) {
                fail("\(picker.patientName) opted out: marketing templates are not sent to them")
                return []
            }
            picker.parameters = []
            picker.input = ComposerBuffer()
            picker.stage = template.parameterCount > 0 ? .filling(number: 1) : .preview
        case .filling(let number):
            let value = picker.input.text.trimmingWhitespace()
            if let problem = TemplateBody.problem(inParameter: value) {
                fail("Parameter \(number): \(problem)")
                return []
            }
            picker.parameters.append(value)
            picker.input = ComposerBuffer()
            picker.stage = number < template.parameterCount ? .filling(number: number + 1) : .preview
        case .preview:
            overlay = nil
            conversation?.scroll = .latest
            inform("Sending template \(template.name) to \(picker.patientName)…")
            let send = TemplateSend(name: template.name, language: template.language, parameters: picker.parameters)
            return [.send(.sendTemplate(send), conversationId: picker.conversationId)]
        }
        if status?.isError == true { status = nil }
        overlay = .templates(picker)
        return []
    }

    mutating func editTemplateParameter(_ command: EditCommand) {
        guard case .templates(var picker) = overlay, case .filling = picker.stage else { return }
        picker.input.apply(command, multiline: false)
        overlay = .templates(picker)
    }
}
