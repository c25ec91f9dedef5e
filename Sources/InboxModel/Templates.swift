/// WhatsApp message templates: the only messages a provider delivers outside the 24-hour service window.
/// Templates are approved by Meta beforehand; a clinic lists the ones it has in `templates.toml` (or with
/// `inbox template add`) so agents can pick them, fill the numbered parameters and send.

public enum TemplateCategory: String, Codable, Sendable, CaseIterable {
    /// Appointment reminders, confirmations, follow-ups about the patient's own care.
    case utility
    /// Offers and campaigns: never sent to a patient who opted out.
    case marketing
    /// One-time codes.
    case authentication
}

public struct MessageTemplate: Codable, Sendable, Equatable, Identifiable {
    public var id: Int64
    /// Meta's template name, e.g. `appointment_reminder`.
    public var name: String
    /// Meta's language code, e.g. `en`, `en_US`, `ar`.
    public var language: String
    public var category: TemplateCategory
    /// The approved body with numbered parameters: `Hello {{1}}, see you on {{2}}.`
    public var body: String
    public var updatedAt: Millis

    public init(id: Int64, name: String, language: String, category: TemplateCategory, body: String, updatedAt: Millis) {
        self.id = id
        self.name = name
        self.language = language
        self.category = category
        self.body = body
        self.updatedAt = updatedAt
    }

    /// How many values the agent must fill in: the highest `{{n}}` in the body.
    public var parameterCount: Int { TemplateBody.parameterNumbers(in: body).max() ?? 0 }

    /// The body with `{{n}}` replaced by `parameters[n-1]`; a missing value leaves its placeholder visible.
    public func render(_ parameters: [String]) -> String { TemplateBody.render(body, parameters) }
}

/// The use of a template in one send: which one, and the values of its parameters in order.
public struct TemplateSend: Codable, Sendable, Equatable {
    public var name: String
    public var language: String
    public var parameters: [String]

    public init(name: String, language: String, parameters: [String]) {
        self.name = name
        self.language = language
        self.parameters = parameters
    }
}

public enum TemplateBody {
    /// Meta's own limits for a body parameter: no newlines or tabs, no runs of more than four spaces.
    public static let maxParameterLength = 1024

    /// The numbers of the `{{n}}` placeholders in order of appearance.
    public static func parameterNumbers(in body: String) -> [Int] {
        var numbers: [Int] = []
        var rest = body[...]
        while let open = rest.firstRange(of: "{{") {
            let after = rest[open.upperBound...]
            guard let close = after.firstRange(of: "}}") else { break }
            if let number = Int(after[..<close.lowerBound].trimmingWhitespaceCharacters()), number > 0 {
                numbers.append(number)
            }
            rest = after[close.upperBound...]
        }
        return numbers
    }

    /// Why a body cannot be a template, or nil when it can: placeholders must be numbered 1…n without gaps.
    public static func problem(in body: String) -> String? {
        if body.trimmingWhitespace().isEmpty { return "the body is empty" }
        let numbers = Set(parameterNumbers(in: body))
        if let highest = numbers.max(), numbers != Set(1...highest) {
            return "parameters must be numbered {{1}} to {{\(highest)}} without gaps"
        }
        return nil
    }

    /// Why a parameter value would be refused by WhatsApp, or nil when it is fine.
    public static func problem(inParameter value: String) -> String? {
        if value.trimmingWhitespace().isEmpty { return "a parameter cannot be empty" }
        if value.contains(where: { $0.isNewline || $0 == "\t" }) { return "a parameter cannot contain new lines or tabs" }
        if value.unicodeScalars.contains("\u{0}") { return "a parameter cannot contain a NUL character" }
        if value.contains("     ") { return "a parameter cannot contain more than four spaces in a row" }
        if value.count > maxParameterLength { return "a parameter is limited to \(maxParameterLength) characters" }
        return nil
    }

    public static func render(_ body: String, _ parameters: [String]) -> String {
        var out = ""
        var rest = body[...]
        while let open = rest.firstRange(of: "{{") {
            let after = rest[open.upperBound...]
            guard let close = after.firstRange(of: "}}") else { break }
            out += rest[..<open.lowerBound]
            if let number = Int(after[..<close.lowerBound].trimmingWhitespaceCharacters()),
               parameters.indices.contains(number - 1) {
                out += parameters[number - 1]
            } else {
                out += rest[open.lowerBound..<close.upperBound]
            }
            rest = after[close.upperBound...]
        }
        return out + rest
    }
}

extension Substring {
    fileprivate func trimmingWhitespaceCharacters() -> Substring {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return self[first...last]
    }
}

/// A template send as the delivery worker needs it: stored on the message, so a later edit of the clinic's
/// template cannot change what an already accepted message says.
public struct TemplateDelivery: Codable, Sendable, Equatable {
    public var name: String
    public var language: String
    public var parameters: [String]
    public var twilioContentSid: String?

    public init(name: String, language: String, parameters: [String], twilioContentSid: String?) {
        self.name = name
        self.language = language
        self.parameters = parameters
        self.twilioContentSid = twilioContentSid
    }
}
