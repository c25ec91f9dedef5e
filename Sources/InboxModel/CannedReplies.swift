/// A clinic's short reply an agent inserts with `/shortcode` in the composer (`inbox canned add|import|list|remove`).
/// It is free text: it goes out as an ordinary reply, inside the 24-hour window only (templates remain the tool
/// outside it).
public struct CannedReply: Codable, Sendable, Equatable, Identifiable {
    public var id: Int64
    /// What the agent types after `/`: lower-case letters, digits, `-` and `_`, unique in the clinic.
    public var shortcode: String
    /// With `{{name}}`, `{{first_name}}` and `{{clinic}}` placeholders, filled when the agent picks it.
    public var body: String
    /// Removed with `inbox canned remove`: mirrors delete it.
    public var removed: Bool
    public var updatedAt: Millis

    public init(id: Int64, shortcode: String, body: String, removed: Bool = false, updatedAt: Millis) {
        self.id = id
        self.shortcode = shortcode
        self.body = body
        self.removed = removed
        self.updatedAt = updatedAt
    }
}

/// A canned reply as an admin defines it (before the server gives it an id).
public struct CannedReplyDefinition: Sendable, Equatable {
    public var shortcode: String
    public var body: String

    public init(shortcode: String, body: String) {
        self.shortcode = shortcode
        self.body = body
    }

    /// Why the server refuses it, or nil.
    public var problem: String? {
        CannedReplies.shortcodeProblem(shortcode) ?? CannedReplies.bodyProblem(body)
    }
}

/// The rules of canned replies: what a shortcode may be, how the picker ranks them, how placeholders are filled.
public enum CannedReplies {
    public static let maxShortcodeLength = 32
    /// WhatsApp's limit for a text message.
    public static let maxBodyLength = 4096
    /// The placeholders `expand` fills; any other `{{…}}` is left as written for the agent to edit.
    public static let placeholders = ["name", "first_name", "clinic"]

    public static func shortcodeProblem(_ shortcode: String) -> String? {
        guard !shortcode.isEmpty, shortcode.count <= maxShortcodeLength else {
            return "a shortcode is 1–\(maxShortcodeLength) characters"
        }
        let allowed = shortcode.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
        }
        return allowed ? nil : "a shortcode is lower-case letters, digits, - and _ (\"\(shortcode)\" is not)"
    }

    public static func bodyProblem(_ body: String) -> String? {
        if body.allSatisfy(\.isWhitespace) { return "a canned reply needs text" }
        if body.count > maxBodyLength { return "a canned reply is at most \(maxBodyLength) characters" }
        if body.unicodeScalars.contains(where: { $0.value == 0 }) { return "a canned reply cannot contain NUL" }
        return nil
    }

    /// The picker's list for `query` (what follows `/`), Chatwoot's order: shortcodes starting with it, then
    /// shortcodes containing it, then texts containing it; alphabetical by shortcode within each group. An empty
    /// query lists them all.
    public static func ranked(_ replies: [CannedReply], query: String) -> [CannedReply] {
        let needle = query.lowercased()
        let live = replies.filter { !$0.removed }.sorted { $0.shortcode < $1.shortcode }
        guard !needle.isEmpty else { return live }
        var prefix: [CannedReply] = [], contains: [CannedReply] = [], text: [CannedReply] = []
        for reply in live {
            if reply.shortcode.hasPrefix(needle) { prefix.append(reply) }
            else if reply.shortcode.contains(needle) { contains.append(reply) }
            else if reply.body.lowercased().contains(needle) { text.append(reply) }
        }
        return prefix + contains + text
    }

    /// The text the composer receives: placeholders filled from the patient and the clinic. An unknown name
    /// (a patient who gave none) reads "there", so "Hello {{first_name}}" still makes a sentence.
    public static func expand(_ body: String, patientName: String?, clinic: String) -> String {
        let name = patientName?.trimmingWhitespace() ?? ""
        let first = name.split(whereSeparator: \.isWhitespace).first.map(String.init) ?? ""
        let values = ["name": name.isEmpty ? "there" : name, "first_name": first.isEmpty ? "there" : first,
                      "clinic": clinic]
        var result = ""
        var rest = Substring(body)
        while let open = rest.firstRange(of: "{{") {
            result += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstRange(of: "}}") else {
                rest = rest[open.lowerBound...]
                break
            }
            let key = rest[open.upperBound..<close.lowerBound].trimmingWhitespace()
            result += values[key] ?? String(rest[open.lowerBound..<close.upperBound])
            rest = rest[close.upperBound...]
        }
        return result + rest
    }
}

extension Substring {
    func trimmingWhitespace() -> String { String(self).trimmingWhitespace() }
}
