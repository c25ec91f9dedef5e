import CurlHTTP
import Foundation
import InboxModel
import InboxServer
import Testing

@Suite("Metrics")
struct MetricsTests {
    static let clinicNumber = "+15550001111"

    @Test("/metrics before and after traffic: webhook, delivery and wake-up counters move; depths and held polls show; no patient data")
    func countersMove() async throws {
        let twilio = try await FakeTwilio.start()
        let server = try await TestServer.start { $0.twilio.apiBase = twilio.baseURL }
        defer { Task { await server.stop(); await twilio.stop() } }
        let agent = try await server.addClinic("Sunrise", number: Self.clinicNumber)[0]
        let before = try await Self.scrape(server)

        let patient = "+15557654321", name = "Fatima Secret"
        let accepted = try await server.twilioWebhook(TestServer.inbound(sid: "SMmetrics1", from: patient, to: Self.clinicNumber,
                                                                         body: "private words", name: name))
        #expect(accepted.status == 200)
        let forged = try await server.twilioWebhook(TestServer.inbound(sid: "SMmetrics2", from: patient, to: Self.clinicNumber,
                                                                       body: "forged"), signature: "bad")
        #expect(forged.status == 403)
        let batch = try await server.everything(token: agent.token)
        let conversation = try #require(batch.conversations.first?.id)
        #expect(try await server.command(.reply(body: "Your results are ready"), conversation: conversation, token: agent.token).status == 200)
        // The delivery counter moves after Twilio's answer, as the reply's status does; Twilio counts the request before.
        #expect(try await eventually {
            try await server.everything(token: agent.token).messages.first { $0.body == "Your results are ready" }?.status == .sent
        })
        #expect(twilio.sent.count == 1)

        // A long-poll held while we scrape, then woken by a commit.
        let poll = Task { try await server.sync(token: agent.token, since: try await server.everything(token: agent.token).cursor,
                                                timeout: 5_000) }
        #expect(try await eventually { try await Self.scrape(server).value("inbox_long_polls_held") >= 1 })
        #expect(try await server.twilioWebhook(TestServer.inbound(sid: "SMmetrics3", from: patient, to: Self.clinicNumber,
                                                                  body: "wake up")).status == 200)
        #expect(try await poll.value.status == 200)

        let after = try await Self.scrape(server)
        func moved(_ sample: String, by at: Double) -> Bool { after.value(sample) - before.value(sample) >= at }
        #expect(moved(#"inbox_webhooks_total{provider="twilio",outcome="accepted"}"#, by: 2))
        #expect(moved(#"inbox_webhooks_total{provider="twilio",outcome="forbidden"}"#, by: 1))
        #expect(moved(#"inbox_deliveries_total{provider="twilio",outcome="sent"}"#, by: 1))
        #expect(moved("inbox_long_poll_wake_up_seconds_count", by: 1))
        #expect(after.text.contains("inbox_outbox_depth "))
        #expect(after.text.contains("inbox_dead_letters "))
        #expect(after.text.contains(#"inbox_circuit_breaker_open{provider="twilio"}"#))
        for secret in [patient, String(patient.dropFirst()), name, "private words", "Sunrise"] {
            #expect(!after.text.contains(secret), "no patient or clinic data in metrics")
        }
    }

    @Test("/metrics on its own listener when a metrics port is set, and not on the main one")
    func separateListener() async throws {
        let port = try Self.freePort()
        let server = try await TestServer.start {
            $0.metricsHost = "127.0.0.1"
            $0.metricsPort = port
        }
        defer { Task { await server.stop() } }
        let main = try await HTTPClient.shared.send(HTTPClient.Request(url: server.baseURL + "/metrics"))
        #expect(main.status == 404)
        #expect(try await eventually {
            let own = try? await HTTPClient.shared.send(HTTPClient.Request(url: "http://127.0.0.1:\(port)/metrics"))
            return own?.status == 200 && String(decoding: own?.body ?? [], as: UTF8.self).contains("# TYPE")
        })
    }

    static func scrape(_ server: TestServer) async throws -> MetricsText {
        let response = try await HTTPClient.shared.send(HTTPClient.Request(url: server.baseURL + "/metrics"))
        #expect(response.status == 200)
        #expect(response.headers["content-type"]?.hasPrefix("text/plain") == true)
        return MetricsText(String(decoding: response.body, as: UTF8.self))
    }

    /// A port nothing listens on right now (bound to 0 and released).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                bind(fd, pointer, length)
                return getsockname(fd, pointer, &length)
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
