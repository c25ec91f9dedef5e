import Foundation
import InboxModel

/// The refusals of docs/protocol.md §3, §7.1 and §13, and the order the server checks a command in (§7.1).
/// Every command here goes to a conversation id that does not exist, so a server that wrongly accepts one changes
/// nothing (it should answer 404 instead, which fails the check).
enum ErrorChecks {
    static let all: [ConformanceCheck] = [
        ConformanceCheck(name: "errors.unauthorized", area: "errors", mutates: false,
                         summary: "no Authorization header, another scheme, an empty or an unknown token: 401 unauthorized "
                             + "on /v1/me, /v1/sync and commands; the token is checked before anything else", run: unauthorized),
        ConformanceCheck(name: "errors.unknown-route", area: "errors", mutates: false,
                         summary: "an unknown path, or a known path with the wrong method: 404 with an empty body "
                             + "(an ErrorBody not_found, or 405 method_not_allowed for a wrong method, is accepted too)",
                         run: unknownRoute),
        ConformanceCheck(name: "errors.command-id", area: "errors", mutates: false,
                         summary: "a conversation id that is not an int64: 404 not_found, before the Idempotency-Key is looked at",
                         run: commandID),
        ConformanceCheck(name: "errors.idempotency-key", area: "errors", mutates: false,
                         summary: "Idempotency-Key missing, empty or over 255 bytes: 400 missing_idempotency_key, before the body",
                         run: idempotencyKey),
        ConformanceCheck(name: "errors.too-large", area: "errors", mutates: false,
                         summary: "a command body over 64 KiB: 413 too_large, before the JSON is read", run: tooLarge),
        ConformanceCheck(name: "errors.malformed-body", area: "errors", mutates: false,
                         summary: "a body that is not a JSON CommandRequest: 400 malformed_body", run: malformedBody),
        ConformanceCheck(name: "errors.invalid-command", area: "errors", mutates: false,
                         summary: "an unknown action, or reply/transfer/read without their field: 400 invalid_command, "
                             + "before the conversation is looked up; unknown fields are ignored", run: invalidCommand),
        ConformanceCheck(name: "errors.unknown-conversation", area: "errors", mutates: false,
                         summary: "a conversation that does not exist: 404 not_found, for an empty body and for {}",
                         run: unknownConversation),
        ConformanceCheck(name: "errors.sync-parameters", area: "errors", mutates: false,
                         summary: "out-of-range timeout/limit values are clamped, never refused (limit=0 counts as 1); values that are "
                             + "not integers are read as the defaults, or refused with 400 invalid_parameter",
                         run: syncParameters),
    ]

    static func unauthorized(_ context: ConformanceContext) async throws -> String {
        let client = context.client
        let headers: [(String, [(name: String, value: String)])] = [
            ("no Authorization header", []), ("Basic scheme", [("Authorization", "Basic \(Data("a:b".utf8).base64EncodedString())")]),
            ("an empty bearer token", [("Authorization", "Bearer ")]),
            ("an unknown token", [("Authorization", "Bearer conformance-unknown-\(UUID().uuidString.lowercased())")]),
        ]
        var tried = 0
        for (what, auth) in headers {
            for (method, path) in [("GET", "/v1/me"), ("GET", "/v1/sync?timeout=0"), ("POST", "/v1/conversations/not-a-number/takeover")] {
                var all = auth
                if method == "POST" { all += [("Idempotency-Key", ConformanceClient.newKey())] }
                let answer = try await client.send(method, path, headers: all, body: method == "POST" ? Array("{}".utf8) : nil)
                try answer.expect(401, "unauthorized", "\(method) \(path) with \(what)")
                tried += 1
            }
        }
        return "\(tried) requests without a valid token answered 401 unauthorized (a bad id does not come first)"
    }

