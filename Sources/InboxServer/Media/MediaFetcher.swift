import CurlHTTP
import Foundation
import InboxModel
import Logging
import ServiceLifecycle

/// Fetches patients' attachments from their provider into the media directory as soon as they arrive: provider
/// links expire (Meta's within minutes, Twilio's when the message is deleted). Each file is size-capped while it
/// downloads and type-checked before it is kept; agents then download it from this server. A service of the
/// server's group: at shutdown it starts no new download and lets those in flight finish (within the drain).
public actor MediaFetcher: Service {
    public struct Credentials: Sendable {
        public var twilioAccountSid: String?
        public var twilioAuthToken: String?
        public var metaAccessToken: String?
        public var metaGraphBase: String
        public var metaAPIVersion: String
        public var wahaAPIKey: String?
        /// `WAHA_BASE_URL`: the API key is sent only to URLs under it.
        public var wahaBaseURL: String? = nil
    }

    private let store: any InboxStore
    private let files: MediaFiles
    private let credentials: Credentials
    private let maxBytes: Int
    private let maxAttempts: Int
    private let http: HTTPClient
    private let logger: Logger
    private let doorbell = Doorbell()
    private let stopping = Locked(false)
    private let shutdownDrain: Duration

    public init(store: any InboxStore, files: MediaFiles, credentials: Credentials, maxBytes: Int, maxAttempts: Int = 5,
                http: HTTPClient = .shared, shutdownDrain: Duration = .seconds(10), logger: Logger) {
        self.shutdownDrain = shutdownDrain
        self.store = store
        self.files = files
        self.credentials = credentials
        self.maxBytes = maxBytes
        self.maxAttempts = maxAttempts
        self.http = http
        self.logger = logger
    }

    public func poke() async { await doorbell.ring() }

    public func run() async {
        let loop = DueWorkLoop(doorbell: doorbell, logger: logger, name: "media", stopping: stopping)
        await loop.serve(drain: shutdownDrain) { await self.work(loop) }
    }

    private func work(_ loop: DueWorkLoop) async {
        await loop.run(
            due: { try await store.dueMediaFetches(now: DeliveryWorker.now(), limit: 8) },
            nextDue: { try await store.nextMediaFetchTime() },
            perform: { job in await self.fetch(job) })
    }

    enum Failure: Error {
        /// Kept from agents for good: too large or not what it claims to be.
        case refused(String)
        case retryable(String)
        case final(String)
    }

    private func fetch(_ job: MediaFetchJob) async {
        do {
            let (bytes, contentType) = try await download(job)
            switch MediaTypes.check(bytes, declared: job.declaredMimeType ?? contentType) {
            case .success(let mime):
                try await store.mediaFetched(messageId: job.messageId, file: try files.save(bytes, mimeType: mime))
            case .failure(let refusal):
                throw Failure.refused(refusal.description)
            }
        } catch let failure as Failure {
            await record(job, failure)
        } catch {
            await record(job, .retryable("\(error)"))
        }
    }

    private func record(_ job: MediaFetchJob, _ failure: Failure) async {
        let (state, reason, retry): (MediaState, String, Bool) = switch failure {
        case .refused(let reason): (.refused, reason, false)
        case .final(let reason): (.failed, reason, false)
        case .retryable(let reason): (.failed, reason, job.attempts + 1 < maxAttempts)
        }
        logger.warning("media of message \(job.messageId) not kept (\(state.rawValue)): \(reason)")
        let retryAt = retry ? DeliveryWorker.now() + Millis(1_000 << min(job.attempts, 10)) : nil
        do {
            try await store.mediaFetchFailed(messageId: job.messageId, state: state, reason: reason, retryAt: retryAt)
        } catch {
            logger.error("recording media of message \(job.messageId): \(error)")
        }
    }

    /// The file's bytes and the Content-Type it was served with.
    private func download(_ job: MediaFetchJob) async throws -> ([UInt8], String?) {
        var url = job.source
        var headers: [(name: String, value: String)] = []
        switch job.provider {
        case .twilio:
            // Twilio media URLs take the account's Basic auth, then redirect to a signed storage link.
            if let sid = credentials.twilioAccountSid, let token = credentials.twilioAuthToken {
                headers.append(("Authorization", "Basic " + Data("\(sid):\(token)".utf8).base64EncodedString()))
            }
        case .meta:
            guard let token = credentials.metaAccessToken else { throw Failure.final("no META_ACCESS_TOKEN to fetch media with") }
            headers.append(("Authorization", "Bearer \(token)"))
            if url.hasPrefix("meta-media:") {
                url = try await metaMediaURL(id: String(url.dropFirst("meta-media:".count)), headers: headers)
            }
        case .waha:
            // The URL comes from a webhook: the key goes only to the WAHA this server is configured with.
            guard let base = credentials.wahaBaseURL, Self.url(url, isUnder: base) else {
                throw Failure.final("the file's URL is not under WAHA_BASE_URL, so it was not fetched with the API key")
            }
            if let key = credentials.wahaAPIKey { headers.append(("X-Api-Key", key)) }
        case .gupshup:
            // Gupshup's link is itself the credential (it expires, `urlExpiry`): no key goes with the download.
            break
        }
        let response: HTTPClient.Response
        do {
            response = try await http.send(HTTPClient.Request(url: url, headers: headers, timeout: 120, followRedirects: true,
                                                              maxResponseBytes: maxBytes))
        } catch is ResponseTooLarge {
            throw Failure.refused("larger than the server's limit of \(ByteCount.text(maxBytes))")
        }
        switch response.status {
        case 200..<300: return (response.body, response.headers["content-type"])
        case 404, 410: throw Failure.final("the provider no longer has it (HTTP \(response.status))")
        case 401, 403: throw Failure.final("the provider refused the download (HTTP \(response.status)): check the credentials")
        default: throw Failure.retryable("HTTP \(response.status)")
        }
    }

    /// Same scheme, host and port as `base`, and a path inside base's path (`http://waha:3000.evil/…` and
    /// `http://waha:3000/api-other` are not under `http://waha:3000/api`).
    static func url(_ candidate: String, isUnder base: String) -> Bool {
        guard let url = URLComponents(string: candidate), let root = URLComponents(string: base),
              let scheme = url.scheme?.lowercased(), scheme == root.scheme?.lowercased(),
              let host = url.host?.lowercased(), !host.isEmpty, host == root.host?.lowercased(),
              (url.port ?? defaultPort(scheme)) == (root.port ?? defaultPort(scheme)),
              url.user == nil, url.password == nil else { return false }
        var prefix = root.path
        while prefix.hasSuffix("/") { prefix.removeLast() }
        let path = url.path
        guard !path.split(separator: "/").contains("..") else { return false }
        return prefix.isEmpty || path == prefix || path.hasPrefix(prefix + "/")
    }

    private static func defaultPort(_ scheme: String) -> Int { scheme == "https" ? 443 : 80 }

    /// Meta's two steps: `GET /{version}/{media-id}` answers `{"url": …}`, which is fetched with the same token.
    private func metaMediaURL(id: String, headers: [(name: String, value: String)]) async throws -> String {
        guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." }) else {
            throw Failure.final("not a Meta media id")
        }
        let response = try await http.send(HTTPClient.Request(
            url: "\(credentials.metaGraphBase)/\(credentials.metaAPIVersion)/\(id)", headers: headers, timeout: 30))
        guard (200..<300).contains(response.status) else {
            if response.status >= 500 || response.status == 429 { throw Failure.retryable("Meta HTTP \(response.status)") }
            throw Failure.final("Meta refused media \(id) (HTTP \(response.status))")
        }
        guard let json = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
              let url = json["url"] as? String, url.hasPrefix("https://") || url.hasPrefix("http://") else {
            throw Failure.retryable("Meta answered without a media URL")
        }
        return url
    }
}
