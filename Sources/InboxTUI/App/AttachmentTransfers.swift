import Foundation
import InboxModel
import SyncEngine

/// The network half of `o` and `A`, run off the UI thread; each ends in one action for the reducer.
struct AttachmentTransfers: Sendable {
    let api: ServerAPI
    let downloads: String
    /// argv[0] of the program that opens a saved file, or nil to only save it.
    let opener: String?

    init(api: ServerAPI, config: Config, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.api = api
        let home = environment["HOME"] ?? NSHomeDirectory()
        downloads = config.downloads.map { $0.hasPrefix("~/") ? home + $0.dropFirst() : $0 }
            ?? Attachments.downloadDirectory(environment: environment)
        // Over SSH there is no screen to open a file on: then the agent gets the saved path.
        let hasDisplay = !(environment["DISPLAY"] ?? "").isEmpty || !(environment["WAYLAND_DISPLAY"] ?? "").isEmpty
        opener = config.openWith ?? (hasDisplay ? "xdg-open" : nil)
    }

    func save(messageId: Int64, fileName: String?, mimeType: String?) async -> Action {
        do {
            let file = try await api.attachment(messageId: messageId)
            let path = try Attachments.save(file.bytes, messageId: messageId, fileName: fileName,
                                            mimeType: mimeType ?? file.mimeType, directory: downloads)
            return .attachmentSaved(path: path, opened: opener.map { Self.launch($0, path) } ?? false)
        } catch {
            return .failure("Not saved: \(error)")
        }
    }

    func upload(conversationId: Int64, path: String) async -> Action {
        do {
            let file = try Attachments.load(path: path)
            let uploaded = try await api.upload(file.bytes, mimeType: file.mimeType)
            return .attachmentUploaded(conversationId: conversationId,
                                       MediaSend(uploadId: uploaded.uploadId, fileName: file.fileName))
        } catch {
            return .failure("Not attached: \(error)")
        }
    }

    /// Starts the opener detached from the terminal (its output would scribble over the screen). No shell: the
    /// path is one argument, whatever characters a patient put in the file name.
    static func launch(_ program: String, _ path: String) -> Bool {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor in Int32(0)...2 {
            posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(program), strdup(path), nil]
        defer { argv.forEach { free($0) } }
        guard posix_spawnp(&pid, program, &actions, nil, argv, environ) == 0 else { return false }
        // Reaped in the background so it never lingers as a zombie.
        let child = pid
        Thread.detachNewThread { var status: Int32 = 0; waitpid(child, &status, 0) }
        return true
    }
}
