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
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw APIError.unauthorized
        }
        let token = header.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
        let tokenHash = Hashing.sha256Hex(Data(token.utf8))
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
