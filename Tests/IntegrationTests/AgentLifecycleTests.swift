import CurlHTTP
import Foundation
import InboxModel
import InboxServer
import Testing

/// `inbox agent list | revoke | rotate-token | rename | set-role` run as a second process against a running server's
/// database: tokens stop working within a second, held long-polls included, and colleagues' syncs carry the change.
@Suite("Agent lifecycle", .serialized)
struct AgentLifecycleTests {
    static let clinicNumber = "+15550002222"

    /// The batch a long-poll returns, or its status when it is not 200.
    static func decode(_ response: HTTPClient.Response) throws -> SyncBatch {
        try JSONDecoder().decode(SyncBatch.self, from: Data(response.body))
    }

    @Test("revoke from another process: the held long-poll is answered 401 within 1 s, and so is every later request")
    func revokeAnswersHeldPoll() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let agents = try await server.addClinic("Sunrise", number: Self.clinicNumber, agents: ["Aisha", "Ravi"])
        let (aisha, ravi) = (agents[0], agents[1])
        let cursor = try Self.decode(try await server.sync(token: aisha.token)).cursor

        // Positive control: a held poll is woken by a change within the same second.
        let control = Task { try await server.sync(token: aisha.token, since: cursor, timeout: 20_000) }
        #expect(try await eventually { server.app.notifier.waitingCount == 1 }, "the control poll is held")
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SMctl", from: "+15557654321", to: Self.clinicNumber, body: "hello"))
        let woken = try await control.value
        #expect(woken.status == 200)
        // Aisha holds the conversation when she is revoked.
        let conversation = try #require(try Self.decode(woken).conversations.first).id
        #expect(try await server.command(.takeOver, conversation: conversation, token: aisha.token).status == 200)
        // Whatever else was committed is read now, so the next poll has nothing to return but the revocation.
        let next = try Self.decode(try await server.sync(token: aisha.token, since: try Self.decode(woken).cursor)).cursor

        // An empty answer (the wait ran out) is asked again at once, as a client would.
        let held = Task {
            while true {
                let response = try await server.sync(token: aisha.token, since: next, timeout: 20_000)
                if try response.status != 200 || !Self.decode(response).isEmpty { return response }
            }
        }
        #expect(try await eventually { server.app.notifier.waitingCount == 1 }, "the poll is held before the revoke")
        try InboxProcess.run(["agent", "revoke", String(aisha.agent.id)] + server.databaseArguments)
        let revokedAt = ContinuousClock.now
        let answer = try await held.value
        #expect(answer.status == 401, "held poll after revoke: \(answer.status) \(String(decoding: answer.body, as: UTF8.self))")
        #expect(ContinuousClock.now - revokedAt < .seconds(1), "held poll answered \(ContinuousClock.now - revokedAt) after the revoke")
        // New requests: 401 within the same second (the server re-reads an agent's token at least every 250 ms).
        #expect(try await eventually(timeout: .seconds(1)) { try await server.sync(token: aisha.token).status == 401 })
        #expect(try await server.command(.takeOver, conversation: 1, token: aisha.token).status == 401)

