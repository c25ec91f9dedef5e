import CurlHTTP
import Foundation
import InboxModel
import InboxServer
import SyncEngine
import Synchronization
import Testing

/// A new terminal catching up with a backlog, against a real server: every answer with more pending says how much
/// is left, and the sync loop turns that into progress that ends at the whole log.
@Suite("Catch-up progress")
struct CatchUpProgressTests {
    @Test("sync --once in small batches reports progress against the server's remaining count, then caught up")
    func progressFromRemaining() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let number = "+15550001111"
        let agent = try await server.addClinic("Sunrise", number: number)[0]
        for index in 0..<24 {
            let response = try await server.twilioWebhook(TestServer.inbound(sid: "SM\(index)", from: "+1555765432\(index % 4)",
                                                                             to: number, body: "message \(index)"))
            #expect(response.status == 200)
        }
        // The wire: an answer with more pending carries `remaining`; the last one does not.
        let first = try JSONDecoder().decode(SyncBatch.self, from: Data(
            try await HTTPClient.shared.send(HTTPClient.Request(url: "\(server.baseURL)/v1/sync?timeout=0&limit=5",
                                                                headers: [("Authorization", "Bearer \(agent.token)")])).body))
        #expect(first.more && (first.remaining ?? 0) > 0)

        let events = Mutex<[CatchUpProgress?]>([])
        let mirror = try Mirror(path: server.directory.appendingPathComponent("mirror.sqlite").path)
        var policy = SyncLoop.Policy()
        policy.batchLimit = 5
        let loop = SyncLoop(mirror: mirror, api: ServerAPI(server: server.baseURL, token: agent.token), policy: policy) { event in
            if case .catchingUp(let progress) = event { events.withLock { $0.append(progress) } }
        }
        try await loop.syncOnce()

        let seen = events.withLock { $0 }
        let progress = seen.compactMap { $0 }
        #expect(progress.count >= 4)
        #expect(seen.last.map { $0 == nil } == true)  // caught up, said once at the end
        #expect(progress.map(\.done) == progress.map(\.done).sorted())
        let total = try #require(progress.first?.total)
        #expect(total == first.changeCount + (first.remaining ?? 0))
        #expect(progress.allSatisfy { $0.total == total })  // nothing arrived meanwhile: the whole log, all along
        #expect(progress.last.map { $0.done < total } == true)
        let stored = try mirror.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM messages") ?? 0 }
        #expect(stored == 24)
    }
}
