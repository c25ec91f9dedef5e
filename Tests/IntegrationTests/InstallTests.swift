import Foundation
import Testing

/// `make install` / `make uninstall` into a staging DESTDIR, the systemd unit, and the completions and man pages in
/// dist/ against what the current parser generates. Installs the debug build (BUILD_DIR) so no release build is needed.
@Suite struct InstallTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let prefix = "/usr/local"

    struct Outcome { var status: Int32; var output: String }

    /// Runs a program from the package root; stdout and stderr together.
    static func run(_ program: String, _ arguments: [String]) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
        process.currentDirectoryURL = root
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "MAKEFLAGS")  // an outer `make test` must not pass its flags down
        environment.removeValue(forKey: "MAKELEVEL")
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    static func makeStagingRoot() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("inbox-install-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    static func install(into destdir: URL) throws {
        let outcome = try run("make", ["--no-print-directory", "install", "DESTDIR=\(destdir.path)", "PREFIX=\(prefix)",
                                       "BUILD_DIR=.build/debug"])
        #expect(outcome.status == 0, "make install failed: \(outcome.output)")
    }

    static func uninstall(from destdir: URL) throws {
        let outcome = try run("make", ["--no-print-directory", "uninstall", "DESTDIR=\(destdir.path)", "PREFIX=\(prefix)"])
        #expect(outcome.status == 0, "make uninstall failed: \(outcome.output)")
    }

    static func everything(under directory: URL) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: directory.path)
        var paths: [String] = []
        while let path = enumerator?.nextObject() as? String { paths.append(path) }
        return paths.sorted()
    }

    static let installedFiles = [
        "bin/inbox", "share/inbox/themes/dark.toml", "share/man/man1/inbox.1", "share/man/man1/inbox.serve.1",
        "share/bash-completion/completions/inbox", "share/zsh/site-functions/_inbox",
        "share/fish/vendor_completions.d/inbox.fish",
    ]

    @Test func installThenUninstallLeavesTheStagingRootEmpty() throws {
        let destdir = try Self.makeStagingRoot()
        defer { try? FileManager.default.removeItem(at: destdir) }
        try Self.install(into: destdir)
        for file in Self.installedFiles {
            #expect(FileManager.default.fileExists(atPath: destdir.path + Self.prefix + "/" + file), "\(file) not installed")
        }
        let binary = destdir.path + Self.prefix + "/bin/inbox"
        let version = try Self.run(binary, ["--version"])
        #expect(version.status == 0)
        #expect(version.output.trimmingCharacters(in: .whitespacesAndNewlines).range(of: #"^\d+\.\d+\.\d+$"#,
                                                                                    options: .regularExpression) != nil,
                "inbox --version printed \(version.output)")

        try Self.uninstall(from: destdir)
        #expect(Self.everything(under: destdir) == [])
    }

    @Test func uninstallKeepsWhatItDidNotInstall() throws {
        let destdir = try Self.makeStagingRoot()
        defer { try? FileManager.default.removeItem(at: destdir) }
        let manDirectory = destdir.appendingPathComponent("usr/local/share/man/man1")
        try FileManager.default.createDirectory(at: manDirectory, withIntermediateDirectories: true)
        try Data("another program's page\n".utf8).write(to: manDirectory.appendingPathComponent("other.1"))

        try Self.install(into: destdir)
        #expect(FileManager.default.fileExists(atPath: manDirectory.appendingPathComponent("inbox.1").path))
        try Self.uninstall(from: destdir)
        #expect(Self.everything(under: destdir) == ["usr", "usr/local", "usr/local/share", "usr/local/share/man",
                                                    "usr/local/share/man/man1", "usr/local/share/man/man1/other.1"])
    }

    static func unit() throws -> String {
        try String(contentsOf: root.appendingPathComponent("dist/inbox.service"), encoding: .utf8)
    }

    static func directives(_ unit: String) -> [String: [String]] {
        var values: [String: [String]] = [:]
        for line in unit.split(separator: "\n") where !line.hasPrefix("#") && line.contains("=") {
            let parts = line.split(separator: "=", maxSplits: 1)
            values[String(parts[0]), default: []].append(parts.count > 1 ? String(parts[1]) : "")
        }
        return values
    }

    @Test func theUnitNamesWhatMakeInstallWritesAndIsHardened() throws {
        let values = Self.directives(try Self.unit())
        let execStart = try #require(values["ExecStart"]?.first)
        #expect(execStart == Self.prefix + "/bin/inbox serve --db /var/lib/inbox/inbox.sqlite")
        #expect(Self.installedFiles.contains("bin/inbox"))
        #expect(values["StateDirectory"] == ["inbox"])
        #expect(values["ReadWritePaths"] == ["/var/lib/inbox"])
        #expect(values["EnvironmentFile"] == ["/etc/inbox/inbox.env"])
        #expect(values["User"] == ["inbox"])
        let expected: [String: String] = [
            "LimitNOFILE": "65536", "Restart": "on-failure", "NoNewPrivileges": "yes", "ProtectSystem": "strict",
            "ProtectHome": "yes", "PrivateTmp": "yes", "KillSignal": "SIGTERM", "TimeoutStopSec": "20",
        ]
        for (key, value) in expected { #expect(values[key] == [value], "\(key)") }
    }

    @Test func theUnitVerifiesAgainstTheInstalledBinary() throws {
        let destdir = try Self.makeStagingRoot()
        defer { try? FileManager.default.removeItem(at: destdir) }
        try Self.install(into: destdir)
        // verify insists the ExecStart binary exists, so a copy of the unit names the staged one.
        let staged = try Self.unit().replacingOccurrences(of: "ExecStart=\(Self.prefix)/bin/inbox",
                                                          with: "ExecStart=\(destdir.path)\(Self.prefix)/bin/inbox")
        let unitCopy = destdir.appendingPathComponent("inbox.service")
        try Data(staged.utf8).write(to: unitCopy)
        let verified = try Self.run("systemd-analyze", ["verify", "--man=no", unitCopy.path])
        #expect(verified.status == 0)
        #expect(verified.output.isEmpty, "systemd-analyze verify complained: \(verified.output)")

        // Positive control: verify does report a unit problem (an unknown key), so the silence above means something.
        let broken = destdir.appendingPathComponent("broken.service")
        try Data((staged + "\n[Service]\nNoSuchSetting=1\n").utf8).write(to: broken)
        let complaint = try Self.run("systemd-analyze", ["verify", "--man=no", broken.path])
        #expect(complaint.output.contains("NoSuchSetting"))
    }

    @Test func installServiceWritesTheUnitAndASecretEnvironmentFile() throws {
        let destdir = try Self.makeStagingRoot()
        defer { try? FileManager.default.removeItem(at: destdir) }
        let outcome = try Self.run("make", ["--no-print-directory", "install-service", "DESTDIR=\(destdir.path)"])
        #expect(outcome.status == 0, "make install-service failed: \(outcome.output)")
        let unit = try String(contentsOfFile: destdir.path + "/etc/systemd/system/inbox.service", encoding: .utf8)
        #expect(unit == (try Self.unit()))
        let environmentFile = destdir.path + "/etc/inbox/inbox.env"
        let mode = try FileManager.default.attributesOfItem(atPath: environmentFile)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        // An existing environment file (with the clinic's secrets) is never overwritten.
        try Data("TWILIO_AUTH_TOKEN=kept\n".utf8).write(to: URL(fileURLWithPath: environmentFile))
        let again = try Self.run("make", ["--no-print-directory", "install-service", "DESTDIR=\(destdir.path)"])
        #expect(again.status == 0)
        #expect(try String(contentsOfFile: environmentFile, encoding: .utf8) == "TWILIO_AUTH_TOKEN=kept\n")

        // Another PREFIX: the installed unit starts the binary `make install PREFIX=...` wrote.
        let elsewhere = try Self.run("make", ["--no-print-directory", "install-service", "DESTDIR=\(destdir.path)",
                                              "PREFIX=/opt/inbox"])
        #expect(elsewhere.status == 0)
        let moved = try String(contentsOfFile: destdir.path + "/etc/systemd/system/inbox.service", encoding: .utf8)
        #expect(Self.directives(moved)["ExecStart"] == ["/opt/inbox/bin/inbox serve --db /var/lib/inbox/inbox.sqlite"])
    }

    @Test(arguments: [("bash", "inbox.bash"), ("zsh", "_inbox"), ("fish", "inbox.fish")])
    func completionsMatchTheParser(shell: String, file: String) throws {
        let generated = try Self.run(InboxProcess.binary, ["--generate-completion-script", shell])
        #expect(generated.status == 0)
        let shipped = try String(contentsOf: Self.root.appendingPathComponent("dist/completions/\(file)"), encoding: .utf8)
        #expect(shipped == generated.output, "dist/completions/\(file) is stale: run `make docs`")
    }

    /// Every command path ("agent add") the parser knows, from its JSON description of itself.
    static func commandPaths() throws -> [[String]] {
        let dump = try Self.run(InboxProcess.binary, ["--experimental-dump-help"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(dump.output.utf8)) as? [String: Any])
        var paths: [[String]] = []
        func walk(_ command: [String: Any], _ path: [String]) {
            paths.append(path)
            for sub in command["subcommands"] as? [[String: Any]] ?? [] {
                walk(sub, path + [sub["commandName"] as? String ?? "?"])
            }
        }
        walk(try #require(json["command"] as? [String: Any]), [])
        return paths
    }

    @Test func thereIsAManPageForEachCommandAndNoOther() throws {
        let paths = try Self.commandPaths()
        #expect(paths.contains(["serve"]) && paths.contains(["agent", "add"]))
        let manDirectory = Self.root.appendingPathComponent("dist/man")
        for path in paths {
            let page = (["inbox"] + path).joined(separator: ".") + ".1"
            let text = try? String(contentsOf: manDirectory.appendingPathComponent(page), encoding: .utf8)
            // mdoc quotes a multi-word name: `.Nm inbox`, `.Nm "inbox agent add"`.
            let name = path.isEmpty ? "inbox" : "\"" + (["inbox"] + path).joined(separator: " ") + "\""
            #expect(text?.contains("\n.Nm \(name)\n") == true,
                    "dist/man/\(page) missing or not about `inbox \(path.joined(separator: " "))`: run `make docs`")
        }
        let expectedPages = Set(paths.map { (["inbox"] + $0).joined(separator: ".") + ".1" })
        let shippedPages = Set(try FileManager.default.contentsOfDirectory(atPath: manDirectory.path))
        #expect(shippedPages == expectedPages, "dist/man differs from the commands: run `make docs`")
    }
}
