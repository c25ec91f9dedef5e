import ArgumentParser
import Foundation
import GRDB
import InboxModel
import InboxTUI
import SyncEngine

/// The terminal client's figures: launch → first frame on a big mirror, key → frame, bytes written per move,
/// and resident memory — the last three from the real `inbox` binary on a pseudo-terminal.
struct TerminalBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tui",
        abstract: "Terminal client: launch → first frame, key → frame, bytes per j/k, resident memory.")

    @OptionGroup var common: CommonOptions
    @Option(help: "Conversations in the mirror, all waiting [10,000; --quick 1,000].") var conversations: Int?
    @Option(help: "Messages in the mirror [1,000,000; --quick 50,000].") var messages: Int?
    @Option(help: "Screen width.") var width = 200
    @Option(help: "Screen height.") var height = 60
    @Option(help: "The inbox executable (default: `inbox` next to this executable).") var inboxBinary: String?
    @Option(help: "Launches to time [3].") var launches = 3
    @Option(help: "Reuse a mirror a previous run kept (--keep) instead of seeding one; it must hold agent 1.") var mirror: String?

    func run() async throws {
        let options = TerminalBench.Options(conversations: conversations ?? (common.quick ? 1_000 : 10_000),
                                            messages: messages ?? (common.quick ? 50_000 : 1_000_000),
                                            width: width, height: height, tmpDir: common.tmpDir, keep: common.keep,
                                            binary: inboxBinary ?? TerminalBench.siblingInbox(), launches: launches,
                                            reuseMirror: mirror)
        try await TerminalBench.run(options)
    }
}

enum TerminalBench {
    struct Options {
        var conversations: Int
        var messages: Int
        var width: Int
        var height: Int
        var tmpDir: String?
        var keep: Bool
        var binary: String
        var launches = 3
        var reuseMirror: String?
    }

    struct Summary: Codable {
        var bench = "tui"
        var conversations: Int
        var messages: Int
        var launchToFirstFrameMs: [Double]
        var keyToFrameMedianMs: Double
        var keyToFrameP99Ms: Double
        var bytesPerMoveMedian: Int
        var bytesPerMoveMax: Int
        var residentMiB: Double
        var loadAverage = ProcFS.loadAverage()
    }

    static func siblingInbox() -> String {
        ((CommandLine.arguments[0] as NSString).deletingLastPathComponent as NSString).appendingPathComponent("inbox")
    }

    static let deadServer = "http://127.0.0.1:9"

    static func run(_ options: Options) async throws {
        let dir = try TempDir(prefix: "inbox-bench-tui", under: options.tmpDir, keep: options.keep)
        defer { dir.remove() }
        let mirrorPath = options.reuseMirror ?? dir.file("mirror.sqlite")
        Report.line("== tui: \(grouped(options.conversations)) waiting conversations, \(grouped(options.messages)) messages, \(options.width)×\(options.height)")
        let clock = Stopwatch()
        let me: Agent
        if options.reuseMirror != nil {
            me = Agent(id: 1, name: "Aisha", role: .agent)
            Report.line("reusing the mirror \(mirrorPath)")
        } else {
            me = try seed(mirrorPath, options)
            Report.line("seeded the mirror in \(fmt(clock.seconds, 1)) s")
        }

        let (median, p99) = try keyToFrame(mirrorPath: mirrorPath, me: me, options)
        Report.line("key → frame (reduce + render + diff, in process): median \(fmt(median, 3)) ms, p99 \(fmt(p99, 3)) ms")

        var launches: [Double] = []
        var bytes: [Int] = []
        var resident = 0.0
        for attempt in 0..<max(1, options.launches) {
            let run = try PseudoTerminalRun(binary: options.binary, mirrorPath: mirrorPath, directory: dir, options: options)
            launches.append(run.firstFrameMs)
            if attempt == 0 {
                bytes = try run.bytesPerMove(moves: 60)
                resident = run.residentMiB()
            }
            run.quit()
        }
        if ProcessInfo.processInfo.environment["BENCH_VERBOSE"] != nil { Report.line("per move: \(bytes)") }
        let sortedBytes = bytes.sorted()
        Report.line("launch → first frame (real binary on a pty): \(launches.map { fmt($0, 0) }.joined(separator: ", ")) ms")
        Report.line("bytes written per j move: median \(sortedBytes[sortedBytes.count / 2]), max \(sortedBytes.last ?? 0)")
        Report.line("resident memory with the mirror open: \(fmt(resident, 1)) MiB")
        Report.json(Summary(conversations: options.conversations, messages: options.messages,
                            launchToFirstFrameMs: launches.map { rounded($0, 1) }, keyToFrameMedianMs: rounded(median, 4),
                            keyToFrameP99Ms: rounded(p99, 4), bytesPerMoveMedian: sortedBytes[sortedBytes.count / 2],
                            bytesPerMoveMax: sortedBytes.last ?? 0, residentMiB: rounded(resident, 1)))
    }

