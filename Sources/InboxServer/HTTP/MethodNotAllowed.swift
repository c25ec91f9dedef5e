import HTTPTypes
import Hummingbird
import Logging

/// What the router answers besides its routes (docs/openapi.yaml, "Methods and unknown paths"):
/// - a path it serves, asked with a method it does not serve: `405 method_not_allowed` with `Allow`;
/// - `OPTIONS` on a path it serves: `204` with `Allow`;
/// - `HEAD` wherever `GET` is served (the router's `autoGenerateHeadEndpoints`);
/// - a path it does not serve: `404 not_found`, in the API's JSON error shape like every other refusal.
extension Router {
    /// The methods answered with 405 where a path does not serve them (QUERY is the draft safe method with a body).
    static var unservedMethods: [HTTPRequest.Method] {
        [.get, .head, .post, .put, .delete, .patch, .trace, .query]
    }

    /// Call once every route is registered: each path then answers the methods it does not serve with 405
    /// (checked before authentication: the method is wrong whoever asks) and `OPTIONS` with its `Allow`.
    func answerUnservedMethods() {
        var served: [String: (path: RouterPath, methods: Set<HTTPRequest.Method>)] = [:]
        for route in routes {
            served[route.path.description, default: (route.path, [])].methods.insert(route.method)
        }
        // scripts/schemathesis.sh reads this to check that every route served is in docs/openapi.yaml.
        Logger(label: "inbox.server").debug("routes: \(routes.map { "\($0.method) \($0.path)" }.sorted().joined(separator: ", "))")
        for (path, methods) in served.values {
            var allowed = methods
            if allowed.contains(.get) { allowed.insert(.head) }
            allowed.insert(.options)
            let allow = Self.allowHeader(allowed)
            if !methods.contains(.options) {
                on(path, method: .options) { _, _ in
                    Response(status: .noContent, headers: [.allow: allow])
                }
            }
            for method in Self.unservedMethods where !allowed.contains(method) {
                on(path, method: method) { request, _ -> Response in
                    throw APIError(.methodNotAllowed, "method_not_allowed",
                                   "\(request.method.rawValue) is not served here; use \(allow).", headers: [.allow: allow])
                }
            }
        }
    }

    static func allowHeader(_ methods: Set<HTTPRequest.Method>) -> String {
        let order: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options]
        return (order.filter(methods.contains) + methods.subtracting(order).sorted { $0.rawValue < $1.rawValue })
            .map(\.rawValue).joined(separator: ", ")
    }
}

/// Hummingbird answers a path no route serves with an empty 404; this gives it the API's `ErrorBody`. Add it to
/// the router first: the router's own not-found answer passes through every router middleware.
struct NotFoundAsErrorBody<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            throw APIError(.notFound, "not_found", "No such path.")
        }
    }
}
