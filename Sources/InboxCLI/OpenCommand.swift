import ArgumentParser
import Foundation
import InboxModel
import InboxTUI
import Logging
import SyncEngine

struct Open: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "open", abstract: "Open the full-screen inbox (the default).")

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Theme: dark, light, high-contrast, mono, or a theme file's name.") var theme: String?

    func run() async throws {
        // Logs would scribble over the screen: they go to $XDG_STATE_HOME/inbox/inbox.log, and the failures the
        // agent must act on reach the status line too.
        ClientLogging.bootstrap()
        let environment = ProcessInfo.processInfo.environment
        let config: Config
        do {
            config = try Config.load(environment: environment)
        } catch {
            throw ValidationError("config: \(error)")
        }
        let credentials = try connection.resolve(config: config)
        let mirror = try Mirror(path: connection.mirror ?? Mirror.defaultPath())
        try await TerminalSession.run(mirror: mirror, api: ServerAPI(server: credentials.server, token: credentials.token),
                                      config: config, themeName: theme ?? config.theme)
    }
}

/// Opens the terminal client over a mirror: paints from the mirror first, syncs in the background.
enum TerminalSession {
    static func run(mirror: Mirror, api: ServerAPI, config: Config, themeName: String) async throws {
        let environment = ProcessInfo.processInfo.environment
        let bound = try mirror.syncState().flatMap { $0.server == api.server ? $0 : nil }
        var me = try bound.flatMap { _ in try mirror.signedInAgent() }
        var clinic = bound?.clinic ?? ""
        if me == nil {
            // First run against this server: who we are has to come from the network once.
            let whoAmI = try await api.whoAmI()
            try mirror.bind(server: api.server, agentId: whoAmI.agent.id, clinic: whoAmI.clinic)
            me = whoAmI.agent
            clinic = whoAmI.clinic
        }
        guard let me else { return }
        let painter = try NcursesPainter(environment: environment)
        let theme = try Theme.resolve(named: themeName, environment: environment).adapted(to: painter.colorDepth)
        let app = TerminalApp(mirror: mirror, me: me, clinic: clinic, config: config, theme: theme, terminal: painter)
        let loop = app.attach(api: api)
        let syncing = Task.detached { await loop.run() }
        await app.runOnOwnThread()
        syncing.cancel()
    }
}

/// The full-screen client logs to a file (`ClientLogFile`), never to the terminal it draws on.
enum ClientLogging {
    static func bootstrap(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let level = environment["INBOX_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let path = ClientLogFile.defaultPath(environment: environment)
        let file: ClientLogFile?
        do {
            file = try ClientLogFile(path: path)
        } catch {
            // Said before the screen opens, so it is on the terminal once the client quits.
            FileHandle.standardError.write(Data("inbox: cannot write the log \(path) (\(error)); running without it\n".utf8))
            file = nil
        }
        LoggingSystem.bootstrap { label in
            guard let file else { return SwiftLogNoOpLogHandler() }  // an unwritable log must not stop the client
            return ClientLogHandler(label: label, file: file, level: level)
        }
    }
}