        // Colleagues see the agent inactive and her patient back in the queue; nobody can transfer to her; the
        // listing says revoked; she cannot be given a new token.
        let colleague = try await server.everything(token: ravi.token)
        #expect(colleague.agents.first { $0.id == aisha.agent.id }?.active == false)
        let released = try #require(colleague.conversations.first { $0.id == conversation })
        #expect(released.status == .waiting && released.assignedAgentId == nil)
        #expect(try await server.command(.takeOver, conversation: conversation, token: ravi.token).status == 200)
        let transfer = try await server.command(.transfer(toAgentId: aisha.agent.id), conversation: conversation, token: ravi.token)
        #expect(transfer.status == 422)
        let listing = try InboxProcess.run(["agent", "list", "--clinic", "Sunrise"] + server.databaseArguments)
        #expect(listing.split(separator: "\n").contains { $0.hasPrefix("\(aisha.agent.id)\t") && $0.contains("revoked") })
        #expect(throws: InboxProcess.Failure.self) {
            try InboxProcess.run(["agent", "rotate-token", String(aisha.agent.id)] + server.databaseArguments)
        }
    }

    @Test("rotate-token from another process: the old token gets 401 within 1 s, the new one works")
    func rotateToken() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let aisha = try await server.addClinic("Sunrise", number: Self.clinicNumber)[0]
        #expect(try await server.sync(token: aisha.token).status == 200)  // now cached by the server

        let output = try InboxProcess.run(["agent", "rotate-token", String(aisha.agent.id)] + server.databaseArguments)
        let rotatedAt = ContinuousClock.now
        let newToken = try #require(output.split(separator: "\n").last.map(String.init))
        #expect(newToken != aisha.token && newToken.count == 64)
        #expect(try await eventually(timeout: .seconds(1)) { try await server.sync(token: aisha.token).status == 401 })
        #expect(ContinuousClock.now - rotatedAt < .seconds(1))
        let me = try await HTTPClient.shared.send(HTTPClient.Request(url: server.baseURL + "/v1/me",
                                                                     headers: [("Authorization", "Bearer \(newToken)")]))
        #expect(me.status == 200)
        #expect(try JSONDecoder().decode(WhoAmI.self, from: Data(me.body)).agent.id == aisha.agent.id)
    }

    @Test("add, rename and set-role from another process reach a colleague's held long-poll")
    func changesReachColleagues() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let ravi = try await server.addClinic("Sunrise", number: Self.clinicNumber, agents: ["Ravi"])[0]
        var cursor = try Self.decode(try await server.sync(token: ravi.token)).cursor

        func heldPoll(_ admin: [String]) async throws -> (SyncBatch, Duration) {
            let since = cursor
            // An empty answer (the wait ran out) is asked again at once, as a client would.
            let poll = Task {
                while true {
                    let response = try await server.sync(token: ravi.token, since: since, timeout: 20_000)
                    if try response.status != 200 || !Self.decode(response).isEmpty { return response }
                }
            }
            #expect(try await eventually { server.app.notifier.waitingCount == 1 }, "Ravi's poll is held before \(admin)")
            try InboxProcess.run(admin + server.databaseArguments)
            let start = ContinuousClock.now
            let response = try await poll.value
            #expect(response.status == 200)
            let batch = try Self.decode(response)
            cursor = batch.cursor
            return (batch, ContinuousClock.now - start)
        }

        let (added, addedAfter) = try await heldPoll(["agent", "add", "Carla Mendes", "--clinic", "Sunrise"])
        let carla = try #require(added.agents.first { $0.name == "Carla Mendes" })
        #expect(carla.active && carla.role == .agent)
        #expect(addedAfter < .seconds(1), "the held poll heard of the new agent after \(addedAfter)")

        let (renamed, _) = try await heldPoll(["agent", "rename", String(carla.id), "Carla M. Mendes"])
        #expect(renamed.agents.map(\.name) == ["Carla M. Mendes"])
        let (promoted, _) = try await heldPoll(["agent", "set-role", String(carla.id), "admin"])
        #expect(promoted.agents.map(\.role) == [.admin])

        // Bad input: a clear error and nothing changed.
        #expect(throws: InboxProcess.Failure.self) {
            try InboxProcess.run(["agent", "set-role", String(carla.id), "owner"] + server.databaseArguments)
        }
        #expect(throws: InboxProcess.Failure.self) {
            try InboxProcess.run(["agent", "rename", "999", "Nobody"] + server.databaseArguments)
        }
        #expect(throws: InboxProcess.Failure.self) {
            try InboxProcess.run(["agent", "rename", String(carla.id), "Ravi"] + server.databaseArguments)
        }
        let listing = try await server.store.agentListing(clinic: "Sunrise")
        #expect(listing.map(\.agent.name) == ["Ravi", "Carla M. Mendes"])
        #expect(listing.map(\.agent.role) == [.agent, .admin])
    }

    @Test("every /v1 route needs a token of an active agent; the signed media link does not")
    func middlewareCoversAgentRoutes() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let aisha = try await server.addClinic("Sunrise", number: Self.clinicNumber)[0]
        let routes: [(String, String)] = [("GET", "/v1/me"), ("GET", "/v1/sync"), ("POST", "/v1/conversations/1/takeover"),
                                         ("GET", "/v1/messages/1/media"), ("POST", "/v1/media")]
        for (method, path) in routes {
            for header in [nil, "Bearer ", "Bearer not-a-token", "Basic \(aisha.token)"] {
                let response = try await HTTPClient.shared.send(HTTPClient.Request(
                    method: method, url: server.baseURL + path, headers: header.map { [("Authorization", $0)] } ?? [],
                    body: method == "POST" ? [] : nil))
                #expect(response.status == 401, "\(method) \(path) with \(header ?? "no header"): \(response.status)")
            }
        }
        let me = try await HTTPClient.shared.send(HTTPClient.Request(url: server.baseURL + "/v1/me",
                                                                     headers: [("Authorization", "Bearer \(aisha.token)")]))
        #expect(me.status == 200)
        // Not behind the middleware: answers 404 for a bad signature, not 401.
        let link = try await HTTPClient.shared.send(HTTPClient.Request(url: server.baseURL + "/media/1/abc"))
        #expect(link.status == 404)
    }
}
