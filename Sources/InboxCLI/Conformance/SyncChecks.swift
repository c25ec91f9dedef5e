import Foundation
import InboxModel

/// `GET /v1/sync` paging, cursors and order (docs/protocol.md §5.2–5.4), seen from a client: cursors are opaque,
/// so "in order" and "no gaps" are judged by the rows that come back.
enum SyncChecks {
    static let all: [ConformanceCheck] = [
        ConformanceCheck(name: "sync.immediate", area: "sync", mutates: false,
                         summary: "with changes after the cursor, a long-poll (timeout=20000) answers at once", run: immediate),
        ConformanceCheck(name: "sync.paging", area: "sync", mutates: false,
                         summary: "with a small limit, no page carries more rows than limit or a row twice, `more` stays true "
                             + "until every row of a one-batch pull has come", run: paging),
        ConformanceCheck(name: "sync.resume", area: "sync", mutates: false,
                         summary: "resuming from a cursor in the middle gives no gaps and no duplicates; nothing unchanged comes "
                             + "again after the last cursor", run: resume),
        ConformanceCheck(name: "sync.order", area: "sync", mutates: false,
                         summary: "rows come in change-log order: a patient's text messages in id order, a conversation's "
                             + "version never goes back, in one batch and across pages", run: order),
        ConformanceCheck(name: "sync.cursor-garbage", area: "sync", mutates: false,
                         summary: "a cursor the server cannot have minted answers 410 cursor_reset", run: garbageCursor),
        ConformanceCheck(name: "sync.cursor-foreign", area: "sync", mutates: false,
                         summary: "an <epoch>.<seq> cursor with another epoch, or a seq beyond the history, answers 410 cursor_reset",
                         run: foreignCursor),
    ]

    static func immediate(_ context: ConformanceContext) async throws -> String {
        let started = ContinuousClock.now
        let batch = try await context.client.sync(token: context.tokenA, since: nil, timeout: 20_000)
            .success(SyncBatch.self, "GET /v1/sync without a cursor")
        let elapsed = ContinuousClock.now - started
        try require(!batch.isEmpty, "A's first batch is empty: the checks need a clinic with data")
        try require(elapsed < .seconds(5), "with changes waiting, timeout=20000 was answered after \(elapsed.millis) ms, not at once")
        return "answered in \(elapsed.millis) ms with \(batch.changeCount) rows"
    }

    static func paging(_ context: ConformanceContext) async throws -> String {
        let full = try await context.requireFullPull()
        let keys = Set(full.flatMap { $0.rows.map(\.key) })
        try require(keys.count >= 2, "A can see \(keys.count) row(s); paging needs at least 2")
        let limit = max(1, keys.count / 40)
        let pages = try await context.client.pull(token: context.tokenA, limit: limit, maxPages: keys.count * 4 + 10)
        for (index, page) in pages.enumerated() {
            try require(page.changeCount <= limit, "page \(index + 1) carried \(page.changeCount) rows with limit=\(limit)")
            let pageKeys = page.rows.map(\.key)
            if let twice = Dictionary(grouping: pageKeys, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
                throw CheckFailed("page \(index + 1) carried \(twice) twice")
            }
        }
        let paged = Set(pages.flatMap { $0.rows.map(\.key) })
        let missing = keys.subtracting(paged)
        try require(missing.isEmpty, "`more` was false after \(pages.count) pages of limit=\(limit), but \(missing.count) row(s) "
                    + "of the one-batch pull never came (e.g. \(missing.sorted().first ?? ""))")
        context.pagedPull = (limit, pages)
        return "\(keys.count) rows in \(pages.count) pages of limit=\(limit); `more` true on all but the last"
    }

