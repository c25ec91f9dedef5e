/// Who else is at the desk: which conversation each agent has open, whether they are typing, and whether they are
/// at their terminal at all (docs/protocol.md, "Presence").
///
/// Presence is deliberately not data: the server keeps it in memory (SQLite) or in an unlogged table (PostgreSQL),
/// never in the change log, never in a mirror, never beside patient rows. It names a conversation by id only and is
/// only ever shown to agents of the same clinic. A client that vanishes without saying goodbye drops out when its
/// last report expires (`PresenceRules.timeout`).

/// `POST /v1/presence`: what this terminal shows its agent right now.
public struct PresenceReport: Codable, Sendable, Equatable, Hashable {
    /// The conversation open in the middle pane, if any.
    public var conversationId: Int64?
    /// The agent typed in that conversation's composer in the last few seconds.
    public var typing: Bool
    /// No key pressed for a while: the agent is probably away from the desk.
    public var away: Bool

    public init(conversationId: Int64? = nil, typing: Bool = false, away: Bool = false) {
        self.conversationId = conversationId
        self.typing = typing && conversationId != nil
        self.away = away
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        conversationId = try c.decodeIfPresent(Int64.self, forKey: .conversationId)
        typing = (try c.decodeIfPresent(Bool.self, forKey: .typing) ?? false) && conversationId != nil
        away = try c.decodeIfPresent(Bool.self, forKey: .away) ?? false
    }
}

/// One agent's entry in the clinic roster.
public struct AgentPresence: Codable, Sendable, Equatable, Hashable {
    public enum State: String, Codable, Sendable, Hashable {
        case online, away
    }

    public var agentId: Int64
    public var state: State
    public var conversationId: Int64?
    public var typing: Bool

    public init(agentId: Int64, state: State, conversationId: Int64? = nil, typing: Bool = false) {
        self.agentId = agentId
        self.state = state
        self.conversationId = conversationId
        self.typing = typing
    }

    public init(agentId: Int64, report: PresenceReport) {
        self.init(agentId: agentId, state: report.away ? .away : .online, conversationId: report.conversationId,
                  typing: report.typing)
    }
}

/// The clinic's live presence, in a sync answer when the client asked for it (`presence=<stamp>`). Agents not
/// listed are offline.
public struct PresenceRoster: Codable, Sendable, Equatable {
    /// Names this exact roster: send it back as `presence` and the server holds the poll until the roster (or the
    /// data) differs. Derived from the content alone, so every server instance computes the same one.
    public var stamp: String
    public var agents: [AgentPresence]

    public init(agents: [AgentPresence]) {
        self.agents = agents.sorted { $0.agentId < $1.agentId }
        stamp = PresenceRules.stamp(self.agents)
    }

    public static let empty = PresenceRoster(agents: [])

    public func entry(for agentId: Int64) -> AgentPresence? { agents.first { $0.agentId == agentId } }

    /// Colleagues (not `me`) with `conversationId` open, typists first.
    public func viewers(of conversationId: Int64, excluding me: Int64) -> [AgentPresence] {
        agents.filter { $0.conversationId == conversationId && $0.agentId != me }
            .sorted { ($0.typing ? 0 : 1, $0.agentId) < ($1.typing ? 0 : 1, $1.agentId) }
    }
}

/// The numbers and decisions of presence, shared by server and client.
public enum PresenceRules {
    /// A report lives this long unless renewed; a client that vanished drops out of the roster after it.
    public static let timeout: Millis = 15_000
    /// How often a client renews an unchanged report (well inside `timeout`, so one lost heartbeat is harmless).
    public static let heartbeat: Millis = 5_000
    /// A typing mark lasts this long after the last key in the composer.
    public static let typingLinger: Millis = 4_000
    /// No key for this long reports the agent away.
    public static let awayAfter: Millis = 5 * 60_000
    /// A client changing state faster than this has its reports coalesced: presence is a cheap call, not a stream.
    public static let minimumInterval: Millis = 200
    /// The server's per-agent allowance (reports in `window`), above which it answers 429.
    public static let allowance = 20
    public static let window: Millis = 5_000

    /// FNV-1a over the sorted entries: stable across processes and instances (Swift's `hashValue` is seeded).
    public static func stamp(_ entries: [AgentPresence]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ value: Int64) {
            for shift in stride(from: 0, to: 64, by: 8) {
                let byte = UInt8(truncatingIfNeeded: UInt64(bitPattern: value) >> UInt64(shift))
                hash ^= UInt64(byte)
                hash &*= 0x100_0000_01b3
            }
        }
        for entry in entries {
            mix(entry.agentId)
            mix(entry.state == .online ? 1 : 2)
            mix(entry.conversationId ?? -1)
            mix(entry.typing ? 1 : 0)
        }
        return "p" + String(hash, radix: 36)
    }

    /// What a terminal reports, from what it shows and when its agent last pressed a key or typed.
    public static func report(openConversation: Int64?, lastTypedAt: Millis?, lastKeyAt: Millis, now: Millis) -> PresenceReport {
        let typing = lastTypedAt.map { now - $0 < typingLinger } ?? false
        return PresenceReport(conversationId: openConversation, typing: typing, away: now - lastKeyAt >= awayAfter)
    }
}

/// Per-agent rate limiting of presence reports (a sliding count per window), kept by each server instance.
public struct PresenceAllowance: Sendable {
    private var windows: [Int64: (start: Millis, count: Int)] = [:]

    public init() {}

    /// Whether this agent's report at `now` is within its allowance (and counts it).
    public mutating func admit(agentId: Int64, now: Millis) -> Bool {
        var window = windows[agentId] ?? (now, 0)
        if now - window.start >= PresenceRules.window { window = (now, 0) }
        window.count += 1
        windows[agentId] = window
        if windows.count > 10_000 { windows = windows.filter { now - $0.value.start < PresenceRules.window } }
        return window.count <= PresenceRules.allowance
    }
}
