import Foundation
import InboxModel

/// Files moving between the agent's disk and the server: attachments to send, patients' files to keep.
public enum Attachments {
    public struct LocalFile: Sendable {
        public var bytes: [UInt8]
        public var fileName: String
        public var mimeType: String
    }

    /// Reads a file to attach. The size is checked before a byte is read, so a 4 GB video fails at once.
    public static func load(path: String, maxBytes: Int = ProtocolLimits.maxAttachmentBytes,
                            home: String = NSHomeDirectory()) throws(AttachmentError) -> LocalFile {
        let trimmed = path.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw .invalid("Type the path of a file to attach") }
        let expanded = trimmed == "~" ? home : trimmed.hasPrefix("~/") ? home + trimmed.dropFirst() : trimmed
        let name = (expanded as NSString).lastPathComponent
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: expanded, isDirectory: &isDirectory) else {
            throw .invalid("No file at \(expanded)")
        }
        guard !isDirectory.boolValue else { throw .invalid("\(expanded) is a folder, not a file") }
        guard let mimeType = FileTypes.mimeType(forFileName: name) else {
            throw .invalid("WhatsApp does not carry .\((name as NSString).pathExtension) files (it does: \(FileTypes.knownExtensions))")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: expanded)[.size] as? Int) ?? 0
        guard size <= maxBytes else {
            throw .invalid("\(name) is \(ByteCount.text(size)); WhatsApp attachments are limited to \(ByteCount.text(maxBytes))")
        }
        guard size > 0 else { throw .invalid("\(name) is empty") }
        guard let data = FileManager.default.contents(atPath: expanded) else { throw .invalid("Cannot read \(expanded)") }
        return LocalFile(bytes: Array(data), fileName: name, mimeType: mimeType)
    }

    /// Where downloads go: `$INBOX_DOWNLOADS`, else `$XDG_DOWNLOAD_DIR/inbox`, else `~/Downloads/inbox`.
    public static func downloadDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit = environment["INBOX_DOWNLOADS"], !explicit.isEmpty { return explicit }
        if let xdg = environment["XDG_DOWNLOAD_DIR"], xdg.hasPrefix("/") { return xdg + "/inbox" }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/Downloads/inbox"
    }

    /// Saves a patient's file as `<message id>-<name>` (0600 in a 0700 folder): the name comes from the patient,
    /// so it is reduced to one safe path component and can never point outside the folder.
    public static func save(_ bytes: [UInt8], messageId: Int64, fileName: String?, mimeType: String?,
                            directory: String) throws(AttachmentError) -> String {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw .invalid("Cannot create \(directory): \(error.localizedDescription)")
        }
        let path = directory + "/" + safeName(messageId: messageId, fileName: fileName, mimeType: mimeType)
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
            throw .invalid("Cannot write \(path)")
        }
        return path
    }

    static func safeName(messageId: Int64, fileName: String?, mimeType: String?) -> String {
        var name = FileTypes.safeFileName(fileName ?? "")
        if name.isEmpty {
            let ext = mimeType.flatMap(FileTypes.fileExtension(for:)) ?? "bin"
            name = "attachment.\(ext)"
        }
        return "\(messageId)-\(name)"
    }
}

public struct AttachmentError: Error, Sendable, CustomStringConvertible {
    public var description: String
    static func invalid(_ description: String) -> AttachmentError { AttachmentError(description: description) }
}
