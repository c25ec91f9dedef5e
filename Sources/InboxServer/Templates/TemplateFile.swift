import Foundation
import InboxModel
import TOMLKit

/// A template as a clinic admin declares it, with what only the server needs (Twilio's Content SID).
public struct TemplateDefinition: Sendable, Equatable {
    public var name: String
    public var language: String
    public var category: TemplateCategory
    public var body: String
    /// Twilio's Content API id (`HX…`). Without it a Twilio send carries the rendered text as `Body`.
    public var twilioContentSid: String?

    public init(name: String, language: String, category: TemplateCategory, body: String, twilioContentSid: String? = nil) {
        self.name = name
        self.language = language
        self.category = category
        self.body = body
        self.twilioContentSid = twilioContentSid
    }

    /// Why the definition cannot be stored, or nil.
    public var problem: String? {
        if name.wholeMatch(of: /[a-z0-9_]{1,512}/) == nil {
            return "template name \"\(name)\" must be lower-case letters, digits and underscores (Meta's rule)"
        }
        if language.wholeMatch(of: /[a-z]{2,3}(_[A-Z]{2})?/) == nil {
            return "template \(name): language \"\(language)\" is not a code like en, ar or en_US"
        }
        if let problem = TemplateBody.problem(in: body) { return "template \(name): \(problem)" }
        return nil
    }
}

/// `templates.toml`: the clinic's approved templates, loaded with `inbox template import`.
///
///     [[template]]
///     name = "appointment_reminder"
///     language = "en"
///     category = "utility"            # utility | marketing | authentication
///     body = "Hello {{1}}, this is a reminder of your appointment on {{2}}. Reply to confirm."
///     twilio_content_sid = "HX…"      # optional: the Twilio Content API id of the same template
public enum TemplateFile {
    private struct Document: Decodable {
        var template: [Entry]?
    }

    private struct Entry: Decodable {
        var name: String
        var language: String
        var category: String
        var body: String
        var twilioContentSid: String?

        enum CodingKeys: String, CodingKey {
            case name, language, category, body
            case twilioContentSid = "twilio_content_sid"
        }
    }

    /// Every template in the file, or the first reason the file is wrong.
    public static func parse(_ text: String) throws(StoreError) -> [TemplateDefinition] {
        let document: Document
        do {
            document = try TOMLDecoder().decode(Document.self, from: text)
        } catch {
            throw .invalid("templates file: \(error)")
        }
        var seen = Set<String>()
        return try (document.template ?? []).map { entry throws(StoreError) in
            guard let category = TemplateCategory(rawValue: entry.category) else {
                throw .invalid("template \(entry.name): category must be utility, marketing or authentication")
            }
            let definition = TemplateDefinition(name: entry.name, language: entry.language, category: category,
                                                body: entry.body, twilioContentSid: entry.twilioContentSid)
            if let problem = definition.problem { throw .invalid(problem) }
            guard seen.insert("\(entry.name)/\(entry.language)").inserted else {
                throw .invalid("template \(entry.name) (\(entry.language)) is listed twice")
            }
            return definition
        }
    }
}
