import Foundation

/// One named conformance check: what docs/protocol.md promises about one thing, tried against a live server.
///
/// A check returns the reason it passed (one line) or throws `CheckFailed` with the reason it did not. Checks run
/// one after another in one task, in the order given, and share a `ConformanceContext` (tokens, who they belong to,
/// the conversations to work on, pulls already made).
struct ConformanceCheck: Sendable {
    var name: String
    var area: String
    /// The check changes the clinic's data (commands, seeded messages): run it against a test clinic.
    var mutates: Bool
    /// What it checks, for `--help` and the JSON report.
    var summary: String
    var run: @Sendable (ConformanceContext) async throws -> String
    /// When it fails, the checks after it are not run (reported as failed): nothing else can work.
    var essential = false
}

/// A check did not hold; `reason` is one line a person can act on.
struct CheckFailed: Error, CustomStringConvertible {
    var reason: String
    init(_ reason: String) { self.reason = reason }
    var description: String { reason }
}

/// Throws `CheckFailed(reason)` unless `condition` holds.
func require(_ condition: Bool, _ reason: @autoclosure () -> String) throws {
    if !condition { throw CheckFailed(reason()) }
}

struct CheckOutcome: Codable, Equatable {
    var name: String
    var area: String
    var mutates: Bool
    var passed: Bool
    var reason: String
    var milliseconds: Int
}

/// Runs checks in order and reports each as it finishes (text), or all at the end (`--json`).
struct ConformanceRunner {
    var checks: [ConformanceCheck]
    var json: Bool

    struct Report: Codable {
        var server: String
        var passed: Bool
        var checks: [CheckOutcome]
    }

    func run(_ context: ConformanceContext) async -> Report {
        var outcomes: [CheckOutcome] = []
        var stopped: String?
        for check in checks {
            if let stopped {
                let outcome = CheckOutcome(name: check.name, area: check.area, mutates: check.mutates, passed: false,
                                           reason: "not run: \(stopped) failed", milliseconds: 0)
                outcomes.append(outcome)
                if !json { say(outcome) }
                continue
            }
            let started = ContinuousClock.now
            var outcome = CheckOutcome(name: check.name, area: check.area, mutates: check.mutates, passed: true, reason: "",
                                       milliseconds: 0)
            do {
                outcome.reason = try await check.run(context)
            } catch let failure as CheckFailed {
                outcome.passed = false
                outcome.reason = failure.reason
            } catch {
                outcome.passed = false
                outcome.reason = "\(error)"
            }
            let elapsed = ContinuousClock.now - started
            outcome.milliseconds = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
            outcomes.append(outcome)
            if !json { say(outcome) }
            if check.essential && !outcome.passed { stopped = check.name }
        }
        let report = Report(server: context.client.base, passed: outcomes.allSatisfy(\.passed), checks: outcomes)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            if let data = try? encoder.encode(report) { write(String(decoding: data, as: UTF8.self)) }
        } else {
            let failed = outcomes.filter { !$0.passed }.count
            write("\(outcomes.count) checks: \(outcomes.count - failed) passed, \(failed) failed")
        }
        return report
    }

    /// Reasons quote the server's answers: no control sequence from them reaches the terminal.
    private func say(_ outcome: CheckOutcome) {
        let line = "\(outcome.passed ? "PASS" : "FAIL")  \(outcome.name.padding(toLength: 30, withPad: " ", startingAt: 0)) \(outcome.reason)"
        write(String(String.UnicodeScalarView(line.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : $0 })))
    }

    /// Unbuffered: a line per check as it finishes, even into a pipe.
    private func write(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}

/// Every check, in the order they run. Later checks rely on the state earlier ones leave (see each area's file).
enum ConformanceChecks {
    static var all: [ConformanceCheck] {
        SetupChecks.all + ErrorChecks.all + SyncChecks.all + LongPollChecks.all + IsolationChecks.all
            + IdempotencyChecks.all + RaceChecks.all + ClosedConversationChecks.all
    }
}
