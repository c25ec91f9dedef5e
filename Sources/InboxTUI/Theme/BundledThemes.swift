// GENERATED from themes/*.toml by scripts/bundle-themes.sh (`make themes`): do not edit by hand.
// ThemeTests checks these are byte-identical to the files.

/// The four shipped themes, compiled in so the binary works without the repository.
enum BundledThemes {
    static let all: [(name: String, toml: String)] = [
        ("dark", dark), ("light", light), ("high-contrast", highContrast), ("mono", mono),
    ]

    static let dark = """
# inbox theme: dark — light text on a dark background (24-bit colours)
# Roles are tables under [roles]. Keys: fg, bg = "#rrggbb" | ANSI name ("red", "brightBlue", "default") | 0-255;
# bold, dim, italic, underline, reverse = true/false. A role's missing fg/bg is taken from [roles.base];
# a missing role is [roles.base]. Degraded to 256/16/8 colours by the painter; NO_COLOR selects "mono".
name = "dark"

[roles.base]
fg = "#d8dee9"
bg = "#1e222a"

[roles.border]
fg = "#4b5263"

[roles.title]
fg = "#88c0d0"
bold = true

[roles.statusBar]
fg = "#d8dee9"
bg = "#2e3440"

[roles.statusOnline]
fg = "#a3be8c"
bg = "#2e3440"

[roles.statusWarn]
fg = "#ebcb8b"
bg = "#2e3440"
bold = true

[roles.statusError]
fg = "#ffffff"
bg = "#bf616a"
bold = true

[roles.tabActive]
fg = "#1e222a"
bg = "#88c0d0"
bold = true

[roles.tabInactive]
fg = "#9aa3b2"
bg = "#2e3440"

[roles.rowSelected]
fg = "#eceff4"
bg = "#3b4252"
bold = true

[roles.rowNormal]
fg = "#d8dee9"

[roles.unreadBadge]
fg = "#1e222a"
bg = "#ebcb8b"
bold = true

[roles.timerFresh]
fg = "#a3be8c"

[roles.timerWarn]
fg = "#ebcb8b"
bold = true

[roles.timerLate]
fg = "#ff6b6b"
bold = true

[roles.authorPatient]
fg = "#81a1c1"
bold = true

[roles.authorBot]
fg = "#b48ead"

[roles.authorAgent]
fg = "#a3be8c"
bold = true

[roles.authorSystem]
fg = "#7b8394"
italic = true

[roles.deliveryOk]
fg = "#7b8394"

[roles.deliveryRead]
fg = "#88c0d0"

[roles.deliveryFailed]
fg = "#ff6b6b"
bold = true

[roles.banner]
fg = "#1e222a"
bg = "#ebcb8b"
bold = true

[roles.hint]
fg = "#7b8394"

[roles.composer]
fg = "#eceff4"
bg = "#262b35"

[roles.composerLocked]
fg = "#7b8394"
bg = "#262b35"
italic = true

[roles.overlay]
fg = "#eceff4"
bg = "#2e3440"

[roles.searchHit]
fg = "#1e222a"
bg = "#ebcb8b"

[roles.dim]
fg = "#616e88"

"""

    static let light = """
# inbox theme: light — dark text on a white background (24-bit colours)
# Roles are tables under [roles]. Keys: fg, bg = "#rrggbb" | ANSI name ("red", "brightBlue", "default") | 0-255;
# bold, dim, italic, underline, reverse = true/false. A role's missing fg/bg is taken from [roles.base];
# a missing role is [roles.base]. Degraded to 256/16/8 colours by the painter; NO_COLOR selects "mono".
name = "light"

[roles.base]
fg = "#24292f"
bg = "#ffffff"

[roles.border]
fg = "#b6bec8"

[roles.title]
fg = "#0550ae"
bold = true

[roles.statusBar]
fg = "#24292f"
bg = "#eaeef2"

[roles.statusOnline]
fg = "#116329"
bg = "#eaeef2"

[roles.statusWarn]
fg = "#7d4e00"
bg = "#eaeef2"
bold = true

[roles.statusError]
fg = "#ffffff"
bg = "#cf222e"
bold = true

[roles.tabActive]
fg = "#ffffff"
bg = "#0969da"
bold = true

[roles.tabInactive]
fg = "#57606a"
bg = "#eaeef2"

[roles.rowSelected]
fg = "#24292f"
bg = "#ddf4ff"
bold = true

[roles.rowNormal]
fg = "#24292f"

[roles.unreadBadge]
fg = "#ffffff"
bg = "#bf8700"
bold = true

[roles.timerFresh]
fg = "#116329"

[roles.timerWarn]
fg = "#9a6700"
bold = true

[roles.timerLate]
fg = "#cf222e"
bold = true

[roles.authorPatient]
fg = "#0550ae"
bold = true

[roles.authorBot]
fg = "#8250df"

[roles.authorAgent]
fg = "#116329"
bold = true

[roles.authorSystem]
fg = "#6e7781"
italic = true

[roles.deliveryOk]
fg = "#6e7781"

[roles.deliveryRead]
fg = "#0969da"

[roles.deliveryFailed]
fg = "#cf222e"
bold = true

[roles.banner]
fg = "#24292f"
bg = "#fff8c5"
bold = true

[roles.hint]
fg = "#6e7781"

[roles.composer]
fg = "#24292f"
bg = "#f6f8fa"

[roles.composerLocked]
fg = "#6e7781"
bg = "#f6f8fa"
italic = true

[roles.overlay]
fg = "#24292f"
bg = "#f6f8fa"

[roles.searchHit]
fg = "#24292f"
bg = "#ffdf5d"

[roles.dim]
fg = "#8c959f"

"""

