import CurlHTTP
import Foundation
import InboxModel
import InboxServer
import SyncEngine
import Testing

@Suite("Agent commands")
struct CommandTests {
    static let clinicNumber = "+15550001111"

    /// A clinic with two agents and `count` conversations handed off to the queue.
    static func waitingConversations(_ server: TestServer, count: Int) async throws -> (agents: [NewAgent], ids: [Int64]) {
        let agents = try await server.addClinic("Sunrise", number: clinicNumber, agents: ["Aisha", "Ben"])
        for index in 0..<count {
            let phone = "+1555700\(String(format: "%04d", index))"
            _ = try await server.twilioWebhook(TestServer.inbound(sid: "SMrace\(index)", from: phone, to: clinicNumber, body: "help"))
        }
        let conversations = try await server.everything(token: agents[0].token).conversations
        for conversation in conversations {
            try await server.store.applyBotDecision(BotDecision(handOff: .init(reason: "Patient asked for staff")),
                                                    memory: nil, conversationId: conversation.id)
        }
        return (agents, conversations.map(\.id).sorted())
    }

    @Test("100 races of two agents taking over one waiting conversation: exactly one wins, the loser is told who")
    func takeOverRaces() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let (agents, ids) = try await Self.waitingConversations(server, count: 100)
        #expect(ids.count == 100)

