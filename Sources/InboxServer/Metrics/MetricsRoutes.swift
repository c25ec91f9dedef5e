import GRDB
import Hummingbird
import Logging
import ServiceLifecycle

/// Counts provider webhooks by provider (from the path) and outcome (from the answer's status). A router
/// middleware, so the webhook routes themselves need no metrics code; add it before they are registered.
struct WebhookMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let provider = Self.provider(ofPath: request.uri.path) else { return try await next(request, context) }
        do {
            let response = try await next(request, context)
            ServerMetrics.webhook(provider: provider, outcome: Self.outcome(response.status))
            return response
        } catch {
            ServerMetrics.webhook(provider: provider,
                                  outcome: Self.outcome((error as? any HTTPResponseError)?.status ?? .internalServerError))
            throw error
        }
    }

    /// Only the known provider names become label values: a label never carries request text.
    static func provider(ofPath path: String) -> String? {
        guard path.hasPrefix("/webhooks/") else { return nil }  // most requests: no split
        let parts = path.split(separator: "/")
        guard parts.count >= 2, parts[0] == "webhooks", ["twilio", "meta", "waha", "gupshup"].contains(parts[1]) else { return nil }
        return String(parts[1])
    }

    static func outcome(_ status: HTTPResponse.Status) -> String {
        switch status.code {
        case 200..<300: "accepted"
        case 401, 403: "forbidden"
        case 404: "not_found"
        case 413: "too_large"
        case 400..<500: "rejected"
        default: "error"
        }
    }
}

/// `GET /metrics`: the Prometheus text exposition, with this server's queue depths and held long-polls.
struct MetricsRoutes: Sendable {
    let store: any InboxStore
    let notifier: any ChangeNotifier

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/metrics") { _, _ in try await scrape() }
    }

    func scrape() async throws -> Response {
        let depths = try await store.queueDepths()
        let held = notifier.waitingCount
        let text = ServerMetrics.exposition(.init(longPollsHeld: held, outboxDepth: depths.outbox, deadLetters: depths.deadLetters))
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: text)))
    }
}

extension MetricsRoutes {
    /// `/metrics` alone on its own listener, e.g. 127.0.0.1 for a local Prometheus while the main port is public.
    func application(host: String, port: Int, logger: Logger) -> any Service {
        let router = Router(context: BasicRequestContext.self)
        register(on: router)
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "inbox-metrics"),
                           logger: logger)
    }
}
