import CurlHTTP
import Foundation
import InboxModel

/// The sync protocol's client side (docs/protocol.md): long-poll for changes, send commands.
public struct ServerAPI: Sendable {
    public var server: String
    public var token: String
    let http: HTTPClient

    public init(server: String, token: String, http: HTTPClient = .shared) {
        var server = server
        while server.hasSuffix("/") { server.removeLast() }
        self.server = server
        self.token = token
        self.http = http
    }

    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// No HTTP answer; worth retrying.
        case unreachable(String)
        /// The token was refused.
        case unauthorized
        /// The server forgot our cursor: reset and sync from scratch.
        case cursorReset
        /// The server answered with an error (4xx refusals are final for that request; 5xx are retried).
        case server(status: Int, body: ErrorBody)

        public var description: String {
            switch self {
            case .unreachable(let reason): "server unreachable: \(reason)"
            case .unauthorized: "the server refused this agent's token"
            case .cursorReset: "the server asked for a full re-sync"
            case .server(let status, let body): "\(body.message) (HTTP \(status))"
            }
        }

        public var isRetryable: Bool {
            switch self {
            // An unauthorized command is not refused by the clinic: the token may be renewed and it goes out then.
            case .unreachable, .unauthorized: true
            case .server(let status, _): status >= 500 || status == 429
            case .cursorReset: false
            }
        }
    }

    public func whoAmI() async throws(Failure) -> WhoAmI {
        try decode(WhoAmI.self, from: try await send(HTTPClient.Request(url: server + "/v1/me", headers: auth, timeout: 15)))
    }

    /// Changes after `cursor`, waiting up to `wait` for the first one.
    /// With `presence` (the roster stamp last seen, "" at first) the answer carries the clinic's presence roster and
    /// a held poll also ends when the roster changes.
    public func changes(since cursor: String?, wait: Duration, limit: Int = ProtocolLimits.defaultBatchLimit,
                        presence: String? = nil) async throws(Failure) -> SyncBatch {
        let millis = wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000
        var url = server + "/v1/sync?timeout=\(millis)&limit=\(limit)"
        if let cursor { url += "&since=" + FormEncoding.escape(cursor) }
        if let presence { url += "&presence=" + FormEncoding.escape(presence) }
        // The transfer may take as long as the wait the server was asked to hold, plus slack for the answer.
        let request = HTTPClient.Request(url: url, headers: auth, timeout: Double(millis) / 1000 + 30)
        let response = try await send(request)
        // A catch-up decodes a million messages: the hand-written reader first, `JSONDecoder` for anything it leaves.
        if let batch = SyncBatchReader.decode(response.body) { return batch }
        return try decode(SyncBatch.self, from: response)
    }

    /// The result is nil when the server accepted the command but its answer could not be read: the command
    /// happened, and its rows arrive through sync.
    public func send(_ command: Command, conversationId: Int64, key: String) async throws(Failure) -> CommandResult? {
        // Sorted keys: a retry under the same Idempotency-Key must be the same bytes (the server hashes the raw
        // body), and JSONEncoder's key order is not stable across encodes for bodies with several keys.
        let body = (try? Self.commandEncoder.encode(command.requestBody)).map(Array.init) ?? []
        let request = HTTPClient.Request(method: "POST", url: server + "/v1/conversations/\(conversationId)/\(command.action)",
                                         headers: auth + [("Idempotency-Key", key), ("Content-Type", "application/json")],
                                         body: body, timeout: 30)
        let response = try await send(request)
        return try? decode(CommandResult.self, from: response)
    }

    /// Tells the clinic what this terminal shows (`POST /v1/presence`).
    public func reportPresence(_ report: PresenceReport) async throws(Failure) {
        let body = (try? JSONEncoder().encode(report)).map(Array.init) ?? []
        _ = try await send(HTTPClient.Request(method: "POST", url: server + "/v1/presence",
                                              headers: auth + [("Content-Type", "application/json")], body: body, timeout: 5))
    }

    /// Leaves the roster at once (`DELETE /v1/presence`), rather than when the last report expires.
    public func leavePresence(timeout: Double = 2) async throws(Failure) {
        _ = try await send(HTTPClient.Request(method: "DELETE", url: server + "/v1/presence", headers: auth, timeout: timeout))
    }

    /// A message's attachment as the server keeps it: the bytes and their type.
    public func attachment(messageId: Int64, maxBytes: Int = 256 << 20) async throws(Failure) -> (bytes: [UInt8], mimeType: String?) {
        let request = HTTPClient.Request(url: server + "/v1/messages/\(messageId)/media", headers: auth, timeout: 300,
                                         maxResponseBytes: maxBytes)
        let response = try await send(request)
        return (response.body, response.headers["content-type"])
    }

    /// Uploads a file for a later `sendMedia` command; the server checks its size and that its bytes match the type.
    public func upload(_ bytes: [UInt8], mimeType: String) async throws(Failure) -> UploadedMedia {
        let request = HTTPClient.Request(method: "POST", url: server + "/v1/media",
                                         headers: auth + [("Content-Type", mimeType)], body: bytes, timeout: 300)
        return try decode(UploadedMedia.self, from: try await send(request))
    }

    static var commandEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }

    private var auth: [(name: String, value: String)] { [("Authorization", "Bearer \(token)")] }

    private func send(_ request: HTTPClient.Request) async throws(Failure) -> HTTPClient.Response {
        let response: HTTPClient.Response
        do {
            response = try await http.send(request)
        } catch {
            throw .unreachable("\(error)")
        }
        switch response.status {
        case 200..<300: return response
        case 401: throw .unauthorized
        case 410: throw .cursorReset
        default:
            let body = (try? JSONDecoder().decode(ErrorBody.self, from: Data(response.body)))
                ?? ErrorBody(error: "http_\(response.status)", message: "The server answered HTTP \(response.status).")
            throw .server(status: response.status, body: body)
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, from response: HTTPClient.Response) throws(Failure) -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(response.body))
        } catch {
            throw .server(status: response.status, body: ErrorBody(error: "bad_response", message: "The server's answer could not be read."))
        }
    }
}
