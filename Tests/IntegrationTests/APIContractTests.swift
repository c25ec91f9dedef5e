import CurlHTTP
import Foundation
import InboxServer
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What docs/openapi.yaml promises that schemathesis (scripts/schemathesis.sh) found the server breaking: methods a
/// path does not serve, unknown paths, the bearer scheme in any case, `/v1/sync` parameters that are not integers,
/// and provider timestamps too large for milliseconds (they crashed the server).
@Suite("API contract")
struct APIContractTests {
    func send(_ server: TestServer, _ method: String, _ path: String, token: String? = nil) async throws -> HTTPClient.Response {
        try await HTTPClient.shared.send(HTTPClient.Request(
            method: method, url: server.baseURL + path, headers: token.map { [("Authorization", "Bearer \($0)")] } ?? []))
    }

    func error(_ response: HTTPClient.Response) -> String? {
        (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])?["error"] as? String
    }

    @Test("a method a path does not serve is 405 with Allow, before authentication; OPTIONS is 204 with Allow")
    func methodNotAllowed() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        for (method, path, allow) in [("TRACE", "/v1/me", "GET, HEAD, OPTIONS"), ("POST", "/v1/sync", "GET, HEAD, OPTIONS"),
                                      ("DELETE", "/healthz", "GET, HEAD, OPTIONS"), ("PUT", "/v1/media", "POST, OPTIONS"),
                                      ("GET", "/v1/conversations/1/reply", "POST, OPTIONS"),
                                      ("PATCH", "/webhooks/twilio", "POST, OPTIONS"),
                                      ("DELETE", "/webhooks/meta", "GET, HEAD, POST, OPTIONS"),
                                      ("POST", "/media/1/abc", "GET, HEAD, OPTIONS")] {
            let response = try await send(server, method, path)
            #expect(response.status == 405, "\(method) \(path)")
            #expect(response.headers["allow"] == allow, "\(method) \(path)")
            #expect(response.headers["content-type"] == "application/json")
            #expect(error(response) == "method_not_allowed", "\(method) \(path)")
        }
        let options = try await send(server, "OPTIONS", "/v1/conversations/7/close")
        #expect(options.status == 204)
        #expect(options.headers["allow"] == "POST, OPTIONS")
    }

    @Test("HEAD is answered wherever GET is, without a body")
    func head() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let socket = try RawSocket.connect(port: server.port)
        defer { close(socket) }
        RawSocket.send(socket, "HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let answer = RawSocket.readToEnd(socket).text
        #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer)")
        #expect(!answer.hasSuffix("ok"))
    }

    @Test("an unknown path is 404 with an ErrorBody, not an empty body")
    func unknownPath() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        for path in ["/nowhere", "/v1/nothing", "/media/1"] {
            let response = try await send(server, "GET", path)
            #expect(response.status == 404, "\(path)")
            #expect(response.headers["content-type"] == "application/json")
            #expect(error(response) == "not_found", "\(path)")
        }
    }

    @Test("the bearer scheme is matched in any case; /v1/sync refuses timeout or limit that are not integers and clamps the rest")
    func bearerAndSyncParameters() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let token = try #require(try await server.addClinic("Sunrise", number: "+15550001111").first?.token)
        for scheme in ["Bearer", "bearer", "BEARER"] {
            let response = try await HTTPClient.shared.send(HTTPClient.Request(
                url: server.baseURL + "/v1/me", headers: [("Authorization", "\(scheme) \(token)")]))
            #expect(response.status == 200, "\(scheme)")
        }
        for query in ["timeout=soon", "limit=many", "timeout=1.5", "limit="] {
            let response = try await send(server, "GET", "/v1/sync?\(query)", token: token)
            #expect(response.status == 400, "\(query)")
            #expect(error(response) == "invalid_parameter", "\(query)")
        }
        for query in ["timeout=-5", "limit=0", "limit=99999999999", "timeout=0&limit=-3"] {
            let response = try await send(server, "GET", "/v1/sync?\(query)", token: token)
            #expect(response.status == 200, "\(query) is clamped")
        }
    }

    @Test("a signed WAHA or Meta message whose timestamp overflows milliseconds is stored without a provider time")
    func hugeProviderTimestamps() async throws {
        let waha = try WahaWebhook.parse(jsonBytes([
            "event": "message", "session": "default", "timestamp": 1_700_000_000_000,
            "payload": ["id": "wamid-1", "from": "5511900000009@c.us", "timestamp": Int64.max / 10, "body": "hi"]]),
            receivedAt: 5)
        guard case .message(_, let message) = waha else { Issue.record("not a message: \(waha)"); return }
        #expect(message.providerTime == 1_700_000_000_000, "the envelope's time instead")

        let meta = try MetaWebhook.parse(jsonBytes([
            "object": "whatsapp_business_account",
            "entry": [["id": "1", "changes": [["field": "messages", "value": [
                "metadata": ["phone_number_id": "100"],
                "messages": [["from": "5511900000009", "id": "wamid-2", "timestamp": "999999999999999999",
                              "type": "text", "text": ["body": "hi"]]]]]]]]]),
            receivedAt: 5)
        #expect(meta.messages.count == 1)
        #expect(meta.messages.first?.message.providerTime == nil)
    }
}
