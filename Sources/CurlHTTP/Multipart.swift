/// `multipart/form-data` bodies (RFC 7578) for uploads. libcurl's own MIME API would need the request to carry
/// a curl handle-bound structure across the driver thread; a body built here is plain bytes like every other.
public enum Multipart {
    public struct File: Sendable {
        public var field: String
        public var fileName: String
        public var contentType: String
        public var bytes: [UInt8]

        public init(field: String, fileName: String, contentType: String, bytes: [UInt8]) {
            self.field = field
            self.fileName = fileName
            self.contentType = contentType
            self.bytes = bytes
        }
    }

    /// The Content-Type header value (with its boundary) and the body.
    public static func encode(fields: [(String, String)], file: File) -> (contentType: String, body: [UInt8]) {
        let boundary = "inbox-" + (0..<24).map { _ in String("0123456789abcdef".randomElement()!) }.joined()
        var body: [UInt8] = []
        func append(_ text: String) { body.append(contentsOf: Array(text.utf8)) }
        for (name, value) in fields {
            append("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(quoted(name))\"\r\n\r\n\(value)\r\n")
        }
        append("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(quoted(file.field))\"; filename=\"\(quoted(file.fileName))\"\r\n")
        append("Content-Type: \(file.contentType)\r\n\r\n")
        body.append(contentsOf: file.bytes)
        append("\r\n--\(boundary)--\r\n")
        return ("multipart/form-data; boundary=\(boundary)", body)
    }

    /// Quotes and line breaks would end the header parameter early: they are replaced, as browsers do.
    private static func quoted(_ text: String) -> String {
        String(text.map { $0 == "\"" ? "'" : ($0.isNewline ? " " : $0) })
    }
}
