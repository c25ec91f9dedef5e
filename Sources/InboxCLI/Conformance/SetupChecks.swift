import CurlHTTP
import Foundation
import InboxModel
import InboxServer

/// `--seed-twilio`: patients written in through signed Twilio webhooks, so the checks have conversations to use.
struct TwilioSeed {
    var authToken: String
    /// The clinic's Twilio number (E.164) the patients write to; it must belong to agent A's clinic.
    var number: String
    /// The URL the server believes it is reached at (its public URL): Twilio signs that, not the one dialled.
    var publicURL: String
}

/// The server answers, the tokens are who the checks need, and there are conversations to work on.
enum SetupChecks {
    static let all: [ConformanceCheck] = [
        ConformanceCheck(name: "health", area: "setup", mutates: false,
                         summary: "GET /healthz answers 200 `ok` without a token", run: health, essential: true),
        ConformanceCheck(name: "tokens", area: "setup", mutates: false,
                         summary: "GET /v1/me names --token and --second-token as two agents (role agent) of one clinic, "
                             + "and --foreign-token as an agent of another", run: tokens),
        ConformanceCheck(name: "conversations", area: "setup", mutates: true,
                         summary: "two open conversations nobody holds (bot or waiting) in A's clinic; with --seed-twilio "
                             + "two new patients write in (\"I would like to talk to staff, please\", then \"Thank you\")", run: conversations),
    ]

    static func health(_ context: ConformanceContext) async throws -> String {
        let answer = try await context.client.get("/healthz", token: nil)
        try require(answer.status == 200 && answer.text.trimmingCharacters(in: .whitespacesAndNewlines) == "ok",
                    "GET /healthz: expected HTTP 200 ok, got \(answer.summary)")
        return "GET /healthz answered 200 ok"
    }

    static func tokens(_ context: ConformanceContext) async throws -> String {
        let (client, tokenA, tokenB, foreignToken) = (context.client, context.tokenA, context.tokenB, context.foreignToken)
        async let a = client.get("/v1/me", token: tokenA)
        async let b = client.get("/v1/me", token: tokenB)
        async let f = client.get("/v1/me", token: foreignToken)
        let me = try await (a: a.success(WhoAmI.self, "GET /v1/me with --token"),
                            b: b.success(WhoAmI.self, "GET /v1/me with --second-token"),
                            f: f.success(WhoAmI.self, "GET /v1/me with --foreign-token"))
        try require(me.a.clinic == me.b.clinic, "--token is of \(me.a.clinic) but --second-token of \(me.b.clinic): give two agents of one clinic")
        try require(me.a.agent.id != me.b.agent.id, "--token and --second-token are the same agent (\(me.a.agent.name)): give two agents")
        try require(me.f.clinic != me.a.clinic, "--foreign-token is of \(me.f.clinic) too: give an agent of another clinic")
        for who in [me.a, me.b] where who.agent.role != .agent {
            throw CheckFailed("\(who.agent.name) is an admin, and admins may take a colleague's conversation: "
                              + "the race needs two agents with role agent")
        }
        context.identities = .init(a: me.a, b: me.b, foreign: me.f)
        return "A = \(me.a.agent.name), B = \(me.b.agent.name) (\(me.a.clinic)); foreign = \(me.f.agent.name) (\(me.f.clinic))"
    }

    static func conversations(_ context: ConformanceContext) async throws -> String {
        _ = try context.requireIdentities()
        if let seed = context.seed { return try await seeded(seed, context) }
        let everything = try await context.requireFullPull().latest
        let open = everything.conversations.filter { $0.status == .waiting || $0.status == .bot }
            .sorted { ($0.status == .waiting ? 0 : 1, -$0.id) < ($1.status == .waiting ? 0 : 1, -$1.id) }
        guard open.count >= 2 else {
            throw CheckFailed("A's clinic has \(open.count) open conversation(s) nobody holds; the checks need 2: "
                              + "seed them with --seed-twilio AUTH_TOKEN --seed-number +E164")
        }
        context.conversations = .init(race: open[0], spare: open[1])
        return "using conversations \(open[0].id) (\(open[0].status.rawValue)) and \(open[1].id) (\(open[1].status.rawValue))"
    }

