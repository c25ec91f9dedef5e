/// What the screens say about colleagues' presence, from `AppState.presence` (pure; no I/O).
extension AppState {
    /// "Ben is typing…", "Ben is viewing", "Ben and Sara are viewing" for the open conversation, or nil.
    public func presenceLine(for conversationId: Int64) -> String? {
        let others = presence?.viewers(of: conversationId, excluding: me.id) ?? []
        guard !others.isEmpty else { return nil }
        let typists = others.filter(\.typing).map { agentName($0.agentId) }
        let viewers = others.filter { !$0.typing }.map { agentName($0.agentId) }
        var parts: [String] = []
        if !typists.isEmpty { parts.append("\(Self.names(typists)) \(typists.count == 1 ? "is" : "are") typing…") }
        if !viewers.isEmpty { parts.append("\(Self.names(viewers)) \(viewers.count == 1 ? "is" : "are") viewing") }
        return parts.joined(separator: "; ")
    }

    /// The queue row's mark: ✎ when a colleague types in it, ◉ when one has it open, nil otherwise.
    public func presenceMark(for conversationId: Int64) -> Character? {
        let others = presence?.viewers(of: conversationId, excluding: me.id) ?? []
        if others.contains(where: \.typing) { return "✎" }
        return others.isEmpty ? nil : "◉"
    }

    /// The clinic's roster for the status line: each active colleague online, away or offline.
    public var teamRoster: [(agent: Agent, state: RosterState)] {
        guard let presence else { return [] }  // an older server: no roster rather than everyone "offline"
        return agents.filter { $0.active && $0.id != me.id }.map { agent -> (agent: Agent, state: RosterState) in
            let state: RosterState = switch presence.entry(for: agent.id)?.state {
            case .online: .online
            case .away: .away
            case nil: .offline
            }
            return (agent: agent, state: state)
        }
    }

    /// "2 online · 1 away" for the status line (offline colleagues are the rest).
    public var rosterSummary: String? {
        let roster = teamRoster
        guard !roster.isEmpty else { return nil }
        let online = roster.filter { $0.state == .online }.count
        let away = roster.filter { $0.state == .away }.count
        var text = "Team: \(online) online"
        if away > 0 { text += " · \(away) away" }
        return text
    }

    static func names(_ names: [String]) -> String {
        switch names.count {
        case 0: ""
        case 1: names[0]
        default: names.dropLast().joined(separator: ", ") + " and " + names.last!
        }
    }
}

public enum RosterState: String, Sendable, Equatable {
    case online, away, offline
}
