import Foundation
import Hummingbird
import NIOCore

/// `GET /bench/floor?bytes=N`, served only when `INBOX_BENCH_FLOOR=1` is in the server's environment: N bytes of
/// `application/json`, with no authentication, no database and no wait. `inbox-bench push-latency` asks it as many
/// times as it delivered wake-ups, with answers of the same size, to learn what the same server spends on a request
/// that does nothing — the floor a long-poll wake-up is compared with. Not part of the API (docs/openapi.yaml):
/// off unless a benchmark turns it on.
struct BenchFloorRoute: Sendable {
    static let environmentKey = "INBOX_BENCH_FLOOR"

    static var enabled: Bool { ProcessInfo.processInfo.environment[environmentKey] == "1" }

    /// Bodies by size, made once: the floor is the cost of answering, not of building an answer.
    private let bodies = Bodies()

    private final class Bodies: @unchecked Sendable {
        private let lock = NSLock()
        private var bySize: [Int: ByteBuffer] = [:]

        func body(size: Int) -> ByteBuffer {
            lock.withLock {
                if let body = bySize[size] { return body }
                // A JSON string of the right length: `"xxx…"`.
                var body = ByteBuffer(repeating: UInt8(ascii: "x"), count: size)
                body.setInteger(UInt8(ascii: "\""), at: 0)
                body.setInteger(UInt8(ascii: "\""), at: size - 1)
                bySize[size] = body
                return body
            }
        }
    }

    func register(on router: Router<BasicRequestContext>) {
        router.get("/bench/floor") { request, _ in
            let size = min(max(2, request.uri.queryParameters.get("bytes").flatMap { Int($0) } ?? 2), 1 << 20)
            let body = bodies.body(size: size)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: body))
        }
    }
}
