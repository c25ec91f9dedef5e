import Foundation
import InboxModel

/// The take-over race (docs/protocol.md §8.1, §12.3): two agents of one clinic press "take over" at the same moment.
enum RaceChecks {
    static let all: [ConformanceCheck] = [
        ConformanceCheck(name: "races.takeover", area: "races", mutates: true,
                         summary: "A and B take over the race conversation at once (--races times, the winner handing it back "
                             + "in between): exactly one 200 and one 409 conflict naming the winner as holder; the 409 is "
                             + "stored and replays unchanged after the hand-back; sync ends with the last hand-back", run: takeover),
    ]

    static func takeover(_ context: ConformanceContext) async throws -> String {
        let who = try context.requireIdentities()
        let conversation = try context.requireConversations().race
        let client = context.client
        let (tokenA, tokenB) = (context.tokenA, context.tokenB)
        var wins = (a: 0, b: 0)
        var last: Conversation?
        for round in 1...context.races {
            let (keyA, keyB) = (ConformanceClient.newKey(), ConformanceClient.newKey())
            async let first = client.command("takeover", conversation.id, token: tokenA, key: keyA)
            async let second = client.command("takeover", conversation.id, token: tokenB, key: keyB)
            let (a, b) = try await (first, second)
            let aWon = a.status == 200
            guard aWon != (b.status == 200) else {
                throw CheckFailed("round \(round): expected one 200 and one 409, got A \(a.summary) and B \(b.summary)")
            }
            let (winner, winnerToken, won, lost, loserToken, loserKey) = aWon
                ? (who.a.agent, tokenA, a, b, tokenB, keyB) : (who.b.agent, tokenB, b, a, tokenA, keyA)
            if aWon { wins.a += 1 } else { wins.b += 1 }
            let result = try won.success(CommandResult.self, "round \(round), \(winner.name)'s take-over")
            try require(result.conversation.status == .assigned && result.conversation.assignedAgentId == winner.id,
                        "round \(round): \(winner.name)'s 200 shows the conversation \(result.conversation.status.rawValue), "
                        + "assigned to \(result.conversation.assignedAgentId.map(String.init) ?? "nobody")")
            try lost.expect(409, "conflict", "round \(round), the loser's take-over")
            try require(lost.errorBody?.holder?.id == winner.id,
                        "round \(round): the 409 names \(lost.errorBody?.holder.map { "\($0.name) (\($0.id))" } ?? "no holder"), "
                        + "not the winner \(winner.name) (\(winner.id))")
            let replay = try await client.command("takeover", conversation.id, token: loserToken, key: loserKey)
            try require(replay.body == lost.body && replay.status == 409, "round \(round): the loser's replay answered \(replay.summary), "
                        + "not the stored 409 byte for byte")
            let back = try await client.command("handback", conversation.id, token: winnerToken)
                .success(CommandResult.self, "round \(round), \(winner.name)'s hand-back")
            try require(back.conversation.status == .bot && back.conversation.assignedAgentId == nil,
                        "round \(round): after the hand-back the conversation is \(back.conversation.status.rawValue)")
            let afterBack = try await client.command("takeover", conversation.id, token: loserToken, key: loserKey)
            try require(afterBack.body == lost.body && afterBack.status == 409, "round \(round): after the hand-back the loser's "
                        + "key answered \(afterBack.summary), not the stored 409 (a refusal is final for its key)")
            last = back.conversation
        }
        if let last {
            let synced = try await context.conversation(conversation.id, token: tokenA)
            try require(synced?.version == last.version && synced?.status == .bot,
                        "sync shows conversation \(conversation.id) at \(synced.map { "\($0.status.rawValue) v\($0.version)" } ?? "nothing"), "
                        + "not the last hand-back's bot v\(last.version)")
        }
        return "\(context.races) races: one winner each (A \(wins.a), B \(wins.b)); every 409 named the holder and replayed unchanged"
    }
}
