import InboxModel

/// Which files the server keeps, and whether their bytes are what they claim to be. A patient's "scan.pdf" that
/// is really an executable or HTML page is refused: agents open these files on their own machines.
public enum MediaTypes {
    /// The types WhatsApp itself accepts (images, audio, video, documents), by MIME type.
    static let allowed: Set<String> = [
        "image/jpeg", "image/png", "image/webp",
        "audio/ogg", "audio/mpeg", "audio/mp4", "audio/aac", "audio/amr", "audio/opus",
        "video/mp4", "video/3gpp",
        "application/pdf", "text/plain",
        "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ]

    /// The MIME type without parameters, lower-cased: `Image/JPEG; charset=x` → `image/jpeg`.
    static func essence(_ mime: String) -> String {
        String(mime.split(separator: ";").first ?? "").trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// The file's type when it may be stored, or why not.
    public static func check(_ bytes: [UInt8], declared: String?) -> Result<String, MediaRefusal> {
        guard let declared, !declared.isEmpty else { return .failure(MediaRefusal("no content type was given")) }
        let mime = essence(declared)
        // WhatsApp voice notes arrive as `audio/ogg; codecs=opus`.
        guard allowed.contains(mime) else { return .failure(MediaRefusal("\(mime) is not a type WhatsApp clinics accept")) }
        guard !bytes.isEmpty else { return .failure(MediaRefusal("the file is empty")) }
        if let signature = signatures[mime], !signature(bytes) {
            return .failure(MediaRefusal("the content is not \(mime)"))
        }
        if mime == "text/plain", bytes.prefix(4096).contains(0) {
            return .failure(MediaRefusal("the content is not text"))
        }
        return .success(mime)
    }

    private static func starts(_ bytes: [UInt8], _ prefix: [UInt8], at offset: Int = 0) -> Bool {
        bytes.count >= offset + prefix.count && Array(bytes[offset..<(offset + prefix.count)]) == prefix
    }

    private static let zip: @Sendable ([UInt8]) -> Bool = { starts($0, [0x50, 0x4B, 0x03, 0x04]) }
    private static let ole: @Sendable ([UInt8]) -> Bool = { starts($0, [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) }
    private static let isoMedia: @Sendable ([UInt8]) -> Bool = { starts($0, Array("ftyp".utf8), at: 4) }

    /// Magic numbers of the types that have one. Formats without a reliable one (AMR, AAC, MP3 without ID3) are
    /// checked by the allowlist alone.
    private static let signatures: [String: @Sendable ([UInt8]) -> Bool] = [
        "image/jpeg": { starts($0, [0xFF, 0xD8, 0xFF]) },
        "image/png": { starts($0, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) },
        "image/webp": { starts($0, Array("RIFF".utf8)) && starts($0, Array("WEBP".utf8), at: 8) },
        "audio/ogg": { starts($0, Array("OggS".utf8)) },
        "audio/opus": { starts($0, Array("OggS".utf8)) },
        "audio/mp4": isoMedia,
        "video/mp4": isoMedia,
        "video/3gpp": isoMedia,
        "application/pdf": { starts($0, Array("%PDF-".utf8)) },
        "application/msword": ole,
        "application/vnd.ms-excel": ole,
        "application/vnd.ms-powerpoint": ole,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": zip,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": zip,
        "application/vnd.openxmlformats-officedocument.presentationml.presentation": zip,
    ]

    public static func kind(of mime: String) -> String { FileTypes.kind(of: mime) }
}

public struct MediaRefusal: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
