import Foundation
import InboxModel

/// What the checks share: the server, the three tokens, who they belong to, and the conversations to work on.
/// Used by one task at a time (the runner's), in check order.
final class ConformanceContext {
    let client: ConformanceClient
    /// Agent A and agent B of one clinic, and an agent of another clinic.
    let tokenA: String
    let tokenB: String
    let foreignToken: String
    let seed: TwilioSeed?
    /// Take-over races to run (each: both agents at once, then the winner hands back).
    let races: Int

    struct Identities { var a: WhoAmI; var b: WhoAmI; var foreign: WhoAmI }
    struct Conversations { var race: Conversation; var spare: Conversation }

    var identities: Identities?
    var conversations: Conversations?
    /// A's everything, pulled with the largest limit, and the same again page by page with a small one.
    var fullPull: [SyncBatch]?
    var pagedPull: (limit: Int, pages: [SyncBatch])?
    /// No conversation has this id in A's clinic (checked against A's pull before it is used).
    let unknownConversation: Int64 = 9_000_000_000_000_000_000 + Int64.random(in: 0..<1_000_000)

    init(client: ConformanceClient, tokenA: String, tokenB: String, foreignToken: String, seed: TwilioSeed?, races: Int) {
        self.client = client
        self.tokenA = tokenA
        self.tokenB = tokenB
        self.foreignToken = foreignToken
        self.seed = seed
        self.races = races
    }

    func requireIdentities() throws -> Identities {
        guard let identities else { throw CheckFailed("needs the three tokens (see the `tokens` check)") }
        return identities
    }

    func requireConversations() throws -> Conversations {
        guard let conversations else {
            throw CheckFailed("needs two open conversations not held by anyone (see the `conversations` check)")
        }
        return conversations
    }

    /// A's everything, pulled once and kept.
    func requireFullPull() async throws -> [SyncBatch] {
        if let fullPull { return fullPull }
        let pages = try await client.pull(token: tokenA)
        fullPull = pages
        return pages
    }

    /// The cursor after everything `token` can see now.
    func currentCursor(_ token: String) async throws -> String {
        let pages = try await client.pull(token: token)
        return pages.last?.cursor ?? ""
    }

    /// The current state of one of A's conversations, through sync from the beginning.
    func conversation(_ id: Int64, token: String) async throws -> Conversation? {
        try await client.pull(token: token).latest.conversations.first { $0.id == id }
    }
}
