/// The outbox seen from the agent's side: giving up on refused commands, and who the terminal acts for.
extension AppState {
    /// `D`: the open conversation's refused commands are discarded (each leaves the outbox, so the failure count
    /// drops when the runner re-reads it). Commands still on their way are never touched.
    mutating func discardFailed() -> [Effect] {
        guard let detail = conversation?.detail else { fail("Open a conversation first"); return [] }
        let failed = detail.outbox.filter { $0.state == .failed }
        guard !failed.isEmpty else {
            inform("Nothing to discard: no refused command in this conversation")
            return []
        }
        inform(failed.count == 1 ? "Discarded the refused \(Self.describe(failed[0].command))"
                                 : "Discarded \(failed.count) refused commands", about: detail.conversation.id)
        return failed.map { .discard(key: $0.key) }
    }

    /// The token turned out to be someone else's than the mirror's last agent: act as them from now on. What was
    /// on screen was the previous agent's view, so it is closed and reloaded.
    mutating func signedIn(as agent: Agent, clinic: String) -> [Effect] {
        guard agent != me || clinic != self.clinic else { return [] }
        let switched = agent.id != me.id
        me = agent
        self.clinic = clinic
        setAgents(agents.filter { $0.id != agent.id } + [agent])
        guard switched else { return [] }
        conversation = nil
        overlay = nil
        focus = .queue
        queue = QueueState()
        inform("Signed in as \(agent.name)")
        return [.loadQueue(queue.tab), .loadAgents]
    }

    private static func describe(_ command: Command) -> String {
        switch command {
        case .reply: "reply"
        case .sendTemplate: "template"
        case .sendMedia: "file"
        case .takeOver: "take-over"
        case .handBack: "hand-back"
        case .close: "close"
        case .transfer: "transfer"
        case .markRead: "read mark"
        default: "command"
        }
    }
}
