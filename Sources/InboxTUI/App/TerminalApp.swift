import Foundation
import InboxModel
import SyncEngine

/// The runner: turns keys, sync events and clock ticks into actions, runs the pure reducer, performs its effects
/// against the mirror, and paints the whole screen from state. The one loop that owns the terminal; everything
/// else (sync, outbox) runs elsewhere and only posts events to it.
///
/// `@unchecked Sendable`: after `attach`, the app is handed to one dedicated thread and touched only there;
/// other threads reach it only through `EventQueue`.
public final class TerminalApp: @unchecked Sendable {
    private let mirror: Mirror
    private let terminal: any Terminal
    private let theme: Theme
    private let keymap: Keymap
    private let config: Config
    private let events = EventQueue()
    private var transfers: AttachmentTransfers?
    private var syncLoop: SyncLoop?
    private var presence: PresenceReporter?
    /// For the presence report: the last key of any kind, and the last one typed into the composer.
    private var lastKeyAt: Millis = Mirror.now()
    private var lastTypedAt: Millis?
    private var state: AppState
    private var grid: CellGrid
    private var dirty = true
    private var running = true
    private var lastTick: Millis = 0
    private var knownFailedKeys: Set<String> = []
    /// Set only while the first frame is prepared: how many queue rows it reads.
    private var firstQueueLimit: Int?

    public init(mirror: Mirror, me: Agent, clinic: String, config: Config, theme: Theme, terminal: any Terminal) {
        self.mirror = mirror
        self.terminal = terminal
        self.theme = theme
        self.keymap = config.keymap
        self.config = config
        var settings = config.settings
        settings.utcOffsetSeconds = TimeZone.current.secondsFromGMT()
        let size = terminal.size
        state = AppState(me: me, clinic: clinic, settings: settings, now: Mirror.now(),
                         screenWidth: size.width, screenHeight: size.height)
        grid = CellGrid(width: size.width, height: size.height)
    }

    /// Starts syncing in the background; events arrive on the app's queue.
    public func attach(api: ServerAPI) -> SyncLoop {
        let events = self.events
        let loop = SyncLoop(mirror: mirror, api: api, presence: true) { event in events.post(.sync(event)) }
        syncLoop = loop
        let presence = PresenceReporter(api: api)
        self.presence = presence
        Task.detached { await presence.run() }
        transfers = AttachmentTransfers(api: api, config: config)
        return loop
    }

