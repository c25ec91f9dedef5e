import Foundation
import Testing
@testable import InboxTUI

@Suite("Themes")
struct ThemeTests {
    static let themesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("themes").path

    @Test(arguments: ["dark", "light", "high-contrast", "mono"])
    func embeddedThemeIsIdenticalToTheFile(_ name: String) throws {
        let path = Self.themesDirectory + "/" + name + ".toml"
        let file = try String(contentsOfFile: path, encoding: .utf8)
        let embedded = BundledThemes.all.first { $0.name == name }?.toml
        #expect(embedded == file, "themes/\(name).toml changed: run `make themes`")
    }

    @Test func bundledThemesAreTheFilesInThemes() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.themesDirectory)
            .filter { $0.hasSuffix(".toml") }.map { String($0.dropLast(5)) }
        #expect(Set(files) == Set(Theme.bundledNames))
    }

    @Test(arguments: ["dark", "light", "high-contrast", "mono"])
    func everyBundledThemeParsesAndDefinesEveryRole(_ name: String) throws {
        let theme = try Theme.parse(toml: #require(BundledThemes.all.first { $0.name == name }?.toml), name: name)
        #expect(theme.name == name)
        let toml = BundledThemes.all.first { $0.name == name }?.toml ?? ""
        for role in ThemeRole.allCases { #expect(toml.contains("[roles.\(role.rawValue)]"), "\(name) lacks \(role)") }
        #expect(theme.rowSelected != theme.rowNormal, "\(name): selection must be visible")
        #expect(Theme.bundled(named: name) == theme)
    }

    @Test func monochromeHasNoColours() throws {
        let mono = Theme.monochrome
        #expect(mono.name == "mono")
        for role in ThemeRole.allCases {
            #expect(mono[role].foreground == .default && mono[role].background == .default)
        }
        #expect(mono.rowSelected.attributes.contains(.reverse))
        #expect(try Theme.resolve(named: "dark", environment: ["NO_COLOR": "1"]) == .monochrome)
        #expect(try Theme.resolve(named: "dark", environment: ["NO_COLOR": "", "HOME": "/nonexistent"]).name == "dark")
    }

    @Test func adaptsToPoorTerminals() throws {
        let dark = try #require(Theme.bundled(named: "dark"))
        #expect(dark.adapted(to: .direct) == dark)
        #expect(dark.adapted(to: .indexed256) == dark)
        #expect(dark.adapted(to: .ansi8).name == "high-contrast")
        #expect(dark.adapted(to: .none) == .monochrome)
        let hc = try #require(Theme.bundled(named: "high-contrast"))
        #expect(hc.adapted(to: .ansi8) == hc)
    }

    @Test func parsesColoursAndAttributes() throws {
        let theme = try Theme.parse(toml: """
            [roles.base]
            fg = "#102030"
            bg = 236
            [roles.rowSelected]
            fg = "Bright-Yellow"
            bold = true
            reverse = true
            underline = false
            [roles.hint]
            bg = "default"
            """, name: "custom")
        #expect(theme.name == "custom")
        #expect(theme.base == Style(foreground: .rgb(0x10, 0x20, 0x30), background: .indexed(236)))
        #expect(theme.rowSelected == Style(foreground: .ansi(11), background: .indexed(236), attributes: [.bold, .reverse]))
        #expect(theme.hint == Style(foreground: .rgb(0x10, 0x20, 0x30), background: .default))
        #expect(theme.banner == theme.base)  // missing role = base
        #expect(theme[.rowSelected] == theme.rowSelected)
    }

    @Test(arguments: [
        ("[roles.base]\nfg = \"#12345\"", "is not #rrggbb"),
        ("[roles.base]\nfg = \"reed\"", "unknown colour"),
        ("[roles.base]\nfg = 300", "not 0–255"),
        ("[roles.rowSelect]\nbold = true", "unknown role"),
        ("[roles.base]\nblink = true", "unknown key"),
        ("[roles.base]\nbold = \"yes\"", "true or false"),
        ("colour = 1\n[roles.base]", "unknown key"),
        ("name = \"x\"", "missing [roles]"),
        ("[roles\n", "line 1"),
    ])
    func rejectsMistakes(_ toml: String, _ message: String) {
        #expect {
            try Theme.parse(toml: toml, name: "t")
        } throws: { error in
            (error as? ThemeError)?.message.contains(message) == true
        }
    }

    @Test func loadsFromDirectoryThenBundled() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("inbox-themes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "name = \"dark\"\n[roles.base]\nfg = \"red\"\n".write(
            to: dir.appendingPathComponent("dark.toml"), atomically: true, encoding: .utf8)
        #expect(try Theme.load(named: "dark", searchPaths: [dir.path]).base.foreground == .ansi(1))
        #expect(try Theme.load(named: "light", searchPaths: [dir.path]) == Theme.bundled(named: "light"))
        #expect(throws: ThemeError.self) { try Theme.load(named: "../etc/passwd", searchPaths: [dir.path]) }
        #expect(throws: ThemeError.self) { try Theme.load(named: "nope", searchPaths: [dir.path]) }
        try "[roles.base]\nfg = \"nope\"\n".write(to: dir.appendingPathComponent("bad.toml"), atomically: true, encoding: .utf8)
        #expect {
            try Theme.load(named: "bad", searchPaths: [dir.path])
        } throws: { error in
            (error as? ThemeError)?.message.contains("bad.toml: roles.base.fg") == true
        }
    }

    @Test func defaultSearchPaths() {
        #expect(Theme.defaultSearchPaths(environment: ["XDG_CONFIG_HOME": "/x"]) == ["/x/inbox/themes"])
        #expect(Theme.defaultSearchPaths(environment: ["HOME": "/h"]) == ["/h/.config/inbox/themes"])
    }
}