    static let highContrast = """
# inbox theme: high-contrast — bright ANSI colours on black, readable on 8/16-colour terminals
# Roles are tables under [roles]. Keys: fg, bg = "#rrggbb" | ANSI name ("red", "brightBlue", "default") | 0-255;
# bold, dim, italic, underline, reverse = true/false. A role's missing fg/bg is taken from [roles.base];
# a missing role is [roles.base]. Degraded to 256/16/8 colours by the painter; NO_COLOR selects "mono".
name = "high-contrast"

[roles.base]
fg = "brightWhite"
bg = "black"

[roles.border]
fg = "white"

[roles.title]
fg = "brightYellow"
bold = true

[roles.statusBar]
fg = "black"
bg = "white"

[roles.statusOnline]
fg = "black"
bg = "brightGreen"
bold = true

[roles.statusWarn]
fg = "black"
bg = "brightYellow"
bold = true

[roles.statusError]
fg = "brightWhite"
bg = "red"
bold = true

[roles.tabActive]
fg = "black"
bg = "brightYellow"
bold = true

[roles.tabInactive]
fg = "white"
bg = "black"
underline = true

[roles.rowSelected]
fg = "black"
bg = "brightCyan"
bold = true

[roles.rowNormal]
fg = "brightWhite"

[roles.unreadBadge]
fg = "black"
bg = "brightYellow"
bold = true

[roles.timerFresh]
fg = "brightGreen"
bold = true

[roles.timerWarn]
fg = "brightYellow"
bold = true

[roles.timerLate]
fg = "brightRed"
bold = true
underline = true

[roles.authorPatient]
fg = "brightCyan"
bold = true

[roles.authorBot]
fg = "brightMagenta"
bold = true

[roles.authorAgent]
fg = "brightGreen"
bold = true

[roles.authorSystem]
fg = "white"
italic = true

[roles.deliveryOk]
fg = "white"

[roles.deliveryRead]
fg = "brightCyan"

[roles.deliveryFailed]
fg = "brightRed"
bold = true

[roles.banner]
fg = "black"
bg = "brightYellow"
bold = true

[roles.hint]
fg = "white"

[roles.composer]
fg = "brightWhite"
bg = "black"

[roles.composerLocked]
fg = "white"
bg = "black"
italic = true

[roles.overlay]
fg = "brightWhite"
bg = "blue"

[roles.searchHit]
fg = "black"
bg = "brightYellow"
bold = true

[roles.dim]
fg = "white"

"""

    static let mono = """
# inbox theme: mono — no colours, attributes only (used when NO_COLOR is set)
# Roles are tables under [roles]. Keys: fg, bg = "#rrggbb" | ANSI name ("red", "brightBlue", "default") | 0-255;
# bold, dim, italic, underline, reverse = true/false. A role's missing fg/bg is taken from [roles.base];
# a missing role is [roles.base]. Degraded to 256/16/8 colours by the painter; NO_COLOR selects "mono".
name = "mono"

[roles.base]

[roles.border]
dim = true

[roles.title]
bold = true

[roles.statusBar]
reverse = true

[roles.statusOnline]
reverse = true

[roles.statusWarn]
reverse = true
bold = true

[roles.statusError]
reverse = true
bold = true
underline = true

[roles.tabActive]
reverse = true
bold = true

[roles.tabInactive]
underline = true

[roles.rowSelected]
reverse = true

[roles.rowNormal]

[roles.unreadBadge]
reverse = true
bold = true

[roles.timerFresh]

[roles.timerWarn]
bold = true

[roles.timerLate]
reverse = true
bold = true

[roles.authorPatient]
bold = true

[roles.authorBot]
italic = true

[roles.authorAgent]
bold = true
underline = true

[roles.authorSystem]
dim = true
italic = true

[roles.deliveryOk]
dim = true

[roles.deliveryRead]

[roles.deliveryFailed]
reverse = true
bold = true

[roles.banner]
reverse = true
bold = true

[roles.hint]
dim = true

[roles.composer]

[roles.composerLocked]
dim = true
italic = true

[roles.overlay]

[roles.searchHit]
reverse = true
underline = true

[roles.dim]
dim = true

"""
}
