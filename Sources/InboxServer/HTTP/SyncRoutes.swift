import Foundation
import HTTPTypes
import Hummingbird
import InboxModel

/// `GET /v1/sync` (long-poll), `GET /v1/me` and `POST /v1/conversations/{id}/{action}`.
///
/// A class: the route closures hold it, and a struct of these fields was copied (a retain each) into every request.
final class SyncRoutes: Sendable {
    let store: any InboxStore
    let notifier: any ChangeNotifier
    let epoch: String
    let configuration: ServerConfiguration
    let onReply: @Sendable () async -> Void
    /// The answers long-polls woken by one commit share (see `SharedAnswers`).
    let sharedAnswers = SharedAnswers()
    /// The presence rosters those polls share (see `SharedRosters`).
    let sharedRosters = SharedRosters()

    init(store: any InboxStore, notifier: any ChangeNotifier, epoch: String, configuration: ServerConfiguration,
         onReply: @escaping @Sendable () async -> Void) {
        self.store = store
        self.notifier = notifier
        self.epoch = epoch
        self.configuration = configuration
        self.onReply = onReply
    }

    /// On the authenticated `/v1` group.
    func register(on routes: RouterGroup<AgentRequestContext>) {
        routes.get("/me") { [self] _, context in
            let agent = try context.agent
            return Response.json(.ok, try encode(WhoAmI(agent: agent.agent, clinic: agent.clinicName)))
        }
        routes.get("/sync") { [self] request, context in try await sync(request, context) }
        routes.post("/conversations/:id/:action") { [self] request, context in try await command(request, context) }
    }

