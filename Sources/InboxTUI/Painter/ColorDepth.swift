/// How many colours the terminal can show, and how theme colours degrade to it (rgb → 256 → 16 → 8 → none).
///
/// Why it is pure: the degradation is the part worth testing, and it must not need a terminal.
/// The depth comes from terminfo's `colors` (what ncurses can actually emit for this `TERM`) and `NO_COLOR`
/// (https://no-color.org: present and non-empty disables colour; attributes still apply). `COLORTERM=truecolor`
/// cannot raise the depth above terminfo, because ncurses only emits what terminfo describes: users with a
/// truecolor terminal get 24-bit colour with a `*-direct` TERM (e.g. `xterm-direct`), 256 colours otherwise.
public enum ColorDepth: Int, Sendable, Comparable, CaseIterable {
    case none = 0, ansi8, ansi16, indexed256, direct

    public static func < (a: ColorDepth, b: ColorDepth) -> Bool { a.rawValue < b.rawValue }

    /// The depth for a terminal reporting `colors` (terminfo `colors`, ncurses `COLORS`) in `environment`.
    public static func detect(colors: Int, environment: [String: String]) -> ColorDepth {
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return .none }
        if colors >= 1 << 24 {
            // A *-direct terminfo: trust it unless COLORTERM explicitly says the emulator is limited.
            if let ct = environment["COLORTERM"]?.lowercased(), !ct.isEmpty, ct != "truecolor", ct != "24bit" {
                return .indexed256
            }
            return .direct
        }
        if colors >= 256 { return .indexed256 }
        if colors >= 16 { return .ansi16 }
        if colors >= 8 { return .ansi8 }
        return .none
    }

    /// The ncurses colour number for `color` at this depth; -1 is the terminal's default colour.
    public func colorNumber(_ color: Color) -> Int32 {
        switch (self, color) {
        case (.none, _), (_, .default): return -1
        case (.direct, .ansi(let n)) where n < 8: return Int32(n)
        case (.direct, .ansi(let n)), (.direct, .indexed(let n)): return Self.packed(Self.rgb(ofIndexed: n))
        case (.direct, .rgb(let r, let g, let b)): return Self.packed((r, g, b))
        case (.indexed256, .ansi(let n)): return Int32(n & 0x0F)
        case (.indexed256, .indexed(let n)): return Int32(n)
        case (.indexed256, .rgb(let r, let g, let b)): return Int32(Self.nearest256(r, g, b))
        case (.ansi16, .ansi(let n)): return Int32(n & 0x0F)
        case (.ansi16, .indexed(let n)): return n < 16 ? Int32(n) : Int32(Self.nearestANSI(Self.rgb(ofIndexed: n), count: 16))
        case (.ansi16, .rgb(let r, let g, let b)): return Int32(Self.nearestANSI((r, g, b), count: 16))
        case (.ansi8, .ansi(let n)): return Int32(n & 0x07)
        case (.ansi8, .indexed(let n)) where n < 16: return Int32(n & 0x07)
        case (.ansi8, .indexed(let n)): return Int32(Self.nearestANSI(Self.rgb(ofIndexed: n), count: 8))
        case (.ansi8, .rgb(let r, let g, let b)): return Int32(Self.nearestANSI((r, g, b), count: 8))
        }
    }

    typealias RGB = (UInt8, UInt8, UInt8)

    /// A direct-colour number. Values below 8 would be read as ANSI colours, so near-black is nudged to 8.
    static func packed(_ c: RGB) -> Int32 {
        max(8, Int32(c.0) << 16 | Int32(c.1) << 8 | Int32(c.2))
    }

    /// xterm's default palette for the 16 ANSI colours.
    static let ansiPalette: [RGB] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255),
        (255, 255, 255),
    ]
    private static let cubeLevels: [Int] = [0, 95, 135, 175, 215, 255]

    /// The RGB value of an xterm-256 index (ANSI palette, 6×6×6 cube, grey ramp).
    static func rgb(ofIndexed n: UInt8) -> RGB {
        let i = Int(n)
        if i < 16 { return ansiPalette[i] }
        if i >= 232 {
            let v = UInt8(8 + (i - 232) * 10)
            return (v, v, v)
        }
        let c = i - 16
        return (UInt8(cubeLevels[c / 36]), UInt8(cubeLevels[(c / 6) % 6]), UInt8(cubeLevels[c % 6]))
    }

    /// The closest xterm-256 colour (cube or grey ramp; the ANSI 16 are skipped because users recolour them).
    static func nearest256(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
        func level(_ v: UInt8) -> Int {
            let v = Int(v)
            return v < 48 ? 0 : v < 115 ? 1 : (v - 35) / 40
        }
        let (lr, lg, lb) = (level(r), level(g), level(b))
        let cube = 16 + 36 * lr + 6 * lg + lb
        let average = (Int(r) + Int(g) + Int(b)) / 3
        let greyIndex = average > 238 ? 23 : max(0, (average - 3) / 10)
        let grey = 232 + greyIndex
        let target: RGB = (r, g, b)
        return distance(rgb(ofIndexed: UInt8(cube)), target) <= distance(rgb(ofIndexed: UInt8(grey)), target)
            ? UInt8(cube) : UInt8(grey)
    }

    /// The closest of the first `count` ANSI colours.
    static func nearestANSI(_ c: RGB, count: Int) -> UInt8 {
        var best = 0
        var bestDistance = Int.max
        for i in 0..<count {
            let d = distance(ansiPalette[i], c)
            if d < bestDistance { best = i; bestDistance = d }
        }
        return UInt8(best)
    }

    private static func distance(_ a: RGB, _ b: RGB) -> Int {
        let dr = Int(a.0) - Int(b.0), dg = Int(a.1) - Int(b.1), db = Int(a.2) - Int(b.2)
        return 2 * dr * dr + 4 * dg * dg + 3 * db * db
    }
}
