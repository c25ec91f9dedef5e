import Foundation
import InboxModel
import Logging
import ServiceLifecycle

/// How long the server keeps what it no longer needs.
public struct RetentionPolicy: Sendable, Equatable {
    /// Stored command answers (idempotency records). A client that comes back after longer than this with a command
    /// still queued sends it as new. `INBOX_IDEMPOTENCY_RETENTION_HOURS`, default 72.
    public var idempotency: Duration = .seconds(72 * 3600)
    /// Attachments (patients' and agents') are deleted from disk this long after their message; the message stays
    /// and shows the attachment as removed. `INBOX_MEDIA_RETENTION_DAYS`; unset or 0 keeps them.
    public var mediaDays: Int?
    /// How often the sweep runs. `INBOX_RETENTION_SWEEP_SECONDS`, default 600.
    public var sweepInterval: Duration = .seconds(600)

    public init() {}

    public mutating func applyEnvironment(_ environment: [String: String]) {
        func number(_ name: String) -> Int? { environment[name].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
        if let hours = number("INBOX_IDEMPOTENCY_RETENTION_HOURS"), hours > 0 { idempotency = .seconds(hours * 3600) }
        if let days = number("INBOX_MEDIA_RETENTION_DAYS") { mediaDays = days > 0 ? days : nil }
        if let seconds = number("INBOX_RETENTION_SWEEP_SECONDS"), seconds > 0 { sweepInterval = .seconds(seconds) }
    }

    /// What agents read on an attachment the retention removed.
    public func mediaRemovalReason(days: Int) -> String {
        "removed after \(days) days (the clinic's retention policy)"
    }
}

/// Applies the retention policy: at start and then every `sweepInterval`. Counts are logged, never content.
public struct Housekeeping: Service {
    let store: any InboxStore
    let files: MediaFiles
    let policy: RetentionPolicy
    let logger: Logger
    let clock: @Sendable () -> Millis

    public init(store: any InboxStore, files: MediaFiles, policy: RetentionPolicy, logger: Logger,
                clock: @escaping @Sendable () -> Millis = { Millis(Date().timeIntervalSince1970 * 1000) }) {
        self.store = store
        self.files = files
        self.policy = policy
        self.logger = logger
        self.clock = clock
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await sweep()
                } catch is CancellationError {
                    return
                } catch {
                    logger.error("retention sweep failed: \(error)")
                }
                try await Task.sleep(for: policy.sweepInterval)
            }
        }
    }

    /// One pass: prune idempotency records, expire attachments and delete their files.
    public func sweep() async throws {
        let now = clock()
        let pruned = try await store.pruneIdempotency(olderThan: now - Millis(policy.idempotency.components.seconds * 1000))
        if pruned > 0 { logger.info("retention: forgot \(pruned) stored command answers") }
        guard let days = policy.mediaDays else { return }
        let expired = try await store.expireMedia(olderThan: now - Millis(days) * 86_400_000,
                                                  reason: policy.mediaRemovalReason(days: days))
        let deleted = files.remove(expired.unreferencedFiles)
        if expired.messages > 0 || deleted > 0 {
            logger.info("retention: \(expired.messages) attachments expired, \(deleted) files deleted")
        }
    }
}

extension MediaFiles {
    /// Deletes these files (by SHA-256); a file already gone counts as deleted. Returns how many are gone.
    @discardableResult
    public func remove(_ hashes: [String]) -> Int {
        hashes.reduce(0) { count, sha256 in
            let target = path(sha256)
            if !FileManager.default.fileExists(atPath: target) { return count + 1 }
            return (try? FileManager.default.removeItem(atPath: target)) != nil ? count + 1 : count
        }
    }
}
