import Foundation
import InboxModel
import TOMLKit

/// The terminal client's settings: one TOML file, every key optional.
///
///     # ~/.config/inbox/config.toml  ($INBOX_CONFIG, else $XDG_CONFIG_HOME/inbox/config.toml)
///     server = "https://inbox.example-clinic.com"   # the inbox server's base URL
///     token = "…"                  # optional: else $INBOX_TOKEN, else asked at login
///     theme = "dark"               # a name from themes/ (dark, light, …) or a path to a theme file
///     bell = true                  # ring when a new conversation starts waiting
///     title = true                 # show "inbox (3 waiting)" as the terminal title
///     bidi = true                  # reorder Arabic/Hebrew lines; turn off if your terminal does it itself
///     confirm = true               # ask y/N before x (close) and b (hand back); false acts at once
///     downloads = "~/Downloads/inbox"  # where `o` saves patients' files (default: $XDG_DOWNLOAD_DIR/inbox)
///     open_with = "xdg-open"       # opens a saved file; default xdg-open with a display, none over SSH
///
///     [timers]                     # when a waiting timer changes colour: seconds, or "90s", "2m", "1h"
///     warn_after = "2m"
///     late_after = "5m"
///
///     [keys]                       # command = "key" or ["key", "key"]; replaces that command's default keys
///     take_over = "T"              # names: "x", "ctrl-x", "alt-x", "enter", "tab", "up", "pgdn", "f2", "space"
///     quit = ["q", "ctrl-q"]
///
/// Unknown keys and unknown key names are reported as warnings (shown in the status line at start-up); a value
/// of the wrong type is an error, because silently ignoring a typo'd setting is worse than refusing to start.
public struct Config: Sendable, Equatable {
    public var server: String?
    public var token: String?
    public var theme: String
    public var settings: AppSettings
    public var keymap: Keymap
    /// Where `o` saves attachments; nil: `Attachments.downloadDirectory()`.
    public var downloads: String?
    /// The program that opens a saved attachment; nil: none (the path is shown instead).
    public var openWith: String?
    /// Things worth telling the user that did not stop parsing.
    public var warnings: [String]

    public init(server: String? = nil, token: String? = nil, theme: String = "dark",
                settings: AppSettings = AppSettings(), keymap: Keymap = .default, warnings: [String] = []) {
        self.server = server
        self.token = token
        self.theme = theme
        self.settings = settings
        self.keymap = keymap
        self.warnings = warnings
    }

    public static let defaults = Config()

