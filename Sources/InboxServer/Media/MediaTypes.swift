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
        if let program = executableKind(bytes) {
            return .failure(MediaRefusal("the content is a program (\(program)), not \(mime)"))
        }
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

    /// What kind of program the bytes are, whatever type they claim: ELF (Linux), PE/DOS "MZ" (Windows), Mach-O
    /// (macOS, thin or universal) and `#!` scripts. AMR's own header "#!AMR" is the one `#!` that is not a script.
    static func executableKind(_ bytes: [UInt8]) -> String? {
        if starts(bytes, [0x7F, 0x45, 0x4C, 0x46]) { return "ELF" }
        // A DOS/PE header is binary (NUL bytes in its first 64); a note that merely starts "MZ…" is not.
        if starts(bytes, Array("MZ".utf8)) && bytes.prefix(64).contains(0) { return "Windows PE" }
        let machO: [[UInt8]] = [[0xFE, 0xED, 0xFA, 0xCE], [0xFE, 0xED, 0xFA, 0xCF], [0xCE, 0xFA, 0xED, 0xFE],
                                [0xCF, 0xFA, 0xED, 0xFE], [0xCA, 0xFE, 0xBA, 0xBE], [0xBE, 0xBA, 0xFE, 0xCA]]
        if machO.contains(where: { starts(bytes, $0) }) { return "Mach-O" }
        if starts(bytes, Array("#!".utf8)) && !isAMR(bytes) { return "script" }
        return nil
    }

    private static func isAMR(_ bytes: [UInt8]) -> Bool {
        starts(bytes, Array("#!AMR\n".utf8)) || starts(bytes, Array("#!AMR-WB\n".utf8))
    }

    /// An MPEG audio frame header: 11 sync bits, then a valid version, layer, bitrate and sample rate.
    private static func isMPEGAudioFrame(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 4, bytes[0] == 0xFF, bytes[1] & 0xE0 == 0xE0 else { return false }
        let version = (bytes[1] >> 3) & 0x3, layer = (bytes[1] >> 1) & 0x3
        let bitrate = bytes[2] >> 4, sampleRate = (bytes[2] >> 2) & 0x3
        return version != 1 && layer != 0 && bitrate != 0xF && sampleRate != 3
    }

    /// An AAC ADTS header: 12 sync bits, layer 00, and a valid sampling-frequency index.
    private static func isADTS(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 7, bytes[0] == 0xFF, bytes[1] & 0xF6 == 0xF0 else { return false }
        return (bytes[2] >> 2) & 0xF < 13
    }

    private static let id3: @Sendable ([UInt8]) -> Bool = { starts($0, Array("ID3".utf8)) }

    /// Magic numbers, one or more per type. Every allowed type has a check except plain text, which must hold no
    /// NUL byte (and, like every type, is not a program).
    private static let signatures: [String: @Sendable ([UInt8]) -> Bool] = [
        // MP3: an ID3v2 tag or an MPEG audio frame.
        "audio/mpeg": { id3($0) || isMPEGAudioFrame($0) },
        // AAC: ADTS frames (WhatsApp's), an ADIF header, an ID3 tag before ADTS, or an MP4 container.
        "audio/aac": { isADTS($0) || starts($0, Array("ADIF".utf8)) || id3($0) || isoMedia($0) },
        "audio/amr": { isAMR($0) },
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
