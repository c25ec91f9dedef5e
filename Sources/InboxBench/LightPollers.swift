import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `inbox-bench pollers` (hidden; `push-latency --pollers process` starts it): many agents' long-polls as bare
/// HTTP/1.1 keep-alive connections in one poll(2) loop on one thread — no mirror, no JSON decoding — so the server's
/// cost is measured apart from the clients'. It reads the agents' bearer tokens from stdin (`agent TOKEN`, then
/// `go`), long-polls `/v1/sync` for each, and prints `a AGENT SID NANOS` for every benchmark message (`MessageSid`
/// starting `SMbench`) an answer carries, NANOS being `CLOCK_MONOTONIC` when the answer's last byte was read.
/// `floor ROUNDS GROUP` then asks `/bench/floor` with answers of the measured wake-ups' mean size: ROUNDS × agents
/// requests, GROUP at a time (a clinic's agents, as one commit wakes them), and prints `floor-done REQUESTS BYTES`.
struct LightPollersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pollers", shouldDisplay: false)

    @Option(help: "The server's port on 127.0.0.1.") var port: Int
    @Option(help: "The long-polls' timeout parameter, milliseconds.") var pollTimeoutMs = 25_000
    @Option(help: "The long-polls' limit parameter.") var limit = 5_000

    func run() throws {
        _ = raiseOpenFileLimit(to: 65_536)
        var tokens: [String] = []
        while let line = readLine() {
            if line == "go" { break }
            if line.hasPrefix("agent ") { tokens.append(String(line.dropFirst("agent ".count))) }
        }
        let loop = try PollerLoop(port: port, tokens: tokens, timeoutMillis: pollTimeoutMs, limit: limit)
        try loop.run()
    }
}

/// Nanoseconds on `CLOCK_MONOTONIC`: comparable between the bench and its pollers process.
func monotonicNanos() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

/// One poll(2) loop driving every connection; commands arrive on stdin (also in the set). (Glibc's module does
/// not export epoll; poll over a thousand sockets costs this process, not the server.)
final class PollerLoop {
    enum Role { case poll(agent: Int), floor }

    final class Connection {
        let fd: Int32
        let role: Role
        var buffer: [UInt8] = []
        var cursor: String?
        init(fd: Int32, role: Role) {
            self.fd = fd
            self.role = role
        }
    }

    let port: Int
    let tokens: [String]
    let timeoutMillis: Int
    let limit: Int
    var connections: [Int32: Connection] = [:]
    /// The poll set, rebuilt when connections come and go.
    var pollSet: [pollfd] = []
    var pollSetStale = true
    var stdinBuffer: [UInt8] = []
    var output: [UInt8] = []
    var synced = Set<Int>()
    var reportedSynced = false
    /// Sizes of the answers that carried benchmark messages: the floor asks for their mean.
    var wakeBytes = 0
    var wakeAnswers = 0
    /// The floor phase: connections, rounds left, answers outstanding in this group.
    var floorConnections: [Connection] = []
    var floorGroup = 0
    var floorNextIndex = 0
    var floorRequestsLeft = 0
    var floorOutstanding = 0
    var floorBytes = 0
    var floorRequests = 0

    init(port: Int, tokens: [String], timeoutMillis: Int, limit: Int) throws {
        self.port = port
        self.tokens = tokens
        self.timeoutMillis = timeoutMillis
        self.limit = limit
    }