    /// Where the config file is: `$INBOX_CONFIG`, else `$XDG_CONFIG_HOME/inbox/config.toml`, else
    /// `$HOME/.config/inbox/config.toml`. Nil when none of these variables is set.
    public static func path(environment: [String: String]) -> String? {
        if let explicit = environment["INBOX_CONFIG"], !explicit.isEmpty { return explicit }
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") { return xdg + "/inbox/config.toml" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.config/inbox/config.toml" }
        return nil
    }

    /// Reads and parses the config file; a missing file (or no path at all) gives the defaults.
    public static func load(environment: [String: String]) throws(ConfigError) -> Config {
        guard let path = path(environment: environment), FileManager.default.fileExists(atPath: path) else {
            return Config()
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadable(path: path, reason: "\(error.localizedDescription)")
        }
        return try parse(text)
    }

    /// Parses the file's text. An empty text gives the defaults.
    public static func parse(_ text: String) throws(ConfigError) -> Config {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw .syntax(line: error.source.begin.line, column: error.source.begin.column, message: error.description)
        } catch {
            throw .syntax(line: 0, column: 0, message: "\(error)")
        }

        var config = Config()
        var warnings: [String] = []
        let known: Set<String> = ["server", "token", "theme", "bell", "title", "bidi", "timers", "keys", "downloads",
                                  "open_with", "confirm"]
        for key in table.keys.sorted() where !known.contains(key) { warnings.append("unknown setting \"\(key)\"") }

        config.server = try string(table, "server")
        config.token = try string(table, "token")
        config.theme = try string(table, "theme") ?? config.theme
        config.settings.bell = try bool(table, "bell") ?? config.settings.bell
        config.settings.title = try bool(table, "title") ?? config.settings.title
        config.settings.bidi = try bool(table, "bidi") ?? config.settings.bidi
        config.settings.confirmCommands = try bool(table, "confirm") ?? config.settings.confirmCommands
        config.downloads = try string(table, "downloads")
        config.openWith = try string(table, "open_with")

        if let timers = try subtable(table, "timers") {
            for key in timers.keys.sorted() where key != "warn_after" && key != "late_after" {
                warnings.append("unknown setting \"timers.\(key)\"")
            }
            config.settings.timerWarnAfter = try duration(timers, "warn_after") ?? config.settings.timerWarnAfter
            config.settings.timerLateAfter = try duration(timers, "late_after") ?? config.settings.timerLateAfter
            if config.settings.timerLateAfter < config.settings.timerWarnAfter {
                throw .invalid(key: "timers.late_after", expected: "a duration no shorter than timers.warn_after")
            }
        }

        if let keys = try subtable(table, "keys") {
            var overrides: [String: [String]] = [:]
            for name in keys.keys {
                guard let value = keys[name] else { continue }
                if let single = value.string {
                    overrides[name] = [single]
                } else if let list = value.array {
                    var names: [String] = []
                    for item in list {
                        guard let name = item.string else {
                            throw .invalid(key: "keys.\(name)", expected: "a key name or a list of key names")
                        }
                        names.append(name)
                    }
                    overrides[name] = names
                } else {
                    throw .invalid(key: "keys.\(name)", expected: "a key name or a list of key names")
                }
            }
            config.keymap = Keymap(overrides: overrides, warnings: &warnings)
        }
        config.warnings = warnings
        return config
    }

    // MARK: - Typed lookups

    private static func string(_ table: TOMLTable, _ key: String) throws(ConfigError) -> String? {
        guard let value = table[key] else { return nil }
        guard let string = value.string else { throw .invalid(key: key, expected: "a string") }
        return string
    }

    private static func bool(_ table: TOMLTable, _ key: String) throws(ConfigError) -> Bool? {
        guard let value = table[key] else { return nil }
        guard let bool = value.bool else { throw .invalid(key: key, expected: "true or false") }
        return bool
    }

    private static func subtable(_ table: TOMLTable, _ key: String) throws(ConfigError) -> TOMLTable? {
        guard let value = table[key] else { return nil }
        guard let subtable = value.table else { throw .invalid(key: key, expected: "a table ([\(key)])") }
        return subtable
    }

    /// Seconds as an integer, or a string like "90s", "2m", "1h".
    private static func duration(_ table: TOMLTable, _ key: String) throws(ConfigError) -> Millis? {
        guard let value = table[key] else { return nil }
        let expected = "seconds (e.g. 120) or a duration like \"2m\""
        if let seconds = value.int {
            guard seconds >= 0 else { throw .invalid(key: "timers.\(key)", expected: expected) }
            return Millis(seconds) * 1000
        }
        guard let text = value.string, let unit = text.last, let number = Int(text.dropLast()), number >= 0 else {
            throw .invalid(key: "timers.\(key)", expected: expected)
        }
        switch unit {
        case "s": return Millis(number) * 1000
        case "m": return Millis(number) * 60_000
        case "h": return Millis(number) * 3_600_000
        default: throw .invalid(key: "timers.\(key)", expected: expected)
        }
    }
}

public enum ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    case syntax(line: Int, column: Int, message: String)
    case invalid(key: String, expected: String)
    case unreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case .syntax(let line, let column, let message): "config syntax error at line \(line), column \(column): \(message)"
        case .invalid(let key, let expected): "config: \(key) must be \(expected)"
        case .unreadable(let path, let reason): "config \(path) cannot be read: \(reason)"
        }
    }
}
