/// A returning patient's history: their earlier conversations are paged in from the mirror above the open one,
/// one conversation per page, the most recent first: the first when the conversation opens, the next each time
/// the agent scrolls to the top of what is loaded.
extension AppState {
    /// Asks for the next older conversation when the patient has one that is not loaded and none is on its way.
    mutating func loadEarlierConversationIfWanted() -> [Effect] {
        guard var open = conversation, let detail = open.detail, !open.historyLoading,
              open.history.count < detail.earlierConversations else { return [] }
        open.historyLoading = true
        conversation = open
        let before = open.history.first?.conversation.id ?? detail.conversation.id
        return [.loadEarlierConversation(conversationId: open.id, patientId: detail.conversation.patientId, before: before)]
    }

    mutating func historyLoaded(conversationId: Int64, _ page: EarlierConversation?) -> [Effect] {
        guard var open = conversation, open.id == conversationId else { return [] }  // the agent moved on
        open.historyLoading = false
        if let page, !open.history.contains(where: { $0.id == page.id }) {
            open.history.insert(page, at: 0)
        } else if page == nil, let detail = open.detail {
            // The mirror has fewer than it counted (a cursor reset emptied it meanwhile): stop asking.
            var shorter = detail
            shorter.earlierConversations = open.history.count
            open.detail = shorter
        }
        conversation = open
        return []
    }

    /// Scrolling reached the top of what is loaded: bring in the next older conversation.
    mutating func loadEarlierConversationAtTop() -> [Effect] {
        guard let open = conversation, open.detail != nil else { return [] }
        let atTop: Bool
        switch open.scroll {
        case .latest: atTop = measure.conversationMaxScroll == 0
        case .linesFromBottom(let lines): atTop = lines >= measure.conversationMaxScroll
        case .message: atTop = false
        }
        return atTop ? loadEarlierConversationIfWanted() : []
    }
}
