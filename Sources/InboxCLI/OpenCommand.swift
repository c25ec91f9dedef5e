import ArgumentParser

struct Open: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "open", abstract: "Open the full-screen inbox (the default).")

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        throw CleanExit.message("the full-screen inbox is not wired yet; use `inbox sync`")
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run an embedded server with simulated clinic traffic and open the inbox.")

    func run() async throws {
        throw CleanExit.message("the demo is not wired yet")
    }
}
