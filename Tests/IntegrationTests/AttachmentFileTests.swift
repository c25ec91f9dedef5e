import Foundation
import SyncEngine
import Testing

@Suite("Attachment files on the agent's disk")
struct AttachmentFileTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("inbox-attach-\(UUID().uuidString)").path

    init() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func problem(_ path: String, maxBytes: Int = 1 << 20) -> String? {
        do { _ = try Attachments.load(path: path, maxBytes: maxBytes, home: directory); return nil } catch { return error.description }
    }

    @Test("missing files, folders, unknown types and oversized files are refused before any upload")
    func refusals() throws {
        FileManager.default.createFile(atPath: directory + "/scan.pdf", contents: Data(SampleFiles.pdf))
        FileManager.default.createFile(atPath: directory + "/tool.exe", contents: Data([1, 2, 3]))
        FileManager.default.createFile(atPath: directory + "/big.png", contents: Data(SampleFiles.png))
        #expect(problem("~/scan.pdf") == nil)
        let loaded = try Attachments.load(path: "~/scan.pdf", home: directory)
        #expect(loaded.mimeType == "application/pdf" && loaded.fileName == "scan.pdf" && loaded.bytes == SampleFiles.pdf)
        #expect(problem(directory + "/nope.pdf")?.contains("No file") == true)
        #expect(problem(directory)?.contains("folder") == true)
        #expect(problem(directory + "/tool.exe")?.contains("does not carry .exe") == true)
        #expect(problem(directory + "/big.png", maxBytes: 100)?.contains("limited to") == true)
    }

    @Test("a patient's file name cannot escape the downloads folder; the file is 0600")
    func savedSafely() throws {
        let path = try Attachments.save(SampleFiles.png, messageId: 42, fileName: "../../.bashrc", mimeType: "image/png",
                                        directory: directory + "/downloads")
        #expect(path == directory + "/downloads/42-bashrc")
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o600)
        let unnamed = try Attachments.save(SampleFiles.png, messageId: 43, fileName: nil, mimeType: "image/png",
                                           directory: directory + "/downloads")
        #expect(unnamed.hasSuffix("/43-attachment.png"))
    }
}
