import Foundation
import Hummingbird
import InboxModel

/// `/v1/admin/appointments`: a clinic's own system pushes appointments, lists and cancels them. Authenticated like
/// every `/v1` route, by an agent's bearer token, and only an admin's (`inbox agent add --admin`): other
/// agents get 403. The clinic is the admin's own; no request reaches another clinic's appointments.
struct AppointmentRoutes: Sendable {
    let store: any InboxStore
    /// Wall-clock times without an offset are the clinic's local time in this zone (`INBOX_TIME_ZONE`).
    let timeZone: TimeZone
    let maxBytes: Int
    let onAdded: @Sendable () async -> Void

    /// A push holds at most this many appointments (a day's list of a large clinic fits many times over).
    static let maxPerRequest = 1_000

    func register(on routes: RouterGroup<AgentRequestContext>) {
        routes.post("/admin/appointments") { request, context in try await add(request, context) }
        routes.get("/admin/appointments") { request, context in try await list(request, context) }
        routes.post("/admin/appointments/:id/cancel") { _, context in try await cancel(context) }
    }

    private func admin(_ context: AgentRequestContext) throws -> AuthenticatedAgent {
        let agent = try context.agent
        guard agent.agent.role == .admin else {
            throw APIError(.forbidden, "forbidden", "Only an admin's token may manage appointments.")
        }
        return agent
    }

    struct PushBody: Codable {
        var appointments: [AppointmentRequest]
    }

    func add(_ request: Request, _ context: AgentRequestContext) async throws -> Response {
        let agent = try admin(context)
        let body = try await request.bytes(upTo: maxBytes)
        guard let push = try? JSONDecoder().decode(PushBody.self, from: Data(body)) else {
            throw APIError(.badRequest, "malformed_body", "The body must be {\"appointments\": [{phone, name, time, doctor, template}, …]}.")
        }
        guard push.appointments.count <= Self.maxPerRequest else {
            throw APIError(.contentTooLarge, "too_many", "At most \(Self.maxPerRequest) appointments per request.")
        }
        var lines = [AppointmentImportResult.Line?](repeating: nil, count: push.appointments.count)
        var valid: [(index: Int, appointment: NewAppointment)] = []
        for (index, item) in push.appointments.enumerated() {
            switch AppointmentInput.resolve(item, timeZone: timeZone) {
            case .success(let appointment): valid.append((index, appointment))
            case .failure(let error): lines[index] = .init(id: nil, created: false, error: error.message)
            }
        }
        let stored = try await store.addAppointments(valid.map(\.appointment), clinic: agent.clinicName)
        for (entry, line) in zip(valid, stored) { lines[entry.index] = line }
        if stored.contains(where: \.created) { await onAdded() }
        return Response.json(.ok, Array(try JSONEncoder().encode(AppointmentImportResult(lines: lines.map { $0! }))))
    }

    func list(_ request: Request, _ context: AgentRequestContext) async throws -> Response {
        let agent = try admin(context)
        let fromText = request.uri.queryParameters.get("from")
        let from: Millis
        if let fromText {
            guard let value = Millis(fromText) else {
                throw APIError(.badRequest, "invalid_parameter", "from must be milliseconds since 1970.")
            }
            from = value
        } else {
            from = 0
        }
        let listing = try await store.appointments(clinic: agent.clinicName, from: from)
        return Response.json(.ok, Array(try JSONEncoder().encode(AppointmentList(appointments: listing))))
    }

    func cancel(_ context: AgentRequestContext) async throws -> Response {
        let agent = try admin(context)
        guard let id = context.parameters.get("id", as: Int64.self),
              let appointment = try await store.cancelAppointment(id: id, clinic: agent.clinicName) else {
            throw APIError(.notFound, "not_found", "No such appointment.")
        }
        return Response.json(.ok, Array(try JSONEncoder().encode(appointment)))
    }
}

/// `GET /v1/admin/appointments`' answer.
public struct AppointmentList: Codable, Sendable {
    public var appointments: [AppointmentListing]
}
