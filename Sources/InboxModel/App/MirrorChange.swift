/// What a change to the mirror touched, so the runner reads again only those parts (see `Action.mirrorChanged`).
public struct MirrorChange: OptionSet, Sendable, Equatable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let agents = MirrorChange(rawValue: 1 << 0)
    public static let channels = MirrorChange(rawValue: 1 << 1)
    public static let conversations = MirrorChange(rawValue: 1 << 2)
    /// Whatever may have changed: after local writes, a sign-in, or when the cause is not known.
    public static let everything: MirrorChange = [.agents, .channels, .conversations]

    /// What a sync batch touched.
    public init(_ batch: SyncBatch) {
        self = []
        if !batch.agents.isEmpty { insert(.agents) }
        if !batch.channels.isEmpty { insert(.channels) }
        if !batch.conversations.isEmpty || !batch.erasures.isEmpty { insert(.conversations) }
    }
}