        for id in ids {
            async let first = server.command(.takeOver, conversation: id, token: agents[0].token)
            async let second = server.command(.takeOver, conversation: id, token: agents[1].token)
            let answers = try await [first, second]
            let statuses = answers.map(\.status).sorted()
            #expect(statuses == [200, 409], "conversation \(id): \(statuses)")
            let winner = answers.firstIndex { $0.status == 200 }.map { agents[$0].agent }
            let loser = try #require(answers.first { $0.status == 409 })
            let refusal = try JSONDecoder().decode(ErrorBody.self, from: Data(loser.body))
            #expect(refusal.error == "conflict")
            #expect(refusal.holder == winner)
            #expect(refusal.message.contains(winner?.name ?? "?"))
        }
        let conversations = try await server.everything(token: agents[0].token).conversations
        #expect(conversations.allSatisfy { $0.status == .assigned && $0.assignedAgentId != nil })
    }

    @Test("a reply sent twice with one key makes one message and one provider request, also when the first answer was lost")
    func idempotentReply() async throws {
        let twilio = try await FakeTwilio.start()
        let server = try await TestServer.start { $0.twilio.apiBase = twilio.baseURL }
        defer { Task { await server.stop(); await twilio.stop() } }
        let (agents, ids) = try await Self.waitingConversations(server, count: 1)
        let token = agents[0].token

        // Replayed over HTTP: the same answer, byte for byte.
        let first = try await server.command(.reply(body: "See you at 9"), conversation: ids[0], token: token, key: "key-1")
        let again = try await server.command(.reply(body: "See you at 9"), conversation: ids[0], token: token, key: "key-1")
        #expect(first.status == 200)
        #expect(again.status == first.status)
        #expect(again.body == first.body)
        // The same key with another body is refused and changes nothing.
        let reused = try await server.command(.reply(body: "Different"), conversation: ids[0], token: token, key: "key-1")
        #expect(reused.status == 422)

        // Lost answer: the client's outbox sent the command but never recorded the answer, so it sends it again.
        let directory = server.directory.path
        let mirror = try Mirror(path: directory + "/mirror.sqlite")
        let api = ServerAPI(server: server.baseURL, token: token)
        try mirror.bind(server: server.baseURL, agentId: agents[0].agent.id)  // as the terminal does before queueing
        let key = try mirror.enqueue(.reply(body: "Bring your card"), conversationId: ids[0])
        _ = try await api.send(.reply(body: "Bring your card"), conversationId: ids[0], key: key)  // answer dropped
        #expect(try mirror.pendingCommands().count == 1)
        try await SyncLoop(mirror: mirror, api: api).syncOnce()
        #expect(try mirror.pendingCommands().isEmpty)

        // Both replies' outcomes recorded: the delivery worker has nothing left to send, so a duplicate request
        // would already be at Twilio (it counts a request before the server records the answer).
        var messages: [Message] = []
        #expect(try await eventually {
            messages = try await server.everything(token: token).messages.filter { $0.direction == .outbound }
            return messages.count >= 2 && messages.allSatisfy { $0.status != .pending }
        })
        #expect(twilio.sent.map(\.body).sorted() == ["Bring your card", "See you at 9"])
        #expect(messages.count == 2)
        #expect(Set(messages.compactMap(\.clientKey)) == ["key-1", key])
        // The mirror holds the same two replies, once each.
        let mirrored = try mirror.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM messages WHERE direction = 'outbound'") }
        #expect(mirrored == 2)
    }

    @Test("an agent never sees another clinic's changes nor acts on its conversations")
    func clinicIsolation() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let sunrise = try await server.addClinic("Sunrise", number: "+15550001111")[0]
        let harbor = try await server.addClinic("Harbor", number: "+15550002222", agents: ["Chen"])[0]
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SMa", from: "+15557000001", to: "+15550001111", body: "sunrise patient"))
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SMb", from: "+15557000002", to: "+15550002222", body: "harbor patient"))

        let seenBySunrise = try await server.everything(token: sunrise.token)
        let seenByHarbor = try await server.everything(token: harbor.token)
        #expect(seenBySunrise.messages.map(\.body) == ["sunrise patient"])
        #expect(seenByHarbor.messages.map(\.body) == ["harbor patient"])
        #expect(seenBySunrise.agents.map(\.name) == ["Aisha"])
        #expect(Set(seenBySunrise.patients.map(\.id)).isDisjoint(with: seenByHarbor.patients.map(\.id)))

        let harborConversation = seenByHarbor.conversations[0].id
        for command in [Command.takeOver, .reply(body: "hi"), .close, .handBack, .markRead(upToMessageId: 1)] {
            let answer = try await server.command(command, conversation: harborConversation, token: sunrise.token)
            #expect(answer.status == 404, "\(command.action) on another clinic's conversation")
        }
        #expect(try await server.everything(token: harbor.token).conversations[0].status == .waiting, "untouched")
        // Transfer to an agent of another clinic is refused too.
        let own = seenBySunrise.conversations[0].id
        let transfer = try await server.command(.transfer(toAgentId: harbor.agent.id), conversation: own, token: sunrise.token)
        #expect(transfer.status == 422)
    }

    @Test("hand back, close, transfer and read horizons follow the state machine")
    func lifecycle() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let (agents, ids) = try await Self.waitingConversations(server, count: 1)
        let (aisha, ben) = (agents[0], agents[1])
        let id = ids[0]
        func state() async throws -> Conversation { try await server.everything(token: aisha.token).conversations[0] }

        #expect(try await server.command(.takeOver, conversation: id, token: aisha.token).status == 200)
        #expect(try await server.command(.close, conversation: id, token: ben.token).status == 409)
        #expect(try await server.command(.transfer(toAgentId: ben.agent.id), conversation: id, token: aisha.token).status == 200)
        #expect(try await state().assignedAgentId == ben.agent.id)
        #expect(try await server.command(.handBack, conversation: id, token: ben.token).status == 200)
        #expect(try await state().status == .bot)

        let lastMessage = try await server.everything(token: aisha.token).messages.map(\.id).max() ?? 0
        #expect(try await server.command(.markRead(upToMessageId: lastMessage), conversation: id, token: aisha.token).status == 200)
        #expect(try await server.command(.markRead(upToMessageId: 0), conversation: id, token: aisha.token).status == 200)
        let horizons = try await server.everything(token: aisha.token)
        _ = horizons
        let aishaView = try JSONDecoder().decode(SyncBatch.self, from: Data(try await server.sync(token: aisha.token).body))
        let benView = try JSONDecoder().decode(SyncBatch.self, from: Data(try await server.sync(token: ben.token).body))
        #expect(aishaView.readHorizons == [ReadHorizon(conversationId: id, agentId: aisha.agent.id, messageId: lastMessage)])
        #expect(benView.readHorizons.isEmpty)

        #expect(try await server.command(.close, conversation: id, token: aisha.token).status == 200)
        #expect(try await state().status == .closed)
        let afterClose = try await server.command(.reply(body: "hello?"), conversation: id, token: aisha.token)
        #expect(afterClose.status == 422)
    }
}
