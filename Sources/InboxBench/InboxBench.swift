import ArgumentParser
import Foundation

@main
struct InboxBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inbox-bench",
        abstract: "Benchmarks of the inbox server, sync protocol and mirror (docs/benchmarks.md).",
        discussion: """
            Every benchmark talks to 127.0.0.1 only and prints a human-readable result followed by a one-line JSON
            summary (a line starting with {"bench":). Build with `swift build -c release --product inbox-bench \
            --product inbox` and run from .build/release.
            """,
        subcommands: [Catchup.self, PushLatency.self, Memory.self, MetaIngest.self, TerminalBenchCommand.self, All.self, RawVariantsCommand.self,
                      LightPollersCommand.self])
}

/// Options every benchmark takes.
struct CommonOptions: ParsableArguments {
    @Flag(help: "Scale every size down for a smoke run (explicit sizes still win).") var quick = false
    @Option(help: "Directory for the temporary databases (default: the system temp directory).") var tmpDir: String?
    @Flag(help: "Keep the temporary databases.") var keep = false
    /// One option for both benchmarks that have a PostgreSQL variant, so `all` can take it once.
    @Option(help: "meta-ingest and push-latency: run on this PostgreSQL server (a fresh database is made and dropped) instead of SQLite; push-latency runs two instances, webhooks into one and clients on the other.")
    var postgres: String?
}

struct CatchupOptions: ParsableArguments {
    @Option(help: "Conversations (one patient each) to seed [10,000; --quick 1,000].") var conversations: Int?
    @Option(help: "Messages to seed, spread evenly over the conversations [1,000,000; --quick 50,000].") var messages: Int?
    @Option(help: "SyncLoop.Policy.batchLimit for the catch-up (server maximum 10,000).") var batchLimit = 10_000
    @Flag(help: "Skip the per-step breakdown (query, encode, decode, apply) after the catch-up.") var noBreakdown = false

    func resolved(_ common: CommonOptions) -> CatchupBench.Options {
        CatchupBench.Options(conversations: conversations ?? (common.quick ? 1_000 : 10_000),
                             messages: messages ?? (common.quick ? 50_000 : 1_000_000),
                             batchLimit: batchLimit, breakdown: !noBreakdown, tmpDir: common.tmpDir, keep: common.keep)
    }
}

struct PushLatencyOptions: ParsableArguments {
    @Option(help: "Comma-separated numbers of concurrent syncing clients, one clinic [1,100,1000; --quick 1,10,50].") var clients: String?
    @Option(help: "Clinics, each with its own number and --agents-per-clinic agents (instead of --clients).") var clinics: Int?
    @Option(help: "Agents in each clinic, with --clinics.") var agentsPerClinic = 10
    @Option(help: "Measured webhooks per clinic [20; --quick 10].") var webhooks: Int?
    @Option(help: "Milliseconds between a clinic's webhooks (ignored with --rate-per-clinic).") var intervalMs = 100
    @Option(help: "Webhooks per second into each clinic, the clinics staggered evenly (default: 1000 / --interval-ms).")
    var ratePerClinic: Double?
    @Option(help: "Seconds to wait for the last deliveries before counting them missing.") var pushSettleSeconds = 60
    @Flag(help: "Run the server as a separate `inbox serve` process (sibling binary) and report its CPU per delivery.")
    var serverProcess = false
    @Option(help: "full: a SyncLoop and mirror per agent in this process; process: bare HTTP long-polls in a separate process (no mirror), and the floor (plain requests of the same size) measured after.")
    var pollers = "full"

    func resolved(_ common: CommonOptions) throws -> PushLatencyBench.Options {
        var loads: [(clinics: Int, agentsPerClinic: Int)]
        if let clinics {
            guard clinics > 0, agentsPerClinic > 0 else { throw ValidationError("--clinics and --agents-per-clinic: positive") }
            loads = [(clinics, agentsPerClinic)]
        } else {
            let list = clients ?? (common.quick ? "1,10,50" : "1,100,1000")
            let counts = list.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !counts.isEmpty, counts.allSatisfy({ $0 > 0 }) else { throw ValidationError("--clients: e.g. 1,100,1000") }
            loads = counts.map { (1, $0) }
        }
        guard pollers == "full" || pollers == "process" else { throw ValidationError("--pollers: full or process") }
        let rate = ratePerClinic ?? 1000 / Double(max(1, intervalMs))
        guard rate > 0 else { throw ValidationError("--rate-per-clinic: positive") }
        return PushLatencyBench.Options(loads: loads, messages: webhooks ?? (common.quick ? 10 : 20), ratePerClinic: rate,
                                        settleTimeout: .seconds(pushSettleSeconds),
                                        serverBinary: serverProcess ? try MemoryBench.locateInbox(nil) : nil,
                                        postgres: common.postgres, lightPollers: pollers == "process",
                                        tmpDir: common.tmpDir, keep: common.keep)
    }
}

struct MemoryOptions: ParsableArguments {
    @Option(help: "Idle long-polls to hold open [1,000; --quick 100].") var polls: Int?
    @Option(help: "The long-polls' timeout parameter, milliseconds.") var pollTimeoutMs = 60_000
    @Option(help: "The inbox executable to run as the server (default: `inbox` next to inbox-bench).") var inboxBinary: String?
    @Option(help: "Seconds to wait after the connections are up before reading VmRSS.") var memorySettleSeconds = 2

    func resolved(_ common: CommonOptions) -> MemoryBench.Options {
        MemoryBench.Options(polls: polls ?? (common.quick ? 100 : 1_000), pollTimeoutMillis: pollTimeoutMs,
                            inboxBinary: inboxBinary, settle: .seconds(memorySettleSeconds), tmpDir: common.tmpDir,
                            keep: common.keep)
    }
}

