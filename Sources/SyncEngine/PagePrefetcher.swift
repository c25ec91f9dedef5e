import InboxModel

/// The pages of a catch-up, fetched ahead of the mirror: each request starts as soon as the one before it is
/// answered (it needs that answer's cursor), up to `depth` pages ahead, while the caller writes earlier pages.
///
/// Why ahead, and several: on two cores the server's query, the transfer and the decoding of a page take less
/// than half the time its rows take to enter SQLite, so pages pile up; and SQLite pays per commit for every index
/// page the commit touched (a page of 10,000 messages touches nearly every leaf of `messages_by_conversation`,
/// whatever their number), so the pages that are already in are stored in one transaction (`takeReady`).
struct PagePrefetcher {
    struct Page: Sendable {
        /// The cursor the page was asked from: the mirror must still be there to store it.
        var since: String?
        var batch: SyncBatch
    }

    /// One request; nil when the page before it said nothing more is pending.
    private struct Fetch {
        var task: Task<Page?, any Error>
        /// Set when the page is in (not on failure: a failed request is met as the head, where its error surfaces).
        var ready: Locked<Bool>
    }

    private let depth: Int
    private let get: @Sendable (String?) async throws -> SyncBatch
    private var queue: [Fetch] = []

    init(depth: Int, from cursor: String?, get: @escaping @Sendable (String?) async throws -> SyncBatch) {
        self.depth = depth
        self.get = get
        restart(from: cursor)
    }

    /// Drops everything in flight and starts again from `cursor`.
    mutating func restart(from cursor: String?) {
        cancel()
        queue = [start(from: cursor)]
        fillUp()
    }

    private func start(from cursor: String?) -> Fetch {
        let get = self.get
        let ready = Locked(false)
        return Fetch(task: Task {
            let page = Page(since: cursor, batch: try await get(cursor))
            ready.value = true
            return page
        }, ready: ready)
    }

    func cancel() {
        for fetch in queue { fetch.task.cancel() }
    }

    /// Keeps `depth` requests chained behind the oldest.
    private mutating func fillUp() {
        let get = self.get
        while queue.count < depth, let last = queue.last {
            let previous = last.task
            let ready = Locked(false)
            queue.append(Fetch(task: Task {
                guard let before = try await previous.value, before.batch.more else { return nil }
                let page = Page(since: before.batch.cursor, batch: try await get(before.batch.cursor))
                ready.value = true
                return page
            }, ready: ready))
        }
    }

    /// The next page, waiting for it, followed by those after it that are already in (at most `depth` in all);
    /// empty when the catch-up is over. Errors are the head request's.
    mutating func takeReady() async throws -> [Page] {
        guard !queue.isEmpty else { return [] }
        let head = queue.removeFirst()
        guard let first = try await head.task.value else {
            cancel()
            queue = []
            return []
        }
        var pages = [first]
        while let next = queue.first, next.ready.value, pages.count < depth {
            queue.removeFirst()
            guard let page = try await next.task.value else { break }
            pages.append(page)
        }
        if let last = pages.last, last.batch.more {
            if queue.isEmpty { queue = [start(from: last.batch.cursor)] }
            fillUp()
        } else {
            cancel()
            queue = []
        }
        return pages
    }
}
