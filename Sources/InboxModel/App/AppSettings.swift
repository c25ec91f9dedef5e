/// The settings the reducer and the screens read: the config file's values after parsing, plus the local
/// clock offset. Plain values so tests can build any of them without a file or a time zone database.
public struct AppSettings: Sendable, Equatable {
    /// A waiting timer turns to the warning colour after this long…
    public var timerWarnAfter: Millis
    /// …and to the late colour after this long.
    public var timerLateAfter: Millis
    /// Local time = UTC + this offset. The runner reads it from the system time zone; tests pin it.
    public var utcOffsetSeconds: Int
    /// Ring the terminal bell when a new conversation starts waiting.
    public var bell: Bool
    /// Put the waiting count into the terminal title (never any patient text).
    public var title: Bool
    /// Reorder right-to-left runs (Arabic, Hebrew) for display.
    public var bidi: Bool
    /// At most one bell per this interval, so a burst of hand-offs is one alert, not a siren.
    public var bellCooldown: Millis
    /// Drafts are saved this long after the last keystroke (and always when leaving a conversation).
    public var draftSaveDelay: Millis
    /// How long an informational status message stays; errors stay until dismissed or replaced.
    public var infoMessageLifetime: Millis
    /// Ask y/N before closing a conversation or handing it back to the AI (config `confirm`).
    public var confirmCommands: Bool

    public init(timerWarnAfter: Millis = 120_000, timerLateAfter: Millis = 300_000, utcOffsetSeconds: Int = 0,
                bell: Bool = true, title: Bool = true, bidi: Bool = true, bellCooldown: Millis = 10_000,
                draftSaveDelay: Millis = 2_000, infoMessageLifetime: Millis = 5_000, confirmCommands: Bool = true) {
        self.timerWarnAfter = timerWarnAfter
        self.timerLateAfter = timerLateAfter
        self.utcOffsetSeconds = utcOffsetSeconds
        self.bell = bell
        self.title = title
        self.bidi = bidi
        self.bellCooldown = bellCooldown
        self.draftSaveDelay = draftSaveDelay
        self.infoMessageLifetime = infoMessageLifetime
        self.confirmCommands = confirmCommands
    }
}