    /// Two new patients each ask for staff, so the bot (if the server runs one) hands them to the queue, and once it
    /// has (or 15 s have passed: take-over works from `bot` too) write once more, so each conversation has two
    /// patient messages for `sync.order`. The second message waits for the hand-off: one that arrived while the bot
    /// was still answering the first could be answered instead of it.
    private static func seeded(_ seed: TwilioSeed, _ context: ConformanceContext) async throws -> String {
        let before = try await context.currentCursor(context.tokenA)
        var phones: [String] = []
        for _ in 0..<2 {
            let phone = "+1555" + String(Int.random(in: 1_000_000...9_999_999))
            phones.append(phone)
            try await postTwilio(seed, context, from: phone, body: "I would like to talk to staff, please")
            _ = try await seededConversations(phones: [phone], since: before, seed: seed, context)
            try await postTwilio(seed, context, from: phone, body: "Thank you")
        }
        let seen = try await seededConversations(phones: phones, since: before, seed: seed, context)
        context.conversations = .init(race: seen[0], spare: seen[1])
        return "seeded patients \(phones.joined(separator: ", ")) → conversations \(seen[0].id) and \(seen[1].id) ("
            + seen.map(\.status.rawValue).joined(separator: ", ") + ")"
    }

    /// The seeded patients' conversations once all are `waiting`, or after 15 s as long as all are open and unheld.
    private static func seededConversations(phones: [String], since: String, seed: TwilioSeed,
                                            _ context: ConformanceContext) async throws -> [Conversation] {
        let deadline = ContinuousClock.now + .seconds(15)
        while true {
            let found = try await context.client.pull(token: context.tokenA, since: since).latest
            let patients = Set(found.patients.filter { phones.contains($0.phone) }.map(\.id))
            let seen = found.conversations.filter { patients.contains($0.patientId) }.sorted { $0.id < $1.id }
            if seen.count == phones.count && seen.allSatisfy({ $0.status == .waiting }) { return seen }
            if ContinuousClock.now > deadline {
                guard seen.count == phones.count, seen.allSatisfy({ $0.status == .waiting || $0.status == .bot }) else {
                    throw CheckFailed("after 15 s A sees \(seen.count) of \(phones.count) seeded conversation(s)"
                                      + (seen.isEmpty ? "" : " (" + seen.map(\.status.rawValue).joined(separator: ", ") + ")")
                                      + ": is \(seed.number) a number of \(try context.requireIdentities().a.clinic)?")
                }
                return seen
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    static func postTwilio(_ seed: TwilioSeed, _ context: ConformanceContext, from phone: String, body: String) async throws {
        let sid = "SM" + (0..<32).map { _ in String(Int.random(in: 0..<16), radix: 16) }.joined()
        let parameters = [("MessageSid", sid), ("SmsMessageSid", sid), ("From", "whatsapp:\(phone)"),
                          ("To", "whatsapp:\(seed.number)"), ("Body", body), ("NumMedia", "0"), ("ProfileName", "Conformance"),
                          ("WaId", String(phone.dropFirst()))]
        let base = seed.publicURL.hasSuffix("/") ? String(seed.publicURL.dropLast()) : seed.publicURL
        let signature = TwilioSignature(authToken: seed.authToken).sign(url: base + "/webhooks/twilio", parameters: parameters)
        let answer = try await context.client.send("POST", "/webhooks/twilio",
                                                   headers: [("Content-Type", "application/x-www-form-urlencoded"),
                                                             ("X-Twilio-Signature", signature)],
                                                   body: Array(FormEncoding.encode(parameters).utf8))
        try require(answer.status == 200, "seeding through POST /webhooks/twilio: \(answer.summary)"
                    + (answer.status == 403 ? " (check --seed-twilio, and --seed-url if the server signs another URL)" : ""))
    }
}