    /// docs/protocol.md §1 says 404 with an empty body for both; an `ErrorBody` `not_found`, and `405
    /// method_not_allowed` for a known path's wrong method, are accepted too (the client treats both the same).
    static func unknownRoute(_ context: ConformanceContext) async throws -> String {
        let token = ConformanceClient.bearer(context.tokenA)
        let paths: [(String, String, [(name: String, value: String)])] = [
            ("GET", "/conformance-no-such-path", []), ("GET", "/v1/conformance-no-such-path", token),
            ("POST", "/v1/conversations/1/conformance/extra", token),
        ]
        for (method, path, headers) in paths {
            let answer = try await context.client.send(method, path, headers: headers)
            try require(answer.status == 404 && (answer.body.isEmpty || answer.errorBody?.error == "not_found"),
                        "\(method) \(path): expected HTTP 404 (empty body), got \(answer.summary)")
        }
        let methods: [(String, String)] = [("GET", "/v1/conversations/1/takeover"), ("DELETE", "/v1/sync"), ("POST", "/v1/me")]
        for (method, path) in methods {
            let answer = try await context.client.send(method, path, headers: token)
            try require((answer.status == 404 && (answer.body.isEmpty || answer.errorBody?.error == "not_found"))
                        || (answer.status == 405 && answer.errorBody?.error == "method_not_allowed"),
                        "\(method) \(path) (a known path, the wrong method): expected HTTP 404, got \(answer.summary)")
        }
        return "\(paths.count) unknown paths answered 404, \(methods.count) wrong methods on known paths 404 or 405"
    }

    static func commandID(_ context: ConformanceContext) async throws -> String {
        for id in ["not-a-number", "1.5", "99999999999999999999"] {
            let answer = try await context.client.command("takeover", id, token: context.tokenA, key: nil)
            try answer.expect(404, "not_found", "POST /v1/conversations/\(id)/takeover without a key")
        }
        return "ids that are not int64 answered 404 not_found, even without an Idempotency-Key"
    }

    static func idempotencyKey(_ context: ConformanceContext) async throws -> String {
        let id = String(context.unknownConversation)
        let client = context.client
        try await client.command("takeover", id, token: context.tokenA, key: nil)
            .expect(400, "missing_idempotency_key", "a command without Idempotency-Key")
        try await client.command("takeover", id, token: context.tokenA, key: "")
            .expect(400, "missing_idempotency_key", "a command with an empty Idempotency-Key")
        try await client.command("takeover", id, token: context.tokenA, key: String(repeating: "k", count: 256))
            .expect(400, "missing_idempotency_key", "a command with a 256-byte Idempotency-Key")
        try await client.command("takeover", id, token: context.tokenA, key: nil, body: "{not json")
            .expect(400, "missing_idempotency_key", "a command without a key and with a malformed body")
        let longest = try await client.command("takeover", id, token: context.tokenA, key: UUID().uuidString.lowercased()
                                                   + String(repeating: "k", count: 219))
        try require(longest.errorBody?.error != "missing_idempotency_key",
                    "a 255-byte Idempotency-Key is allowed, but got \(longest.summary)")
        return "missing, empty and 256-byte keys answered 400 missing_idempotency_key; 255 bytes is accepted"
    }

    static func tooLarge(_ context: ConformanceContext) async throws -> String {
        let id = String(context.unknownConversation)
        let json = #"{"body":""# + String(repeating: "x", count: 65_536) + #""}"#
        try await context.client.command("reply", id, token: context.tokenA, key: ConformanceClient.newKey(), body: json)
            .expect(413, "too_large", "a reply body of \(json.utf8.count) bytes")
        try await context.client.command("reply", id, token: context.tokenA, key: ConformanceClient.newKey(),
                                         body: String(repeating: "{", count: 70_000))
            .expect(413, "too_large", "70,000 bytes that are not JSON (size is checked first)")
        return "bodies over 64 KiB answered 413 too_large, JSON or not"
    }

