import ArgumentParser
import CurlHTTP
import Foundation
import SyncEngine

/// `inbox doctor`: what a clinic's set-up needs, checked one line at a time, in words an administrator can act on.
struct Doctor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the set-up and say what is wrong (exit status 0 only when everything holds).",
        discussion: """
            On a reception PC (the default) it checks the server and token that `inbox` would use (flags, then \
            INBOX_SERVER/INBOX_TOKEN, then `inbox login`'s file, then the config file): the server answers, the token is accepted, the \
            clocks agree within 60 s, the mirror and credentials files are owner-only (0600), and there is disk \
            space. On the server (--db) it checks that each registered number has its provider's credentials and \
            webhook secrets in the environment, the database files are 0600, there is disk space, and with \
            --public-url that the address providers call reaches this server. No secret is ever printed.
            """)

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Check the server's set-up over its SQLite database instead of a client's.") var db: String?
    @Option(help: "With --db: the public base URL providers call; its /healthz must answer from here.") var publicUrl: String?

    func validate() throws {
        if publicUrl != nil, db == nil { throw ValidationError("--public-url is checked on the server: give --db too") }
        if let publicUrl, !(publicUrl.hasPrefix("http://") || publicUrl.hasPrefix("https://")) {
            throw ValidationError("--public-url must be an http(s) URL")
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let report = DoctorReport()
        if let db {
            await ServerDoctor(databasePath: db, publicURL: publicUrl, environment: environment).check(into: report)
        } else {
            await ClientDoctor(connection: connection, environment: environment).check(into: report)
        }
        guard report.allHold else { throw ExitCode.failure }
    }
}

/// The lines `inbox doctor` prints, as it goes, and whether any check failed.
final class DoctorReport {
    private(set) var allHold = true

    func pass(_ subject: String, _ detail: String) { say("✓ \(subject): \(detail)") }

    func fail(_ subject: String, _ detail: String) {
        allHold = false
        say("✗ \(subject): \(detail)")
    }

    /// Lines quote names and errors from elsewhere (an agent's name, a server's answer): no control sequence
    /// from them reaches the terminal.
    private func say(_ line: String) {
        print(String(String.UnicodeScalarView(line.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : $0 })))
    }
}

/// Checks shared by both modes: owner-only files and free disk space.
enum DoctorFiles {
    /// Free space below this makes SQLite writes fail soon (WAL checkpoints, media): say so before it happens.
    static let minimumFreeBytes: Int64 = 200 << 20

    /// A database and its `-wal`/`-shm` companions must not be readable by anyone but their owner.
    static func checkOwnerOnly(database path: String, subject: String, into report: DoctorReport) {
        var loose: [String] = []
        for file in [path, path + "-wal", path + "-shm"] {
            guard let mode = permissions(of: file) else { continue }
            if mode & 0o077 != 0 { loose.append("\(file) is \(octal(mode))") }
        }
        if loose.isEmpty {
            report.pass(subject, "\(path) and its -wal/-shm files are owner-only (0600)")
        } else {
            report.fail(subject, loose.joined(separator: ", ") + ": patient data must be owner-only; run chmod 600 on "
                        + (loose.count == 1 ? "it" : "them"))
        }
    }

    static func checkDiskSpace(near path: String, subject: String, into report: DoctorReport) {
        var directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        // The mirror may not exist yet: measure the nearest folder that does.
        while !FileManager.default.fileExists(atPath: directory), directory != "/" {
            directory = URL(fileURLWithPath: directory).deletingLastPathComponent().path
        }
        guard let attributes = try? FileManager.default.attributesOfFileSystem(forPath: directory),
              let free = (attributes[.systemFreeSize] as? NSNumber)?.int64Value else {
            report.fail(subject, "the free space at \(directory) could not be read")
            return
        }
        let text = ByteCountFormatter.string(fromByteCount: free, countStyle: .file)
        if free < minimumFreeBytes {
            report.fail(subject, "only \(text) free at \(directory); free some space (at least "
                        + ByteCountFormatter.string(fromByteCount: minimumFreeBytes, countStyle: .file) + ")")
        } else {
            report.pass(subject, "\(text) free at \(directory)")
        }
    }

    static func permissions(of path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions].flatMap { ($0 as? NSNumber)?.intValue }
    }

    static func octal(_ mode: Int) -> String { "0" + String(mode & 0o777, radix: 8) }

    /// GET URL with a short timeout; a transport failure is returned as words.
    static func get(_ url: String, headers: [(name: String, value: String)] = []) async -> Fetched {
        do {
            return .answered(try await HTTPClient.shared.send(HTTPClient.Request(url: url, headers: headers, timeout: 10)))
        } catch {
            return .unreachable("\(error)")
        }
    }

    enum Fetched {
        case answered(HTTPClient.Response)
        case unreachable(String)
    }
}
