import Foundation
import InboxModel
import InboxServer

#if canImport(Glibc)
import Glibc
#endif

/// The server under test: in this process, or a separate `inbox serve`.
enum PushServer {
    case inProcess(InProcessServer)
    case process(ServerProcess, port: Int)
    /// Two instances on one PostgreSQL database.
    case pair(webhooks: InProcessServer, clients: InProcessServer, ScratchPostgres)

    /// Where the clients sync.
    var baseURL: String { "http://127.0.0.1:\(port)" }

    var port: Int {
        switch self {
        case .inProcess(let server): server.port
        case .process(_, let port): port
        case .pair(_, let clients, _): clients.port
        }
    }

    /// Where the webhooks go.
    var webhookBaseURL: String {
        if case .pair(let webhooks, _, _) = self { return webhooks.baseURL }
        return baseURL
    }

    /// Long-polls held by the server (in-process: the notifier's count; a process: its established connections,
    /// an upper bound, since an idle keep-alive connection counts too).
    var heldPolls: Int {
        switch self {
        case .inProcess(let server): server.app.notifier.waitingCount
        case .process(_, let port): ProcFS.establishedConnections(localPort: port)
        case .pair(_, let clients, _): clients.app.notifier.waitingCount
        }
    }

    /// The server process's CPU seconds (nil in-process: it is part of this process's).
    var cpuSeconds: Double? {
        switch self {
        case .inProcess, .pair: nil
        case .process(let process, _): CPUTime.of(pid: process.pid)
        }
    }

    var pid: Int32? {
        if case .process(let process, _) = self { return process.pid }
        return nil
    }

    func stop() async {
        switch self {
        case .inProcess(let server): await server.stop()
        case .process(let process, _): process.stop()
        case .pair(let webhooks, let clients, let scratch):
            await webhooks.stop()
            await clients.stop()
            await scratch.drop()
        }
    }
}

/// Which agent received which tracked message when (`monotonicNanos`). Each message is expected by the agents of
/// its clinic only: a contiguous range of agent indexes.
final class ArrivalLog: @unchecked Sendable {
    private struct Slot {
        var measured: Bool
        var recipients: Range<Int>
        var sent: UInt64?
        var accepted: UInt64?
        var arrivals: [UInt64?]
    }

    private let lock = NSLock()
    private var slotsBySid: [String: Int] = [:]
    private var slots: [Slot] = []
    private var synced: Set<Int> = []
    private var remaining = 0

    /// Registers a message before its webhook is sent; returns its slot.
    func track(_ providerMessageId: String, measured: Bool, recipients: Range<Int>) -> Int {
        lock.withLock {
            slotsBySid[providerMessageId] = slots.count
            slots.append(Slot(measured: measured, recipients: recipients,
                              arrivals: Array(repeating: nil, count: recipients.count)))
            remaining += recipients.count
            return slots.count - 1
        }
    }

    func accepted(_ slot: Int, sent: UInt64, accepted: UInt64) {
        lock.withLock {
            slots[slot].sent = sent
            slots[slot].accepted = accepted
        }
    }

    /// A full client committed `batch` to its mirror just now.
    func applied(client: Int, batch: SyncBatch) {
        let now = monotonicNanos()
        lock.withLock {
            synced.insert(client)
            for message in batch.messages {
                if let id = message.providerMessageId { record(client: client, sid: id, at: now) }
            }
        }
    }

    /// A light poller read an answer carrying `sid` at `nanos`.
    func arrived(client: Int, sid: String, at nanos: UInt64) {
        lock.withLock { record(client: client, sid: sid, at: nanos) }
    }

    private func record(client: Int, sid: String, at nanos: UInt64) {
        guard let slot = slotsBySid[sid], slots[slot].recipients.contains(client) else { return }
        let index = client - slots[slot].recipients.lowerBound
        guard slots[slot].arrivals[index] == nil else { return }
        slots[slot].arrivals[index] = nanos
        remaining -= 1
    }

