/// The styles of every named UI role. Screens ask the theme (`theme.rowSelected`), never hard-code colours, so the
/// same screens work in dark, light, high-contrast and colourless (`NO_COLOR`) terminals.
public struct Theme: Sendable, Equatable {
    public var name: String
    public var base: Style
    public var border: Style
    public var title: Style
    public var statusBar: Style
    public var statusOnline: Style
    public var statusWarn: Style
    public var statusError: Style
    public var tabActive: Style
    public var tabInactive: Style
    public var rowSelected: Style
    public var rowNormal: Style
    public var unreadBadge: Style
    public var timerFresh: Style
    public var timerWarn: Style
    public var timerLate: Style
    public var authorPatient: Style
    public var authorBot: Style
    public var authorAgent: Style
    public var authorSystem: Style
    public var deliveryOk: Style
    public var deliveryRead: Style
    public var deliveryFailed: Style
    public var banner: Style
    public var hint: Style
    public var composer: Style
    public var composerLocked: Style
    public var overlay: Style
    public var searchHit: Style
    public var dim: Style

    /// A theme whose every role is `base`.
    public init(name: String, base: Style = .plain) {
        self.name = name
        self.base = base
        border = base; title = base; statusBar = base; statusOnline = base; statusWarn = base; statusError = base
        tabActive = base; tabInactive = base; rowSelected = base; rowNormal = base; unreadBadge = base
        timerFresh = base; timerWarn = base; timerLate = base
        authorPatient = base; authorBot = base; authorAgent = base; authorSystem = base
        deliveryOk = base; deliveryRead = base; deliveryFailed = base
        banner = base; hint = base; composer = base; composerLocked = base; overlay = base; searchHit = base; dim = base
    }

    public subscript(role: ThemeRole) -> Style {
        get { self[keyPath: role.keyPath] }
        set { self[keyPath: role.keyPath] = newValue }
    }

    /// Colourless, attributes only: the theme for `NO_COLOR` and for terminals without colour. Parsed from the
    /// embedded `themes/mono.toml`.
    public static let monochrome: Theme = (try? parse(toml: BundledThemes.mono, name: "mono")) ?? fallbackMonochrome

    /// The built-in default.
    public static let `default`: Theme = (try? parse(toml: BundledThemes.dark, name: "dark")) ?? fallbackMonochrome

    /// This theme, or a safer one for what the terminal can show: ``monochrome`` without colour, and the bundled
    /// "high-contrast" (ANSI colours only) on 8/16-colour terminals when this theme relies on 256/24-bit colours —
    /// degraded to 8 colours, subtle backgrounds such as the selected row collapse into the base background.
    public func adapted(to depth: ColorDepth) -> Theme {
        if depth == .none { return name == "mono" ? self : .monochrome }
        guard depth <= .ansi16 else { return self }
        let needsRich = ThemeRole.allCases.contains { role in
            [self[role].foreground, self[role].background].contains { color in
                switch color {
                case .rgb: true
                case .indexed(let n): n >= 16
                default: false
                }
            }
        }
        return needsRich ? (Theme.bundled(named: "high-contrast") ?? self) : self
    }

    /// Used only if an embedded theme failed to parse (a test guards against that): readable without colour.
    static var fallbackMonochrome: Theme {
        var t = Theme(name: "mono")
        t.rowSelected = Style(attributes: .reverse)
        t.tabActive = Style(attributes: [.reverse, .bold])
        t.statusBar = Style(attributes: .reverse)
        t.title = Style(attributes: .bold)
        t.dim = Style(attributes: .dim)
        t.hint = Style(attributes: .dim)
        return t
    }
}

/// The names of the roles, as written in theme files (`[roles.rowSelected]`).
public enum ThemeRole: String, CaseIterable, Sendable {
    case base, border, title, statusBar, statusOnline, statusWarn, statusError, tabActive, tabInactive
    case rowSelected, rowNormal, unreadBadge, timerFresh, timerWarn, timerLate
    case authorPatient, authorBot, authorAgent, authorSystem
    case deliveryOk, deliveryRead, deliveryFailed
    case banner, hint, composer, composerLocked, overlay, searchHit, dim

    public var keyPath: WritableKeyPath<Theme, Style> & Sendable {
        switch self {
        case .base: \.base
        case .border: \.border
        case .title: \.title
        case .statusBar: \.statusBar
        case .statusOnline: \.statusOnline
        case .statusWarn: \.statusWarn
        case .statusError: \.statusError
        case .tabActive: \.tabActive
        case .tabInactive: \.tabInactive
        case .rowSelected: \.rowSelected
        case .rowNormal: \.rowNormal
        case .unreadBadge: \.unreadBadge
        case .timerFresh: \.timerFresh
        case .timerWarn: \.timerWarn
        case .timerLate: \.timerLate
        case .authorPatient: \.authorPatient
        case .authorBot: \.authorBot
        case .authorAgent: \.authorAgent
        case .authorSystem: \.authorSystem
        case .deliveryOk: \.deliveryOk
        case .deliveryRead: \.deliveryRead
        case .deliveryFailed: \.deliveryFailed
        case .banner: \.banner
        case .hint: \.hint
        case .composer: \.composer
        case .composerLocked: \.composerLocked
        case .overlay: \.overlay
        case .searchHit: \.searchHit
        case .dim: \.dim
        }
    }
}