    /// Answers at once when there are changes after the cursor; otherwise holds the request until the clinic's
    /// next commit or the timeout. A token revoked or rotated meanwhile gets 401, held request included: the server
    /// wakes the clinic's long-polls when its agents change (`AdministrationWatcher`), and each checks again.
    func sync(_ request: Request, _ context: AgentRequestContext) async throws -> Response {
        let agent = try context.agent
        let query = request.uri.queryParameters
        // Any integer is clamped into range; anything else is refused rather than silently read as the default.
        let wait = min(max(0, try integer(query.get("timeout"), named: "timeout") ?? 0), ProtocolLimits.maxWaitMillis)
        let limit = Int(min(max(1, try integer(query.get("limit"), named: "limit") ?? Int64(ProtocolLimits.defaultBatchLimit)),
                            Int64(ProtocolLimits.maxBatchLimit)))
        // After the parameters: a request that is malformed gets 400 whatever its cursor.
        let since = try parseCursor(query.get("since"))
        // Clients that show presence send the roster stamp they have (empty at first): the answer carries the
        // roster, and a held poll also ends when the roster no longer matches it.
        let presenceStamp = query.get("presence")
        let store = self.store
        func roster(at generation: UInt64) async throws -> PresenceRoster? {
            guard presenceStamp != nil else { return nil }
            return try await sharedRosters.roster(clinicId: agent.clinicId, generation: generation) {
                try await store.presenceRoster(clinicId: agent.clinicId, now: Millis(Date().timeIntervalSince1970 * 1000))
            }
        }

        let deadline = ContinuousClock.now + .milliseconds(wait)
        var generation = notifier.generation(clinicId: agent.clinicId)
        // After reading the generation: a revocation committed before this point is seen here, one after it wakes us.
        try await context.reauthenticate(store)
        var answer = try await self.answer(for: agent, after: since, limit: limit, generation: generation)
        var presence = try await roster(at: generation)
        // A wake-up with nothing new for this cursor (e.g. the server noticing an agent change) waits on; each
        // wake-up checks the token again first. Shutdown and cancellation end the wait with whatever there is.
        while answer.lastSeq == since, presence == nil || presence?.stamp == presenceStamp {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero,
                  await notifier.wait(clinicId: agent.clinicId, after: generation, timeout: remaining) else { break }
            generation = notifier.generation(clinicId: agent.clinicId)
            try await context.reauthenticate(store)
            answer = try await self.answer(for: agent, after: since, limit: limit, generation: generation)
            presence = try await roster(at: generation)
        }
        // The buffer is shared between the polls given the same answer, not copied. The roster is the clinic's, not
        // the page's: it is spliced into the shared bytes rather than making every poll encode its page again.
        guard let presence else {
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: answer.body))
        }
        return Response(status: .ok, headers: [.contentType: "application/json"],
                        body: ResponseBody(byteBuffer: try Self.splice(presence: presence, into: answer.body)))
    }

    /// `{…}` + the roster → `{…,"presence":{…}}`. The shared page is a JSON object encoded without `presence`.
    static func splice(presence: PresenceRoster, into page: ByteBuffer) throws -> ByteBuffer {
        let roster = try JSONEncoder().encode(presence)
        var body = ByteBuffer()
        body.reserveCapacity(page.readableBytes + roster.count + 12)
        var object = page
        object.moveWriterIndex(to: object.writerIndex - 1)  // the closing brace
        let empty = object.readableBytes == 1  // just "{"
        body.writeBuffer(&object)
        body.writeString(empty ? "\"presence\":" : ",\"presence\":")
        body.writeBytes(roster)
        body.writeString("}")
        return body
    }

    /// The page after `since` as it stands at `generation`: the same bytes for every poll of the clinic asking the
    /// same (`SharedAnswers`). A page with read changes in it is read again by each poll for its agent's own
    /// horizons; agents with none there still get the shared bytes.
    func answer(for agent: AuthenticatedAgent, after since: Int64, limit: Int, generation: UInt64) async throws -> SharedAnswers.Answer {
        let key = SharedAnswers.Key(clinicId: agent.clinicId, after: since, limit: limit)
        let shared = try await sharedAnswers.answer(for: key, generation: generation) { [self] in
            var page = try await page(for: agent, after: since, limit: limit)
            page.batch.readHorizons = []  // the reader's own: not for the others
            return SharedAnswers.Answer(body: ByteBuffer(bytes: try SyncPageWriter.encode(page.batch)), lastSeq: page.lastSeq,
                                        hasReadChanges: page.hasReadChanges)
        }
        guard shared.hasReadChanges else { return shared }
        let own = try await page(for: agent, after: since, limit: limit)
        if own.batch.readHorizons.isEmpty && own.lastSeq == shared.lastSeq { return shared }
        return SharedAnswers.Answer(body: ByteBuffer(bytes: try SyncPageWriter.encode(own.batch)), lastSeq: own.lastSeq, hasReadChanges: true)
    }

    /// The agent's page after `since`, with its cursor (and the agent's own read horizons, when the page has any).
    func page(for agent: AuthenticatedAgent, after since: Int64, limit: Int) async throws -> ChangePage {
        var page = try await store.changes(for: agent, after: since, limit: limit)
        if since > page.latestSeq {
            throw APIError(.gone, "cursor_reset", "This cursor is not from this server's history: start again without one.")
        }
        page.batch.cursor = "\(epoch).\(page.lastSeq)"
        return page
    }

    /// A query parameter that must be an int64 when given.
    func integer(_ value: String?, named name: String) throws -> Int64? {
        guard let value else { return nil }
        guard let number = Int64(value) else {
            throw APIError(.badRequest, "invalid_parameter", "\(name) must be an integer.")
        }
        return number
    }

    /// Cursors are `<epoch>.<seq>`; one from another database (a restore, a rebuilt server) is refused with 410.
    func parseCursor(_ cursor: String?) throws -> Int64 {
        guard let cursor, !cursor.isEmpty else { return 0 }
        let parts = cursor.split(separator: ".")
        guard parts.count == 2, let seq = Int64(parts[1]), seq >= 0 else {
            throw APIError(.gone, "cursor_reset", "Unknown cursor: start again without one.")
        }
        guard parts[0] == epoch else {
            throw APIError(.gone, "cursor_reset", "This cursor belongs to another server database: start again without one.")
        }
        return seq
    }

    func command(_ request: Request, _ context: AgentRequestContext) async throws -> Response {
        let agent = try context.agent
        guard let id = context.parameters.get("id", as: Int64.self), let action = context.parameters.get("action") else {
            throw APIError(.notFound, "not_found", "No such command.")
        }
        guard let key = request.headers[.idempotencyKey], !key.isEmpty, key.utf8.count <= 255 else {
            throw APIError(.badRequest, "missing_idempotency_key", "Commands need an Idempotency-Key header (1–255 characters).")
        }
        let body = try await request.bytes(upTo: configuration.maxCommandBytes)
        let parsed: CommandRequest
        do {
            parsed = body.isEmpty ? CommandRequest() : try JSONDecoder().decode(CommandRequest.self, from: Data(body))
        } catch {
            throw APIError(.badRequest, "malformed_body", "The body is not a valid command request.")
        }
        guard let command = Command(action: action, request: parsed) else {
            throw APIError(.badRequest, "invalid_command", "Unknown action, or a field it needs is missing.")
        }
        // Over the raw bytes: a replay must be the very same request, byte for byte.
        let requestHash = Hashing.sha256Hex(Array("\(action) \(id) ".utf8) + body)
        let stored = try await store.execute(command, conversationId: id, by: agent, key: key, requestHash: requestHash)
        if stored.status == 200, command.createsMessage { await onReply() }
        return Response.json(.init(code: stored.status), stored.body)
    }

    func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        Array(try JSONEncoder().encode(value))
    }
}
