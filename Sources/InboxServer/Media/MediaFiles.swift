import Foundation
import InboxRecords

/// The media directory: one file per distinct content, named by its SHA-256, created 0600 in directories 0700.
/// Which clinic may read which file is the database's business (`media` and `uploads` rows), never the path's.
public struct MediaFiles: Sendable {
    public let directory: String

    public init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
    }

    /// The media directory that goes with a database file: `server.sqlite` → `server.sqlite.media/`.
    public static func defaultDirectory(forDatabase path: String) -> String { path + ".media" }

    public func path(_ sha256: String) -> String {
        directory + "/" + sha256.prefix(2) + "/" + sha256
    }

    /// Writes the bytes (once: the same content is the same file) and describes them.
    public func save(_ bytes: [UInt8], mimeType: String) throws -> StoredFile {
        let sha256 = Hashing.sha256Hex(bytes)
        let target = path(sha256)
        if !FileManager.default.fileExists(atPath: target) {
            let folder = (target as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            // Written under a temporary name and renamed: a crash never leaves a half file under the real name.
            let temporary = target + ".part-\(UUID().uuidString)"
            guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes),
                                                 attributes: [.posixPermissions: 0o600]) else {
                throw StoreError.invalid("cannot write \(temporary)")
            }
            if rename(temporary, target) != 0 {
                try? FileManager.default.removeItem(atPath: temporary)
                throw StoreError.invalid("cannot store media file: errno \(errno)")
            }
        }
        return StoredFile(sha256: sha256, mimeType: mimeType, size: Int64(bytes.count))
    }

    public func read(_ sha256: String) throws -> [UInt8] {
        guard sha256.allSatisfy(\.isHexDigit), let data = FileManager.default.contents(atPath: path(sha256)) else {
            throw StoreError.invalid("media file \(sha256.prefix(12))… is missing")
        }
        return Array(data)
    }
}
