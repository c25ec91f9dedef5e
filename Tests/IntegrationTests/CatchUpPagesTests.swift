import Foundation
import GRDB
import InboxModel
import InboxServer
import SyncEngine
import Testing

/// A catch-up fetches pages ahead and stores the ones already in within one transaction: the mirror must end the
/// same as page by page, with the last page's cursor, and never store pages from a cursor it has left.
@Suite("Catch-up pages: fetched ahead, stored several to a transaction")
struct CatchUpPagesTests {
    static func message(_ id: Int64) -> Message {
        Message(id: id, conversationId: 1, direction: .inbound, author: .patient, body: "message \(id)", status: .delivered,
                createdAt: id)
    }

    @Test("several pages in one apply: all rows and the last cursor, or nothing when the mirror's cursor moved")
    func severalPagesInOneTransaction() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("catchup-pages-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let mirror = try Mirror(path: directory.appendingPathComponent("mirror.sqlite").path)
        try mirror.bind(server: "http://127.0.0.1:1", agentId: 1)
        let pages = (0..<3).map { page in
            SyncBatch(cursor: "e.\(page + 1)", more: page < 2, messages: (1...4).map { Self.message(Int64(page * 4 + $0)) })
        }
        #expect(try mirror.apply(pages, since: "e.9") == false)
        #expect(try mirror.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM messages") } == 0)
        #expect(try mirror.syncState()?.cursor == nil)

        #expect(try mirror.apply(pages, since: nil))
        #expect(try mirror.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM messages") } == 12)
        #expect(try mirror.syncState()?.cursor == "e.3")
        // From a cursor the mirror has left: dropped, as a single page is.
        #expect(try mirror.apply([SyncBatch(cursor: "e.4", messages: [Self.message(99)])], since: "e.2") == false)
        #expect(try mirror.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM messages WHERE id = 99") } == 0)
    }

    @Test("a catch-up in many small pages, 1, 2 or 4 fetched ahead, ends with every row and the server's cursor")
    func prefetchDepths() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let number = "+15550001111"
        let agent = try await server.addClinic("Sunrise", number: number)[0]
        for index in 0..<30 {
            let form = TestServer.inbound(sid: "SMpage\(index)", from: "+1555765432\(index % 5)", to: number, body: "page test \(index)")
            #expect(try await server.twilioWebhook(form).status == 200)
        }
        let everything = try await server.everything(token: agent.token)
        for depth in [1, 2, 4] {
            let mirror = try Mirror(path: server.directory.appendingPathComponent("mirror-\(depth).sqlite").path)
            var policy = SyncLoop.Policy()
            policy.batchLimit = 3
            policy.prefetchPages = depth
            let loop = SyncLoop(mirror: mirror, api: ServerAPI(server: server.baseURL, token: agent.token), policy: policy)
            try await loop.syncOnce()
            let ids = try mirror.read { try Int64.fetchAll($0, sql: "SELECT id FROM messages ORDER BY id") }
            #expect(ids == everything.messages.map(\.id).sorted(), "depth \(depth)")
            let conversations = try mirror.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM conversations") }
            #expect(conversations == everything.conversations.count, "depth \(depth)")
            #expect(try mirror.syncState()?.cursor == everything.cursor, "depth \(depth)")
        }
    }
}
