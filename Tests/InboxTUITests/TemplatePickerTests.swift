import InboxModel
@testable import InboxTUI
import Testing

@Suite struct TemplatePickerTests {
    func picker(_ state: AppState) -> TemplatePicker? {
        if case .templates(let picker) = state.overlay { return picker }
        return nil
    }

    func type(_ text: String, into state: inout AppState) {
        for character in text { _ = reduce(&state, .edit(.insert(String(character)))) }
    }

    @Test func replyingWithTheWindowClosedOpensThePickerInsteadOfTheComposer() {
        var state = Fixtures.openState(Fixtures.windowClosedDetail, width: 120, height: 30)
        _ = reduce(&state, .reply)
        #expect(state.focus != .composer)
        #expect(picker(state)?.windowClosed == true)
        #expect(picker(state)?.templates.count == 3)
    }

    @Test func chooseFillEachParameterPreviewAndSend() {
        var state = Fixtures.openState(Fixtures.windowClosedDetail, width: 120, height: 30)
        #expect(reduce(&state, .openTemplatePicker).isEmpty)
        #expect(picker(state)?.windowClosed == false, "T is a choice, not a refusal")
        #expect(reduce(&state, .submit).isEmpty)
        #expect(picker(state)?.stage == .filling(number: 1))

        type("Ana", into: &state)
        #expect(picker(state)?.preview.hasPrefix("Olá Ana, lembramos da sua consulta em {{2}}") == true)
        _ = reduce(&state, .submit)
        #expect(picker(state)?.stage == .filling(number: 2))

        _ = reduce(&state, .submit)
        #expect(state.status?.text.contains("cannot be empty") == true, "an empty parameter is refused on the spot")
        #expect(picker(state)?.stage == .filling(number: 2))

        type("quinta às 10h", into: &state)
        _ = reduce(&state, .submit)
        #expect(picker(state)?.stage == .preview)
        #expect(picker(state)?.preview == "Olá Ana, lembramos da sua consulta em quinta às 10h. Responda SIM para confirmar.")
        let send = TemplateSend(name: "appointment_reminder", language: "pt_BR", parameters: ["Ana", "quinta às 10h"])
        #expect(reduce(&state, .submit) == [.send(.sendTemplate(send), conversationId: 11)])
        #expect(state.overlay == nil)
    }

    @Test func marketingIsRefusedForAnOptedOutPatientAndEscCancels() {
        var detail = Fixtures.windowClosedDetail
        detail.patient?.optedOut = true
        var state = Fixtures.openState(detail, width: 120, height: 30)
        _ = reduce(&state, .openTemplatePicker)
        _ = reduce(&state, .moveSelection(5))
        #expect(picker(state)?.selected?.name == "whitening_offer")
        #expect(reduce(&state, .submit).isEmpty)
        #expect(picker(state)?.stage == .choosing)
        #expect(state.status?.text.contains("opted out") == true)
        _ = reduce(&state, .cancel)
        #expect(state.overlay == nil)
    }

    @Test func noTemplatesOrAConversationHeldByOthersExplainWhy() {
        var empty = Fixtures.windowClosedDetail
        empty.templates = []
        var state = Fixtures.openState(empty, width: 120, height: 30)
        _ = reduce(&state, .reply)
        #expect(state.overlay == nil)
        #expect(state.status?.text.contains("inbox template add") == true)

        var held = Fixtures.windowClosedDetail
        held.conversation.assignedAgentId = Fixtures.carla.id
        state = Fixtures.openState(held, width: 120, height: 30)
        _ = reduce(&state, .openTemplatePicker)
        #expect(state.overlay == nil)
        #expect(state.status?.text.contains("Carla") == true)
    }

    @Test func keysInThePicker() {
        var state = Fixtures.openState(Fixtures.windowClosedDetail, width: 120, height: 30)
        let keymap = Keymap.default
        #expect(keymap.action(for: .char("T"), in: state) == .openTemplatePicker)
        _ = reduce(&state, .openTemplatePicker)
        #expect(keymap.action(for: .char("j"), in: state) == .moveSelection(1))
        _ = reduce(&state, .submit)
        #expect(keymap.action(for: .char("j"), in: state) == .edit(.insert("j")), "while filling, letters are text")
        #expect(keymap.action(for: .escape, in: state) == .cancel)
    }
}