    /// A mirror as a busy clinic's terminal would hold it, bound to an agent (the server is never reached).
    static func seed(_ path: String, _ options: Options) throws -> Agent {
        let me = Agent(id: 1, name: "Aisha", role: .agent)
        _ = try Mirror(path: path)  // creates the schema
        var data = SeedData.generate(conversations: options.conversations, messages: options.messages,
                                     clinicNumber: "+15550001111", agentId: me.id)
        for index in data.conversations.indices {
            data.conversations[index].status = .waiting
            data.conversations[index].waitingSince = 1_700_000_000_000 + Millis(index) * 1000
            data.conversations[index].handoffReason = "asked_for_human"
        }
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try data.insertPatients(db, clinicId: nil)
            try data.insertConversations(db, clinicId: nil)
            try data.insertMessages(db, range: 0..<data.messages.count, clinicId: nil)
            try db.execute(sql: "INSERT INTO agents (id, name, role) VALUES (?, ?, ?)", arguments: [me.id, me.name, me.role.rawValue])
            try db.execute(sql: "INSERT INTO sync_state (id, server, agent_id, clinic, cursor) VALUES (1, ?, ?, 'Sunrise', NULL)",
                           arguments: [deadServer, me.id])
        }
        return me
    }

    /// What one `j` costs the client: reduce, render the whole 200×60 grid from state, and diff it.
    static func keyToFrame(mirrorPath: String, me: Agent, _ options: Options) throws -> (Double, Double) {
        let mirror = try Mirror(path: mirrorPath)
        var state = AppState(me: me, clinic: "Sunrise", now: Mirror.now(), screenWidth: options.width, screenHeight: options.height)
        let (rows, counts) = try mirror.queue(.waiting, agentId: me.id)
        _ = reduce(&state, .queueLoaded(tab: .waiting, rows: rows, counts: counts))
        let theme = Theme.default
        let keymap = Keymap.default
        var grid = CellGrid(width: options.width, height: options.height)
        _ = Screen.render(state, theme: theme, keymap: keymap, into: &grid)
        var samples: [Double] = []
        for move in 0..<2_000 {
            let key: Key = (move / 500) % 2 == 0 ? .char("j") : .char("k")
            let start = ContinuousClock.now
            if let action = keymap.action(for: key, in: state) { _ = reduce(&state, action) }
            let previous = grid
            _ = Screen.render(state, theme: theme, keymap: keymap, into: &grid)
            _ = grid.changedRuns(since: previous)
            let elapsed = ContinuousClock.now - start
            samples.append(elapsed.millis)
        }
        samples.sort()
        return (samples[samples.count / 2], samples[samples.count * 99 / 100])
    }
}

/// The real `inbox` binary on a pseudo-terminal: what it writes is what a terminal would receive.
final class PseudoTerminalRun {
    let master: Int32
    let pid: pid_t
    let firstFrameMs: Double

    init(binary: String, mirrorPath: String, directory: TempDir, options: TerminalBench.Options) throws {
        // posix_openpt/unlockpt/ptsname by hand: Swift's Glibc module hides them behind _XOPEN_SOURCE.
        master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        var unlock: Int32 = 0
        var number: UInt32 = 0
        // TIOCSPTLCK and TIOCGPTN (Linux, asm-generic ioctls): function-like macros Swift cannot import.
        let setLock: UInt = 0x4004_5431, getNumber: UInt = 0x8004_5430
        guard master >= 0, ioctl(master, setLock, &unlock) == 0, ioctl(master, getNumber, &number) == 0 else {
            throw BenchError("no pseudo-terminal")
        }
        let slavePath = "/dev/pts/\(number)"
        let marker = directory.file("first-frame-\(UUID().uuidString)")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd in Int32(0)...2 { posix_spawn_file_actions_addopen(&actions, fd, slavePath, O_RDWR, 0) }
        let environment = ["TERM=xterm-256color", "LANG=C.UTF-8", "LINES=\(options.height)", "COLUMNS=\(options.width)",
                           "HOME=\(directory.path)", "XDG_CONFIG_HOME=\(directory.path)/config",
                           "INBOX_FIRST_FRAME_FILE=\(marker)", "PATH=/usr/bin:/bin"]
        let arguments = [binary, "--server", TerminalBench.deadServer, "--token", "unused", "--mirror", mirrorPath]
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var child: pid_t = 0
        let start = Date().timeIntervalSince1970 * 1000
        guard posix_spawn(&child, binary, &actions, nil, argv, envp) == 0 else { throw BenchError("could not start \(binary)") }
        pid = child
        var reported: Double?
        let deadline = Date().addingTimeInterval(30)
        while reported == nil, Date() < deadline {
            Self.drain(master, for: 0.005)
            reported = (try? String(contentsOfFile: marker, encoding: .utf8)).flatMap { Double($0) }
        }
        guard let reported else { throw BenchError("no first frame within 30 s") }
        firstFrameMs = reported - start
        Self.drain(master, for: 1.0)  // let the sync loop's first "reconnecting" settle
    }

    /// Bytes the client writes for each `j`: read until the terminal has been quiet for 50 ms.
    func bytesPerMove(moves: Int) throws -> [Int] {
        var counts: [Int] = []
        for _ in 0..<moves {
            _ = "j".withCString { write(master, $0, 1) }
            counts.append(Self.drain(master, for: 0.08))
        }
        return counts
    }

    func residentMiB() -> Double { Double(ProcFS.statusKiB(pid: pid, field: "VmRSS") ?? 0) / 1024 }

    func quit() {
        _ = "q".withCString { write(master, $0, 1) }
        Self.drain(master, for: 0.3)
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        close(master)
    }

    /// Reads whatever arrives for `seconds`; returns the byte count.
    @discardableResult
    static func drain(_ fd: Int32, for seconds: Double) -> Int {
        var total = 0
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let remaining = Int32(max(1, deadline.timeIntervalSinceNow * 1000))
            guard poll(&poller, 1, remaining) > 0 else { continue }
            let count = read(fd, &buffer, buffer.count)
            if count <= 0 { break }
            total += count
        }
        return total
    }
}
