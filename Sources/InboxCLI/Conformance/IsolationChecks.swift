import Foundation
import InboxModel

/// Clinic isolation and private read horizons (docs/protocol.md §3, §5.3 "Clinic isolation", §7.6).
enum IsolationChecks {
    static let all: [ConformanceCheck] = [
        ConformanceCheck(name: "isolation.sync", area: "isolation", mutates: false,
                         summary: "the foreign token's sync carries none of A's clinic's agents, patients, conversations, "
                             + "messages or channels", run: sync),
        ConformanceCheck(name: "isolation.read-horizons", area: "isolation", mutates: false,
                         summary: "each agent's sync carries only its own read horizons", run: readHorizons),
        ConformanceCheck(name: "isolation.commands", area: "isolation", mutates: true,
                         summary: "the foreign token's takeover, reply, close, handback, transfer and read on A's conversation "
                             + "answer 404 not_found and change nothing; A's transfer to the foreign agent answers 422 unknown_agent",
                         run: commands),
        ConformanceCheck(name: "isolation.media", area: "isolation", mutates: false,
                         summary: "GET /v1/messages/{id}/media of A's message with the foreign token answers 404", run: media),
    ]

    static func sync(_ context: ConformanceContext) async throws -> String {
        let mine = try await context.requireFullPull().latest
        let theirs = try await context.client.pull(token: context.foreignToken).latest
        let leaks: [(String, Set<String>, Set<String>)] = [
            ("agent", Set(mine.agents.map { "\($0.id)" }), Set(theirs.agents.map { "\($0.id)" })),
            ("patient", Set(mine.patients.map { "\($0.id)" }), Set(theirs.patients.map { "\($0.id)" })),
            ("conversation", Set(mine.conversations.map { "\($0.id)" }), Set(theirs.conversations.map { "\($0.id)" })),
            ("message", Set(mine.messages.map { "\($0.id)" }), Set(theirs.messages.map { "\($0.id)" })),
            ("channel", Set(mine.conversations.map(\.clinicNumber) + mine.channels.map(\.clinicNumber)),
             Set(theirs.channels.map(\.clinicNumber) + theirs.conversations.map(\.clinicNumber))),
        ]
        for (kind, a, foreign) in leaks {
            if let leaked = a.intersection(foreign).sorted().first {
                throw CheckFailed("the foreign token's sync carries \(kind) \(leaked) of A's clinic")
            }
        }
        return "the foreign clinic's \(theirs.changeCount) rows share nothing with A's \(mine.changeCount)"
    }

    static func readHorizons(_ context: ConformanceContext) async throws -> String {
        let who = try context.requireIdentities()
        var counted = 0
        for (token, agent) in [(context.tokenA, who.a.agent), (context.tokenB, who.b.agent), (context.foreignToken, who.foreign.agent)] {
            for page in try await context.client.pull(token: token) {
                for horizon in page.readHorizons {
                    try require(horizon.agentId == agent.id, "\(agent.name)'s sync carries agent \(horizon.agentId)'s read horizon "
                                + "of conversation \(horizon.conversationId)")
                    counted += 1
                }
            }
        }
        return "\(counted) read horizons, each carried only to its own agent"
    }

    static func commands(_ context: ConformanceContext) async throws -> String {
        let who = try context.requireIdentities()
        let spare = try context.requireConversations().spare
        let now = try await context.client.pull(token: context.tokenA)
        let cursor = now.last?.cursor ?? ""
        guard let conversation = now.latest.conversations.first(where: { $0.id == spare.id }) else {
            throw CheckFailed("conversation \(spare.id) is no longer in A's sync")
        }
        let probes = [("takeover", "{}"), ("reply", #"{"body":"inbox conformance: this reply must be refused"}"#), ("close", "{}"),
                      ("handback", "{}"), ("transfer", #"{"agentId":\#(who.foreign.agent.id)}"#), ("read", #"{"messageId":1}"#)]
        for (action, body) in probes {
            try await context.client.command(action, conversation.id, token: context.foreignToken, body: body)
                .expect(404, "not_found", "the foreign token's \(action) of A's conversation \(conversation.id)")
        }
        try await context.client.command("transfer", conversation.id, token: context.tokenA,
                                          body: #"{"agentId":\#(who.foreign.agent.id)}"#)
            .expect(422, "unknown_agent", "A's transfer of conversation \(conversation.id) to the foreign agent \(who.foreign.agent.id)")
        let after = try await context.client.pull(token: context.tokenA, since: cursor)
        if let changed = after.flatMap(\.conversations).last(where: { $0.id == conversation.id }) {
            try require(changed.version == conversation.version && changed.status == conversation.status,
                        "conversation \(conversation.id) changed (\(conversation.status.rawValue) v\(conversation.version) → "
                        + "\(changed.status.rawValue) v\(changed.version)) although every command was refused")
        }
        if let sent = after.flatMap(\.messages).first(where: { $0.conversationId == conversation.id && $0.direction == .outbound }) {
            throw CheckFailed("message \(sent.id) appeared in conversation \(conversation.id) although every command was refused")
        }
        return "\(probes.count) foreign commands answered 404 not_found, the foreign transfer target 422 unknown_agent; nothing changed"
    }

    static func media(_ context: ConformanceContext) async throws -> String {
        let messages = try await context.requireFullPull().latest.messages
        guard let message = messages.first(where: { $0.media?.state == .stored }) ?? messages.last else {
            throw CheckFailed("A's clinic has no message to ask for")
        }
        let answer = try await context.client.get("/v1/messages/\(message.id)/media", token: context.foreignToken)
        try require(answer.status == 404, "the foreign token's GET /v1/messages/\(message.id)/media: expected HTTP 404, got \(answer.summary)")
        return "message \(message.id)\(message.media?.state == .stored ? " (a stored file)" : "") answered 404 to the foreign token"
    }
}
