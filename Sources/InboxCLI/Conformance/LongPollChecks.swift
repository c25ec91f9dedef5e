import Foundation
import InboxModel

/// The long-poll of docs/protocol.md §5.3: held until the clinic's next commit or the timeout, whichever is first.
enum LongPollChecks {
    static let all: [ConformanceCheck] = [
        ConformanceCheck(name: "sync.long-poll-timeout", area: "sync", mutates: false,
                         summary: "with nothing new, timeout=2000 is held about 2 s and answered with an empty batch", run: timeout),
        ConformanceCheck(name: "sync.long-poll-wake", area: "sync", mutates: true,
                         summary: "a held long-poll (timeout=20000) answers within 5 s of a change, carrying it "
                             + "(the change: A marks a conversation read)", run: wake),
    ]

    /// Another change may land meanwhile (the clinic is live): up to three tries from the newest cursor.
    static func timeout(_ context: ConformanceContext) async throws -> String {
        var cursor = try await context.currentCursor(context.tokenA)
        var notes: [String] = []
        for _ in 0..<3 {
            let started = ContinuousClock.now
            let batch = try await context.client.sync(token: context.tokenA, since: cursor, timeout: 2_000)
                .success(SyncBatch.self, "GET /v1/sync?timeout=2000 from the newest cursor")
            let elapsed = ContinuousClock.now - started
            try require(elapsed < .seconds(7), "timeout=2000 with nothing new was held \(elapsed.millis) ms")
            cursor = batch.cursor
            if !batch.isEmpty {
                notes.append("a change came in after \(elapsed.millis) ms")
            } else if elapsed < .milliseconds(1_500) {
                notes.append("an empty answer after only \(elapsed.millis) ms")
            } else {
                return "held \(elapsed.millis) ms of 2000, then an empty batch"
            }
        }
        throw CheckFailed("three long-polls with timeout=2000 were not held to the timeout: " + notes.joined(separator: "; "))
    }

    static func wake(_ context: ConformanceContext) async throws -> String {
        let me = try context.requireIdentities().a.agent
        let conversation = try context.requireConversations().spare
        let messageId = try await context.requireFullPull().latest.messages.filter { $0.conversationId == conversation.id }
            .map(\.id).max() ?? 1
        var notes: [String] = []
        for _ in 0..<3 {
            let client = context.client
            let token = context.tokenA
            let since = try await context.currentCursor(token)
            let started = ContinuousClock.now
            let poll = Task { (try await client.sync(token: token, since: since, timeout: 20_000), ContinuousClock.now) }
            // Time for the request to reach the server and be held. Not a proof of anything: had the change come
            // first, the poll would be answered at once, which also passes.
            try await Task.sleep(for: .milliseconds(500))
            let changed = ContinuousClock.now
            let read = try await client.command("read", conversation.id, token: token, body: #"{"messageId":\#(messageId)}"#)
            _ = try read.success(CommandResult.self, "read of conversation \(conversation.id)")
            let (answer, answered) = try await poll.value
            let batch = try answer.success(SyncBatch.self, "the held GET /v1/sync")
            if answered < changed {
                notes.append("answered \(batch.changeCount) row(s) after \((answered - started).millis) ms, before the change")
                continue
            }
            let carried = batch.readHorizons.contains { $0.conversationId == conversation.id && $0.agentId == me.id }
            if carried {
                try require(answered - changed < .seconds(5), "the held long-poll answered \((answered - changed).millis) ms "
                            + "after the change, not within 5 s")
                return "held \((changed - started).millis) ms, answered \((answered - changed).millis) ms after the change, carrying it"
            }
            if answered - started >= .seconds(19) {
                throw CheckFailed("the change (A's read horizon of conversation \(conversation.id)) did not wake the long-poll: "
                                  + "it ran to its 20 s timeout")
            }
            notes.append("answered \(batch.changeCount) other row(s) after \((answered - started).millis) ms")
        }
        throw CheckFailed("three long-polls never carried A's new read horizon: " + notes.joined(separator: "; "))
    }
}
