import InboxModel
import Testing
@testable import InboxTUI

@Suite("Returning patient's history in the reducer")
struct HistoryReducerTests {
    static func earlier(_ id: Int64) -> EarlierConversation {
        EarlierConversation(conversation: Fixtures.conversation(id, status: .closed),
                            messages: [Message(id: id * 100, conversationId: id, direction: .inbound, author: .patient,
                                               body: "visit \(id)", status: .delivered, createdAt: Fixtures.now - id)])
    }

    @Test("the newest earlier conversation loads on open; older ones one at a time as the agent scrolls to the top")
    func pagesOnScrollUp() {
        var detail = Fixtures.deliveryDetail
        detail.earlierConversations = 2
        var state = Fixtures.state(width: 120, height: 40)
        _ = reduce(&state, .switchTab(.mine))
        _ = reduce(&state, .queueLoaded(tab: .mine, rows: [QueueRow(conversation: detail.conversation, patientName: "Ana",
                                                                       patientPhone: "", unread: 0)], counts: Fixtures.counts))
        _ = reduce(&state, .openSelected)
        let opened = reduce(&state, .conversationLoaded(detail))
        let first = Effect.loadEarlierConversation(conversationId: 11, patientId: 11, before: 11)
        #expect(opened.contains(first))
        #expect(reduce(&state, .conversationLoaded(detail)).allSatisfy { $0 != first }, "one request at a time")

        _ = reduce(&state, .historyLoaded(conversationId: 11, Self.earlier(9)))
        #expect(state.conversation?.history.map(\.id) == [9])
        // Not at the top yet: scrolling up inside what is loaded asks for nothing.
        _ = reduce(&state, .measured(ViewMeasure(conversationScroll: 0, conversationMaxScroll: 30, conversationPage: 20)))
        #expect(reduce(&state, .moveSelection(-1)).isEmpty)
        // At the top: the next older conversation, before the oldest loaded.
        #expect(reduce(&state, .jumpToTop) == [.loadEarlierConversation(conversationId: 11, patientId: 11, before: 9)])
        _ = reduce(&state, .historyLoaded(conversationId: 11, Self.earlier(4)))
        #expect(state.conversation?.history.map(\.id) == [4, 9], "oldest first")
        #expect(reduce(&state, .pageUp).isEmpty, "both loaded: nothing more to ask for")
    }

    @Test("a page for a conversation the agent has left is dropped")
    func stalePageDropped() {
        var state = Fixtures.openState(Fixtures.deliveryDetail, width: 120, height: 40)
        _ = reduce(&state, .historyLoaded(conversationId: 99, Self.earlier(9)))
        #expect(state.conversation?.history.isEmpty == true)
    }
}
