import CCurl
import Foundation

extension HTTPClient {
public struct Request: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?
    /// Whole-transfer limit, seconds. A long-poll sets it above the wait it asks the server for.
    public var timeout: Double
    /// Follow up to five http(s) redirects (provider media URLs redirect to storage hosts). curl does not pass an
    /// `Authorization` header on to a different host.
    public var followRedirects: Bool
    /// A larger answer is abandoned mid-transfer and thrown as `ResponseTooLarge`.
    public var maxResponseBytes: Int?

    public init(method: String = "GET", url: String, headers: [(name: String, value: String)] = [],
                body: [UInt8]? = nil, timeout: Double = 30, followRedirects: Bool = false, maxResponseBytes: Int? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.followRedirects = followRedirects
        self.maxResponseBytes = maxResponseBytes
    }
}

public struct Response: Sendable {
    public var status: Int
    /// Header names lower-cased; the last value wins.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var text: String { String(decoding: body, as: UTF8.self) }
}
}

/// The request never got an HTTP answer (refused, reset, timed out, DNS…).
public struct TransportError: Error, Sendable, CustomStringConvertible {
    public var code: Int
    public var message: String
    public var description: String { "\(message) (curl \(code))" }
}

/// The answer was longer than the request's `maxResponseBytes`.
public struct ResponseTooLarge: Error, Sendable, CustomStringConvertible {
    public var limit: Int
    public var description: String { "the answer is larger than \(limit) bytes" }
}

/// An async HTTP client over libcurl's multi interface.
///
/// One background thread drives every transfer of the process, so a thousand concurrent long-polls cost one
/// thread, not a thousand; connections are reused across requests to the same host.
public final class HTTPClient: Sendable {
    public static let shared = HTTPClient()

    private let driver = MultiDriver()

    public init() {}

    public func send(_ request: Request) async throws -> Response {
        let transfer = try Transfer(request)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                transfer.continuation = continuation
                driver.submit(transfer)
            }
        } onCancel: {
            driver.cancel(transfer)
        }
    }
}

/// One request's easy handle and the bytes it collects. Touched only by the driver thread once submitted.
final class Transfer: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    var continuation: CheckedContinuation<HTTPClient.Response, any Error>?
    var body: [UInt8] = []
    var headers: [String: String] = [:]
    let maxBytes: Int?
    var exceeded = false

    init(_ request: HTTPClient.Request) throws {
        maxBytes = request.maxResponseBytes
        guard let handle = curl_easy_init() else { throw TransportError(code: -1, message: "curl_easy_init failed") }
        self.handle = handle
        ccurl_setopt_string(handle, CURLOPT_URL, request.url)
        ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(request.timeout * 1000))
        ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, 10_000)
        ccurl_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, "")
        ccurl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
        if request.followRedirects {
            ccurl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 1)
            ccurl_setopt_long(handle, CURLOPT_MAXREDIRS, 5)
            ccurl_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        }
        for header in request.headers {
            headerList = curl_slist_append(headerList, "\(header.name): \(header.value)")
        }
        // curl adds "Expect: 100-continue" to large POSTs, which costs a round trip per request.
        headerList = curl_slist_append(headerList, "Expect:")
        ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)
        if let payload = request.body {
            payload.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) {
                    if let base = $0.baseAddress { _ = ccurl_setopt_post_body(handle, base, buffer.count) }
                }
            }
        }
        if request.method != "GET" && !(request.method == "POST" && request.body != nil) {
            ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
        }
        let context = Unmanaged.passUnretained(self).toOpaque()
        ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        ccurl_setopt_write_function(handle) { data, size, count, context in
            let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            if let limit = transfer.maxBytes, transfer.body.count + length > limit {
                transfer.exceeded = true
                return 0  // curl aborts the transfer
            }
            data.map { transfer.body.append(contentsOf: UnsafeRawBufferPointer(start: $0, count: length)) }
            return length
        }
        ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
        ccurl_setopt_header_function(handle) { data, size, count, context in
            let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            if let data {
                let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
                if let colon = line.firstIndex(of: ":") {
                    let name = line[..<colon].lowercased()
                    let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
                    transfer.headers[name] = value
                }
            }
            return length
        }
    }

    func finish(_ code: CURLcode) {
        var status = 0
        ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        if exceeded, let maxBytes {
            continuation?.resume(throwing: ResponseTooLarge(limit: maxBytes))
        } else if code == CURLE_OK {
            continuation?.resume(returning: HTTPClient.Response(status: status, headers: headers, body: body))
        } else {
            let message = String(cString: curl_easy_strerror(code))
            continuation?.resume(throwing: TransportError(code: Int(code.rawValue), message: message))
        }
        continuation = nil
    }

    func abandon() {
        continuation?.resume(throwing: CancellationError())
        continuation = nil
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headerList)
    }
}

/// Owns the curl multi handle and the thread that drives it.
final class MultiDriver: @unchecked Sendable {
    private let multi: UnsafeMutableRawPointer
    private let lock = NSLock()
    private var incoming: [Transfer] = []
    private var cancelled: [Transfer] = []
    /// Running transfers by easy handle; only the driver thread touches it.
    private var running: [UnsafeMutableRawPointer: Transfer] = [:]

    init() {
        _ = MultiDriver.globalInit
        guard let multi = curl_multi_init() else { fatalError("curl_multi_init failed") }
        self.multi = multi
        let thread = Thread { [unowned self] in self.run() }
        thread.name = "inbox-http"
        thread.start()
    }

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    func submit(_ transfer: Transfer) {
        lock.withLock { incoming.append(transfer) }
        curl_multi_wakeup(multi)
    }

    func cancel(_ transfer: Transfer) {
        lock.withLock { cancelled.append(transfer) }
        curl_multi_wakeup(multi)
    }

    private func run() {
        var active: Int32 = 0
        while true {
            let (added, dropped) = lock.withLock {
                defer { incoming.removeAll(keepingCapacity: true); cancelled.removeAll(keepingCapacity: true) }
                return (incoming, cancelled)
            }
            for transfer in added {
                running[transfer.handle] = transfer
                curl_multi_add_handle(multi, transfer.handle)
            }
            for transfer in dropped where running.removeValue(forKey: transfer.handle) != nil {
                curl_multi_remove_handle(multi, transfer.handle)
                transfer.abandon()
            }
            curl_multi_perform(multi, &active)
            var queued: Int32 = 0
            while let info = curl_multi_info_read(multi, &queued) {
                guard info.pointee.msg == CURLMSG_DONE, let easy = info.pointee.easy_handle else { continue }
                let code = info.pointee.data.result
                curl_multi_remove_handle(multi, easy)
                running.removeValue(forKey: easy)?.finish(code)
            }
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
    }
}
