import Foundation
import Hummingbird
import InboxModel
import InboxServer
import Testing

/// A clinic's own AI, on 127.0.0.1: answers as its mode says and records what it was sent.
final class FakeClinicAI: ProviderFake, @unchecked Sendable {
    enum Mode: Sendable {
        case reply(String), delayedReply(String, Duration), handOff(reason: String, summary: String), slow, broken
        /// Runs `first` (e.g. a patient writing again) before answering.
        case replyAfter(String, @Sendable () async -> Void)
    }
    struct Sent: Sendable { var lastMessage: String?; var patientPhone: String?; var messages: [String] = [] }
    private struct Received: Decodable {
        struct Patient: Decodable { var phone: String }
        struct Message: Decodable { var body: String }
        var patient: Patient
        var messages: [Message]
    }

    let recorder = ProviderRecorder<Sent, Mode>(mode: .broken)

    static func start() async throws -> FakeClinicAI {
        let fake = FakeClinicAI()
        let router = Router(context: BasicRequestContext.self)
        router.post("/ai") { request, _ in
            var buffer = try await request.body.collect(upTo: 1 << 20)
            let received = try? JSONDecoder().decode(Received.self, from: Data(buffer.readBytes(length: buffer.readableBytes) ?? []))
            let (_, mode) = fake.recorder.record { _ in
                Sent(lastMessage: received?.messages.last?.body, patientPhone: received?.patient.phone,
                     messages: received?.messages.map(\.body) ?? [])
            }
            switch mode {
            case .reply(let text): return Self.json(.ok, #"{"reply":"\#(text)"}"#)
            case .replyAfter(let text, let first):
                await first()
                return Self.json(.ok, #"{"reply":"\#(text)"}"#)
            case .delayedReply(let text, let delay):
                try await Task.sleep(for: delay)
                return Self.json(.ok, #"{"reply":"\#(text)"}"#)
            case .handOff(let reason, let summary):
                return Self.json(.ok, #"{"handOff":{"reason":"\#(reason)","summary":"\#(summary)"}}"#)
            case .slow:
                try await Task.sleep(for: .seconds(10))
                return Self.json(.ok, #"{"reply":"too late"}"#)
            case .broken: return Self.json(.internalServerError, #"{"error":"boom"}"#)
            }
        }
        await fake.recorder.serve(router)
        return fake
    }
}

@Suite("The clinic's AI hook")
struct AIHookTests {
    static let clinicNumber = "+15550001111"

    func conversation(_ server: TestServer, _ token: String) async throws -> Conversation? {
        try await server.everything(token: token).conversations.first
    }

    @Test("a message stored while the AI answers the one before, but handed to the bot only after that answer, is answered")
    func messageHandedOverLate() async throws {
        let ai = try await FakeClinicAI.start()
        defer { Task { await ai.stop() } }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("inbox-bot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteInboxStore(path: directory.appendingPathComponent("server.sqlite").path,
                                         notifier: LocalChangeNotifier(), botAnswers: true)
        try await store.addNumber(Self.clinicNumber, clinic: "Sunrise", provider: .twilio, providerRef: nil)
        try await store.setAIHook(clinic: "Sunrise", url: ai.baseURL + "/ai")
        let inbound = { @Sendable (sid: String, body: String) in
            InboundMessage(provider: .twilio, clinicNumber: Self.clinicNumber, channelIdentity: "whatsapp:+15557654321",
                           phone: "+15557654321", profileName: nil, providerMessageId: sid, body: body, receivedAt: 0)
        }
        guard case .stored(let id, _, _) = try await store.ingest(inbound("SM1", "first")) else {
            Issue.record("the first message was not stored"); return
        }
        // The patient's second message is stored while the AI answers the first, so the answer comes after it ...
        ai.mode = .replyAfter("Answer one", { _ = try? await store.ingest(inbound("SM2", "second")) })
        let runner = BotRunner(store: store) {}
        await runner.patientWrote(conversationId: id)
        // ... and it reaches the bot only once that run has ended.
        ai.mode = .reply("Answer two")
        await runner.patientWrote(conversationId: id)
        #expect(ai.sent.count == 2, "the second message is answered too")
        #expect(ai.sent.last?.messages == ["first", "second", "Answer one"], "the AI sees the conversation as stored")
        await runner.patientWrote(conversationId: id)
        #expect(ai.sent.count == 2, "nothing is answered twice")
    }

    @Test("a message that arrives while the AI is still answering the one before is answered too, once")
    func messageDuringAnAnswer() async throws {
        let ai = try await FakeClinicAI.start()
        let twilio = try await FakeTwilio.start()
        let server = try await TestServer.start { $0.runBot = true; $0.twilio.apiBase = twilio.baseURL }
        defer { Task { await server.stop(); await twilio.stop(); await ai.stop() } }
        try await server.addClinic("Sunrise", number: Self.clinicNumber)
        try await server.store.setAIHook(clinic: "Sunrise", url: ai.baseURL + "/ai")

        // The first answer is held long enough for the second message to reach the bot while it is still answering:
        // the webhook's round trip and the bot's hand-off of the message, which nothing outside the server shows.
        ai.mode = .delayedReply("On it", .seconds(2))
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SM1", from: "+15557654321", to: Self.clinicNumber, body: "first"))
        #expect(try await eventually { ai.sent.count == 1 })
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SM2", from: "+15557654321", to: Self.clinicNumber, body: "second"))
        #expect(try await eventually(timeout: .seconds(20)) { twilio.sent.count == 2 })  // two held answers, 2 s each
        // The second answer is asked for with the whole conversation, the first answer included.
        #expect(ai.sent.map(\.messages) == [["first"], ["first", "second", "On it"]])
    }

    @Test("the AI's reply goes to the patient; its hand-off puts the conversation in the queue with reason and summary")
    func replyAndHandOff() async throws {
        let ai = try await FakeClinicAI.start()
        let twilio = try await FakeTwilio.start()
        let server = try await TestServer.start { $0.runBot = true; $0.twilio.apiBase = twilio.baseURL }
        defer { Task { await server.stop(); await twilio.stop(); await ai.stop() } }
        let agent = try await server.addClinic("Sunrise", number: Self.clinicNumber)[0]
        try await server.store.setAIHook(clinic: "Sunrise", url: ai.baseURL + "/ai")

        ai.mode = .reply("Hello from the clinic AI")
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SM1", from: "+15557654321", to: Self.clinicNumber, body: "Hi"))
        #expect(try await eventually { twilio.sent.map(\.body) == ["Hello from the clinic AI"] })
        #expect(ai.sent.first?.lastMessage == "Hi")
        #expect(ai.sent.first?.patientPhone == "+15557654321")
        #expect(try await conversation(server, agent.token)?.status == .bot)

        ai.mode = .handOff(reason: "Billing question", summary: "Disputes the March invoice")
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SM2", from: "+15557654321", to: Self.clinicNumber, body: "My bill is wrong"))
        #expect(try await eventually { try await conversation(server, agent.token)?.status == .waiting })
        let waiting = try await conversation(server, agent.token)
        #expect(waiting?.handoffReason == "Billing question")
        #expect(waiting?.handoffSummary == "Disputes the March invoice")
    }

    @Test("a slow or failing AI hands the conversation to staff instead of leaving the patient unanswered")
    func timeoutAndErrorHandOff() async throws {
        let ai = try await FakeClinicAI.start()
        let server = try await TestServer.start { $0.runBot = true; $0.aiHookTimeout = .milliseconds(500) }
        defer { Task { await server.stop(); await ai.stop() } }
        let agent = try await server.addClinic("Sunrise", number: Self.clinicNumber)[0]
        try await server.store.setAIHook(clinic: "Sunrise", url: ai.baseURL + "/ai")

        ai.mode = .slow
        let started = ContinuousClock.now
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SM1", from: "+15557654321", to: Self.clinicNumber, body: "Hi"))
        #expect(try await eventually { try await conversation(server, agent.token)?.status == .waiting })
        #expect(ContinuousClock.now - started < .seconds(5), "handed off at the 500 ms timeout, not after the AI's 10 s")
        let handedOff = try await conversation(server, agent.token)
        #expect(handedOff?.handoffReason == "AI unavailable")
        #expect(handedOff?.handoffSummary?.contains("no answer") == true)

        // A second patient, with the AI answering 500.
        ai.mode = .broken
        _ = try await server.twilioWebhook(TestServer.inbound(sid: "SM2", from: "+15557000002", to: Self.clinicNumber, body: "Hello?"))
        #expect(try await eventually {
            try await server.everything(token: agent.token).conversations.filter { $0.status == .waiting }.count == 2
        })
        let second = try await server.everything(token: agent.token).conversations.first { $0.handoffSummary?.contains("HTTP 500") == true }
        #expect(second != nil)
    }
}