    static func malformedBody(_ context: ConformanceContext) async throws -> String {
        let id = String(context.unknownConversation)
        let bodies = ["{not json", "[]", "\"takeover\"", #"{"messageId":"seven"}"#, #"{"body":5}"#, #"{"agentId":1.5}"#]
        for body in bodies {
            try await context.client.command("takeover", id, token: context.tokenA, key: ConformanceClient.newKey(), body: body)
                .expect(400, "malformed_body", "takeover with the body \(body)")
        }
        return "\(bodies.count) bodies that are not a CommandRequest answered 400 malformed_body"
    }

    static func invalidCommand(_ context: ConformanceContext) async throws -> String {
        let id = String(context.unknownConversation)
        let cases = [("conformance-no-such-action", "{}"), ("reply", "{}"), ("transfer", "{}"), ("read", "{}"),
                     ("transfer", #"{"body":"x"}"#)]
        for (action, body) in cases {
            try await context.client.command(action, id, token: context.tokenA, key: ConformanceClient.newKey(), body: body)
                .expect(400, "invalid_command", "\(action) with \(body) on a conversation that does not exist")
        }
        try await context.client.command("takeover", id, token: context.tokenA, key: ConformanceClient.newKey(),
                                         body: #"{"conformanceUnknownField":true}"#)
            .expect(404, "not_found", "takeover with an unknown field (ignored) on a conversation that does not exist")
        return "an unknown action and missing fields answered 400 invalid_command before the lookup; unknown fields are ignored"
    }

    static func unknownConversation(_ context: ConformanceContext) async throws -> String {
        let id = context.unknownConversation
        let known = try await context.requireFullPull().latest.conversations.contains { $0.id == id }
        try require(!known, "conversation \(id) exists in A's clinic; run again (the id is random)")
        for body in ["", "{}"] {
            try await context.client.command("takeover", String(id), token: context.tokenA, key: ConformanceClient.newKey(), body: body)
                .expect(404, "not_found", "takeover of conversation \(id) (body \(body.isEmpty ? "empty" : body))")
        }
        return "conversation \(id) answered 404 not_found"
    }

    static func syncParameters(_ context: ConformanceContext) async throws -> String {
        let client = context.client
        for query in ["timeout=-5&limit=-3", "timeout=0&limit=99999999", "timeout=0&since="] {
            let answer = try await client.sync(token: context.tokenA, since: nil, query: query)
            _ = try answer.success(SyncBatch.self, "GET /v1/sync?\(query)")
        }
        // docs/protocol.md §5.1 reads a value that is not an integer as the default; the openapi.yaml being written
        // refuses it with 400 invalid_parameter. Either is accepted until the two agree; anything else is not.
        var refused = false
        for query in ["timeout=abc", "limit=xyz"] {
            let answer = try await client.sync(token: context.tokenA, since: nil, query: query)
            if answer.status == 400 && answer.errorBody?.error == "invalid_parameter" {
                refused = true
            } else {
                _ = try answer.success(SyncBatch.self, "GET /v1/sync?\(query) (expected 200, or 400 invalid_parameter)")
            }
        }
        let everything = try await context.requireFullPull()
        let rows = everything.reduce(0) { $0 + $1.changeCount }
        let one = try await client.sync(token: context.tokenA, since: nil, query: "timeout=0&limit=0")
            .success(SyncBatch.self, "GET /v1/sync?limit=0")
        try require(one.changeCount <= 1, "limit=0 counts as 1, but the batch carried \(one.changeCount) rows")
        if rows >= 2 { try require(one.more, "limit=0 (as 1) with \(rows) rows to send must say more: true") }
        let empty = try await client.sync(token: context.tokenA, since: nil, query: "timeout=0&since=").success(SyncBatch.self, "since=")
        let fromStart = try await client.sync(token: context.tokenA, since: nil).success(SyncBatch.self, "no since")
        // Rows are only ever added or moved later, so a later pull from the start holds every row of an earlier one
        // (unless a limit cut either short).
        let missing = Set(empty.rows.map(\.key)).subtracting(fromStart.rows.map(\.key))
        try require(empty.more || fromStart.more || missing.isEmpty,
                    "an empty since must start from the beginning like no since, but it carried \(missing.sorted().first ?? "")")
        try require(!empty.isEmpty || fromStart.isEmpty, "an empty since answered an empty batch; without since there are rows")
        return "out-of-range timeout/limit were clamped; values that are not integers were "
            + (refused ? "refused with 400 invalid_parameter" : "read as the defaults")
            + "; limit=0 gave \(one.changeCount) row; an empty since starts over"
    }
}
