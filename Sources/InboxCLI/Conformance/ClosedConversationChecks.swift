import Foundation
import InboxModel

/// What a closed conversation answers (docs/protocol.md §8 table, `closed` row), and `reopen`.
enum ClosedConversationChecks {
    static let all: [ConformanceCheck] = [
        ConformanceCheck(name: "state.closed", area: "state", mutates: true,
                         summary: "A closes the spare conversation; takeover, handback, close and transfer then answer 422 "
                             + "conversation_closed; A's reopen assigns it to A (a repeat changes nothing), B's reopen is 422; "
                             + "A closes it again", run: closed),
    ]

    static func closed(_ context: ConformanceContext) async throws -> String {
        let who = try context.requireIdentities()
        let id = try context.requireConversations().spare.id
        let client = context.client
        let closed = try await client.command("close", id, token: context.tokenA).success(CommandResult.self, "A's close of \(id)")
        try require(closed.conversation.status == .closed && closed.conversation.assignedAgentId == nil,
                    "after A's close, conversation \(id) is \(closed.conversation.status.rawValue)"
                    + (closed.conversation.assignedAgentId.map { " and still assigned to \($0)" } ?? ""))
        let refused = [("takeover", context.tokenA, "{}"), ("handback", context.tokenA, "{}"), ("close", context.tokenB, "{}"),
                       ("transfer", context.tokenA, #"{"agentId":\#(who.b.agent.id)}"#)]
        for (action, token, body) in refused {
            try await client.command(action, id, token: token, body: body)
                .expect(422, "conversation_closed", "\(action) of the closed conversation \(id)")
        }
        let reopened = try await client.command("reopen", id, token: context.tokenA).success(CommandResult.self, "A's reopen of \(id)")
        try require(reopened.conversation.status == .assigned && reopened.conversation.assignedAgentId == who.a.agent.id,
                    "after A's reopen, conversation \(id) is \(reopened.conversation.status.rawValue), assigned to "
                    + (reopened.conversation.assignedAgentId.map(String.init) ?? "nobody"))
        let repeated = try await client.command("reopen", id, token: context.tokenA).success(CommandResult.self, "A's second reopen")
        try require(repeated.conversation.version == reopened.conversation.version,
                    "A's repeated reopen changed the version (\(reopened.conversation.version) → \(repeated.conversation.version))")
        let other = try await client.command("reopen", id, token: context.tokenB)
        try require(other.status == 422, "B's reopen of A's conversation: expected HTTP 422, got \(other.summary)")
        _ = try await client.command("close", id, token: context.tokenA).success(CommandResult.self, "A's second close of \(id)")
        return "4 commands on the closed conversation answered 422 conversation_closed; reopen and close again worked"
    }
}
