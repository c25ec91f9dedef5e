import Foundation
import InboxModel
@testable import InboxServer
import Testing

/// Two numbers of one clinic, each with its own bot (`inbox number set`), on a real server (SQLite, or PostgreSQL
/// with INBOX_TEST_DATABASE=postgres) and the fake Twilio.
@Suite("Per-number bots")
struct NumberBotTests {
    static let dental = "+15550001111"
    static let pharmacy = "+15550002222"

    @Test("two numbers of one clinic with different greetings, menus and hand-off words answer with their own")
    func ownGreetings() async throws {
        let twilio = try await FakeTwilio.start()
        let server = try await TestServer.start { $0.twilio.apiBase = twilio.baseURL; $0.runBot = true }
        defer { Task { await server.stop(); await twilio.stop() } }
        let agent = try await server.addClinic("Sunrise", number: Self.dental)[0]
        try await server.store.addNumber(Self.pharmacy, clinic: "Sunrise", provider: .twilio, providerRef: nil)

        let set = try InboxProcess.run(["number", "set", Self.dental, "--label", "Dental desk",
                                        "--greeting", "Welcome to Sunrise Dental!"] + server.databaseArguments)
        #expect(set.contains("desk:          Dental desk"))
        _ = try InboxProcess.run(["number", "set", Self.pharmacy, "--label", "Pharmacy", "--greeting", "Sunrise Pharmacy here.",
                                  "--menu", "status,staff", "--handoff-words", "refill,prescription"] + server.databaseArguments)
        let shown = try InboxProcess.run(["number", "set", Self.pharmacy] + server.databaseArguments)
        #expect(shown.contains("menu:          status,staff") && shown.contains("hand-off words: refill,prescription"))

        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SM1", from: "+15557654321", to: Self.dental, body: "Hello"))
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SM2", from: "+15559876543", to: Self.pharmacy, body: "Hello"))
        #expect(try await eventually { twilio.sent.count == 2 })
        let dental = try #require(twilio.sent.first { $0.from == "whatsapp:\(Self.dental)" })
        let pharmacy = try #require(twilio.sent.first { $0.from == "whatsapp:\(Self.pharmacy)" })
        #expect(dental.body == "Welcome to Sunrise Dental! Reply with:\n1 Book an appointment · 2 Reschedule · 3 Cancel · 4 Appointment status · 0 Talk to staff")
        #expect(pharmacy.body == "Sunrise Pharmacy here. Reply with:\n4 Appointment status · 0 Talk to staff")

        // The pharmacy's own hand-off word hands off at once; on the dental number it is not one.
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SM3", from: "+15559876543", to: Self.pharmacy, body: "I need a refill"))
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SM4", from: "+15557654321", to: Self.dental, body: "I need a refill"))
        #expect(try await eventually { twilio.sent.count == 4 })
        let conversations = try await server.everything(token: agent.token).conversations
        let onPharmacy = try #require(conversations.first { $0.clinicNumber == Self.pharmacy })
        let onDental = try #require(conversations.first { $0.clinicNumber == Self.dental })
        #expect(onPharmacy.status == .waiting && onPharmacy.handoffReason == "Patient wrote \"refill\"")
        #expect(onDental.status == .bot)

        // Agents receive each number's desk with its channel, and a mirror keeps it for the sidebar.
        let channels = try await server.everything(token: agent.token).channels
        #expect(channels.first { $0.clinicNumber == Self.dental }?.label == "Dental desk")
        #expect(channels.first { $0.clinicNumber == Self.pharmacy }?.label == "Pharmacy")
        #expect(channels.allSatisfy { $0.isHealthy })
        let mirror = try await server.syncedMirror(token: agent.token)
        #expect(try mirror.channels().map(\.label) == ["Dental desk", "Pharmacy"])

        // An empty value goes back to the clinic's greeting.
        _ = try InboxProcess.run(["number", "set", Self.dental, "--greeting", ""] + server.databaseArguments)
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SM5", from: "+15557654321", to: Self.dental, body: "menu"))
        #expect(try await eventually { twilio.sent.count == 5 })
        #expect(twilio.sent.last?.body.hasPrefix("Hello! This is the clinic assistant. Reply with:") == true)
    }

    @Test("an unknown menu option and an unregistered number are refused with the reason")
    func refusals() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        try await server.addClinic("Sunrise", number: Self.dental)
        #expect(throws: InboxProcess.Failure.self) {
            try InboxProcess.run(["number", "set", Self.dental, "--menu", "book,coffee"] + server.databaseArguments)
        }
        #expect(throws: InboxProcess.Failure.self) {
            try InboxProcess.run(["number", "set", "+15550009999", "--label", "x"] + server.databaseArguments)
        }
        #expect(try await server.store.numberBot(number: Self.dental) == NumberBot())
    }
}
