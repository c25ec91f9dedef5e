import ArgumentParser
import Foundation

/// `inbox conformance`: checks any server against docs/protocol.md, so a clinic's own backend can show it serves
/// the same terminal client. The checks live in `Conformance/`.
struct Conformance: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a server against the sync protocol (docs/protocol.md); exit status 0 only when every check passes.",
        discussion: """
            Runs named checks against --server, each answered PASS or FAIL with a one-line reason: sync paging, \
            cursors and order, long-polls, idempotent commands, take-over races between two agents, isolation from \
            another clinic, and the documented errors. It needs three tokens: two agents (role agent, not admin) of \
            one clinic and an agent of another clinic.

            RUN IT AGAINST A TEST CLINIC. Checks marked (changes data) send real commands: take-overs, hand-backs, \
            a close and reopen, read marks, and commands another clinic's token must not be allowed to run (among \
            them a reply, which a broken server would deliver to the patient). Nothing else is sent to patients.

            The checks need two open conversations nobody holds (status bot or waiting) in the first clinic. Either \
            the clinic has them, or --seed-twilio AUTH_TOKEN --seed-number +E164 makes them: two new patients \
            (+1555 and 7 random digits) write "I would like to talk to staff, please" through signed Twilio webhooks \
            (POST /webhooks/twilio). The built-in bot hands such a conversation to the queue (waiting); with \
            `inbox serve --no-bot` it starts there; a server whose bot does not hand off within 15 s leaves it with \
            the bot, and take-over works from there too. Then each patient writes "Thank you", so the order of a \
            patient's messages can be checked. The number must belong to the first clinic, and Twilio signs the URL \
            the server believes it has: give --seed-url when that is not --server.

            Checks:
            \(ConformanceChecks.all.map { "  \($0.name)\($0.mutates ? " (changes data)" : ""): \($0.summary)" }.joined(separator: "\n"))
            """)

    @Option(help: "The server to check, e.g. http://127.0.0.1:8080.") var server: String
    @Option(help: "Agent A's token (role agent).") var token: String
    @Option(help: "Agent B's token: another agent (role agent) of A's clinic, for the take-over race.") var secondToken: String
    @Option(help: "A token of an agent of another clinic, for the isolation checks.") var foreignToken: String
    @Option(help: "Seed two waiting conversations through Twilio webhooks signed with this auth token.") var seedTwilio: String?
    @Option(help: "With --seed-twilio: the clinic's Twilio number (E.164) the seeded patients write to.") var seedNumber: String?
    @Option(help: "With --seed-twilio: the public URL the server signs webhooks against (default: --server).") var seedUrl: String?
    @Option(help: "How many take-over races to run.") var races = 5
    @Flag(help: "Print one JSON report at the end instead of a line per check.") var json = false

    func validate() throws {
        guard server.hasPrefix("http://") || server.hasPrefix("https://") else { throw ValidationError("--server must be an http(s) URL") }
        guard (seedTwilio == nil) == (seedNumber == nil) else {
            throw ValidationError("--seed-twilio and --seed-number go together")
        }
        if seedUrl != nil, seedTwilio == nil { throw ValidationError("--seed-url is used only with --seed-twilio") }
        if let seedNumber, !(seedNumber.hasPrefix("+") && seedNumber.dropFirst().allSatisfy(\.isNumber) && seedNumber.count > 4) {
            throw ValidationError("--seed-number must be an E.164 number, e.g. +15550001111")
        }
        guard (1...100).contains(races) else { throw ValidationError("--races must be between 1 and 100") }
    }

    func run() async throws {
        let seed = seedTwilio.map { TwilioSeed(authToken: $0, number: seedNumber ?? "", publicURL: seedUrl ?? server) }
        let context = ConformanceContext(client: ConformanceClient(server: server), tokenA: token, tokenB: secondToken,
                                         foreignToken: foreignToken, seed: seed, races: races)
        let report = await ConformanceRunner(checks: ConformanceChecks.all, json: json).run(context)
        guard report.passed else { throw ExitCode.failure }
    }
}
