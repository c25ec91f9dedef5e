import Foundation
import InboxModel
@testable import InboxServer
import Testing

/// The built-in bot's menu and booking slots as WhatsApp interactive messages, on a real server (SQLite, or
/// PostgreSQL with INBOX_TEST_DATABASE=postgres) with the fake Meta and the fake Twilio.
@Suite("Interactive menus")
struct InteractiveMenuTests {
    static let patient = "16505551234"

    @Test("the menu reaches Meta as an interactive list; a list_reply with its id books through reply buttons")
    func metaList() async throws {
        let meta = try await FakeMeta.start()
        let server = try await TestServer.start { TestServer.providers(&$0, meta: meta); $0.runBot = true }
        defer { Task { await server.stop(); await meta.stop() } }
        let agent = try await server.addClinic("Sunrise", number: MetaPayload.clinicNumber, provider: .meta,
                                               providerRef: MetaPayload.phoneNumberId)[0]
        func patientSends(_ message: [String: Any]) async throws {
            _ = try await server.metaWebhook(MetaPayload.webhook([MetaPayload.value(
                contacts: [MetaPayload.contact(Self.patient, name: "Sheena")], messages: [message])]))
        }

        try await patientSends(MetaPayload.text("wamid.1", from: Self.patient, "Hello"))
        #expect(try await eventually { meta.sent.count == 1 })
        let list = try #require(meta.sent.first?.message)
        #expect(list.type == "interactive" && list.text == nil)
        let menu = try #require(list.interactive)
        #expect(menu.type == "list")
        #expect(menu.body?.text == "Hello! This is the clinic assistant.")
        #expect(menu.action.button == "Options")
        #expect(menu.options.map(\.id) == ["menu:book", "menu:reschedule", "menu:cancel", "menu:status", "menu:staff"])
        #expect(menu.options.first?.title == "Book an appointment")

        // The tap is matched by its id: this title matches no keyword, the id still books.
        try await patientSends(MetaPayload.message("wamid.2", from: Self.patient, type: "interactive", [
            "interactive": ["type": "list_reply", "list_reply": ["id": "menu:book", "title": "Option A"]]]))
        #expect(try await eventually { meta.sent.count == 2 })
        let slots = try #require(meta.sent.last?.message?.interactive)
        #expect(slots.type == "button")
        #expect(slots.options.map(\.id) == ["slot:09:30", "slot:14:00"])
        #expect(slots.body?.text.hasPrefix("Which time suits you tomorrow?") == true)

        try await patientSends(MetaPayload.message("wamid.3", from: Self.patient, type: "interactive", [
            "interactive": ["type": "button_reply", "button_reply": ["id": "slot:14:00", "title": "14:00"]]]))
        #expect(try await eventually { meta.sent.count == 3 })
        #expect(meta.sent.last?.message?.text?.body == "You're booked for tomorrow at 14:00. Reply 4 to check it or 3 to cancel.")

        // Agents read the menu that went out and the choice that came back.
        let messages = try await server.everything(token: agent.token).messages.sorted { $0.id < $1.id }
        #expect(messages.map(\.body) == [
            "Hello",
            "Hello! This is the clinic assistant. Reply with:\n1 Book an appointment · 2 Reschedule · 3 Cancel · 4 Appointment status · 0 Talk to staff",
            "Option A",
            "Which time suits you tomorrow? Reply 1 for 09:30 or 2 for 14:00.",
            "14:00",
            "You're booked for tomorrow at 14:00. Reply 4 to check it or 3 to cancel.",
        ])
    }

    @Test("the same menu reaches Twilio without a Content SID as numbered text")
    func twilioText() async throws {
        let twilio = try await FakeTwilio.start()
        let server = try await TestServer.start { $0.twilio.apiBase = twilio.baseURL; $0.runBot = true }
        defer { Task { await server.stop(); await twilio.stop() } }
        try await server.addClinic("Sunrise", number: "+15550001111")
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SM1", from: "+15557654321", to: "+15550001111", body: "Hello"))
        #expect(try await eventually { twilio.sent.count == 1 })
        #expect(twilio.sent[0].body == "Hello! This is the clinic assistant. Reply with:\n1 Book an appointment · 2 Reschedule · 3 Cancel · 4 Appointment status · 0 Talk to staff")
        #expect(twilio.sent[0].contentSid == nil)
        // A Twilio quick-reply tap (ButtonPayload) is matched by its id too.
        var tap = TestServer.inbound(sid: "SM2", from: "+15557654321", to: "+15550001111", body: "Option A")
        tap.append(("ButtonPayload", "menu:book"))
        _ = try await server.twilioWebhook(tap)
        #expect(try await eventually { twilio.sent.count == 2 })
        #expect(twilio.sent[1].body == "Which time suits you tomorrow? Reply 1 for 09:30 or 2 for 14:00.")
    }

    @Test("with a Content SID configured for its kind and size, the menu reaches Twilio as that Content template")
    func twilioContentSid() async throws {
        let twilio = try await FakeTwilio.start()
        let server = try await TestServer.start {
            $0.twilio.apiBase = twilio.baseURL
            $0.twilio.menuContentSids = ServerConfiguration.keyedValues("list:5=HXmenu5, buttons:2=HXslots2")
            $0.runBot = true
        }
        defer { Task { await server.stop(); await twilio.stop() } }
        try await server.addClinic("Sunrise", number: "+15550001111")
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SM1", from: "+15557654321", to: "+15550001111", body: "Hello"))
        #expect(try await eventually { twilio.sent.count == 1 })
        #expect(twilio.sent[0].contentSid == "HXmenu5")
        let variables = try #require(twilio.sent[0].contentVariables.flatMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String]
        })
        // "1" the text, then title and id per option: five options make eleven variables.
        #expect(variables.count == 11)
        #expect(variables["1"]?.isEmpty == false)
        let ids: [String] = ["3", "5", "7", "9", "11"].compactMap { variables[$0] }
        let expected: [String] = ["menu:book", "menu:reschedule", "menu:cancel", "menu:status", "menu:staff"]
        #expect(ids == expected)
        // The tap comes back as ButtonPayload with the id; the slots' two buttons use their own SID.
        var tap = TestServer.inbound(sid: "SM2", from: "+15557654321", to: "+15550001111", body: "Book an appointment")
        tap.append(("ButtonPayload", "menu:book"))
        _ = try await server.twilioWebhook(tap)
        #expect(try await eventually { twilio.sent.count == 2 })
        #expect(twilio.sent[1].contentSid == "HXslots2")
        #expect(twilio.sent[1].contentVariables?.contains("slot:14:00") == true)
    }

    @Test("through Gupshup the menu is a list message; a list_reply's postbackText books")
    func gupshupList() async throws {
        let gupshup = try await FakeGupshup.start()
        let (server, _, token) = try await GupshupTests.start(gupshup: gupshup) { $0.runBot = true }
        defer { Task { await server.stop(); await gupshup.stop() } }
        #expect(try await server.gupshupWebhook(GupshupPayload.message("ABEG1", type: "text", ["text": "Hello"]), token: token).status == 200)
        #expect(try await eventually { gupshup.sent.count == 1 })
        let message = try #require(gupshup.sent[0].form["message"].flatMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        })
        #expect(message["type"] as? String == "list")
        #expect(message["body"] as? String == "Hello! This is the clinic assistant.")
        let rows = ((message["items"] as? [[String: Any]])?.first?["options"] as? [[String: Any]]) ?? []
        #expect(rows.compactMap { $0["postbackText"] as? String }
                == ["menu:book", "menu:reschedule", "menu:cancel", "menu:status", "menu:staff"])
        #expect(rows.first?["title"] as? String == "Book an appointment")

        let tap = GupshupPayload.message("ABEG2", type: "list_reply", ["title": "Option A", "id": "inbox-1",
                                                                        "reply": "Option A 1", "postbackText": "menu:book"])
        #expect(try await server.gupshupWebhook(tap, token: token).status == 200)
        #expect(try await eventually { gupshup.sent.count == 2 })
        let slots = try #require(gupshup.sent[1].form["message"].flatMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        })
        let slotRows = ((slots["items"] as? [[String: Any]])?.first?["options"] as? [[String: Any]]) ?? []
        #expect(slotRows.compactMap { $0["postbackText"] as? String } == ["slot:09:30", "slot:14:00"])
    }
}
