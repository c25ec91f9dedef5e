import InboxModel

/// Everything `inbox serve` needs, from flags and the environment.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port (tests, the demo).
    public var port = 8080
    /// The base URL providers call, e.g. `https://clinic.example.com`. Twilio signs the URL it called, so behind a
    /// proxy this must be the public one. Defaults to `http://host:port`.
    public var publicURL: String?
    public var twilio = TwilioSettings()
    /// Larger webhook bodies are refused with 413 before they are parsed.
    public var maxWebhookBytes = 1 << 20
    public var maxCommandBytes = 64 << 10
    public var delivery = DeliveryWorker.Policy()
    /// Run the built-in clinic bot on conversations that are with the bot.
    public var runBot = true

    public struct TwilioSettings: Sendable {
        public var accountSid: String?
        public var authToken: String?
        public var apiBase = "https://api.twilio.com"

        public init(accountSid: String? = nil, authToken: String? = nil, apiBase: String = "https://api.twilio.com") {
            self.accountSid = accountSid
            self.authToken = authToken
            self.apiBase = apiBase
        }
    }

    public init() {}

    /// Reads `TWILIO_ACCOUNT_SID`, `TWILIO_AUTH_TOKEN` and `TWILIO_API_BASE`.
    public mutating func applyEnvironment(_ environment: [String: String]) {
        if let sid = environment["TWILIO_ACCOUNT_SID"], !sid.isEmpty { twilio.accountSid = sid }
        if let token = environment["TWILIO_AUTH_TOKEN"], !token.isEmpty { twilio.authToken = token }
        if let base = environment["TWILIO_API_BASE"], !base.isEmpty { twilio.apiBase = base }
    }

    func resolvedPublicURL(boundPort: Int) -> String {
        var url = publicURL ?? "http://\(host):\(boundPort)"
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}
