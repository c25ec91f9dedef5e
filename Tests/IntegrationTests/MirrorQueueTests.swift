import Foundation
import InboxModel
import SyncEngine
import Testing

/// The queue query the terminal paints from: a limited read (the first frame's screenful) is the head of the
/// full tab, in the same order, with the same unread counts.
@Suite("Mirror queue")
struct MirrorQueueTests {
    /// 30 waiting conversations (waiting since in reverse id order), each with `i % 4 + 1` inbound messages and one
    /// reply; the first conversation has a read horizon at its first message.
    static func mirror() throws -> (Mirror, URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mirror-queue-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let mirror = try Mirror(path: directory.appendingPathComponent("mirror.sqlite").path)
        try mirror.bind(server: "http://127.0.0.1:9", agentId: 1, clinic: "Sunrise")
        var batch = SyncBatch(cursor: "1")
        var messageId: Int64 = 0
        for id in Int64(1)...30 {
            batch.patients.append(Patient(id: id, channelIdentity: "whatsapp:+1555000\(id)", displayName: "Patient \(id)",
                                          phone: "+1555000\(id)", updatedAt: 1))
            batch.conversations.append(Conversation(id: id, patientId: id, clinicNumber: "+15550001111", provider: .twilio,
                                                    status: .waiting, waitingSince: 1_000 - id, lastMessageAt: 1_000 + id,
                                                    createdAt: 1))
            for _ in 0..<(id % 4 + 1) {
                messageId += 1
                batch.messages.append(Message(id: messageId, conversationId: id, direction: .inbound, author: .patient,
                                              body: "hello \(id)", status: .delivered, createdAt: messageId))
            }
            messageId += 1
            batch.messages.append(Message(id: messageId, conversationId: id, direction: .outbound, author: .agent, agentId: 1,
                                          body: "hi", status: .sent, createdAt: messageId))
        }
        batch.readHorizons = [ReadHorizon(conversationId: 1, agentId: 1, messageId: 1)]
        try mirror.apply(batch)
        return (mirror, directory)
    }

    @Test("a limited queue read is the head of the full one, with the same unread counts and tab counts")
    func limitedIsHeadOfFull() throws {
        let (mirror, directory) = try Self.mirror()
        defer { try? FileManager.default.removeItem(at: directory) }
        let full = try mirror.queue(.waiting, agentId: 1)
        let head = try mirror.queue(.waiting, agentId: 1, limit: 7)
        #expect(full.rows.count == 30)
        #expect(full.rows.map(\.id) == Array((Int64(1)...30).reversed()))  // longest waiting first
        #expect(head.rows == Array(full.rows.prefix(7)))
        #expect(head.counts == full.counts)
        #expect(full.counts.waiting == 30)
        let unread = Dictionary(uniqueKeysWithValues: full.rows.map { ($0.id, $0.unread) })
        #expect(unread[2] == 3 && unread[3] == 4 && unread[4] == 1)
        #expect(unread[1] == 1)  // two inbound, the first one read
        #expect(try mirror.queue(.waiting, agentId: 1, limit: 100).rows == full.rows)
    }
}
