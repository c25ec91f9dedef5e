/// File types both ends agree on: the client names an attachment's type from its extension before uploading,
/// the server checks the bytes against it.
public enum FileTypes {
    static let byExtension: [String: String] = [
        "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp",
        "ogg": "audio/ogg", "opus": "audio/ogg", "mp3": "audio/mpeg", "m4a": "audio/mp4", "aac": "audio/aac",
        "amr": "audio/amr", "mp4": "video/mp4", "3gp": "video/3gpp", "pdf": "application/pdf", "txt": "text/plain",
        "doc": "application/msword", "xls": "application/vnd.ms-excel", "ppt": "application/vnd.ms-powerpoint",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ]

    /// The type WhatsApp knows for this file name's extension; nil for anything it does not carry.
    public static func mimeType(forFileName name: String) -> String? {
        guard let dot = name.lastIndex(of: ".") else { return nil }
        return byExtension[name[name.index(after: dot)...].lowercased()]
    }

    /// An extension for a type, for files whose sender gave no name (`image/jpeg` → `jpeg`).
    public static func fileExtension(for mime: String) -> String? {
        byExtension.filter { $0.value == mime }.keys.sorted().first
    }

    /// A file name from someone else (a patient, an agent's client) made safe to show and to write: its last path
    /// component only, without control characters, bidi controls, backslashes or leading dots; empty when nothing
    /// is left.
    public static func safeFileName(_ name: String, maxLength: Int = 120) -> String {
        let base = name.split(separator: "/").last.map(String.init) ?? ""
        var safe = String(removingBidiControls(base).unicodeScalars
            .filter { $0.value >= 0x20 && $0.value != 0x7F && $0 != "\\" }.prefix(maxLength))
        while safe.hasPrefix(".") { safe.removeFirst() }
        return safe
    }

    /// Without the invisible characters that reorder text (U+202A–202E embeddings and overrides, U+2066–2069
    /// isolates, U+200E/200F and U+061C marks): "invoice\u{202E}fdp.exe" would show as "invoiceexe.pdf".
    public static func removingBidiControls(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { !isBidiControl($0) }))
    }

    static func isBidiControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C: true
        default: false
        }
    }

    /// WhatsApp's kind of a message carrying this type: image, audio, video or document.
    public static func kind(of mime: String) -> String {
        if mime.hasPrefix("image/") { return "image" }
        if mime.hasPrefix("audio/") { return "audio" }
        if mime.hasPrefix("video/") { return "video" }
        return "document"
    }

    /// The extensions agents may attach, for error messages.
    public static var knownExtensions: String { byExtension.keys.sorted().joined(separator: ", ") }
}
