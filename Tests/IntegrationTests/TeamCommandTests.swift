import Foundation
import InboxModel
import InboxServer
import SyncEngine
import Testing

/// The server's team rules (issue 8 items 5 and 6): admins act on colleagues' conversations and leave a note the
/// holder reads; a closed conversation can be reopened.
@Suite("Team commands")
struct TeamCommandTests {
    static let clinicNumber = "+15550001111"

    /// A clinic with agent Bea, admin Sara and one conversation Bea holds.
    static func beaHoldsOne(_ server: TestServer) async throws -> (bea: NewAgent, sara: NewAgent, id: Int64) {
        let bea = try await server.addClinic("Sunrise", number: clinicNumber, agents: ["Bea"])[0]
        let sara = try await server.store.addAgent(name: "Sara", clinic: "Sunrise", role: .admin)
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SMteam1", from: "+15557654321", to: clinicNumber,
                                                              body: "I need a person", name: "Maria Lopez"))
        let id = try #require(try await server.everything(token: bea.token).conversations.first?.id)
        #expect(try await server.command(.takeOver, conversation: id, token: bea.token).status == 200)
        return (bea, sara, id)
    }

    static func conversation(_ id: Int64, _ server: TestServer, token: String) async throws -> Conversation? {
        try await server.everything(token: token).conversations.last { $0.id == id }
    }

    @Test("an admin takes over a colleague's conversation and the timeline says who; an agent gets 409")
    func adminTakesOver() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let (bea, sara, id) = try await Self.beaHoldsOne(server)
        let ben = try await server.store.addAgent(name: "Ben", clinic: "Sunrise", role: .agent)

        let refused = try await server.command(.takeOver, conversation: id, token: ben.token)
        #expect(refused.status == 409)
        #expect(try JSONDecoder().decode(ErrorBody.self, from: Data(refused.body)).holder?.id == bea.agent.id)

        #expect(try await server.command(.takeOver, conversation: id, token: sara.token).status == 200)
        let batch = try await server.everything(token: bea.token)
        #expect(batch.conversations.last { $0.id == id }?.assignedAgentId == sara.agent.id)
        let notes = batch.messages.filter { $0.author == .system }
        #expect(notes.map(\.body) == ["Bea took this conversation from the queue", "Sara (admin) took this conversation from Bea"])
        #expect(notes.last?.direction == .outbound && notes.last?.conversationId == id)

        // Transfer back and close, as an admin: each leaves its note too.
        #expect(try await server.command(.transfer(toAgentId: ben.agent.id), conversation: id, token: sara.token).status == 200)
        #expect(try await server.command(.takeOver, conversation: id, token: bea.token).status == 409,
                "an agent still cannot take it from a colleague")
        #expect(try await server.command(.close, conversation: id, token: sara.token).status == 200)
        let bodies = try await server.everything(token: bea.token).messages.filter { $0.author == .system }.map(\.body)
        #expect(bodies == ["Bea took this conversation from the queue", "Sara (admin) took this conversation from Bea",
                           "Sara transferred this conversation to Ben",
                           "Sara (admin) closed this conversation (it was with Ben)"],
                "the activity log (issue 10): every change of hands, the admin's marked as such")
    }

    @Test("a draft saved in a conversation an admin then takes is listed as stranded by the mirror")
    func strandedDraft() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let (bea, sara, id) = try await Self.beaHoldsOne(server)
        let mirror = try await server.syncedMirror(token: bea.token)
        try mirror.saveDraft("We will call you", conversationId: id)
        #expect(try mirror.strandedDrafts().isEmpty, "still mine: the draft can be sent")

        #expect(try await server.command(.takeOver, conversation: id, token: sara.token).status == 200)
        try await SyncLoop(mirror: mirror, api: ServerAPI(server: server.baseURL, token: bea.token)).syncOnce()
        #expect(try mirror.strandedDrafts() == [StrandedDraft(conversationId: id, patientName: "Maria Lopez",
                                                              holderId: sara.agent.id)])
        try mirror.saveDraft("", conversationId: id)
        #expect(try mirror.strandedDrafts().isEmpty, "dropped")
    }

    @Test("reopened outside the 24-hour window: free text is refused, a template goes out")
    func reopenOutsideTheWindow() async throws {
        let (server, meta, agent, id) = try await TemplateTests.metaConversation(hoursAgo: 25)
        defer { Task { await server.stop(); await meta.stop() } }
        #expect(try await server.command(.close, conversation: id, token: agent.token).status == 200)
        #expect(try await server.command(.reopen, conversation: id, token: agent.token).status == 200)
        let refused = try await server.command(.reply(body: "Are you coming?"), conversation: id, token: agent.token)
        #expect(refused.status == 422)
        #expect(try TemplateTests.error(refused).error == "window_closed")
        let send = TemplateSend(name: "appointment_reminder", language: "en", parameters: ["Sheena", "Monday 10:30"])
        #expect(try await server.command(.sendTemplate(send), conversation: id, token: agent.token).status == 200)
        #expect(try await eventually { meta.sent.count == 1 })
        #expect(meta.sent.first?.message?.type == "template")
    }

    @Test("reopen: a closed conversation becomes the caller's, a second reopen is harmless, and a newer open one wins")
    func reopen() async throws {
        let twilio = try await FakeTwilio.start()
        let server = try await TestServer.start { $0.twilio.apiBase = twilio.baseURL }
        defer { Task { await server.stop(); await twilio.stop() } }
        let (bea, sara, id) = try await Self.beaHoldsOne(server)
        #expect(try await server.command(.reopen, conversation: id, token: sara.token).status == 422, "not closed")
        #expect(try await server.command(.close, conversation: id, token: bea.token).status == 200)

        let reopened = try await server.command(.reopen, conversation: id, token: sara.token, key: "reopen-1")
        #expect(reopened.status == 200)
        let result = try JSONDecoder().decode(CommandResult.self, from: Data(reopened.body))
        #expect(result.conversation.status == .assigned && result.conversation.assignedAgentId == sara.agent.id)
        #expect(try await server.command(.reopen, conversation: id, token: sara.token).status == 200)
        #expect(try await server.command(.reopen, conversation: id, token: bea.token).status == 422,
                "open and held by someone else: nothing to reopen")
        // Inside the 24-hour window, free text goes out as usual.
        #expect(try await server.command(.reply(body: "We are back"), conversation: id, token: sara.token).status == 200)
        #expect(try await eventually { twilio.sent.map(\.body) == ["We are back"] })
        let notes = try await server.everything(token: bea.token).messages.filter { $0.author == .system }.map(\.body)
        #expect(notes == ["Bea took this conversation from the queue", "Bea closed this conversation",
                          "Sara reopened this conversation"])

        // Closed again, then the patient writes: the new conversation is the open one, so the old stays closed.
        #expect(try await server.command(.close, conversation: id, token: sara.token).status == 200)
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SMteam2", from: "+15557654321", to: Self.clinicNumber,
                                                              body: "Me again", name: "Maria Lopez"))
        let refused = try await server.command(.reopen, conversation: id, token: bea.token)
        #expect(refused.status == 409)
        let body = try JSONDecoder().decode(ErrorBody.self, from: Data(refused.body))
        #expect(body.error == "newer_conversation")
        #expect(try await Self.conversation(id, server, token: bea.token)?.status == .closed)
    }
}
