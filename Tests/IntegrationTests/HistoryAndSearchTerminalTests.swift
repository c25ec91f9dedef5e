import Foundation
import InboxModel
import SyncEngine
import Testing

/// A returning patient's history and people search, in the real client (tmux) against a real server.
@Suite("Terminal: history and people search", .serialized)
struct HistoryAndSearchTerminalTests {
    static let clinicNumber = "+15550001111"
    static let patientPhone = "+15557654321"

    /// Sends a patient message and returns the conversation it landed in.
    static func patientWrites(_ server: TestServer, token: String, sid: String, body: String) async throws -> Conversation {
        _ = try await server.twilioWebhook(TestServer.inbound(sid: sid, from: patientPhone, to: clinicNumber, body: body,
                                                              name: "Maria Lopez"))
        let everything = try await server.everything(token: token)
        let message = try #require(everything.messages.first { $0.body == body })
        return try #require(everything.conversations.last { $0.id == message.conversationId })
    }

    static func closeAsAgent(_ server: TestServer, _ conversation: Conversation, token: String) async throws {
        #expect(try await server.command(.takeOver, conversation: conversation.id, token: token).status == 200)
        #expect(try await server.command(.close, conversation: conversation.id, token: token).status == 200)
    }

    @Test("a returning patient's new conversation shows the earlier ones above a separator, paged in on scrolling up")
    func returningPatientHistory() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let agent = try await server.addClinic("Sunrise", number: Self.clinicNumber)[0]
        let first = try await Self.patientWrites(server, token: agent.token, sid: "SMv1", body: "First visit: broken tooth")
        try await Self.closeAsAgent(server, first, token: agent.token)
        let second = try await Self.patientWrites(server, token: agent.token, sid: "SMv2", body: "Second visit: invoice please")
        try await Self.closeAsAgent(server, second, token: agent.token)
        let third = try await Self.patientWrites(server, token: agent.token, sid: "SMv3", body: "Hello again, it hurts")
        #expect(Set([first.id, second.id, third.id]).count == 3, "each visit is its own conversation")

        let terminal = try TerminalTests.client(server, token: agent.token)
        _ = try await terminal.waitFor { $0.contains("Maria Lopez") && $0.contains("online") }
        try terminal.send("Enter")
        // The most recent earlier conversation is shown at once, above a separator; the older one is not loaded yet.
        var screen = try await terminal.waitFor { $0.contains("Hello again, it hurts") && $0.contains("Second visit: invoice") }
        #expect(screen.contains("Earlier conversation · closed"), "\(screen)")
        #expect(screen.contains("This conversation"), "\(screen)")
        #expect(!screen.contains("First visit"), "one page at a time:\n\(screen)")
        let lines = screen.components(separatedBy: "\n")
        let separator = try #require(lines.firstIndex { $0.contains("Earlier conversation") })
        let earlier = try #require(lines.firstIndex { $0.contains("Second visit: invoice") })
        let current = try #require(lines.lastIndex { $0.contains("Hello again, it hurts") })  // not the queue's preview
        #expect(separator < earlier && earlier < current, "\(screen)")

        // Scrolling up past the top brings in the next older conversation.
        try terminal.send("PageUp")
        screen = try await terminal.waitFor { $0.contains("First visit: broken tooth") }
        #expect(screen.contains("First visit: broken tooth"), "\(screen)")
        #expect(screen.components(separatedBy: "Earlier conversation · closed").count - 1 == 2, "\(screen)")
    }

    @Test("searching part of a phone number finds the patient, grouped with their messages; Enter opens them")
    func searchByPhoneFragment() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let agent = try await server.addClinic("Sunrise", number: Self.clinicNumber)[0]
        _ = try await Self.patientWrites(server, token: agent.token, sid: "SMs1", body: "Can someone call me back")
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SMs2", from: "+15550009999", to: Self.clinicNumber,
                                                              body: "Other patient here", name: "John Smith"))

        let terminal = try TerminalTests.client(server, token: agent.token)
        _ = try await terminal.waitFor { $0.contains("Maria Lopez") && $0.contains("John Smith") && $0.contains("online") }
        try terminal.send("/")
        _ = try await terminal.waitFor { $0.contains("Search patients and messages") }
        try terminal.type("765 43")  // the way a receptionist reads a number back: a fragment with a space
        var screen = try await terminal.waitFor { $0.contains("patient · +15557654321") }
        #expect(screen.contains("Maria Lopez"), "\(screen)")
        #expect(screen.contains("1 match for 1 patient"), "\(screen)")
        #expect(!screen.contains("patient · +15550009999"), "\(screen)")

        try terminal.send("Enter")
        screen = try await terminal.waitFor { !$0.contains("Search patients and messages") && $0.contains("Can someone call me back") }
        #expect(screen.contains("Can someone call me back"), "\(screen)")
    }
}

@Suite("Mirror search")
struct MirrorSearchTests {
    @Test("people by name, phone digits and record id, grouped with their messages; hostile LIKE characters are literal")
    func peopleAndMessagesGrouped() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("inbox-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let mirror = try Mirror(path: directory.appendingPathComponent("mirror.sqlite").path)
        let patients = [
            Patient(id: 1, channelIdentity: "whatsapp:+15557654321", displayName: "Maria Lopez", phone: "+1 (555) 765-4321",
                    externalRecordId: "MR-1042", updatedAt: 0),
            Patient(id: 2, channelIdentity: "whatsapp:+15550009999", displayName: "John 100% Smith", phone: "+15550009999",
                    updatedAt: 0),
        ]
        let conversations = [
            Conversation(id: 10, patientId: 1, clinicNumber: "+1555", provider: .twilio, status: .closed, lastMessageAt: 100, createdAt: 1),
            Conversation(id: 11, patientId: 1, clinicNumber: "+1555", provider: .twilio, status: .waiting, lastMessageAt: 50, createdAt: 2),
            Conversation(id: 20, patientId: 2, clinicNumber: "+1555", provider: .twilio, status: .waiting, lastMessageAt: 90, createdAt: 3),
        ]
        let messages = [
            Message(id: 1, conversationId: 10, direction: .inbound, author: .patient, body: "Lopez family booking", status: .delivered, createdAt: 1),
            Message(id: 2, conversationId: 20, direction: .inbound, author: .patient, body: "ask Lopez about it", status: .delivered, createdAt: 2),
            Message(id: 3, conversationId: 11, direction: .inbound, author: .patient, body: "more about Lopez", status: .delivered, createdAt: 3),
        ]
        try mirror.apply(SyncBatch(cursor: "c", patients: patients, conversations: conversations, messages: messages))

        let byPhone = try mirror.search("765-43")
        #expect(byPhone.map(\.patientId) == [1])
        #expect(byPhone.first?.isPatient == true)
        #expect(byPhone.first?.conversationId == 11, "the open conversation before the closed one")
        #expect(try mirror.search("mr-1042").map(\.patientId) == [1], "record ids, any case")
        #expect(try mirror.search("100%").map(\.patientId) == [2], "% is a character, not a wildcard")
        #expect(try mirror.search("55").isEmpty, "two digits are not a phone search (both phones hold 55)")

        // "Lopez": the patient first, with her messages under her; John's message stays in his own group.
        let grouped = try mirror.search("Lopez")
        #expect(grouped.map(\.patientId) == [1, 1, 1, 2], "\(grouped)")
        #expect(grouped.first?.isPatient == true)
        #expect(grouped.last?.messageId == 2)
    }
}
