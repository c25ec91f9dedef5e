import Foundation
import InboxModel

/// The demo clinic as a newcomer should first see it: mid-morning, with patients already waiting in several
/// languages, one conversation a colleague is handling and one closed. Written through the store's own ingest,
/// bot decisions and commands, so every row is one real traffic would leave.
public enum DemoMorning {
    struct Visit {
        var name: String
        var phone: String
        var lines: [String]
        var reason: String
    }

    /// Handed off and waiting when the screen opens.
    static let waiting: [Visit] = [
        Visit(name: "Layla Haddad", phone: "+971509876543",
              lines: ["صباح الخير", "ابني عنده حرارة منذ أمس، هل يمكن أن يراه الطبيب اليوم؟"], reason: "Patient asked for staff"),
        Visit(name: "Anjali Rao", phone: "+919900112233",
              lines: ["नमस्ते", "मेरी रिपोर्ट आ गई है क्या? डॉक्टर से बात करनी है"], reason: "Patient asked for staff"),
        Visit(name: "Tom Becker", phone: "+4915112345678",
              lines: ["Hi, I was charged twice for Tuesday's visit", "Can someone from billing look at it?"],
              reason: "Billing question the assistant cannot answer"),
        Visit(name: "Grace Okafor", phone: "+2348031234567",
              lines: ["Good morning", "I need to move my scan, the 10:00 slot no longer works"], reason: "Patient asked for staff"),
        Visit(name: "Yuki Tanaka", phone: "+819012345678",
              lines: ["こんにちは", "Do you have an English-speaking dentist on Friday?"], reason: "The assistant was unsure"),
        Visit(name: "Carlos Mendes", phone: "+5521998765432",
              lines: ["Olá", "Preciso de uma receita nova, a farmácia pediu"], reason: "Patient asked for staff"),
    ]
    /// Taken over by the colleague before the demo starts.
    static let held = Visit(name: "Hannah Weiss", phone: "+436641234567",
                            lines: ["Hello, quick question about fasting before my blood test"], reason: "Patient asked for staff")
    /// Answered and closed earlier this morning.
    static let closed = Visit(name: "Omar Farouk", phone: "+201001234567",
                              lines: ["Thanks, see you at 11"], reason: "Patient asked for staff")

    /// Seeds the clinic. `colleague` takes over one conversation and closes another, so the Team and Closed tabs
    /// are not empty either.
    public static func seed(store: any InboxStore, clinicNumber: String, colleague: NewAgent, clinic: String) async throws {
        let colleague = AuthenticatedAgent(agent: colleague.agent, clinicId: colleague.clinicId, clinicName: clinic)
        for visit in waiting {
            _ = try await arrive(visit, store: store, clinicNumber: clinicNumber)
        }
        if let id = try await arrive(held, store: store, clinicNumber: clinicNumber) {
            _ = try await command(.takeOver, conversationId: id, by: colleague, store: store)
        }
        if let id = try await arrive(closed, store: store, clinicNumber: clinicNumber) {
            _ = try await command(.takeOver, conversationId: id, by: colleague, store: store)
            _ = try await command(.close, conversationId: id, by: colleague, store: store)
        }
    }

    /// The patient's lines, then the assistant's hand-off; returns the conversation.
    private static func arrive(_ visit: Visit, store: any InboxStore, clinicNumber: String) async throws -> Int64? {
        var conversationId: Int64?
        for (index, line) in visit.lines.enumerated() {
            let message = InboundMessage(provider: .twilio, clinicNumber: clinicNumber, channelIdentity: "whatsapp:\(visit.phone)",
                                         phone: visit.phone, profileName: visit.name,
                                         providerMessageId: "SMmorning\(visit.phone.dropFirst())x\(index)", body: line,
                                         receivedAt: Millis(Date().timeIntervalSince1970 * 1000))
            if case .stored(let id, _, _) = try await store.ingest(message) { conversationId = id }
        }
        guard let conversationId else { return nil }
        let handOff = BotDecision(reply: ClinicBot.handOffReply(to: visit.lines.last ?? ""), handOff: .init(reason: visit.reason))
        try await store.applyBotDecision(handOff, memory: nil, conversationId: conversationId)
        return conversationId
    }

    private static func command(_ command: Command, conversationId: Int64, by agent: AuthenticatedAgent,
                                store: any InboxStore) async throws -> StoredResponse {
        try await store.execute(command, conversationId: conversationId, by: agent, key: UUID().uuidString, requestHash: "demo")
    }
}
