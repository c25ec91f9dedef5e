import CurlHTTP
import Foundation
import InboxModel

/// Sends through Twilio's Messages API: `POST {base}/2010-04-01/Accounts/{sid}/Messages.json`.
public struct TwilioSender: ProviderSender {
    public var accountSid: String
    public var authToken: String
    /// `https://api.twilio.com` in production; tests aim it at a local fake.
    public var apiBase: String
    /// Where Twilio should post delivery statuses (`{public URL}/webhooks/twilio/status`); known once bound.
    let statusCallbackProvider: @Sendable () -> String?
    /// The signed public link Twilio fetches an agent's attachment from.
    let mediaLink: @Sendable (Int64) -> String
    let http: HTTPClient
    /// The bot's menus as Content templates (`TwilioSettings.menuContentSids`), by kind and number of options.
    let menuContentSid: @Sendable (InteractiveMenu) -> String?

    public init(accountSid: String, authToken: String, apiBase: String, statusCallbackProvider: @escaping @Sendable () -> String? = { nil },
                mediaLink: @escaping @Sendable (Int64) -> String = { _ in "" }, http: HTTPClient = .shared,
                menuContentSid: @escaping @Sendable (InteractiveMenu) -> String? = { _ in nil }) {
        self.menuContentSid = menuContentSid
        self.accountSid = accountSid
        self.authToken = authToken
        self.apiBase = apiBase
        self.statusCallbackProvider = statusCallbackProvider
        self.mediaLink = mediaLink
        self.http = http
    }

    public func send(_ job: DeliveryJob) async -> SendOutcome {
        // Twilio refuses WhatsApp bodies over 1,600 characters (error 21658); commands refuse them first.
        guard OutboundRules.length(of: job.message.body) <= OutboundRules.maxTextLength else {
            return .rejected("Message is longer than Twilio's 1600-character limit")
        }
        var form = [("From", "whatsapp:\(job.clinicNumber)"), ("To", "whatsapp:\(job.patientPhone)")]
        if let template = job.template, let contentSid = template.twilioContentSid {
            // Twilio's Content API: the approved template by id, its variables as a JSON object keyed "1", "2", …
            form += [("ContentSid", contentSid), ("ContentVariables", Self.contentVariables(template.parameters))]
        } else if let menu = job.interactive?.fitted, let contentSid = menuContentSid(menu) {
            // The clinic's list-picker or quick-reply: the text, then each option's title and id.
            let values = [menu.body] + menu.options.flatMap { [$0.title, $0.id] }
            form += [("ContentSid", contentSid), ("ContentVariables", Self.contentVariables(values))]
        } else {
            // Without a Content SID Twilio matches the rendered text against the sender's approved templates.
            form.append(("Body", job.message.body))
        }
        // Twilio downloads the file itself, so the server must be reachable at its public URL (INBOX_PUBLIC_URL).
        if job.attachment != nil { form.append(("MediaUrl", mediaLink(job.message.id))) }
        if let statusCallback = statusCallbackProvider() { form.append(("StatusCallback", statusCallback)) }
        let credentials = Data("\(accountSid):\(authToken)".utf8).base64EncodedString()
        let request = HTTPClient.Request(method: "POST", url: "\(apiBase)/2010-04-01/Accounts/\(accountSid)/Messages.json",
                                  headers: [("Authorization", "Basic \(credentials)"),
                                            ("Content-Type", "application/x-www-form-urlencoded")],
                                  body: Array(FormEncoding.encode(form).utf8), timeout: 15)
        let response: HTTPClient.Response
        do {
            response = try await http.send(request)
        } catch {
            return .retryable("Twilio unreachable: \(error)")
        }
        let json = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        switch response.status {
        case 200..<300:
            guard let sid = json?["sid"] as? String else { return .retryable("Twilio answered without a message sid") }
            return .sent(providerMessageId: sid)
        case 429, 500...:
            return .retryable("Twilio HTTP \(response.status)")
        default:
            let code = (json?["code"]).map { "Twilio error \($0): " } ?? ""
            return .rejected(code + ((json?["message"] as? String) ?? "HTTP \(response.status)"))
        }
    }

    /// A Content template's variables: a JSON object keyed "1", "2", … in order.
    static func contentVariables(_ values: [String]) -> String {
        let variables = Dictionary(uniqueKeysWithValues: values.enumerated().map { (String($0.offset + 1), $0.element) })
        let json = (try? JSONSerialization.data(withJSONObject: variables, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: json, as: UTF8.self)
    }
}
