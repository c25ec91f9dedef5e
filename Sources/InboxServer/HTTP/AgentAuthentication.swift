import Foundation
import Hummingbird
import InboxModel

/// The context of every agent route (`/v1/…`): who the bearer token belongs to. `AgentAuthentication` fills it in
/// before any handler runs, so handlers never parse tokens themselves.
public struct AgentRequestContext: ChildRequestContext {
    public typealias ParentContext = BasicRequestContext
    public var coreContext: CoreRequestContextStorage
    var credential: Credential?

    struct Credential: Sendable {
        var agent: AuthenticatedAgent
        /// Kept to check again later: a held long-poll must not outlive its token.
        var tokenHash: String
    }

    public init(context: BasicRequestContext) throws {
        coreContext = context.coreContext
    }

    /// The authenticated agent; only unset on a route registered outside the authenticated group (a bug: 401).
    var agent: AuthenticatedAgent {
        get throws {
            guard let credential else { throw APIError.unauthorized }
            return credential.agent
        }
    }

    /// Whether the token still belongs to an active agent (it may have been revoked or rotated since the request
    /// came in); throws 401 when it does not.
    func reauthenticate(_ store: any InboxStore) async throws {
        guard let credential, try await store.authenticate(tokenHash: credential.tokenHash) != nil else {
            throw APIError.unauthorized
        }
    }
}

/// Answers 401 unless the request carries `Authorization: Bearer <token>` of an active agent; otherwise puts the
/// agent into the request context.
struct AgentAuthentication: RouterMiddleware {
    typealias Context = AgentRequestContext
    let store: any InboxStore

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        // The scheme in any case (RFC 9110), then optional spaces or tabs around the token. Checked by hand: every
        // long-poll passes here, and Foundation's `trimmingCharacters` was 3.7 % of a wake-up's CPU.
        guard let header = request.headers[.authorization], header.utf8.count > 7,
              header.prefix(7).lowercased() == "bearer " else {
            throw APIError.unauthorized
        }
        var token = header.dropFirst(7)
        while token.first == " " || token.first == "\t" { token.removeFirst() }
        while token.last == " " || token.last == "\t" { token.removeLast() }
        let tokenHash = Hashing.sha256Hex(Array(token.utf8))
        guard !token.isEmpty, let agent = try await store.authenticate(tokenHash: tokenHash) else {
            throw APIError.unauthorized
        }
        var context = context
        context.credential = .init(agent: agent, tokenHash: tokenHash)
        return try await next(request, context)
    }
}

extension Router<BasicRequestContext> {
    /// The group every agent route goes in: `/v1/…`, authenticated by bearer token.
    func agentRoutes(store: any InboxStore) -> RouterGroup<AgentRequestContext> {
        group("/v1", context: AgentRequestContext.self).add(middleware: AgentAuthentication(store: store))
    }
}
