import ArgumentParser
import Foundation
import InboxModel
import InboxServer
import InboxTUI
import SyncEngine

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run an embedded server with simulated clinic traffic and open the inbox as its agent.",
        discussion: "Everything stays on 127.0.0.1 in a temporary directory that is removed on exit.")

    @Option(help: "Theme: dark, light, high-contrast, mono.") var theme: String?
    @Option(help: "Seconds between simulated patient messages.") var pace: Double = 1.5

    func run() async throws {
        LoggingSetup.bootstrap(defaultLevel: .critical)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("inbox-demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: directory) }

        let authToken = UUID().uuidString
        let clinicNumber = "+15550001111"
        let serverPort = Locked(0)  // the embedded server binds port 0; the stand-in learns its port later
        let twilio = DemoTwilio(authToken: authToken) { "http://127.0.0.1:\(serverPort.value)/webhooks/twilio/status" }
        try await twilio.start()
        defer { twilio.stop() }

        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.twilio = .init(accountSid: "ACdemo", authToken: authToken, apiBase: twilio.baseURL)
        configuration.delivery = .init(maxAttempts: 3, baseDelay: 200, maxDelay: 2_000)
        let server = try InboxServerApp.sqlite(path: directory.appendingPathComponent("server.sqlite").path,
                                               configuration: configuration)
        try await server.store.addNumber(clinicNumber, clinic: "Sunrise Clinic", provider: .twilio, providerRef: nil)
        let me = try await server.store.addAgent(name: "You", clinic: "Sunrise Clinic", role: .admin)
        let amal = try await server.store.addAgent(name: "Dr. Amal", clinic: "Sunrise Clinic", role: .agent)
        _ = try await server.store.addAgent(name: "Ben (front desk)", clinic: "Sunrise Clinic", role: .agent)
        try await server.store.saveTemplates(try TemplateFile.parse(Self.templates), clinic: "Sunrise Clinic")
        try await DemoMorning.seed(store: server.store, clinicNumber: clinicNumber, colleague: amal, clinic: "Sunrise Clinic")

        let (bound, continuation) = AsyncStream<Int>.makeStream()
        let serving = Task { try await server.run { continuation.yield($0) } }
        for await port in bound { serverPort.value = port; break }
        defer { serving.cancel() }

        let base = "http://127.0.0.1:\(serverPort.value)"
        let simulator = TrafficSimulator(webhookURL: base + "/webhooks/twilio", clinicNumber: clinicNumber, authToken: authToken,
                                         mediaBaseURL: twilio.baseURL)
        let traffic = Task { await simulator.run(pace: .milliseconds(Int(pace * 1000))) }
        defer { traffic.cancel() }

        let mirror = try Mirror(path: directory.appendingPathComponent("mirror.sqlite").path)
        let api = ServerAPI(server: base, token: me.token)
        try await SyncLoop(mirror: mirror, api: api).syncOnce()
        let config = (try? Config.load(environment: ProcessInfo.processInfo.environment)) ?? .defaults
        try await TerminalSession.run(mirror: mirror, api: api, config: config, themeName: theme ?? config.theme)
    }

    /// The demo clinic's templates (the same as docs/templates.example.toml, embedded so the binary needs no files).
    static let templates = """
        [[template]]
        name = "appointment_reminder"
        language = "en"
        category = "utility"
        body = "Hello {{1}}, this is a reminder of your appointment on {{2}}. Reply YES to confirm or call us to change it."

        [[template]]
        name = "results_ready"
        language = "en"
        category = "utility"
        body = "Hello {{1}}, your results are ready. Please reply to this message to arrange a call with the doctor."

        [[template]]
        name = "checkup_offer"
        language = "en"
        category = "marketing"
        body = "Hi {{1}}, our annual check-up is 20% off until {{2}}. Reply BOOK to choose a time."
        """
}