    func run() throws {
        _ = fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK)
        for agent in tokens.indices { try send(open(.poll(agent: agent))) }
        while true {
            if pollSetStale {
                pollSet = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0)]
                    + connections.keys.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
                pollSetStale = false
            }
            let count = poll(&pollSet, nfds_t(pollSet.count), 1000)
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw BenchError("poll failed: errno \(errno)") }
            let ready = pollSet.filter { $0.revents != 0 }.map(\.fd)
            for fd in ready {
                if fd == 0 {
                    if try !readCommands() { flushOutput(); return }
                } else if let connection = connections[fd] {
                    try readable(connection)
                }
            }
            flushOutput()
        }
    }

    private func open(_ role: Role) throws -> Connection {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("socket failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw BenchError("connect failed: errno \(errno)") }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        let connection = Connection(fd: fd, role: role)
        connections[fd] = connection
        pollSetStale = true
        return connection
    }

    private func send(_ connection: Connection) throws {
        let request: String
        switch connection.role {
        case .poll(let agent):
            var target = "/v1/sync?timeout=\(connection.cursor == nil ? 0 : timeoutMillis)&limit=\(limit)"
            if let cursor = connection.cursor { target += "&since=" + cursor }
            request = "GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(tokens[agent])\r\n\r\n"
        case .floor:
            let size = wakeAnswers == 0 ? 2 : max(2, wakeBytes / wakeAnswers)
            request = "GET /bench/floor?bytes=\(size) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        }
        let bytes = Array(request.utf8)
        // A few hundred bytes into an idle socket's empty send buffer: written whole or the connection is gone.
        let written = bytes.withUnsafeBytes { Glibc.write(connection.fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw BenchError("short write on a poller connection (errno \(errno))") }
    }

    private func readable(_ connection: Connection) throws {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(connection.fd, $0.baseAddress, $0.count) }
            if count > 0 {
                connection.buffer.append(contentsOf: chunk[0..<count])
                if count < chunk.count { break }
                continue
            }
            if count < 0 && (errno == EAGAIN || errno == EINTR) { break }
            // Closed by the server (an idle keep-alive ended): open a new connection and ask again.
            close(connection.fd)
            connections[connection.fd] = nil
            pollSetStale = true
            let replacement = try open(connection.role)
            replacement.cursor = connection.cursor
            if case .poll = connection.role { try send(replacement) }
            return
        }
        let now = monotonicNanos()
        while let (status, body, consumed) = try Self.response(in: connection.buffer) {
            connection.buffer.removeFirst(consumed)
            try answered(connection, status: status, body: body, at: now)
        }
    }

    /// A whole response at the front of `buffer` (Content-Length framing): status, body, bytes consumed.
    static func response(in buffer: [UInt8]) throws -> (Int, ArraySlice<UInt8>, Int)? {
        guard let headerEnd = find(Array("\r\n\r\n".utf8), in: buffer[...]) else { return nil }
        let head = String(decoding: buffer[0..<headerEnd], as: UTF8.self)
        let lines = head.split(separator: "\r\n")
        guard let statusLine = lines.first, statusLine.count >= 12,
              let status = Int(statusLine.dropFirst(9).prefix(3)) else { throw BenchError("bad status line: \(head.prefix(80))") }
        var length: Int?
        for line in lines.dropFirst() where line.lowercased().hasPrefix("content-length:") {
            length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
        }
        guard let length else { throw BenchError("a response without Content-Length: \(head.prefix(200))") }
        let total = headerEnd + 4 + length
        guard buffer.count >= total else { return nil }
        return (status, buffer[(headerEnd + 4)..<total], total)
    }

    static func find(_ needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
        guard haystack.count >= needle.count, let first = needle.first else { return nil }
        var index = haystack.startIndex
        let last = haystack.endIndex - needle.count
        while index <= last {
            if haystack[index] == first && haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    private static let cursorKey = Array("\"cursor\":\"".utf8)
    private static let sidPrefix = Array("SMbench".utf8)

    private func answered(_ connection: Connection, status: Int, body: ArraySlice<UInt8>, at now: UInt64) throws {
        switch connection.role {
        case .floor:
            floorOutstanding -= 1
            floorBytes += body.count
            floorRequests += 1
            if floorOutstanding == 0 { try nextFloorGroup() }
        case .poll(let agent):
            guard status == 200 else {
                FileHandle.standardError.write(Data("agent \(agent): HTTP \(status): \(String(decoding: body.prefix(200), as: UTF8.self))\n".utf8))
                try send(connection)
                return
            }
            if let start = Self.find(Self.cursorKey, in: body) {
                let from = start + Self.cursorKey.count
                if let end = body[from...].firstIndex(of: UInt8(ascii: "\"")) {
                    connection.cursor = String(decoding: body[from..<end], as: UTF8.self)
                }
            }
            var carried = false
            var search = body
            while let start = Self.find(Self.sidPrefix, in: search) {
                guard let end = search[start...].firstIndex(of: UInt8(ascii: "\"")) else { break }
                output.append(contentsOf: Array("a \(agent) ".utf8))
                output.append(contentsOf: search[start..<end])
                output.append(contentsOf: Array(" \(now)\n".utf8))
                carried = true
                search = search[end...]
            }
            if carried {
                wakeBytes += body.count
                wakeAnswers += 1
            }
            if synced.insert(agent).inserted, synced.count == tokens.count, !reportedSynced {
                reportedSynced = true
                output.append(contentsOf: Array("synced \(tokens.count)\n".utf8))
            }
            try send(connection)
        }
    }

    /// Commands from the bench; false at EOF or `quit`.
    private func readCommands() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if count == 0 { return false }
            if count < 0 { break }
            stdinBuffer.append(contentsOf: chunk[0..<count])
        }
        while let newline = stdinBuffer.firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: stdinBuffer[0..<newline], as: UTF8.self)
            stdinBuffer.removeFirst(newline + 1)
            let words = line.split(separator: " ")
            switch words.first {
            case "quit": return false
            case "floor":
                guard words.count == 3, let rounds = Int(words[1]), let group = Int(words[2]), group > 0 else {
                    throw BenchError("floor ROUNDS GROUP")
                }
                try startFloor(rounds: rounds, group: group)
            default: break
            }
        }
        return true
    }

    private func startFloor(rounds: Int, group: Int) throws {
        floorConnections = try (0..<group).map { _ in try open(.floor) }
        floorGroup = group
        floorRequestsLeft = rounds * tokens.count
        floorBytes = 0
        floorRequests = 0
        try nextFloorGroup()
    }

    /// One group of requests at once, as one commit wakes a clinic's agents; the next when all are answered.
    private func nextFloorGroup() throws {
        guard floorRequestsLeft > 0 else {
            output.append(contentsOf: Array("floor-done \(floorRequests) \(floorRequests == 0 ? 0 : floorBytes / floorRequests)\n".utf8))
            for connection in floorConnections {
                close(connection.fd)
                connections[connection.fd] = nil
            }
            pollSetStale = true
            floorConnections = []
            return
        }
        let count = min(floorGroup, floorRequestsLeft)
        floorRequestsLeft -= count
        floorOutstanding = count
        for connection in floorConnections.prefix(count) { try send(connection) }
    }

    private func flushOutput() {
        guard !output.isEmpty else { return }
        var offset = 0
        while offset < output.count {
            let written = output[offset...].withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
            if written <= 0 { if errno == EINTR || errno == EAGAIN { continue } else { break } }
            offset += written
        }
        output.removeAll(keepingCapacity: true)
    }
}
