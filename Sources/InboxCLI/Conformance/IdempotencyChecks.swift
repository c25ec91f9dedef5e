import Foundation
import InboxModel

/// Idempotent commands (docs/protocol.md §7.4, §12.4): a key's answer is stored and replayed byte for byte.
/// These checks use `read` (it moves only the caller's own read horizon) and one take-over of the spare conversation.
enum IdempotencyChecks {
    static let all: [ConformanceCheck] = [
        ConformanceCheck(name: "idempotency.replay", area: "idempotency", mutates: true,
                         summary: "the same key and body replays the stored answer byte for byte, even after the conversation "
                             + "changed (A marks it read, takes it over, then resends the read)", run: replay),
        ConformanceCheck(name: "idempotency.key-reused", area: "idempotency", mutates: true,
                         summary: "the same key with other body bytes (even whitespace) or another action answers 422 "
                             + "idempotency_key_reused and stores nothing; keys are per agent", run: keyReused),
        ConformanceCheck(name: "idempotency.stored-refusal", area: "idempotency", mutates: false,
                         summary: "a command's refusal (404 for a missing conversation) is stored and replayed; a request refused "
                             + "before the command ran (400 malformed_body) does not use up its key", run: storedRefusal),
        ConformanceCheck(name: "idempotency.concurrent", area: "idempotency", mutates: true,
                         summary: "two identical requests with one key at the same moment get the same answer, byte for byte",
                         run: concurrent),
    ]

    /// The newest message of the spare conversation, to mark read.
    static func readBody(_ context: ConformanceContext, plus: Int64 = 0, spaced: Bool = false) async throws -> String {
        let conversation = try context.requireConversations().spare
        let newest = try await context.requireFullPull().latest.messages.filter { $0.conversationId == conversation.id }
            .map(\.id).max() ?? 1
        return spaced ? #"{"messageId": \#(newest + plus)}"# : #"{"messageId":\#(newest + plus)}"#
    }

    static func replay(_ context: ConformanceContext) async throws -> String {
        let conversation = try context.requireConversations().spare
        let key = ConformanceClient.newKey()
        let body = try await readBody(context)
        let first = try await context.client.command("read", conversation.id, token: context.tokenA, key: key, body: body)
        let result = try first.success(CommandResult.self, "A's read of conversation \(conversation.id)")
        let taken = try await context.client.command("takeover", conversation.id, token: context.tokenA)
            .success(CommandResult.self, "A's take-over of conversation \(conversation.id)")
        try require(taken.conversation.version > result.conversation.version,
                    "A's take-over of conversation \(conversation.id) (\(result.conversation.status.rawValue)) did not raise its version")
        let again = try await context.client.command("read", conversation.id, token: context.tokenA, key: key, body: body)
        try require(again.status == first.status && again.body == first.body,
                    "the replay answered \(again.summary) (\(again.body.count) bytes), not the stored HTTP \(first.status) "
                    + "(\(first.body.count) bytes) byte for byte")
        return "the replay returned the stored \(first.body.count) bytes (version \(result.conversation.version)) although the "
            + "conversation is now at version \(taken.conversation.version)"
    }

    static func keyReused(_ context: ConformanceContext) async throws -> String {
        let conversation = try context.requireConversations().spare
        let key = ConformanceClient.newKey()
        let body = try await readBody(context)
        let first = try await context.client.command("read", conversation.id, token: context.tokenA, key: key, body: body)
        _ = try first.success(CommandResult.self, "A's read of conversation \(conversation.id)")
        let variants = [("read", try await readBody(context, spaced: true)), ("read", try await readBody(context, plus: 1)),
                        ("takeover", body)]
        for (action, other) in variants {
            try await context.client.command(action, conversation.id, token: context.tokenA, key: key, body: other)
                .expect(422, "idempotency_key_reused", "the same key with \(action) \(other) after read \(body)")
        }
        let again = try await context.client.command("read", conversation.id, token: context.tokenA, key: key, body: body)
        try require(again.status == first.status && again.body == first.body,
                    "after the refused reuses, the original request answered \(again.summary), not its stored answer")
        let other = try await context.client.command("read", conversation.id, token: context.tokenB, key: key, body: body)
        _ = try other.success(CommandResult.self, "B's read with the key A used (keys are scoped per agent)")
        return "\(variants.count) reuses answered 422 idempotency_key_reused; the original still replays; B's same key is B's own"
    }

    static func storedRefusal(_ context: ConformanceContext) async throws -> String {
        let id = String(context.unknownConversation)
        let key = ConformanceClient.newKey()
        try await context.client.command("takeover", id, token: context.tokenA, key: key, body: "{not json")
            .expect(400, "malformed_body", "takeover of conversation \(id) with a malformed body")
        let refused = try await context.client.command("takeover", id, token: context.tokenA, key: key, body: "{}")
        try refused.expect(404, "not_found", "the same key, now with {} (a 400 before the command must not use up the key)")
        let again = try await context.client.command("takeover", id, token: context.tokenA, key: key, body: "{}")
        try require(again.status == refused.status && again.body == refused.body,
                    "the replayed 404 answered \(again.summary), not the stored answer byte for byte")
        return "400 malformed_body left the key free; the 404 not_found it then got replays byte for byte"
    }

    static func concurrent(_ context: ConformanceContext) async throws -> String {
        let conversation = try context.requireConversations().spare
        let body = try await readBody(context)
        let client = context.client
        let token = context.tokenA
        for round in 1...3 {
            let key = ConformanceClient.newKey()
            async let first = client.command("read", conversation.id, token: token, key: key, body: body)
            async let second = client.command("read", conversation.id, token: token, key: key, body: body)
            let (x, y) = try await (first, second)
            _ = try x.success(CommandResult.self, "round \(round), the first of two identical reads")
            try require(x.status == y.status && x.body == y.body,
                        "round \(round): two identical requests with one key answered \(x.summary) and \(y.summary), "
                        + "\(x.body == y.body ? "" : "with different bytes")")
        }
        return "3 pairs of simultaneous identical requests got identical answers"
    }
}
