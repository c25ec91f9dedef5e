import Foundation
import HTTPTypes
import Hummingbird
import InboxModel
import Logging
import ServiceLifecycle
import Synchronization

/// `POST /v1/presence` (report) and `DELETE /v1/presence` (leave): a cheap call, rate-limited per agent, that never
/// touches the change log. What changed reaches the clinic's agents in their next sync answer (`presence=`).
final class PresenceRoutes: Sendable {
    let store: any InboxStore
    let timeout: Millis
    let clock: @Sendable () -> Millis
    private let allowance = Mutex(PresenceAllowance())
    static let maxBodyBytes = 1 << 10

    init(store: any InboxStore, timeout: Millis,
         clock: @escaping @Sendable () -> Millis = { Millis(Date().timeIntervalSince1970 * 1000) }) {
        self.store = store
        self.timeout = timeout
        self.clock = clock
    }

    func register(on routes: RouterGroup<AgentRequestContext>) {
        routes.post("/presence") { [self] request, context in try await report(request, context) }
        routes.delete("/presence") { [store] _, context in
            _ = try await store.clearPresence(agent: try context.agent)
            return Response(status: .noContent)
        }
    }

    func report(_ request: Request, _ context: AgentRequestContext) async throws -> Response {
        let agent = try context.agent
        let now = clock()
        guard allowance.withLock({ $0.admit(agentId: agent.agent.id, now: now) }) else {
            throw APIError(.tooManyRequests, "rate_limited",
                           "Presence is reported at most \(PresenceRules.allowance) times in \(PresenceRules.window / 1000) s.",
                           headers: [.retryAfter: "1"])
        }
        let body = try await request.bytes(upTo: Self.maxBodyBytes)
        let report: PresenceReport
        do {
            report = body.isEmpty ? PresenceReport() : try JSONDecoder().decode(PresenceReport.self, from: Data(body))
        } catch {
            throw APIError(.badRequest, "malformed_body", "The body is not a valid presence report.")
        }
        _ = try await store.reportPresence(report, agent: agent, expiresAt: now + timeout)
        return Response(status: .noContent)
    }
}

/// Ends the presence of clients that vanished without leaving: every second, expired reports are dropped and the
/// clinics they were in are woken, so colleagues' marks disappear within the timeout (plus a second).
struct PresenceSweeper: Service {
    let store: any InboxStore
    let logger: Logger
    var period: Duration = .seconds(1)
    var clock: @Sendable () -> Millis = { Millis(Date().timeIntervalSince1970 * 1000) }

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    _ = try await store.expirePresence(now: clock())
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("presence sweep failed: \(error)")
                }
                try await Task.sleep(for: period)
            }
        }
    }
}
