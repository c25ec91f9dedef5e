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

@Suite struct AttachmentReducerTests {
    static var detailWithFiles: ConversationDetail {
        var detail = Fixtures.deliveryDetail
        let base = detail.messages.last?.id ?? 100
        detail.messages.append(Message(id: base + 1, conversationId: detail.conversation.id, direction: .inbound, author: .patient,
                                       body: "", media: MediaInfo(kind: "image", fileName: "rash.jpg", mimeType: "image/jpeg",
                                                                  size: 120_000, state: .stored),
                                       status: .delivered, createdAt: Fixtures.now - 60_000))
        detail.messages.append(Message(id: base + 2, conversationId: detail.conversation.id, direction: .inbound, author: .patient,
                                       body: "", media: MediaInfo(kind: "document", fileName: "scan.pdf", state: .pending),
                                       status: .delivered, createdAt: Fixtures.now))
        return detail
    }

    @Test func oListsFilesNewestFirstAndSavesOnlyWhatTheServerKept() {
        var state = Fixtures.openState(Self.detailWithFiles, width: 120, height: 30)
        _ = reduce(&state, .openAttachments)
        guard case .attachments(let picker) = state.overlay else { Issue.record("no picker"); return }
        #expect(picker.messages.compactMap(\.media?.fileName).prefix(2) == ["scan.pdf", "rash.jpg"])
        #expect(reduce(&state, .submit).isEmpty, "the newest is still being fetched")
        #expect(state.status?.text.contains("still fetching") == true)
        _ = reduce(&state, .moveSelection(1))
        let rash = picker.messages[1]
        #expect(reduce(&state, .submit) == [.saveAttachment(messageId: rash.id, fileName: "rash.jpg", mimeType: "image/jpeg")])
        #expect(state.overlay == nil)
        _ = reduce(&state, .attachmentSaved(path: "/home/bea/Downloads/inbox/9-rash.jpg", opened: false))
        #expect(state.status?.text == "Saved to /home/bea/Downloads/inbox/9-rash.jpg")
    }

    @Test func aAsksForAPathUploadsThenSendsThroughTheOutbox() {
        var state = Fixtures.openState(Fixtures.deliveryDetail, width: 120, height: 30)
        #expect(Keymap.default.action(for: .char("A"), in: state) == .attachFile)
        _ = reduce(&state, .attachFile)
        #expect(Keymap.default.action(for: .char("j"), in: state) == .edit(.insert("j")))
        for character in "~/invoice.pdf" { _ = reduce(&state, .edit(.insert(String(character)))) }
        #expect(reduce(&state, .submit) == [.uploadAttachment(conversationId: 11, path: "~/invoice.pdf")])
        let send = MediaSend(uploadId: "abc", fileName: "invoice.pdf")
        #expect(reduce(&state, .attachmentUploaded(conversationId: 11, send)) == [.send(.sendMedia(send), conversationId: 11)])
    }

    @Test func aIsRefusedWhenTheWindowIsClosed() {
        var state = Fixtures.openState(Fixtures.windowClosedDetail, width: 120, height: 30)
        _ = reduce(&state, .attachFile)
        #expect(state.overlay == nil)
        #expect(state.status?.text.contains("24-hour window") == true)
    }
}
