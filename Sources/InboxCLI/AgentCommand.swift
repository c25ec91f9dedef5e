import ArgumentParser
import Foundation
import InboxModel
import InboxServer

/// `inbox agent …`: staff accounts. Each subcommand opens the server's database directly and may run while the
/// server does; the server notices within a quarter of a second (tokens, long-polls, colleagues' screens).
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent", abstract: "Manage agents.",
        subcommands: [Add.self, List.self, Revoke.self, RotateToken.self, Rename.self, SetRole.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an agent (and its clinic if new); prints the agent's token as the last line.",
            discussion: "The token is shown once: only its SHA-256 hash is stored.")

        @Argument(help: "The agent's display name.") var name: String
        @Option(help: "The clinic the agent belongs to.") var clinic: String
        @Flag(help: "Make the agent an admin.") var admin = false
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await database.withStore { store in
                let created = try await store.addAgent(name: name, clinic: clinic, role: admin ? .admin : .agent)
                print("agent \(created.agent.id) \(created.agent.name) in clinic \(clinic)")
                print(created.token)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List agents: id, role, state, clinic and name.")

        @Option(help: "Only this clinic's agents.") var clinic: String?
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await database.withStore { store in
                let listing = try await store.agentListing(clinic: clinic)
                if listing.isEmpty { print("no agents"); return }
                for entry in listing {
                    let state = entry.revokedAt.map { "revoked " + Self.date($0) } ?? "active"
                    print("\(entry.agent.id)\t\(entry.agent.role.rawValue)\t\(state)\t\(entry.clinic)\t\(entry.agent.name)")
                }
            }
        }

        static func date(_ millis: Millis) -> String {
            ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke an agent: their token stops working at once (held connections included).",
            discussion: "The agent stays in the history under their name and is shown to colleagues as inactive.")

        @Argument(help: "The agent's id (see `inbox agent list`).") var id: Int64
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await database.withStore { store in
                let agent = try await store.revokeAgent(id: id)
                print("agent \(agent.id) \(agent.name) revoked")
            }
        }
    }

    struct RotateToken: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-token",
            abstract: "Give an agent a new token (printed as the last line); the old one stops working at once.")

        @Argument(help: "The agent's id.") var id: Int64
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await database.withStore { store in
                let rotated = try await store.rotateToken(agentId: id)
                print("agent \(rotated.agent.id) \(rotated.agent.name) has a new token")
                print(rotated.token)
            }
        }
    }

    struct Rename: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change the name colleagues see.")

        @Argument(help: "The agent's id.") var id: Int64
        @Argument(help: "The new display name.") var name: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await database.withStore { store in
                let agent = try await store.renameAgent(id: id, to: name)
                print("agent \(agent.id) is now \(agent.name)")
            }
        }
    }

    struct SetRole: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-role", abstract: "Make an agent an admin, or not.")

        @Argument(help: "The agent's id.") var id: Int64
        @Argument(help: "agent or admin.") var role: String
        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            guard AgentRole(rawValue: role) != nil else { throw ValidationError("role must be agent or admin") }
        }

        func run() async throws {
            try await database.withStore { store in
                let agent = try await store.setRole(agentId: id, role: AgentRole(rawValue: role) ?? .agent)
                print("agent \(agent.id) \(agent.name) is now \(agent.role.rawValue)")
            }
        }
    }
}
