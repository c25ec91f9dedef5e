import InboxModel
@testable import InboxTUI
import Testing

@Suite struct KeymapAndConfigTests {
    @Test func defaultKeysMapToActions() {
        var state = Fixtures.openState(Fixtures.deliveryDetail, width: 120, height: 30)
        let keymap = Keymap.default
        #expect(keymap.action(for: .char("j"), in: state) == .moveSelection(1))
        #expect(keymap.action(for: .up, in: state) == .moveSelection(-1))
        #expect(keymap.action(for: .char("2"), in: state) == .switchTab(.mine))
        #expect(keymap.action(for: .char("t"), in: state) == .takeOver)
        #expect(keymap.action(for: .enter, in: state) == .submit)  // in the conversation Enter replies
        _ = reduce(&state, .reply)
        #expect(keymap.action(for: .char("t"), in: state) == .edit(.insert("t")))
        #expect(keymap.action(for: .ctrl("w"), in: state) == .edit(.killWordBackward))
        #expect(keymap.action(for: .altEnter, in: state) == .edit(.newline))
        #expect(keymap.action(for: .enter, in: state) == .submit)
        #expect(keymap.action(for: .escape, in: state) == .cancel)
    }

    @Test func overridesReplaceAndStealKeys() {
        var warnings: [String] = []
        let keymap = Keymap(overrides: ["take_over": ["T"], "search": ["t"], "bogus": ["z"], "quit": ["esc"]],
                            warnings: &warnings)
        #expect(keymap.command(for: .char("T")) == .takeOver)
        #expect(keymap.command(for: .char("t")) == .search)
        #expect(keymap.command(for: .char("/")) == nil)
        #expect(keymap.label(.takeOver) == "T")
        #expect(warnings.count == 2)  // unknown command, reserved key
        #expect(keymap.command(for: .char("q")) == .quit)  // the refused override leaves the default
    }

    @Test func configParsesEverySettingWithDefaults() throws {
        let config = try Config.parse("""
            server = "https://inbox.example"
            theme = "light"
            bell = false
            bidi = false
            colour = "pink"

            [timers]
            warn_after = "90s"
            late_after = 600

            [keys]
            take_over = "T"
            quit = ["q", "ctrl-q"]
            """)
        #expect(config.server == "https://inbox.example" && config.token == nil && config.theme == "light")
        #expect(!config.settings.bell && config.settings.title && !config.settings.bidi)
        #expect(config.settings.timerWarnAfter == 90_000 && config.settings.timerLateAfter == 600_000)
        #expect(config.keymap.command(for: .char("T")) == .takeOver)
        #expect(config.keymap.command(for: .ctrl("q")) == .quit)
        #expect(config.warnings == ["unknown setting \"colour\""])
        #expect(try Config.parse("") == Config.defaults)
    }

    @Test func configErrorsAreLoud() {
        #expect(throws: ConfigError.invalid(key: "bell", expected: "true or false")) { try Config.parse("bell = 3") }
        #expect(throws: ConfigError.self) { try Config.parse("server = ") }
        #expect(throws: ConfigError.self) { try Config.parse("[timers]\nwarn_after = \"soon\"") }
    }

    @Test func configPathFollowsXDG() {
        #expect(Config.path(environment: ["HOME": "/home/bea"]) == "/home/bea/.config/inbox/config.toml")
        #expect(Config.path(environment: ["HOME": "/home/bea", "XDG_CONFIG_HOME": "/cfg"]) == "/cfg/inbox/config.toml")
        #expect(Config.path(environment: ["INBOX_CONFIG": "/etc/inbox.toml", "HOME": "/h"]) == "/etc/inbox.toml")
        #expect(Config.path(environment: [:]) == nil)
    }
}
