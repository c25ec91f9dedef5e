import ArgumentParser
import Foundation
import InboxModel
import InboxTUI
import SyncEngine

struct Sync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sync the local mirror with the server without opening the inbox.",
        discussion: "Without --once, keeps long-polling (and sending the outbox) until interrupted.")

    @Flag(help: "Pull everything pending, send the outbox, and exit.") var once = false
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        LoggingSetup.bootstrap()
        let credentials = try connection.resolve()
        let mirror = try Mirror(path: connection.mirror ?? Mirror.defaultPath())
        let api = ServerAPI(server: credentials.server, token: credentials.token)
        // --once: a catch-up draws its progress (a bar on a terminal, plain lines otherwise).
        let reporter = Locked(CatchUpReporter(isTerminal: once && isatty(STDOUT_FILENO) == 1))
        let loop = SyncLoop(mirror: mirror, api: api) { event in
            guard once, case .catchingUp(let progress) = event else { return }
            var current = reporter.value
            if let text = current.text(for: progress) {
                FileHandle.standardOutput.write(Data(text.utf8))
            }
            reporter.value = current
        }
        if once {
            do {
                try await loop.syncOnce()
                // Another agent's queued commands were not sent with this token: say so.
                for held in try mirror.heldCommands() {
                    FileHandle.standardError.write(Data("inbox sync: \(held.summary(currentServer: api.server))\n".utf8))
                }
            } catch {
                FileHandle.standardError.write(Data("inbox sync: \(error)\n".utf8))
                throw ExitCode.failure
            }
            return
        }
        await loop.run()
    }
}

/// `--server`, `--token` and `--mirror`, falling back to INBOX_SERVER / INBOX_TOKEN and then `inbox login`'s file.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "The inbox server, e.g. http://127.0.0.1:8080.") var server: String?
    @Option(help: "The agent's token.") var token: String?
    @Option(help: "The mirror database (default: $XDG_DATA_HOME/inbox/mirror.sqlite).") var mirror: String?

    /// Flags, then the environment, then `inbox login`'s file, then the config file.
    func resolve(config: Config? = nil) throws -> Credentials {
        let environment = ProcessInfo.processInfo.environment
        // A missing file means "not logged in"; a damaged one is said, not taken for "not logged in".
        var saved: Credentials?
        var unreadable: String?
        if FileManager.default.fileExists(atPath: Credentials.path()) {
            do { saved = try Credentials.load() } catch { unreadable = "\(Credentials.path()) cannot be read (\(error))" }
        }
        guard let server = server ?? environment["INBOX_SERVER"] ?? saved?.server ?? config?.server,
              let token = token ?? environment["INBOX_TOKEN"] ?? saved?.token ?? config?.token else {
            throw ValidationError((unreadable.map { $0 + "; " } ?? "")
                                  + "no server and token: pass --server and --token, or run `inbox login` first")
        }
        return Credentials(server: server, token: token)
    }
}
