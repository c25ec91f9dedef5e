import ArgumentParser
import Foundation
import InboxServer

struct DeadLetterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deadletter", abstract: "Outbound messages that failed for good: inspect and retry them.",
        subcommands: [List.self, Retry.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List dead letters, newest first (no message text).")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let letters = try await database.withStore { try await $0.deadLetters() }
            if letters.isEmpty { print("no dead letters"); return }
            let format = ISO8601DateFormatter()
            for letter in letters {
                let when = format.string(from: Date(timeIntervalSince1970: Double(letter.failedAt) / 1000))
                print("\(letter.messageId)\t\(when)\t\(letter.clinic)\t\(letter.provider.rawValue)\tconversation \(letter.conversationId)\t\(letter.reason)")
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue dead letters for delivery again; the running server sends them within seconds.")
        @Argument(help: "Message ids from `inbox deadletter list`.") var ids: [Int64] = []
        @Flag(help: "Retry every dead letter.") var all = false
        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            if all == !ids.isEmpty { throw ValidationError("give message ids, or --all") }
        }

        func run() async throws {
            try await database.withStore { store in
                let targets = all ? try await store.deadLetters().map(\.messageId) : ids
                var missing: [Int64] = []
                for id in targets {
                    if try await store.retryDeadLetter(messageId: id) { print("queued \(id)") } else { missing.append(id) }
                }
                if !missing.isEmpty {
                    throw ValidationError("not dead letters: \(missing.map(String.init).joined(separator: ", "))")
                }
            }
        }
    }
}
