import ArgumentParser
import Foundation
import InboxModel
import SyncEngine

struct Login: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a token against the server and save it for `inbox` (file mode 0600).")

    @Option(help: "The inbox server, e.g. http://127.0.0.1:8080.") var server: String
    @Option(help: "The agent's token, as printed by `inbox agent add`.") var token: String
    @Option(help: "The mirror database (default: $XDG_DATA_HOME/inbox/mirror.sqlite).") var mirror: String?

    func run() async throws {
        let api = ServerAPI(server: server, token: token)
        let me = try await api.whoAmI()
        let path = try Credentials(server: server, token: token).save()
        print("signed in as \(me.agent.name) (\(me.clinic)); credentials saved to \(path)")
        // On a shared reception PC the previous agent may have left replies queued: they stay theirs.
        let mirrorPath = mirror ?? Mirror.defaultPath()
        guard FileManager.default.fileExists(atPath: mirrorPath) else { return }
        let held = try Mirror(path: mirrorPath).heldCommands(notOwnedBy: Mirror.Owner(server: api.server, agentId: me.agent.id))
        for group in held { print(group.summary(currentServer: api.server)) }
    }
}

/// Where `inbox login` keeps the server and token: `$XDG_CONFIG_HOME/inbox/credentials.json`, mode 0600.
struct Credentials: Codable {
    var server: String
    var token: String

    static func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.config"
        return base + "/inbox/credentials.json"
    }

    static func load() throws -> Credentials {
        try JSONDecoder().decode(Credentials.self, from: Data(contentsOf: URL(fileURLWithPath: path())))
    }

    func save() throws -> String {
        let path = Self.path()
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let data = try JSONEncoder().encode(self)
        guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("could not write \(path)")
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        return path
    }
}
