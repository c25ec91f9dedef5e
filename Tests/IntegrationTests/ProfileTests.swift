import CurlHTTP
import Foundation
import InboxModel
import InboxServer
import Testing

/// Patient profile edits (issue 10 item 6) against a real server, on SQLite or PostgreSQL: versioned, a concurrent
/// edit refused with the current profile, listed in the activity log, synced to colleagues.
@Suite("Patient profile", .serialized)
struct ProfileTests {
    static let number = "+15550006666"

    static func setUp(_ server: TestServer) async throws -> (NewAgent, NewAgent, Conversation) {
        let agents = try await server.addClinic("Sunrise", number: Self.number, agents: ["Amal", "Ben"])
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SMq1", from: "+15557654321", to: Self.number,
                                                              body: "Hello", name: "Maria"))
        let conversation = try #require(try await server.everything(token: agents[0].token).conversations.last)
        return (agents[0], agents[1], conversation)
    }

    static func edit(name: String, tags: [String], base: Int64 = 1) -> ProfileEdit {
        ProfileEdit(baseVersion: base, displayName: name, language: "es", tags: tags, notes: "Prefers mornings",
                    externalRecordId: "MRN-77")
    }

    @Test("two agents edit the same version at once: one wins, the other gets 409 with the winner's profile")
    func concurrentEditsOneWins() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let (amal, ben, conversation) = try await Self.setUp(server)

        async let first = server.command(.editProfile(Self.edit(name: "Maria Lopez", tags: ["VIP", "follow up"])),
                                         conversation: conversation.id, token: amal.token)
        async let second = server.command(.editProfile(Self.edit(name: "Maria L.", tags: ["new"])),
                                          conversation: conversation.id, token: ben.token)
        let answers = try await [first, second]
        #expect(answers.map(\.status).sorted() == [200, 409], "\(answers.map(\.status))")
        let refusal = try JSONDecoder().decode(ErrorBody.self, from: Data(try #require(answers.first { $0.status == 409 }).body))
        #expect(refusal.error == "profile_conflict")
        let saved = try await server.everything(token: amal.token).patients.last
        #expect(refusal.patient == saved, "the refusal carries the profile as the winner saved it")
        #expect(saved?.version == 2)
        #expect(refusal.message.contains(saved?.displayName ?? "?"), "the message names the current value")
        if saved?.displayName == "Maria Lopez" {
            #expect(saved?.tags == ["vip", "follow-up"], "tags are normalised")
            #expect(saved?.isLead == false, "a record id makes the patient registered")
        }
        let log = try await server.everything(token: ben.token).messages.filter { $0.author == .system }
        #expect(log.contains { $0.body.contains("edited the patient's profile (name, language, tags, notes, record id)") },
                "\(log.map(\.body))")

        // The loser edits again on the version it now has, and wins.
        let retry = try await server.command(.editProfile(Self.edit(name: "Maria B.", tags: [], base: 2)),
                                             conversation: conversation.id, token: ben.token)
        #expect(retry.status == 200)
        #expect(try await server.everything(token: amal.token).patients.last?.displayName == "Maria B.")
    }

    @Test("a replayed edit returns the stored answer; an unchanged one saves nothing; an invalid one is refused")
    func replayNoopAndInvalid() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let (amal, _, conversation) = try await Self.setUp(server)
        let key = UUID().uuidString
        let edit = Self.edit(name: "Maria Lopez", tags: ["vip"])
        let first = try await server.command(.editProfile(edit), conversation: conversation.id, token: amal.token, key: key)
        let replay = try await server.command(.editProfile(edit), conversation: conversation.id, token: amal.token, key: key)
        #expect(first.status == 200 && replay.status == 200 && first.body == replay.body,
                "\(first.status) \(String(decoding: first.body, as: UTF8.self)) / \(replay.status) \(String(decoding: replay.body, as: UTF8.self))")
        #expect(try await server.everything(token: amal.token).patients.last?.version == 2, "exactly once")

        var same = edit
        same.baseVersion = 2
        #expect(try await server.command(.editProfile(same), conversation: conversation.id, token: amal.token).status == 200)
        #expect(try await server.everything(token: amal.token).patients.last?.version == 2, "nothing changed, nothing saved")

        var empty = same
        empty.displayName = "  "
        let refused = try await server.command(.editProfile(empty), conversation: conversation.id, token: amal.token)
        #expect(refused.status == 422)
        #expect(try JSONDecoder().decode(ErrorBody.self, from: Data(refused.body)).error == "invalid_profile")
    }
}
