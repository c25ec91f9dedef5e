import Foundation
import InboxModel
@testable import InboxServer
import Testing

/// A patient's tap on a list row or reply button carries the option's id through each provider's documented
/// inbound shape to `InboundMessage.replyId`; the body stays the title agents read.
@Suite("Tapped reply ids")
struct ReplyIdTests {
    @Test("Meta: interactive list_reply and button_reply ids, a template quick reply's payload; plain text has none")
    func meta() throws {
        func parsed(_ message: [String: Any]) throws -> InboundMessage {
            let body = MetaPayload.webhook([MetaPayload.value(contacts: [MetaPayload.contact("16505551234", name: "Sheena")],
                                                              messages: [message])])
            return try #require(try MetaWebhook.parse(body, receivedAt: 1).messages.first?.message)
        }
        let list = try parsed(MetaPayload.message("wamid.l", from: "16505551234", type: "interactive", [
            "interactive": ["type": "list_reply", "list_reply": ["id": "menu:book", "title": "Book an appointment",
                                                                 "description": "Tomorrow"]]]))
        #expect(list.replyId == "menu:book" && list.body == "Book an appointment")
        let button = try parsed(MetaPayload.message("wamid.b", from: "16505551234", type: "interactive", [
            "interactive": ["type": "button_reply", "button_reply": ["id": "appt:42:confirm", "title": "Confirm"]]]))
        #expect(button.replyId == "appt:42:confirm" && button.body == "Confirm")
        let quick = try parsed(MetaPayload.message("wamid.q", from: "16505551234", type: "button", [
            "button": ["payload": "CONFIRM", "text": "Confirm"]]))
        #expect(quick.replyId == "CONFIRM" && quick.body == "Confirm")
        #expect(try parsed(MetaPayload.text("wamid.t", from: "16505551234", "Confirm")).replyId == nil)
    }

    @Test("Gupshup: a list row's postbackText, a reply button's id; a template quick reply carries none")
    func gupshup() throws {
        func parsed(_ type: String, _ content: [String: Any]) throws -> InboundMessage? {
            guard case .message(_, let inbound) = try GupshupWebhook.parse(GupshupPayload.message("gs1", type: type, content),
                                                                           receivedAt: 1) else { return nil }
            return inbound
        }
        let list = try #require(try parsed("list_reply", ["title": "Book an appointment", "id": "menu-list",
                                                         "reply": "Book an appointment 1", "postbackText": "menu:book"]))
        #expect(list.replyId == "menu:book" && list.body == "Book an appointment")
        let button = try #require(try parsed("button_reply", ["title": "14:00", "id": "slot:2", "reply": "14:00 2"]))
        #expect(button.replyId == "slot:2" && button.body == "14:00")
        let template = try #require(try parsed("quick_reply", ["text": "Confirm", "type": "button"]))
        #expect(template.replyId == nil && template.body == "Confirm")
    }

    @Test("Twilio: ButtonPayload, with ButtonText as the body when Body is empty")
    func twilio() throws {
        var form = TestServer.inbound(sid: "SM1", from: "+15557654321", to: "+15550001111", body: "Confirm")
        form += [("ButtonPayload", "appt:42:confirm"), ("ButtonText", "Confirm")]
        let inbound = try TwilioWebhook.inbound(form, receivedAt: 1)
        #expect(inbound.replyId == "appt:42:confirm" && inbound.body == "Confirm")
        let plain = try TwilioWebhook.inbound(TestServer.inbound(sid: "SM2", from: "+15557654321", to: "+15550001111", body: "hi"),
                                              receivedAt: 1)
        #expect(plain.replyId == nil)
    }
}
