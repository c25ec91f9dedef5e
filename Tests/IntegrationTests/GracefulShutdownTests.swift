import CurlHTTP
import Foundation
import Hummingbird
import InboxModel
import InboxServer
import Testing

/// A Twilio Messages API that takes its time to answer, counting requests per message body.
final class SlowTwilio: @unchecked Sendable {
    let recorder = ProviderRecorder<String, Duration>(mode: .zero)
    var baseURL: String { recorder.baseURL }

    static func start(delay: Duration) async throws -> SlowTwilio {
        let fake = SlowTwilio()
        fake.recorder.mode = delay
        let router = Router(context: BasicRequestContext.self)
        router.post("/2010-04-01/Accounts/:sid/Messages.json") { request, _ in
            var buffer = try await request.body.collect(upTo: 1 << 20)
            let form = Dictionary(FormEncoding.decode(buffer.readString(length: buffer.readableBytes) ?? "") ?? [],
                                  uniquingKeysWith: { a, _ in a })
            let (_, delay) = fake.recorder.record { _ in form["Body"] ?? "" }
            try await Task.sleep(for: delay)
            let sid = "SM" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            return Response(status: .created, headers: [.contentType: "application/json"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"sid":"\#(sid)","status":"queued"}"#)))
        }
        await fake.recorder.serve(router)
        return fake
    }

    func requests(for body: String) -> Int { recorder.sent.filter { $0 == body }.count }
}

@Suite("Graceful shutdown")
struct GracefulShutdownTests {
    @Test("SIGTERM during a slow provider send: the send finishes and is recorded; after a restart it is not sent again")
    func inFlightDeliveryFinishes() async throws {
        // Slow enough that the send is still in flight when SIGTERM lands, however late this test gets to send it.
        let twilio = try await SlowTwilio.start(delay: .seconds(3))
        defer { Task { await twilio.recorder.stop() } }
        var server = try ServerProcess.prepare()
        defer { server.remove() }
        let environment = ["TWILIO_API_BASE": twilio.baseURL]
        try server.start(environment: environment)

        #expect(try await server.twilioWebhook(sid: "SMshutdown1").status == 200)
        let conversation = try #require(try await Self.batch(server).conversations.first?.id)
        #expect(try await server.command("reply", conversation: conversation, body: ["body": "Cut off?"]).status == 200)
        #expect(try await eventually { twilio.requests(for: "Cut off?") == 1 }, "the send is in flight")

        let stopped = try #require(try await server.terminate(deadline: .seconds(15)), "SIGTERM stopped the server")
        #expect(stopped >= 0.5, "it waited for the send in flight (\(stopped) s)")
        #expect(server.running?.process.terminationStatus == 0)

        try server.start(environment: environment)
        // Positive control: the restarted server's worker runs and sends a reply queued now.
        #expect(try await server.command("reply", conversation: conversation, body: ["body": "After restart"]).status == 200)
        #expect(try await eventually { twilio.requests(for: "After restart") == 1 })
        let first = try await Self.batch(server).messages.first { $0.body == "Cut off?" }
        #expect(first?.status == .sent, "the outcome of the cut-short shutdown was recorded")
        #expect(twilio.requests(for: "Cut off?") == 1, "exactly one provider request for that reply")
        _ = try await server.terminate()
    }

    static func batch(_ server: ServerProcess) async throws -> SyncBatch {
        try JSONDecoder().decode(SyncBatch.self, from: Data(try await server.sync().body))
    }
}
