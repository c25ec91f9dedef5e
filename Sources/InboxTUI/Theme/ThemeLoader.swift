import Foundation
import TOMLKit

/// A theme file that could not be used, with the place and reason, for the user who edited it.
public struct ThemeError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Reading themes: from TOML text, from a themes directory, or from the copies compiled into the binary.
///
/// Format (see `themes/*.toml`): optional `name`, `description`, and one table per role under `[roles]`:
/// `fg`/`bg` = `"#rrggbb"`, an ANSI name (`"red"`, `"brightBlue"`, `"default"`) or an xterm index 0–255;
/// `bold`/`dim`/`italic`/`underline`/`reverse` = booleans. Missing `fg`/`bg` come from `[roles.base]`; a missing role is
/// `base`. Unknown roles, keys and colours are errors, so a typo does not silently lose a colour.
extension Theme {
    /// The names of the themes compiled into the binary.
    public static var bundledNames: [String] { BundledThemes.all.map(\.name) }

    /// A theme compiled into the binary, or nil.
    public static func bundled(named name: String) -> Theme? {
        guard let toml = BundledThemes.all.first(where: { $0.name == name })?.toml else { return nil }
        return try? parse(toml: toml, name: name)
    }

    /// Where user themes are looked up: `$XDG_CONFIG_HOME/inbox/themes` (default `~/.config/inbox/themes`).
    public static func defaultSearchPaths(environment: [String: String]) -> [String] {
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { return [xdg + "/inbox/themes"] }
        if let home = environment["HOME"], !home.isEmpty { return [home + "/.config/inbox/themes"] }
        return []
    }

    /// Loads `<dir>/<name>.toml` from the first directory that has it, else the bundled theme of that name.
    /// Names are plain words (letters, digits, "-", "_"), never paths.
    public static func load(named name: String, searchPaths: [String] = []) throws -> Theme {
        guard !name.isEmpty, name.utf8.allSatisfy({ b in
            (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) || b == 0x2D || b == 0x5F })
        else { throw ThemeError("invalid theme name \"\(SafeText.sanitize(name))\"") }
        for directory in searchPaths {
            let path = directory + "/" + name + ".toml"
            if FileManager.default.fileExists(atPath: path) { return try load(path: path, name: name) }
        }
        if let theme = bundled(named: name) { return theme }
        throw ThemeError("no theme named \"\(name)\" (built in: \(bundledNames.joined(separator: ", ")))")
    }

    /// Loads one theme file.
    public static func load(path: String, name: String? = nil) throws -> Theme {
        guard let data = FileManager.default.contents(atPath: path) else { throw ThemeError("\(path): cannot read") }
        let fallbackName = name ?? ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        do {
            return try parse(toml: String(decoding: data, as: UTF8.self), name: fallbackName)
        } catch let error as ThemeError {
            throw ThemeError("\(path): \(error.message)")
        }
    }

    /// The theme to use: ``monochrome`` when `NO_COLOR` is set (and not empty), else ``load(named:searchPaths:)``.
    public static func resolve(named name: String, environment: [String: String]) throws -> Theme {
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return .monochrome }
        return try load(named: name, searchPaths: defaultSearchPaths(environment: environment))
    }

    /// Parses theme TOML. `name` is used when the file has no `name` key.
    public static func parse(toml: String, name: String) throws -> Theme {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: toml)
        } catch let error as TOMLParseError {
            throw ThemeError("line \(error.source.begin.line): \(error.description)")
        } catch {
            throw ThemeError("not valid TOML: \(error)")
        }
        for key in table.keys where !["name", "description", "roles"].contains(key) {
            throw ThemeError("unknown key \"\(key)\"")
        }
        var theme = Theme(name: table["name"]?.string ?? name)
        guard let roles = table["roles"]?.table else { throw ThemeError("missing [roles]") }
        for key in roles.keys where ThemeRole(rawValue: key) == nil {
            throw ThemeError("unknown role \"roles.\(key)\"")
        }
        let base = try roleStyle(roles, .base, inheriting: .plain)
        for role in ThemeRole.allCases {
            theme[role] = roles.contains(key: role.rawValue) ? try roleStyle(roles, role, inheriting: base) : base
        }
        return theme
    }

    private static let attributeKeys: [(String, Attributes)] = [
        ("bold", .bold), ("dim", .dim), ("italic", .italic), ("underline", .underline), ("reverse", .reverse),
    ]

    private static func roleStyle(_ roles: TOMLTable, _ role: ThemeRole, inheriting base: Style) throws -> Style {
        guard let value = roles[role.rawValue] else { return base }
        guard let table = value.table else { throw ThemeError("roles.\(role.rawValue) must be a table") }
        var style = Style(foreground: base.foreground, background: base.background)
        for key in table.keys {
            let place = "roles.\(role.rawValue).\(key)"
            guard let item = table[key] else { continue }
            switch key {
            case "fg": style.foreground = try parseColor(item, place: place)
            case "bg": style.background = try parseColor(item, place: place)
            default:
                guard let attribute = attributeKeys.first(where: { $0.0 == key })?.1 else {
                    throw ThemeError("unknown key \"\(place)\"")
                }
                guard let on = item.bool else { throw ThemeError("\(place) must be true or false") }
                if on { style.attributes.insert(attribute) }
            }
        }
        return style
    }

    private static let colorNames: [String: Color] = [
        "default": .default,
        "black": .ansi(0), "red": .ansi(1), "green": .ansi(2), "yellow": .ansi(3),
        "blue": .ansi(4), "magenta": .ansi(5), "cyan": .ansi(6), "white": .ansi(7),
        "brightblack": .ansi(8), "gray": .ansi(8), "grey": .ansi(8), "brightred": .ansi(9), "brightgreen": .ansi(10),
        "brightyellow": .ansi(11), "brightblue": .ansi(12), "brightmagenta": .ansi(13), "brightcyan": .ansi(14),
        "brightwhite": .ansi(15),
    ]

    /// `"#rrggbb"`, an ANSI colour name (case, "-" and "_" ignored), or an integer 0–255.
    static func parseColor(_ value: TOMLValueConvertible, place: String) throws -> Color {
        if let n = value.int {
            guard (0...255).contains(n) else { throw ThemeError("\(place): colour index \(n) is not 0–255") }
            return .indexed(UInt8(n))
        }
        guard let text = value.string else { throw ThemeError("\(place): a colour is a string or 0–255") }
        if text.hasPrefix("#") {
            let hex = text.dropFirst()
            guard hex.count == 6, let v = UInt32(hex, radix: 16) else {
                throw ThemeError("\(place): \"\(SafeText.sanitize(text))\" is not #rrggbb")
            }
            return .rgb(UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF))
        }
        let key = text.lowercased().filter { $0 != "-" && $0 != "_" }
        guard let color = colorNames[key] else {
            throw ThemeError("\(place): unknown colour \"\(SafeText.sanitize(text))\"")
        }
        return color
    }
}