struct MetaIngestOptions: ParsableArguments {
    @Option(help: "Messages to post [20,000; --quick 2,000].") var metaMessages: Int?
    @Option(help: "Messages per webhook POST (Meta batches up to 1,000 updates).") var perPost = 20
    @Option(help: "POSTs in flight at once.") var inFlight = 4
    @Option(help: "Distinct patients the messages come from.") var patients = 1_000
    @Option(help: "With --postgres: server instances sharing the database, POSTs spread round-robin.") var instances = 2

    func resolved(_ common: CommonOptions) -> MetaIngestBench.Options {
        MetaIngestBench.Options(messages: metaMessages ?? (common.quick ? 2_000 : 20_000), perPost: max(1, perPost),
                                inFlight: max(1, inFlight), patients: max(1, patients), postgres: common.postgres,
                                instances: instances, tmpDir: common.tmpDir, keep: common.keep)
    }
}

struct MetaIngest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meta-ingest",
        abstract: "Signed, batched Meta webhooks: messages accepted per second and POST → 200 latency.")
    @OptionGroup var common: CommonOptions
    @OptionGroup var options: MetaIngestOptions

    func run() async throws {
        printMachine()
        Report.json(try await MetaIngestBench(options: options.resolved(common)).run())
    }
}

func printMachine() {
    Report.line("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcFS.cpuModel()), \(fmt(Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824)) GiB, load average \(fmt(ProcFS.loadAverage(), 2))")
}

struct Catchup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A fresh mirror pulls a seeded clinic history with SyncLoop.syncOnce(), against a raw insert.")
    @OptionGroup var common: CommonOptions
    @OptionGroup var options: CatchupOptions

    func run() async throws {
        printMachine()
        Report.json(try await CatchupBench(options: options.resolved(common)).run())
    }
}

struct PushLatency: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push-latency",
        abstract: "Webhook accepted → row committed in each of N long-polling clients' mirrors.")
    @OptionGroup var common: CommonOptions
    @OptionGroup var options: PushLatencyOptions

    func run() async throws {
        printMachine()
        Report.json(try await PushLatencyBench(options: options.resolved(common)).run())
    }
}

struct Memory: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Resident memory of a separate `inbox serve` idle and while holding N long-polls.")
    @OptionGroup var common: CommonOptions
    @OptionGroup var options: MemoryOptions

    func run() async throws {
        printMachine()
        Report.json(try await MemoryBench(options: options.resolved(common)).run())
    }
}

struct All: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "catchup, push-latency, memory, meta-ingest and tui in sequence.")
    @OptionGroup var common: CommonOptions
    @OptionGroup var catchup: CatchupOptions
    @OptionGroup var push: PushLatencyOptions
    @OptionGroup var memory: MemoryOptions
    @OptionGroup var meta: MetaIngestOptions

    func run() async throws {
        printMachine()
        let watch = Stopwatch()
        var failures: [String] = []
        var lines: [String] = []

        do {
            let result = try await CatchupBench(options: catchup.resolved(common)).run()
            Report.json(result)
            lines.append("catchup       \(grouped(Int(result.catchupMessagesPerSecond))) msg/s (≥ 50,000: \(result.throughputTargetMet ? "met" : "MISSED")); \(fmt(result.ratioToRaw * 100)) % of raw (≥ 25 %: \(result.ratioTargetMet ? "met" : "MISSED"))")
        } catch {
            failures.append("catchup: \(error)")
        }
        Report.line()
        do {
            let result = try await PushLatencyBench(options: push.resolved(common)).run()
            Report.json(result)
            for run in result.runs {
                lines.append("push-latency  \(run.clients) clients: p50 \(fmt(run.acceptedToCommitted.p50)) ms, p99 \(fmt(run.acceptedToCommitted.p99)) ms, max \(fmt(run.acceptedToCommitted.max)) ms\(run.targetP99Millis.map { " (p99 ≤ \(Int($0)) ms: " + (run.targetMet == true ? "met)" : "MISSED)") } ?? "")")
            }
        } catch {
            failures.append("push-latency: \(error)")
        }
        Report.line()
        do {
            let result = try await MemoryBench(options: memory.resolved(common)).run()
            Report.json(result)
            lines.append("memory        idle \(fmt(Double(result.rssIdleKiB) / 1024)) MiB, \(result.held) polls \(fmt(Double(result.rssHeldKiB) / 1024)) MiB, \(fmt(result.perPollKiB)) KiB/poll")
        } catch {
            failures.append("memory: \(error)")
        }
        Report.line()
        do {
            let result = try await MetaIngestBench(options: meta.resolved(common)).run()
            Report.json(result)
            lines.append("meta-ingest   \(grouped(Int(result.messagesPerSecond))) msg/s (≥ 2,000: \(result.throughputTargetMet ? "met" : "MISSED")), ack p99 \(fmt(result.ack.p99)) ms (≤ 50: \(result.ackTargetMet ? "met" : "MISSED"))")
        } catch {
            failures.append("meta-ingest: \(error)")
        }
        Report.line()
        do {
            let quick = common.quick
            try await TerminalBench.run(.init(conversations: quick ? 1_000 : 10_000, messages: quick ? 50_000 : 1_000_000,
                                              width: 200, height: 60, tmpDir: common.tmpDir, keep: common.keep,
                                              binary: TerminalBench.siblingInbox()))
            lines.append("tui           see the lines above")
        } catch {
            failures.append("tui: \(error)")
        }
        Report.line()
        Report.line("== summary (\(fmt(watch.seconds, 0)) s)")
        for line in lines { Report.line("  " + line) }
        for failure in failures { Report.line("  FAILED \(failure)") }
        if !failures.isEmpty { throw ExitCode.failure }
    }
}
