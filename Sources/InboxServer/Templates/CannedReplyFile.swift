import InboxModel
import TOMLKit

/// `canned.toml`: the clinic's canned replies, loaded with `inbox canned import`.
///
///     [[canned]]
///     shortcode = "address"
///     body = "Hello {{first_name}}, {{clinic}} is at 12 Harbour Road, second floor."
public enum CannedReplyFile {
    private struct Document: Decodable {
        var canned: [Entry]?
    }

    private struct Entry: Decodable {
        var shortcode: String
        var body: String
    }

    /// Every canned reply in the file, or the first reason the file is wrong.
    public static func parse(_ text: String) throws(StoreError) -> [CannedReplyDefinition] {
        let document: Document
        do {
            document = try TOMLDecoder().decode(Document.self, from: text)
        } catch {
            throw .invalid("canned replies file: \(error)")
        }
        var seen = Set<String>()
        return try (document.canned ?? []).map { entry throws(StoreError) in
            let definition = CannedReplyDefinition(shortcode: entry.shortcode, body: entry.body)
            if let problem = definition.problem { throw .invalid("canned reply \(entry.shortcode): \(problem)") }
            guard seen.insert(entry.shortcode).inserted else {
                throw .invalid("canned reply \(entry.shortcode) is listed twice")
            }
            return definition
        }
    }
}
