import CurlHTTP
import Foundation
import InboxModel

/// One HTTP answer, as the checks look at it.
struct Answer: Sendable {
    var status: Int
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The `error` code of an `ErrorBody`, if the body is one.
    var errorBody: ErrorBody? { try? JSONDecoder().decode(ErrorBody.self, from: Data(body)) }

    /// "HTTP 409 conflict" or "HTTP 200": how a reason names an answer.
    var summary: String {
        if let code = errorBody?.error { return "HTTP \(status) \(code)" }
        let shown = text.count > 80 ? String(text.prefix(80)) + "…" : text
        return "HTTP \(status)" + (shown.isEmpty ? " (empty body)" : " \(shown)")
    }

    func decode<T: Decodable>(_ type: T.Type, _ what: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(body))
        } catch {
            throw CheckFailed("\(what): HTTP \(status) is not a \(type) the client can decode (\(error))")
        }
    }

    /// Requires exactly this status and `ErrorBody.error` code.
    func expect(_ status: Int, _ code: String, _ what: String) throws {
        guard self.status == status, errorBody?.error == code else {
            throw CheckFailed("\(what): expected HTTP \(status) \(code), got \(summary)")
        }
    }

    /// Requires a 2xx answer that decodes as `T`.
    func success<T: Decodable>(_ type: T.Type, _ what: String) throws -> T {
        guard (200..<300).contains(status) else { throw CheckFailed("\(what): expected HTTP 200, got \(summary)") }
        return try decode(type, what)
    }
}

/// The requests the checks send: everything through `CurlHTTP.HTTPClient`, as the terminal sends them.
struct ConformanceClient: Sendable {
    /// The server's base URL without a trailing slash.
    let base: String

    init(server: String) {
        base = server.hasSuffix("/") ? String(server.dropLast()) : server
    }

    func send(_ method: String, _ path: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil,
              timeout: Double = 30) async throws -> Answer {
        do {
            let response = try await HTTPClient.shared.send(HTTPClient.Request(method: method, url: base + path, headers: headers,
                                                                              body: body, timeout: timeout,
                                                                              maxResponseBytes: 256 << 20))
            return Answer(status: response.status, body: response.body)
        } catch {
            throw CheckFailed("\(method) \(path): no HTTP answer (\(error))")
        }
    }

    static func bearer(_ token: String) -> [(name: String, value: String)] { [("Authorization", "Bearer \(token)")] }

    func get(_ path: String, token: String?, timeout: Double = 30) async throws -> Answer {
        try await send("GET", path, headers: token.map(Self.bearer) ?? [], timeout: timeout)
    }

    /// `POST /v1/conversations/{id}/{action}` with exactly these body bytes.
    func command(_ action: String, _ conversation: String, token: String, key: String?, body: String = "{}") async throws -> Answer {
        var headers = Self.bearer(token) + [("Content-Type", "application/json")]
        if let key { headers.append(("Idempotency-Key", key)) }
        return try await send("POST", "/v1/conversations/\(conversation)/\(action)", headers: headers, body: Array(body.utf8))
    }

    func command(_ action: String, _ conversation: Int64, token: String, key: String = Self.newKey(),
                 body: String = "{}") async throws -> Answer {
        try await command(action, String(conversation), token: token, key: key, body: body)
    }

    /// A fresh key as the terminal makes them: a lowercase UUIDv4.
    static func newKey() -> String { UUID().uuidString.lowercased() }

    /// `GET /v1/sync`. `query` is appended as it is (for deliberately odd parameters).
    func sync(token: String, since: String?, timeout: Int = 0, limit: Int? = nil, query: String? = nil) async throws -> Answer {
        var parameters = ["timeout=\(timeout)"]
        if let limit { parameters.append("limit=\(limit)") }
        if let since { parameters.append("since=\(Self.escape(since))") }
        if let query { parameters = [query] }
        return try await get("/v1/sync?" + parameters.joined(separator: "&"), token: token, timeout: Double(timeout) / 1000 + 30)
    }

    /// A cursor is opaque: percent-encode everything but unreserved characters, as the client does.
    static func escape(_ value: String) -> String {
        FormEncoding.escape(value).replacingOccurrences(of: "+", with: "%20")
    }

    /// Pulls from `since` until `more` is false; every page, in order. Stops with a failure past `maxPages`.
    func pull(token: String, since: String? = nil, limit: Int = ProtocolLimits.maxBatchLimit,
              maxPages: Int = 10_000) async throws -> [SyncBatch] {
        var pages: [SyncBatch] = []
        var cursor = since
        while true {
            let answer = try await sync(token: token, since: cursor, limit: limit)
            let page = try answer.success(SyncBatch.self, "GET /v1/sync (page \(pages.count + 1))")
            pages.append(page)
            guard page.more else { return pages }
            guard pages.count < maxPages else {
                throw CheckFailed("GET /v1/sync still said more: true after \(maxPages) pages of limit \(limit)")
            }
            cursor = page.cursor
        }
    }
}

/// One synced row, named by kind and key, with its state as canonical JSON (so two copies can be compared).
struct SyncedRow: Equatable {
    var key: String
    var state: Data
}

extension SyncBatch {
    /// Every row of the batch, arrays in the protocol's order.
    var rows: [SyncedRow] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        func row<T: Encodable>(_ key: String, _ value: T) -> SyncedRow {
            SyncedRow(key: key, state: (try? encoder.encode(value)) ?? Data())
        }
        return agents.map { row("agent \($0.id)", $0) } + patients.map { row("patient \($0.id)", $0) }
            + conversations.map { row("conversation \($0.id)", $0) } + messages.map { row("message \($0.id)", $0) }
            + readHorizons.map { row("read horizon \($0.agentId)/\($0.conversationId)", $0) }
            + channels.map { row("channel \($0.clinicNumber)", $0) } + templates.map { row("template \($0.id)", $0) }
            + erasures.map { row("erasure \($0.patientId)", $0) }
    }
}

extension [SyncBatch] {
    /// The newest state of every row these pages carried (later pages win).
    var latest: SyncBatch {
        var conversations: [Int64: Conversation] = [:]
        var messages: [Int64: Message] = [:]
        var patients: [Int64: Patient] = [:]
        var agents: [Int64: Agent] = [:]
        var channels: [String: ChannelHealth] = [:]
        for page in self {
            for row in page.conversations { conversations[row.id] = row }
            for row in page.messages { messages[row.id] = row }
            for row in page.patients { patients[row.id] = row }
            for row in page.agents { agents[row.id] = row }
            for row in page.channels { channels[row.clinicNumber] = row }
        }
        return SyncBatch(cursor: last?.cursor ?? "", agents: agents.values.sorted { $0.id < $1.id },
                         patients: patients.values.sorted { $0.id < $1.id },
                         conversations: conversations.values.sorted { $0.id < $1.id },
                         messages: messages.values.sorted { $0.id < $1.id }, channels: channels.values.map { $0 })
    }
}
