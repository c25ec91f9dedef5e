import Foundation
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
    public var meta = MetaSettings()
    public var waha = WahaSettings()
    public var gupshup = GupshupSettings()
    public var media = MediaSettings()
    /// Larger webhook bodies are refused with 413 before they are parsed.
    public var maxWebhookBytes = 1 << 20
    public var maxCommandBytes = 64 << 10
    public var delivery = DeliveryWorker.Policy()
    /// Run the built-in clinic bot on conversations that are with the bot.
    public var runBot = true
    /// How long the clinic's AI endpoint may take before the conversation is handed to staff.
    public var aiHookTimeout: Duration = .seconds(8)
    /// Messages that opt a patient out (exactly the word, any case). `INBOX_OPT_OUT_WORDS`, comma-separated.
    public var optOutWords = IngestRules.defaultOptOutWords
    public var connections = ConnectionSettings()
    /// At SIGTERM, how long provider requests already in flight may take to finish and be recorded before they
    /// are cancelled. `INBOX_SHUTDOWN_DRAIN_MS`.
    public var shutdownDrain: Duration = .seconds(10)
    /// Serve `/metrics` on its own address (e.g. 127.0.0.1:9090) instead of the main port.
    /// `--metrics-host/--metrics-port`, `INBOX_METRICS_HOST`, `INBOX_METRICS_PORT`.
    public var metricsHost: String?
    public var metricsPort: Int?
    /// What the server forgets and when (`RetentionPolicy`).
    public var retention = RetentionPolicy()
    /// Appointment reminders: the lead time and the worker's clock (`INBOX_REMINDER_LEAD_HOURS`, `INBOX_TIME_ZONE`).
    public var reminders = ReminderWorker.Settings()
    /// How long an agent's presence report lives unless renewed (clients renew every `PresenceRules.heartbeat`).
    public var presenceTimeout: Millis = PresenceRules.timeout

    /// Limits that keep idle or slow clients from using up the server. `INBOX_MAX_CONNECTIONS`,
    /// `INBOX_IDLE_TIMEOUT_MS`, `INBOX_HEADER_TIMEOUT_MS`, `INBOX_BODY_TIMEOUT_MS`.
    public struct ConnectionSettings: Sendable {
        /// Open connections above this close the oldest idle one. Nil: the open-file limit less
        /// `reservedDescriptors` (the database, provider requests and media files need descriptors too).
        public var maxConnections: Int?
        /// A connection with no request in progress (fresh, or kept alive after a response) is closed after this.
        /// Held long-polls are requests in progress, bounded by their own wait.
        public var idleTimeout: Duration = .seconds(30)
        /// A new connection must have sent its first request head within this.
        public var headerTimeout: Duration = .seconds(10)
        /// A request whose head has arrived must have sent its whole body within this.
        public var bodyTimeout: Duration = .seconds(30)

        public static let reservedDescriptors = 128

        public init() {}

        /// The cap in force, given the process's open-file limit.
        public func resolvedMaxConnections(openFileLimit: Int) -> Int {
            maxConnections ?? max(16, openFileLimit - Self.reservedDescriptors)
        }
    }

    public struct TwilioSettings: Sendable {
        public var accountSid: String?
        public var authToken: String?
        public var apiBase = "https://api.twilio.com"
        /// The bot's menu as a Twilio Content template (a `twilio/list-picker` or `twilio/quick-reply` the clinic
        /// created and had approved), by kind and number of options:
        /// `TWILIO_MENU_CONTENT_SIDS="list:5=HX…,buttons:2=HX…"`. Its variables are "1" the text above the choices,
        /// then each option's title and id ("2", "3" for the first, "4", "5" for the second, …), so a tap comes back
        /// as `ButtonPayload` with the option's id. A menu with no matching SID goes out as numbered text.
        public var menuContentSids: [String: String] = [:]

        public init(accountSid: String? = nil, authToken: String? = nil, apiBase: String = "https://api.twilio.com",
                    menuContentSids: [String: String] = [:]) {
            self.accountSid = accountSid
            self.authToken = authToken
            self.apiBase = apiBase
            self.menuContentSids = menuContentSids
        }

        /// The Content SID for a menu, if the clinic configured one of its kind and size.
        public func menuContentSid(for menu: InteractiveMenu) -> String? {
            menuContentSids["\(menu.kind.rawValue):\(menu.options.count)"]
        }
    }

    /// The WhatsApp Cloud API. Webhooks need the app secret (signatures) and verify token (subscription);
    /// sending needs the access token. Each number's phone_number_id is its `provider_ref`.
    public struct MetaSettings: Sendable {
        public var appSecret: String?
        public var verifyToken: String?
        public var accessToken: String?
        public var graphBase = "https://graph.facebook.com"
        public var apiVersion = "v21.0"

        public init(appSecret: String? = nil, verifyToken: String? = nil, accessToken: String? = nil,
                    graphBase: String = "https://graph.facebook.com", apiVersion: String = "v21.0") {
            self.appSecret = appSecret
            self.verifyToken = verifyToken
            self.accessToken = accessToken
            self.graphBase = graphBase
            self.apiVersion = apiVersion
        }
    }

    /// A self-hosted WAHA. Each number's session name is its `provider_ref`. Webhooks must be signed with the
    /// HMAC key (WAHA signs when its webhook config has `hmac.key`); unsigned ones are refused unless
    /// `allowUnsigned` (`INBOX_WAHA_ALLOW_UNSIGNED=1`) is set, which is for a lab and logged loudly at start.
    public struct WahaSettings: Sendable {
        public var baseURL: String?
        public var apiKey: String?
        public var hmacKey: String?
        public var allowUnsigned: Bool

        public init(baseURL: String? = nil, apiKey: String? = nil, hmacKey: String? = nil, allowUnsigned: Bool = false) {
            self.baseURL = baseURL
            self.apiKey = apiKey
            self.hmacKey = hmacKey
            self.allowUnsigned = allowUnsigned
        }
    }

    /// Gupshup's WhatsApp API. Sending needs the app's API key; each number's Gupshup app name (`src.name`) is its
    /// `provider_ref`, `appName` the fallback for a number registered without one. Gupshup does not sign its
    /// callbacks, so they are authenticated by a per-number secret in the callback URL (`GupshupWebhook`).
    public struct GupshupSettings: Sendable {
        public var apiKey: String?
        public var appName: String?
        /// `https://api.gupshup.io` in production; tests aim it at a local fake.
        public var apiBase = "https://api.gupshup.io"
        /// Gupshup sends approved templates by its own id (a UUID), which templates.toml does not carry:
        /// `GUPSHUP_TEMPLATE_IDS="appointment_reminder/en=6f1c…,whitening_offer=9a2b…"` (`name/language` or `name`
        /// for every language). A template without one goes out as its rendered text, which Gupshup matches
        /// against the app's approved templates.
        public var templateIds: [String: String] = [:]

        public init(apiKey: String? = nil, appName: String? = nil, apiBase: String = "https://api.gupshup.io",
                    templateIds: [String: String] = [:]) {
            self.apiKey = apiKey
            self.appName = appName
            self.apiBase = apiBase
            self.templateIds = templateIds
        }

        /// The Gupshup template id for a template name and language, if one is configured.
        public func templateId(name: String, language: String) -> String? {
            templateIds["\(name)/\(language)"] ?? templateIds[name]
        }

        /// `name/language=id,name=id` → keys and ids; malformed entries are left out.
        static func parseTemplateIds(_ text: String) -> [String: String] { ServerConfiguration.keyedValues(text) }
    }

    /// `key=value,key=value` → a dictionary; malformed entries are left out.
    static func keyedValues(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for entry in text.split(separator: ",") {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { continue }
            values[parts[0]] = parts[1]
        }
        return values
    }

    /// Where attachments are kept and how large they may be. `INBOX_MEDIA_DIR`, `INBOX_MEDIA_MAX_BYTES`.
    public struct MediaSettings: Sendable {
        /// Defaults to `<database>.media/` beside the SQLite file.
        public var directory: String?
        /// Patients' files above this are refused (not kept), agents' uploads get 413.
        public var maxBytes = ProtocolLimits.maxAttachmentBytes

        public init(directory: String? = nil, maxBytes: Int = ProtocolLimits.maxAttachmentBytes) {
            self.directory = directory
            self.maxBytes = maxBytes
        }
    }

    public init() {}

    /// Reads `TWILIO_ACCOUNT_SID`, `TWILIO_AUTH_TOKEN`, `TWILIO_API_BASE`, `TWILIO_MENU_CONTENT_SIDS`; `META_APP_SECRET`, `META_VERIFY_TOKEN`,
    /// `META_ACCESS_TOKEN`, `META_GRAPH_BASE`, `META_API_VERSION`; `WAHA_BASE_URL`, `WAHA_API_KEY`, `WAHA_HMAC_KEY`,
    /// `INBOX_WAHA_ALLOW_UNSIGNED`; `GUPSHUP_API_KEY`, `GUPSHUP_APP_NAME`, `GUPSHUP_API_BASE`, `GUPSHUP_TEMPLATE_IDS`.
    public mutating func applyEnvironment(_ environment: [String: String]) {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        if let sid = environment["TWILIO_ACCOUNT_SID"], !sid.isEmpty { twilio.accountSid = sid }
        if let token = environment["TWILIO_AUTH_TOKEN"], !token.isEmpty { twilio.authToken = token }
        if let millis = environment["INBOX_AI_HOOK_TIMEOUT_MS"].flatMap(Int.init), millis > 0 {
            aiHookTimeout = .milliseconds(millis)
        }
        if let words = environment["INBOX_OPT_OUT_WORDS"], !words.isEmpty {
            optOutWords = Set(words.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() })
        }
        if let base = environment["TWILIO_API_BASE"], !base.isEmpty { twilio.apiBase = base }
        if let sids = value("TWILIO_MENU_CONTENT_SIDS") { twilio.menuContentSids = Self.keyedValues(sids) }
        if let secret = value("META_APP_SECRET") { meta.appSecret = secret }
        if let token = value("META_VERIFY_TOKEN") { meta.verifyToken = token }
        if let token = value("META_ACCESS_TOKEN") { meta.accessToken = token }
        if let base = value("META_GRAPH_BASE") { meta.graphBase = base }
        if let version = value("META_API_VERSION") { meta.apiVersion = version }
        if let base = value("WAHA_BASE_URL") { waha.baseURL = base }
        if let key = value("WAHA_API_KEY") { waha.apiKey = key }
        if let key = value("WAHA_HMAC_KEY") { waha.hmacKey = key }
        if value("INBOX_WAHA_ALLOW_UNSIGNED") == "1" { waha.allowUnsigned = true }
        if let key = value("GUPSHUP_API_KEY") { gupshup.apiKey = key }
        if let name = value("GUPSHUP_APP_NAME") { gupshup.appName = name }
        if let base = value("GUPSHUP_API_BASE") { gupshup.apiBase = base }
        if let ids = value("GUPSHUP_TEMPLATE_IDS") { gupshup.templateIds = GupshupSettings.parseTemplateIds(ids) }
        if let directory = value("INBOX_MEDIA_DIR") { media.directory = directory }
        if let bytes = value("INBOX_MEDIA_MAX_BYTES").flatMap(Int.init), bytes > 0 { media.maxBytes = bytes }
        if let count = value("INBOX_MAX_CONNECTIONS").flatMap(Int.init), count > 0 { connections.maxConnections = count }
        func millis(_ name: String) -> Duration? {
            value(name).flatMap(Int.init).flatMap { $0 > 0 ? .milliseconds($0) : nil }
        }
        if let timeout = millis("INBOX_IDLE_TIMEOUT_MS") { connections.idleTimeout = timeout }
        if let timeout = millis("INBOX_HEADER_TIMEOUT_MS") { connections.headerTimeout = timeout }
        if let timeout = millis("INBOX_BODY_TIMEOUT_MS") { connections.bodyTimeout = timeout }
        if let drain = millis("INBOX_SHUTDOWN_DRAIN_MS") { shutdownDrain = drain }
        if let host = value("INBOX_METRICS_HOST") { metricsHost = host }
        if let port = value("INBOX_METRICS_PORT").flatMap(Int.init), port >= 0 { metricsPort = port }
        retention.applyEnvironment(environment)
        if let hours = value("INBOX_REMINDER_LEAD_HOURS").flatMap(Double.init), hours >= 0, hours <= 24 * 60 {
            reminders.lead = Millis(hours * 3_600_000)
        }
        if let zone = value("INBOX_TIME_ZONE").flatMap(TimeZone.init(identifier:)) { reminders.timeZone = zone }
    }

    func resolvedPublicURL(boundPort: Int) -> String {
        var url = publicURL ?? "http://\(host):\(boundPort)"
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}
