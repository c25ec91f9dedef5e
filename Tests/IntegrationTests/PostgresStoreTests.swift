import Foundation
import InboxModel
import InboxServer
import Logging
import PostgresNIO
import Testing

/// `PostgresInboxStore` instances on one database, as several server processes would open it: ordering of change
/// seqs under concurrent writers, wake-ups across instances, leased work claims, concurrent migrations.
@Suite("Postgres store", .serialized)
struct PostgresStoreTests {
    static let number = "+15550003333"

    /// A fresh database with `count` store instances on it; closes them and drops the database afterwards.
    static func withStores(_ count: Int, claimLease: Millis = 120_000,
                           _ body: ([PostgresInboxStore], PostgresTestDatabase) async throws -> Void) async throws {
        let database = try await PostgresTestDatabase.create()
        var stores: [PostgresInboxStore] = []
        do {
            for _ in 0..<count {
                stores.append(try await PostgresInboxStore.open(url: database.url, notifier: PostgresChangeNotifier(),
                                                               botAnswers: false, claimLease: claimLease))
            }
            try await body(stores, database)
        } catch {
            for store in stores { await store.close() }
            await database.drop()
            throw error
        }
        for store in stores { await store.close() }
        await database.drop()
    }

    static func inbound(_ sid: String, from phone: String, to number: String = number, body: String = "hi") -> InboundMessage {
        InboundMessage(provider: .twilio, clinicNumber: number, channelIdentity: "whatsapp:\(phone)", phone: phone,
                       profileName: "Patient", providerMessageId: sid, body: body, receivedAt: 0)
    }

    static func agent(_ store: PostgresInboxStore, _ new: NewAgent) async throws -> AuthenticatedAgent {
        try #require(try await store.authenticate(tokenHash: Hashing.sha256Hex(Data(new.token.utf8))))
    }

    @Test("two instances migrating one new database at once apply each migration once")
    func concurrentMigrations() async throws {
        let database = try await PostgresTestDatabase.create()
        async let first = PostgresInboxStore.open(url: database.url, notifier: PostgresChangeNotifier())
        async let second = PostgresInboxStore.open(url: database.url, notifier: PostgresChangeNotifier())
        let stores = try await [first, second]
        #expect(try await stores[0].epoch() == stores[1].epoch())
        let (total, distinct) = try await database.withConnection { connection, logger in
            let rows = try await connection.query("SELECT count(*), count(DISTINCT identifier) FROM schema_migrations",
                                                  logger: logger).collect()
            return try rows[0].decode((Int64, Int64).self)
        }
        // Each once (the count grows with every migration: 9 since issue 10's presence and snooze tables).
        #expect(total == distinct && distinct >= 9, "\(total) applied, \(distinct) distinct")
        for store in stores { await store.close() }
        await database.drop()
    }