    var clientsSynced: Int { lock.withLock { synced.count } }
    var outstanding: Int { lock.withLock { remaining } }

    struct Results {
        var acceptedToCommitted: [Double] = []
        var sentToCommitted: [Double] = []
        var roundTrips: [Double] = []
    }

    func results() -> Results {
        func millis(_ from: UInt64, _ to: UInt64) -> Double { (Double(to) - Double(from)) / 1e6 }
        return lock.withLock {
            var results = Results()
            for slot in slots where slot.measured {
                guard let sent = slot.sent, let accepted = slot.accepted else { continue }
                results.roundTrips.append(millis(sent, accepted))
                for arrival in slot.arrivals {
                    guard let arrival else { continue }
                    results.acceptedToCommitted.append(millis(accepted, arrival))
                    results.sentToCommitted.append(millis(sent, arrival))
                }
            }
            return results
        }
    }
}

/// `inbox-bench pollers` as a child process (see `LightPollersCommand`): tokens in, arrivals out.
final class PollersProcess: @unchecked Sendable {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let lock = NSLock()
    private var partial = ""
    private var allSynced = false
    private var floorDone: (requests: Int, bytes: Int)?

    var pid: Int32 { process.processIdentifier }

    init(port: Int, tokens: [String], log: ArrivalLog, errorLogPath: String) throws {
        process.executableURL = URL(fileURLWithPath: ProcFS.ownExecutable())
        process.arguments = ["pollers", "--port", String(port)]
        process.standardInput = input
        process.standardOutput = output
        _ = FileManager.default.createFile(atPath: errorLogPath, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: errorLogPath)
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.received(String(decoding: data, as: UTF8.self), log: log)
        }
        try process.run()
        var text = tokens.map { "agent \($0)\n" }.joined()
        text += "go\n"
        try input.fileHandleForWriting.write(contentsOf: Data(text.utf8))
    }

    private func received(_ text: String, log: ArrivalLog) {
        let lines: [Substring] = lock.withLock {
            partial += text
            guard let last = partial.lastIndex(of: "\n") else { return [] }
            let complete = partial[..<last].split(separator: "\n")
            partial = String(partial[partial.index(after: last)...])
            return complete
        }
        for line in lines {
            let words = line.split(separator: " ")
            switch words.first {
            case "a":
                if words.count == 4, let client = Int(words[1]), let nanos = UInt64(words[3]) {
                    log.arrived(client: client, sid: String(words[2]), at: nanos)
                }
            case "synced": lock.withLock { allSynced = true }
            case "floor-done":
                if words.count == 3, let requests = Int(words[1]), let bytes = Int(words[2]) {
                    lock.withLock { floorDone = (requests, bytes) }
                }
            default: break
            }
        }
    }

    var synced: Bool { lock.withLock { allSynced } }
    var cpuSeconds: Double { CPUTime.of(pid: pid) ?? 0 }

    /// Asks the floor: `rounds` × agents plain requests, `group` at a time. Returns requests answered and their size.
    func floor(rounds: Int, group: Int, timeout: Duration) async throws -> (requests: Int, bytes: Int) {
        lock.withLock { floorDone = nil }
        try input.fileHandleForWriting.write(contentsOf: Data("floor \(rounds) \(group)\n".utf8))
        var done: (requests: Int, bytes: Int)?
        _ = await waitUntil(timeout: timeout, interval: .milliseconds(5)) {
            done = self.lock.withLock { self.floorDone }
            return done != nil || !self.process.isRunning
        }
        guard let done else { throw BenchError("the pollers did not finish the floor requests") }
        return done
    }

    func stop() {
        try? input.fileHandleForWriting.write(contentsOf: Data("quit\n".utf8))
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        output.fileHandleForReading.readabilityHandler = nil
    }
}

extension ProcFS {
    /// This executable's path (`/proc/self/exe`), to start it again as a helper process.
    static func ownExecutable() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return CommandLine.arguments[0] }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
