import Foundation
import InboxModel
@testable import InboxTUI
import SyncEngine
import Testing

/// Catch-up progress: from the sync answers' `remaining` to the status line, the reducer's throttled re-reads and
/// `inbox sync --once`'s bar.
@Suite struct CatchUpTests {
    static func batch(changes: Int, remaining: Int?, more: Bool = true) -> SyncBatch {
        let messages = (0..<changes).map {
            Message(id: Int64($0), conversationId: 1, direction: .inbound, author: .patient, body: "", status: .delivered, createdAt: 0)
        }
        return SyncBatch(cursor: "c", more: more, messages: messages, remaining: remaining)
    }

    @Test func trackerCountsDoneAgainstWhatTheServerSaysIsLeft() throws {
        var tracker = CatchUpTracker()
        let afterFirst = tracker.stored(Self.batch(changes: 100, remaining: 900), now: 10_000)
        let first = try #require(afterFirst)
        #expect(first.done == 100 && first.total == 1_000 && first.percent == 10)
        let afterSecond = tracker.stored(Self.batch(changes: 350, remaining: 550), now: 12_000)
        let second = try #require(afterSecond)
        #expect(second.done == 450 && second.total == 1_000 && second.startedAt == 10_000)
        #expect(second.secondsLeft == 3)  // 450 changes in 2 s, 550 to go
        #expect(tracker.stored(Self.batch(changes: 550, remaining: nil, more: false), now: 13_000) == nil)
        #expect(tracker.progress == nil)
        // An older server sends no count: no progress, never a wrong one.
        #expect(tracker.stored(Self.batch(changes: 10, remaining: nil), now: 14_000) == nil)
    }

    @Test func summaryReadsAsTheStatusLineSaysIt() {
        let progress = CatchUpProgress(done: 450_000, total: 1_000_000, startedAt: 0, updatedAt: 9_000)
        #expect(progress.summary == "Catching up: 45 % (450,000 of 1,000,000), about 11 s left")
        let starting = CatchUpProgress(done: 1_000, total: 1_000_000, startedAt: 0, updatedAt: 200)
        #expect(starting.summary == "Catching up: 0 % (1,000 of 1,000,000)")  // no estimate from 0.1 % in 0.2 s
    }

    @Test func statusLineShowsProgressWhileCatchingUp() {
        var state = Fixtures.state(width: 140, height: 30)
        _ = reduce(&state, .connectionChanged(.online))
        _ = reduce(&state, .catchingUp(CatchUpProgress(done: 450_000, total: 1_000_000, startedAt: 0, updatedAt: 20_000)))
        var line = ScreenSnapshotTests().render(state).row(28).map(\.text).joined()
        #expect(line.contains("online · Catching up: 45 % (450,000 of 1,000,000), about 25 s left · all sent"))
        _ = reduce(&state, .catchingUp(nil))
        line = ScreenSnapshotTests().render(state).row(28).map(\.text).joined()
        #expect(!line.contains("Catching up"))
    }

    @Test func whileCatchingUpTheMirrorIsReReadAtMostOnceASecond() {
        var state = Fixtures.state(width: 120, height: 30)
        #expect(reduce(&state, .mirrorChanged(.conversations)).contains(.loadQueue(.waiting)))  // not catching up
        _ = reduce(&state, .catchingUp(CatchUpProgress(done: 10, total: 100, startedAt: Fixtures.now, updatedAt: Fixtures.now)))
        _ = reduce(&state, .tick(Fixtures.now + 1_000))
        #expect(reduce(&state, .mirrorChanged(.conversations)).contains(.loadQueue(.waiting)))  // a second since the last
        #expect(reduce(&state, .mirrorChanged(.agents)).isEmpty)  // deferred
        #expect(reduce(&state, .mirrorChanged(.conversations)).isEmpty)
        #expect(state.deferredMirrorChange == [.agents, .conversations])
        #expect(!reduce(&state, .tick(Fixtures.now + 1_500)).contains(.loadQueue(.waiting)))
        let flushed = reduce(&state, .tick(Fixtures.now + 2_000))
        #expect(flushed.contains(.loadQueue(.waiting)) && flushed.contains(.loadAgents) && flushed.contains(.loadStrandedDrafts))
        #expect(state.deferredMirrorChange.isEmpty)
        // Caught up: what the last batches touched is read at once.
        #expect(reduce(&state, .mirrorChanged(.channels)).isEmpty)
        let done = reduce(&state, .catchingUp(nil))
        #expect(done.contains(.loadQueue(.waiting)) && done.contains(.loadChannels))
        #expect(reduce(&state, .mirrorChanged(.conversations)).contains(.loadQueue(.waiting)))
    }

    @Test func syncOnceDrawsABarOnATerminalAndTenLinesOtherwise() {
        var terminal = CatchUpReporter(isTerminal: true, width: 10)
        let half = CatchUpProgress(done: 500, total: 1_000, startedAt: 0, updatedAt: 0)
        #expect(terminal.text(for: half) == "\r[#####-----] Catching up: 50 % (500 of 1,000)\u{1B}[K")
        #expect(terminal.text(for: nil) == "\n")

        var plain = CatchUpReporter(isTerminal: false)
        var lines: [String] = []
        for done in stride(from: 0, through: 1_000, by: 25) {
            if let text = plain.text(for: CatchUpProgress(done: done, total: 1_000, startedAt: 0, updatedAt: 100)) { lines.append(text) }
        }
        #expect(plain.text(for: nil) == nil)
        #expect(lines.count == 11)  // 0 %, 10 %, … 100 %
        #expect(lines.allSatisfy { $0.hasPrefix("Catching up: ") && $0.hasSuffix("\n") && !$0.contains("\u{1B}") })
    }

    @Test func remainingIsOptionalOnTheWire() throws {
        let old = try JSONDecoder().decode(SyncBatch.self, from: Data(#"{"cursor":"x","more":true}"#.utf8))
        #expect(old.remaining == nil)
        let new = try JSONDecoder().decode(SyncBatch.self, from: Data(#"{"cursor":"x","more":true,"remaining":42}"#.utf8))
        #expect(new.remaining == 42)
        let encoded = String(decoding: try JSONEncoder().encode(SyncBatch(cursor: "x")), as: UTF8.self)
        #expect(!encoded.contains("remaining"))
    }
}

/// The first frame reads only a screenful of the queue (`complete: false`); the whole tab follows at once.
@Suite struct FirstFrameQueueTests {
    @Test func aPartialQueueShowsTheTabsLengthUntilTheWholeTabArrives() {
        var state = Fixtures.state(width: 120, height: 30)
        let rows = Fixtures.waitingRows
        _ = reduce(&state, .queueLoaded(tab: .waiting, rows: Array(rows.prefix(2)), counts: QueueCounts(waiting: 5_000),
                                        complete: false))
        #expect(!state.queue.isComplete)
        #expect(QueuePane.positionLabel(state) == " 1/5000 ")
        _ = reduce(&state, .queueLoaded(tab: .waiting, rows: rows, counts: QueueCounts(waiting: rows.count)))
        #expect(state.queue.isComplete)
        #expect(QueuePane.positionLabel(state) == " 1/\(rows.count) ")
    }
}
