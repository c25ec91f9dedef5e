import Foundation
import Hummingbird

/// What every local stand-in for a WhatsApp provider shares: a Hummingbird server on 127.0.0.1 (port picked by
/// the OS), the requests it received, and a mode the test switches (accept, fail, refuse…).
final class ProviderRecorder<Sent: Sendable, Mode: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var received: [Sent] = []
    private var current: Mode
    private var task: Task<Void, any Error>?
    private(set) var port = 0

    init(mode: Mode) { current = mode }

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var sent: [Sent] { lock.withLock { received } }
    var mode: Mode {
        get { lock.withLock { current } }
        set { lock.withLock { current = newValue } }
    }

    /// Records a request as the current mode shapes it (e.g. with the id an accepting provider assigns), reading the
    /// mode and recording under one lock so a test that switches modes never sees a half-applied switch.
    func record(_ shape: (Mode) -> Sent) -> (Sent, Mode) {
        lock.withLock {
            let sent = shape(current)
            received.append(sent)
            return (sent, current)
        }
    }

    func serve(_ router: Router<BasicRequestContext>) async {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) })
        task = Task { try await app.run() }
        for await bound in ports { port = bound; break }
    }

    func stop() async {
        task?.cancel()
        _ = try? await task?.value
    }
}

/// Gives a fake the recorder's surface: `baseURL`, `sent`, a settable `mode`, `stop()`.
protocol ProviderFake: AnyObject {
    associatedtype Sent: Sendable
    associatedtype Mode: Sendable
    var recorder: ProviderRecorder<Sent, Mode> { get }
}

extension ProviderFake {
    var baseURL: String { recorder.baseURL }
    var sent: [Sent] { recorder.sent }
    var mode: Mode {
        get { recorder.mode }
        set { recorder.mode = newValue }
    }

    func stop() async { await recorder.stop() }

    static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}

/// Files a fake provider hands out, as the real ones serve patients' media: only with the right Authorization.
final class MediaShelf: @unchecked Sendable {
    struct File {
        var contentType: String
        var bytes: [UInt8]
    }

    private let lock = NSLock()
    private var files: [String: File] = [:]
    private var authorization = ""
    private(set) var downloads = 0

    /// The header value a download must carry.
    func require(authorization value: String) { lock.withLock { authorization = value } }

    func put(_ name: String, contentType: String, bytes: [UInt8]) {
        lock.withLock { files[name] = File(contentType: contentType, bytes: bytes) }
    }

    /// Serves `GET {prefix}/:name`.
    func register(on router: Router<BasicRequestContext>, prefix: String) {
        router.get("\(prefix)/:name") { request, context in
            let (file, expected) = self.lock.withLock { () -> (File?, String) in
                self.downloads += 1
                return (self.files[context.parameters.get("name") ?? ""], self.authorization)
            }
            guard request.headers[.authorization] == expected else { return Response(status: .unauthorized) }
            guard let file else { return Response(status: .notFound) }
            return Response(status: .ok, headers: [.contentType: file.contentType],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: file.bytes)))
        }
    }
}

/// Small files with the right magic numbers, as patients' phones would send them.
enum SampleFiles {
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 200)
    static let pdf: [UInt8] = Array("%PDF-1.7\n%âãÏÓ\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n".utf8)
    /// An executable pretending to be a JPEG.
    static let fakeJPEG: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0] + Array(repeating: 0, count: 100)
}
