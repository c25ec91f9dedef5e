import ArgumentParser

@main
struct Inbox: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inbox",
        abstract: "A WhatsApp inbox for clinic reception: terminal client, server and sync.",
        discussion: "With no subcommand, opens the full-screen inbox for the agent saved by `inbox login`.",
        version: "0.1.0",
        subcommands: [Open.self, Serve.self, Doctor.self, AgentCommand.self, NumberCommand.self, ClinicCommand.self, TemplateCommand.self, CannedCommand.self, AppointmentCommand.self, DeadLetterCommand.self, PatientCommand.self, Backup.self, Restore.self, Sync.self, Login.self, Demo.self, Conformance.self],
        defaultSubcommand: Open.self)
}