    @Test("concurrent writers on two instances: a reader paging a clinic's cursor meanwhile sees every message, in seq order")
    func seqsVisibleInCommitOrder() async throws {
        try await Self.withStores(2) { stores, _ in
            try await stores[0].addNumber(Self.number, clinic: "Harbour", provider: .twilio, providerRef: nil)
            try await stores[0].addNumber("+15550004444", clinic: "Other", provider: .twilio, providerRef: nil)
            let reader = try await Self.agent(stores[1], try await stores[0].addAgent(name: "Aisha", clinic: "Harbour", role: .agent))
            let writers = 8, perWriter = 25

            let finished = Locked(false)
            let writing = Task {
                defer { finished.value = true }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for writer in 0..<writers {
                        group.addTask {
                            let store = stores[writer % 2]
                            for index in 0..<perWriter {
                                // One patient per writer, and another clinic's traffic interleaved.
                                _ = try await store.ingest(Self.inbound("SMw\(writer)-\(index)", from: "+1555710\(writer)000"))
                                _ = try await store.ingest(Self.inbound("SMo\(writer)-\(index)", from: "+1555720\(writer)000",
                                                                        to: "+15550004444"))
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            // Pages of 7 changes while the writers run; the last one starts after they have all committed.
            var cursor: Int64 = 0
            var seen: [String] = []
            while true {
                let writersDone = finished.value
                let page = try await stores[1].changes(for: reader, after: cursor, limit: 7)
                #expect(page.lastSeq >= cursor)
                #expect(page.lastSeq <= page.latestSeq)
                seen += page.batch.messages.compactMap(\.providerMessageId)
                cursor = page.lastSeq
                if writersDone && !page.batch.more { break }
            }
            try await writing.value
            let expected = (0..<writers).flatMap { w in (0..<perWriter).map { "SMw\(w)-\($0)" } }
            #expect(seen.count == expected.count, "each message once, none skipped")
            #expect(Set(seen) == Set(expected))
            #expect(!seen.contains { $0.hasPrefix("SMo") }, "another clinic's rows never reach this cursor")
            // Each writer's messages arrive in the order they were written.
            for writer in 0..<writers {
                let mine = seen.filter { $0.hasPrefix("SMw\(writer)-") }
                #expect(mine == (0..<perWriter).map { "SMw\(writer)-\($0)" })
            }
        }
    }

    @Test("a commit on one instance wakes a waiter on another; after its listening connection is cut, it reconnects and still wakes")
    func notifyAcrossInstances() async throws {
        try await Self.withStores(2) { stores, database in
            try await stores[0].addNumber(Self.number, clinic: "Harbour", provider: .twilio, providerRef: nil)
            let agent = try await Self.agent(stores[1], try await stores[0].addAgent(name: "Aisha", clinic: "Harbour", role: .agent))
            let listener = stores[1].notifier
            #expect(try await eventually { listener.isListening })

            let generation = listener.generation(clinicId: agent.clinicId)
            async let woken = listener.wait(clinicId: agent.clinicId, after: generation, timeout: .seconds(10))
            _ = try await stores[0].ingest(Self.inbound("SMn1", from: "+15557300001"))
            #expect(await woken == true)

            // The listening connections are cut (a failover, a restarted pgbouncer): each instance reconnects.
            let connections = listener.listenerConnections
            try await database.withConnection { connection, logger in
                _ = try await connection.query("""
                    SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                    WHERE datname = current_database() AND application_name = 'inbox-listener'
                    """, logger: logger).collect()
            }
            #expect(try await eventually { listener.listenerConnections > connections && listener.isListening })
            let later = listener.generation(clinicId: agent.clinicId)
            async let wokenAgain = listener.wait(clinicId: agent.clinicId, after: later, timeout: .seconds(10))
            _ = try await stores[0].ingest(Self.inbound("SMn2", from: "+15557300001"))
            #expect(await wokenAgain == true)
            let page = try await stores[1].changes(for: agent, after: 0, limit: 100)
            #expect(page.batch.messages.compactMap(\.providerMessageId) == ["SMn1", "SMn2"])
        }
    }

    @Test("a token revoked on one instance stops working on another at once (its cache is dropped by the notification)")
    func revocationAcrossInstances() async throws {
        try await Self.withStores(2) { stores, _ in
            let new = try await stores[0].addAgent(name: "Aisha", clinic: "Harbour", role: .agent)
            let hash = Hashing.sha256Hex(Data(new.token.utf8))
            #expect(try await eventually { stores[1].notifier.isListening })
            #expect(try await stores[1].authenticate(tokenHash: hash) != nil)  // now remembered on instance 2
            let generation = stores[1].notifier.generation(clinicId: new.clinicId)
            _ = try await stores[0].revokeAgent(id: new.agent.id)
            #expect(await stores[1].notifier.wait(clinicId: new.clinicId, after: generation, timeout: .seconds(10)))
            #expect(try await stores[1].authenticate(tokenHash: hash) == nil)
            let changes = try await stores[1].administrativeChanges(after: 0)
            #expect(changes.clinicIds == [new.clinicId])
        }
    }

    @Test("a webhook delivered to both instances at once is stored once; a new patient writing to both gets one conversation")
    func concurrentIngestAcrossInstances() async throws {
        try await Self.withStores(2) { stores, _ in
            try await stores[0].addNumber(Self.number, clinic: "Harbour", provider: .twilio, providerRef: nil)
            let reader = try await Self.agent(stores[0], try await stores[0].addAgent(name: "Aisha", clinic: "Harbour", role: .agent))
            for round in 0..<20 {
                let phone = "+155575\(String(format: "%05d", round))"
                // The same message twice (a provider retry racing its first try) and another one, on both instances.
                let outcomes = try await withThrowingTaskGroup(of: IngestOutcome.self) { group in
                    for (index, sid) in ["SMdup\(round)", "SMdup\(round)", "SMother\(round)"].enumerated() {
                        group.addTask { try await stores[index % 2].ingest(Self.inbound(sid, from: phone)) }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(outcomes.filter { $0 == .duplicate }.count == 1, "round \(round): \(outcomes)")
                let conversations = Set(outcomes.compactMap { outcome -> Int64? in
                    if case .stored(let id, _, _) = outcome { return id }
                    return nil
                })
                #expect(conversations.count == 1, "round \(round): one conversation for the patient")
            }
            let page = try await stores[1].changes(for: reader, after: 0, limit: 1_000)
            #expect(page.batch.patients.count == 20)
            #expect(page.batch.conversations.count == 20)
            #expect(page.batch.messages.count == 40)
        }
    }

    /// `count` replies queued for delivery in one clinic, one conversation each.
    static func queuedReplies(_ store: PostgresInboxStore, count: Int) async throws -> [Int64] {
        try await store.addNumber(number, clinic: "Harbour", provider: .twilio, providerRef: nil)
        let agent = try await Self.agent(store, try await store.addAgent(name: "Aisha", clinic: "Harbour", role: .agent))
        var messages: [Int64] = []
        for index in 0..<count {
            guard case .stored(let conversation, _, _) = try await store.ingest(Self.inbound("SMq\(index)", from: "+155574\(String(format: "%05d", index))"))
            else { Issue.record("not stored"); continue }
            let answer = try await store.execute(.reply(body: "reply \(index)"), conversationId: conversation, by: agent,
                                                 key: "q\(index)", requestHash: "h\(index)")
            let result = try JSONDecoder().decode(CommandResult.self, from: Data(answer.body))
            messages.append(try #require(result.message?.id))
        }
        return messages
    }

    @Test("two instances claiming due deliveries at once never get the same one, and together get them all")
    func claimsAreExclusive() async throws {
        try await Self.withStores(2) { stores, _ in
            let messages = try await Self.queuedReplies(stores[0], count: 40)
            let now = Millis(Date().timeIntervalSince1970 * 1000) + 1_000
            let claimed = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for worker in 0..<4 {
                    group.addTask {
                        var mine: [Int64] = []
                        while true {
                            let jobs = try await stores[worker % 2].dueDeliveries(now: now, limit: 3, excluding: [])
                            if jobs.isEmpty { return mine }
                            mine += jobs.map(\.message.id)
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let all = claimed.flatMap { $0 }
            #expect(all.count == messages.count, "no delivery claimed twice")
            #expect(Set(all) == Set(messages))
            #expect(claimed.filter { !$0.isEmpty }.count > 1, "the work was shared")
        }
    }

    @Test("a claim whose instance died expires and the delivery is retried elsewhere; success clears it for good")
    func expiredClaimIsRetried() async throws {
        try await Self.withStores(2, claimLease: 30_000) { stores, _ in
            let messages = try await Self.queuedReplies(stores[0], count: 1)
            let now = Millis(Date().timeIntervalSince1970 * 1000) + 1_000
            // Instance 1 claims it and "dies" without recording an outcome.
            #expect(try await stores[0].dueDeliveries(now: now, limit: 10, excluding: []).map(\.message.id) == messages)
            #expect(try await stores[1].dueDeliveries(now: now + 29_000, limit: 10, excluding: []).isEmpty)
            #expect(try await stores[1].nextDeliveryTime() == now + 30_000)
            // After the lease, instance 2 takes it over, with the attempts so far.
            let retried = try await stores[1].dueDeliveries(now: now + 30_001, limit: 10, excluding: [])
            #expect(retried.map(\.message.id) == messages)
            try await stores[1].deliverySucceeded(messageId: messages[0], providerMessageId: "SMsent1")
            #expect(try await stores[0].dueDeliveries(now: now + 1_000_000, limit: 10, excluding: []).isEmpty)
            #expect(try await stores[0].nextDeliveryTime() == nil)
        }
    }

    @Test("a failed attempt releases the claim: the retry is due at its time on any instance")
    func failedAttemptReleasesClaim() async throws {
        try await Self.withStores(2) { stores, _ in
            let messages = try await Self.queuedReplies(stores[0], count: 1)
            let now = Millis(Date().timeIntervalSince1970 * 1000) + 1_000
            let jobs = try await stores[0].dueDeliveries(now: now, limit: 10, excluding: [])
            #expect(jobs.map(\.attempts) == [0])
            try await stores[0].deliveryFailed(messageId: messages[0], error: "timeout", retryAt: now + 5_000)
            #expect(try await stores[1].dueDeliveries(now: now + 4_999, limit: 10, excluding: []).isEmpty)
            let retry = try await stores[1].dueDeliveries(now: now + 5_000, limit: 10, excluding: [])
            #expect(retry.map(\.attempts) == [1])
        }
    }
}
