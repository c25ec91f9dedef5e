import CurlHTTP
import Foundation
import InboxModel

/// Asks the clinic's own AI what to do: `POST <url>` with the conversation, answered with a reply, a hand-off,
/// or both (the `BotDecision` shape). Anything else — a timeout, an error status, an unreadable answer — hands
/// the conversation to the humans, because a patient must never be left without an answer.
struct AIHook: Sendable {
    struct Request: Encodable {
        var conversation: Conversation
        var patient: Patient
        /// Oldest first, at most the last 20.
        var messages: [Message]
    }

    let url: String
    let timeout: Duration
    let http: HTTPClient

    init(url: String, timeout: Duration, http: HTTPClient = .shared) {
        self.url = url
        self.timeout = timeout
        self.http = http
    }

    func decide(_ context: BotContext) async -> BotDecision {
        let payload = Request(conversation: context.conversation, patient: context.patient,
                              messages: context.recent.filter(BotRules.sees))  // never a private note or team line
        guard let body = try? JSONEncoder().encode(payload) else { return Self.handOff("the conversation could not be encoded") }
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        let request = HTTPClient.Request(method: "POST", url: url, headers: [("Content-Type", "application/json")],
                                         body: Array(body), timeout: seconds)
        let response: HTTPClient.Response
        do {
            response = try await http.send(request)
        } catch {
            return Self.handOff("no answer (\(error))")
        }
        guard (200..<300).contains(response.status) else { return Self.handOff("HTTP \(response.status)") }
        guard let decision = try? JSONDecoder().decode(BotDecision.self, from: Data(response.body)),
              decision.reply?.isEmpty == false || decision.handOff != nil else {
            return Self.handOff("an answer with neither a reply nor a hand-off")
        }
        return decision
    }

    static func handOff(_ problem: String) -> BotDecision {
        BotDecision(handOff: .init(reason: "AI unavailable", summary: "The clinic's AI gave \(problem)."))
    }
}