    static func resume(_ context: ConformanceContext) async throws -> String {
        guard let (limit, pages) = context.pagedPull else { throw CheckFailed("needs the paged pull of sync.paging") }
        try require(pages.count >= 2, "needs at least 2 pages")
        // At-least-once allows a row twice only when it changed in between.
        var seen: [String: (page: Int, state: Data)] = [:]
        for (index, page) in pages.enumerated() {
            for row in page.rows {
                if let earlier = seen[row.key], earlier.state == row.state {
                    throw CheckFailed("\(row.key) came on page \(earlier.page + 1) and again, unchanged, on page \(index + 1)")
                }
                seen[row.key] = (index, row.state)
            }
        }
        let middle = pages.count / 2
        let resumed = try await context.client.pull(token: context.tokenA, since: pages[middle - 1].cursor, limit: limit)
        let resumedRows = resumed.flatMap(\.rows)
        let resumedKeys = Set(resumedRows.map(\.key))
        let rest = Set(pages[middle...].flatMap { $0.rows.map(\.key) })
        let gaps = rest.subtracting(resumedKeys)
        try require(gaps.isEmpty, "resuming from page \(middle)'s cursor skipped \(gaps.count) row(s) that came after it "
                    + "(e.g. \(gaps.sorted().first ?? ""))")
        let before = Dictionary(pages[..<middle].flatMap(\.rows).map { ($0.key, $0.state) }, uniquingKeysWith: { $1 })
        for row in resumedRows where !rest.contains(row.key) {
            if before[row.key] == row.state {
                throw CheckFailed("resuming from page \(middle)'s cursor sent \(row.key) again, unchanged, from before the cursor")
            }
        }
        let after = try await context.client.sync(token: context.tokenA, since: pages.last!.cursor)
            .success(SyncBatch.self, "GET /v1/sync from the last cursor")
        for row in after.rows where seen[row.key]?.state == row.state {
            throw CheckFailed("after the last cursor the server sent \(row.key) again, unchanged")
        }
        return "resumed from page \(middle) of \(pages.count): \(resumedKeys.count) rows, none missing, none repeated"
    }

    static func order(_ context: ConformanceContext) async throws -> String {
        let full = try await context.requireFullPull()
        var sequences: [(String, [SyncBatch])] = [("one-batch pull", full)]
        if let (limit, pages) = context.pagedPull { sequences.append(("pull with limit=\(limit)", pages)) }
        var compared = 0
        for (label, pages) in sequences {
            // A patient's text message never changes after it is stored, so its change-log entry keeps the order
            // of insertion, which is the order of message ids (§6).
            var lastMessage: [Int64: Int64] = [:]
            var versions: [Int64: Int64] = [:]
            for (index, page) in pages.enumerated() {
                for message in page.messages where message.direction == .inbound && message.author == .patient && message.media == nil {
                    if let previous = lastMessage[message.conversationId] {
                        compared += 1
                        try require(message.id > previous, "\(label), page \(index + 1): message \(message.id) of conversation "
                                    + "\(message.conversationId) came after message \(previous), out of change-log order")
                    }
                    lastMessage[message.conversationId] = message.id
                }
                for conversation in page.conversations {
                    if let previous = versions[conversation.id] {
                        try require(conversation.version > previous, "\(label), page \(index + 1): conversation \(conversation.id) "
                                    + "came back at version \(conversation.version) after version \(previous)")
                    }
                    versions[conversation.id] = conversation.version
                }
            }
        }
        try require(compared > 0, "nothing to compare: no conversation has two text messages from its patient (seed with --seed-twilio)")
        return "\(compared) pairs of patient messages in id order; no conversation version went back"
    }

    static func garbageCursor(_ context: ConformanceContext) async throws -> String {
        let cursors = ["garbage", "a.b.c", "x.-1", "conformance-\(UUID().uuidString.lowercased())"]
        for cursor in cursors {
            try await context.client.sync(token: context.tokenA, since: cursor).expect(410, "cursor_reset", "since=\(cursor)")
        }
        return "\(cursors.count) made-up cursors answered 410 cursor_reset"
    }

    static func foreignCursor(_ context: ConformanceContext) async throws -> String {
        let cursor = try await context.currentCursor(context.tokenA)
        guard let dot = cursor.lastIndex(of: "."), let seq = Int64(cursor[cursor.index(after: dot)...]),
              !cursor[..<dot].isEmpty else {
            return "not applicable: the cursor \(cursor) is not <epoch>.<seq>, so there is no epoch to change (it is opaque to clients)"
        }
        let epoch = String(cursor[..<dot])
        var other = epoch
        while other == epoch { other = String((0..<max(epoch.count, 4)).map { _ in "0123456789abcdefghijklmnopqrstuvwxyz".randomElement()! }) }
        try await context.client.sync(token: context.tokenA, since: "\(other).\(seq)")
            .expect(410, "cursor_reset", "a cursor of another epoch (\(other).\(seq))")
        try await context.client.sync(token: context.tokenA, since: "\(epoch).\(seq + 1_000_000_000_000)")
            .expect(410, "cursor_reset", "a cursor beyond the server's history (\(epoch).\(seq + 1_000_000_000_000))")
        _ = try await context.client.sync(token: context.tokenA, since: cursor).success(SyncBatch.self, "the real cursor \(cursor)")
        return "another epoch and a seq beyond the history answered 410 cursor_reset; the real cursor \(cursor) 200"
    }
}

extension Duration {
    var millis: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