    /// Runs the loop on a thread of its own (ncurses wants one thread; the async pool stays free for sync).
    public func runOnOwnThread() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                self.run()
                done.resume()
            }
            thread.name = "inbox-ui"
            thread.start()
        }
    }

    /// Runs until the agent quits. The first frame comes from the mirror alone, before any network answer.
    public func run() {
        // The first frame needs a screenful of the queue, not the whole tab: on a big mirror the full query (with
        // an unread count per row) is most of the launch. The whole tab is read right after the frame is out.
        firstQueueLimit = 2 * max(1, state.screenHeight)
        perform(initialEffects(state))
        refreshOutboxCounts(announce: false)
        frame()
        Self.reportFirstFrame()
        firstQueueLimit = nil
        if !state.queue.isComplete { perform([.loadQueue(state.queue.tab)]) }
        while running {
            if let key = terminal.readKey(timeoutMilliseconds: 100) {
                if key == .resize {
                    let size = terminal.size
                    grid = CellGrid(width: size.width, height: size.height)
                    dispatch(.resize(width: size.width, height: size.height))
                } else if let action = keymap.action(for: key, in: state) {
                    noteKey(action)
                    dispatch(action)
                } else {
                    noteKey(nil)
                }
            }
            for event in events.drain() { handle(event) }
            let now = Mirror.now()
            if now - lastTick >= 1000 {
                lastTick = now
                dispatch(terminal.isHungUp ? .terminalHungUp : .tick(now))
            }
            if dirty { frame() }
            reportPresence()
        }
        leavePresence()
        terminal.shutdown()
    }

    // MARK: Presence

    private func noteKey(_ action: Action?) {
        lastKeyAt = Mirror.now()
        guard state.focus == .composer, let action else { return }
        switch action {
        case .edit, .paste: lastTypedAt = lastKeyAt
        default: break
        }
    }

    /// Hands the reporter what this terminal shows now; it sends only changes and heartbeats.
    private func reportPresence() {
        guard let presence else { return }
        let now = Mirror.now()
        let open = state.conversation?.id
        presence.update(PresenceRules.report(openConversation: open, lastTypedAt: state.focus == .composer ? lastTypedAt : nil,
                                             lastKeyAt: lastKeyAt, now: now))
    }

    /// Quitting: colleagues see this agent leave now. Waits at most a couple of seconds for the server.
    private func leavePresence() {
        guard let presence else { return }
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            await presence.leave()
            done.signal()
        }
        _ = done.wait(timeout: .now() + 2.5)
    }

    /// For `inbox-bench tui`: with INBOX_FIRST_FRAME_FILE set, writes the wall-clock time (ms) at which the
    /// first frame was handed to the terminal.
    private static func reportFirstFrame() {
        guard let path = ProcessInfo.processInfo.environment["INBOX_FIRST_FRAME_FILE"] else { return }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        FileManager.default.createFile(atPath: path, contents: Data(String(now).utf8))
    }

    private func handle(_ event: RunnerEvent) {
        switch event {
        case .sync(let event): handle(event)
        case .action(let action): dispatch(action)
        }
    }

    private func handle(_ event: SyncLoop.Event) {
        switch event {
        case .connection(let connection): dispatch(.connectionChanged(connection))
        case .applied(let batch): dispatch(.mirrorChanged(MirrorChange(batch)))
        case .outboxChanged:
            refreshOutboxCounts(announce: true)
            dispatch(.mirrorChanged(.everything))
        case .signedIn(let whoAmI, let changed):
            dispatch(.signedIn(whoAmI.agent, clinic: whoAmI.clinic))
            if changed { refreshOutboxCounts(announce: false) }
            dispatch(.mirrorChanged(.everything))
        case .problem(let message):
            dispatch(.failure(message))
        case .catchingUp(let progress):
            dispatch(.catchingUp(progress))
        case .presence(let roster):
            dispatch(.presenceChanged(roster))
        }
    }

    private func dispatch(_ action: Action) {
        let effects = reduce(&state, action)
        dirty = true
        perform(effects)
    }

    private func frame() {
        let info = Screen.render(state, theme: theme, keymap: keymap, into: &grid)
        if info.measure != state.measure { _ = reduce(&state, .measured(info.measure)) }
        terminal.present(grid, cursor: info.cursor.map { ($0.x, $0.y) })
        dirty = false
    }

    // MARK: Effects

    private func perform(_ effects: [Effect]) {
        for effect in effects {
            do {
                try perform(effect)
            } catch {
                dispatch(.failure("\(error)"))
            }
        }
    }

    private func perform(_ effect: Effect) throws {
        switch effect {
        case .loadQueue(let tab):
            let (rows, counts) = try mirror.queue(tab, agentId: state.me.id, limit: firstQueueLimit, tag: state.desk.tagFilter)
            let complete = firstQueueLimit.map { rows.count < $0 } ?? true
            dispatch(.queueLoaded(tab: tab, rows: rows, counts: counts, complete: complete))
        case .loadConversation(let id):
            if let detail = try mirror.conversationDetail(id) {
                dispatch(.conversationLoaded(detail))
            } else {
                dispatch(.conversationMissing(id))
            }
        case .loadEarlierConversation(let conversationId, let patientId, let before):
            let page = try mirror.earlierConversation(patientId: patientId, before: before)
            dispatch(.historyLoaded(conversationId: conversationId, page))
        case .loadAgents:
            dispatch(.agentsLoaded(try mirror.agents()))
        case .loadChannels:
            dispatch(.channelsLoaded(try mirror.channels()))
        case .loadStrandedDrafts:
            dispatch(.strandedDraftsLoaded(try mirror.strandedDrafts()))
        case .send(let command, let conversationId):
            try mirror.enqueue(command, conversationId: conversationId)
            syncLoop?.outboxChanged()
            refreshOutboxCounts(announce: false)
            dispatch(.mirrorChanged(.everything))
        case .retry(let key):
            try mirror.retryCommand(key: key)
            knownFailedKeys.remove(key)
            syncLoop?.outboxChanged()
            refreshOutboxCounts(announce: false)
            dispatch(.mirrorChanged(.everything))
        case .discard(let key):
            try mirror.discardCommand(key: key)
            knownFailedKeys.remove(key)
            refreshOutboxCounts(announce: false)
            dispatch(.mirrorChanged(.everything))
        case .saveDraft(let conversationId, let text):
            try mirror.saveDraft(text, conversationId: conversationId)
        case .search(let query):
            dispatch(.searchResults(query: query, hits: try mirror.search(query)))
        case .runEditor(let conversationId, let initialText):
            let text = try ExternalEditor.edit(initialText, terminal: terminal)
            let size = terminal.size
            grid = CellGrid(width: size.width, height: size.height)
            dispatch(.resize(width: size.width, height: size.height))
            dispatch(.editorFinished(conversationId: conversationId, text: text))
        case .saveAttachment(let messageId, let fileName, let mimeType):
            transfer { await $0.save(messageId: messageId, fileName: fileName, mimeType: mimeType) }
        case .uploadAttachment(let conversationId, let path):
            transfer { await $0.upload(conversationId: conversationId, path: path) }
        case .bell:
            terminal.bell()
        case .setTitle(let title):
            terminal.setTitle(title)
        case .quit:
            running = false
        }
    }

    /// Runs a download or upload off the UI thread; its result comes back as an action.
    private func transfer(_ work: @escaping @Sendable (AttachmentTransfers) async -> Action) {
        guard let transfers else { dispatch(.failure("Files need a server connection")); return }
        let events = self.events
        Task { events.post(.action(await work(transfers))) }
    }

    /// Reads the outbox counts; refusals the agent has not been told about become a visible status message.
    private func refreshOutboxCounts(announce: Bool) {
        do {
            let counts = try mirror.outboxCounts()
            dispatch(.outboxChanged(pending: counts.pending, failed: counts.failed))
            dispatch(.outboxHeld(try mirror.heldCommands()))
            let failed = try mirror.outboxEntries().filter { $0.state == .failed }
            for entry in failed where !knownFailedKeys.contains(entry.key) {
                knownFailedKeys.insert(entry.key)
                if announce {
                    dispatch(.commandFailed(conversationId: entry.conversationId,
                                            message: entry.lastError ?? "The server refused \(entry.command.action)."))
                }
            }
        } catch {
            dispatch(.failure("outbox: \(error)"))
        }
    }
}

/// What reaches the UI loop from other threads: sync events, and the results of work it started elsewhere.
enum RunnerEvent: Sendable {
    case sync(SyncLoop.Event)
    case action(Action)
}

/// Events cross from the sync and transfer tasks to the UI loop through here.
final class EventQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [RunnerEvent] = []

    func post(_ event: RunnerEvent) { lock.withLock { pending.append(event) } }

    func drain() -> [RunnerEvent] {
        lock.withLock {
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
    }
}
