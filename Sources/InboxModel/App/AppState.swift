/// Everything the terminal client shows, as one value. The reducer is the only writer; screens only read.
public struct AppState: Sendable, Equatable {
    public var me: Agent
    /// The clinic's name, shown in the tab bar.
    public var clinic: String
    /// Everyone in the clinic, for "Taken by <name>", author names and the transfer picker.
    public private(set) var agents: [Agent] = []
    private var agentNamesById: [Int64: String] = [:]
    public var settings: AppSettings
    /// The wall clock as of the last tick; every timer and the 24-hour window are computed from it.
    public var now: Millis
    public var screenWidth: Int
    public var screenHeight: Int

    public var focus: Focus = .queue
    public var overlay: Overlay?
    public var queue = QueueState()
    /// The conversation in the middle pane, if any.
    public var conversation: OpenConversation?
    /// The sidebar's default depends on the width (shown when wide, folded when narrow); `s` flips that default.
    public var sidebarToggled = false
    public var sidebarScroll = 0

    public var connection: ConnectionState = .connecting
    /// Non-nil while the mirror pulls a backlog (a new terminal in a big clinic): shown in the status line.
    public var catchUp: CatchUpProgress?
    /// While catching up, the screen re-reads the mirror at most once a second (batches land several times a
    /// second, and each re-read of a growing queue costs the UI thread); what the batches touched waits here.
    public var deferredMirrorChange: MirrorChange = []
    public var lastMirrorReload: Millis = 0
    public var outboxPending = 0
    public var outboxFailed = 0
    /// Other agents' queued commands held on this terminal (see `HeldOutbox`).
    public var outboxHeld: [HeldOutbox] = []
    /// The clinic's WhatsApp channels as last synced (see ChannelStatus.swift).
    public var channels: [ChannelHealth] = []
    /// Who else is at the desk, as the server last said (never stored; see Presence.swift and Reducer+Presence);
    /// nil until it has said anything (an older server, or not connected yet).
    public var presence: PresenceRoster?
    /// Snooze and tag-filter state (Reducer+Snooze, Reducer+Profile).
    public var desk = DeskState()
    /// The last thing worth telling the agent. Errors stay until replaced or dismissed with Esc.
    public var status: StatusMessage?
    /// The last error about each conversation, shown again whenever that conversation is open (until dismissed
    /// or until the agent acts on it again), so an error about one patient never sits under another.
    public var conversationErrors: [Int64: StatusMessage] = [:]
    /// Drafts saved in conversations colleagues have since taken; quitting names them and drops them.
    public var strandedDrafts: [StrandedDraft] = []
    public var alerts = AlertState()
    /// What the last frame measured (scroll limits the reducer cannot compute without text layout).
    public var measure = ViewMeasure()
    /// `n` asked for the next waiting conversation before the Waiting tab was loaded.
    public var openFirstWaitingWhenLoaded = false

    public init(me: Agent, clinic: String = "", settings: AppSettings = AppSettings(), now: Millis,
                screenWidth: Int = 80, screenHeight: Int = 24) {
        self.me = me
        self.clinic = clinic
        self.settings = settings
        self.now = now
        self.screenWidth = screenWidth
        self.screenHeight = screenHeight
        setAgents([me])
    }

    /// The clinic's agents as the mirror has them; sync keeps them current (new colleagues, renames, role changes,
    /// revocations), and my own row among them updates `me`.
    public mutating func setAgents(_ list: [Agent]) {
        if let fresh = list.first(where: { $0.id == me.id }) { me = fresh }
        agents = list.contains(where: { $0.id == me.id }) ? list : list + [me]
        agentNamesById = Dictionary(agents.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
    }

    /// An agent's display name. An id the mirror does not know yet (its row is still on the way) reads as
    /// "a colleague", never as a bare number.
    public func agentName(_ id: Int64) -> String {
        agentNamesById[id] ?? "a colleague"
    }

    /// Agents a conversation can be transferred to: every active agent but me and the current holder.
    public func transferTargets(for conversation: Conversation) -> [Agent] {
        agents.filter { $0.active && $0.id != me.id && $0.id != conversation.assignedAgentId }
    }

    public var sidebarShown: Bool {
        screenWidth >= ScreenLayout.wideWidth ? !sidebarToggled : sidebarToggled
    }

    public var layout: ScreenLayout {
        ScreenLayout(width: screenWidth, height: screenHeight, sidebarShown: sidebarShown)
    }

    /// The composer's lock for the open conversation, or nil when it accepts text.
    public var composerLock: ComposerLock? {
        guard let open = conversation else { return .noConversation }
        guard let detail = open.detail else { return .loading }
        return ReplyPolicy.lock(for: detail.conversation, me: me.id)
    }

    /// True when quitting would leave typed text unsent.
    public var hasUnsentDraft: Bool {
        guard let open = conversation else { return false }
        return !open.composer.isBlank
    }

    /// The status message for the conversation on screen: the newest of the last message (unless it is about
    /// another conversation) and the last error about this one.
    public var visibleStatus: StatusMessage? {
        let viewed = conversation?.id
        var shown = status
        if let about = shown?.conversationId, let viewed, about != viewed { shown = nil }
        if let viewed, let error = conversationErrors[viewed], error.at > (shown?.at ?? .min) { shown = error }
        return shown
    }
}

public enum Focus: Sendable, Equatable, CaseIterable {
    case queue, conversation, composer, sidebar
}

public enum Overlay: Sendable, Equatable {
    case help
    case transfer(TransferPicker)
    case search(SearchOverlay)
    case templates(TemplatePicker)
    case attachments(AttachmentPicker)
    case attach(AttachPrompt)
    case confirmQuit
    /// y/N before a command that is hard to undo.
    case confirm(Confirmation)
    /// A private note being written (`p`).
    case note(NoteEditor)
    /// The composer's `/` picker of canned replies.
    case canned(CannedPicker)
    /// The command palette (`:`).
    case palette(CommandPalette)
    /// `z`: when a conversation comes back.
    case snooze(SnoozePicker)
    /// The patient's profile editor.
    case profile(ProfileEditor)
    /// `#`: list only patients with a tag.
    case tagFilter(TagFilterPrompt)
}

/// A command waiting for the agent's y/N.
public struct Confirmation: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case close, handBack }

    public var kind: Kind
    public var conversationId: Int64
    public var patientName: String
    /// The colleague who holds it when an admin acts on someone else's conversation.
    public var heldBy: String?

    public init(kind: Kind, conversationId: Int64, patientName: String, heldBy: String? = nil) {
        self.kind = kind
        self.conversationId = conversationId
        self.patientName = patientName
        self.heldBy = heldBy
    }

    public var question: String {
        switch kind {
        case .close: "Close \(patientName)'s conversation?"
        case .handBack: "Hand \(patientName) back to the AI?"
        }
    }
}

public struct TransferPicker: Sendable, Equatable {
    public var conversationId: Int64
    /// Who the patient is, for the picker's title.
    public var patientName: String
    /// Taken when the picker opens, so a sync arriving meanwhile cannot move the row under the cursor.
    public var candidates: [Agent]
    public var selection = 0

    public init(conversationId: Int64, patientName: String, candidates: [Agent], selection: Int = 0) {
        self.conversationId = conversationId
        self.patientName = patientName
        self.candidates = candidates
        self.selection = selection
    }
}

public struct SearchOverlay: Sendable, Equatable {
    public var query = ComposerBuffer()
    public var hits: [SearchHit] = []
    public var selection = 0
    /// The query the shown hits answer; nil before the first search.
    public var answeredQuery: String?
    public var isSearching = false

    public init() {}

    /// Searches shorter than this match too much to be useful and cost a full index scan.
    public static let minimumQueryLength = 2

    public var hasSearchableQuery: Bool {
        query.text.trimmingWhitespace().count >= Self.minimumQueryLength
    }
}

public struct QueueState: Sendable, Equatable {
    public var tab: QueueTab = .waiting
    /// The current tab's rows, in the mirror's order. Only the visible slice is ever drawn.
    public var rows: [QueueRow] = []
    public var counts = QueueCounts()
    public var selection = 0
    /// Index of the first visible row.
    public var scroll = 0
    public var isLoading = true
    /// False while `rows` are only the tab's first rows (the first frame reads a screenful; the rest follows).
    public var isComplete = true

    public init() {}

    public var selectedRow: QueueRow? {
        rows.indices.contains(selection) ? rows[selection] : nil
    }
}

/// Where the conversation pane is scrolled to.
public enum ConversationScroll: Sendable, Equatable {
    /// Follow the newest message.
    case latest
    case linesFromBottom(Int)
    /// Keep this message in view (a search jump).
    case message(Int64)
}

public struct OpenConversation: Sendable, Equatable {
    public var id: Int64
    /// Nil while the mirror query runs.
    public var detail: ConversationDetail?
    public var composer = ComposerBuffer()
    /// The composer changed since the draft was last saved.
    public var draftDirty = false
    public var draftEditedAt: Millis = 0
    public var scroll: ConversationScroll = .latest
    /// A search hit to highlight.
    public var highlightMessageId: Int64?
    /// Unread count of the queue row it was opened from; nil when opened another way.
    public var unreadAtOpen: Int?
    /// The newest inbound message this client has already marked read.
    public var lastMarkedRead: Int64?
    /// `r` was pressed before the detail arrived: focus the composer once it does.
    public var focusComposerWhenLoaded = false
    /// The patient's earlier conversations paged in so far, oldest first (see `Reducer+History`).
    public var history: [EarlierConversation] = []
    /// A page of history is being read from the mirror.
    public var historyLoading = false

    public init(id: Int64, unreadAtOpen: Int? = nil) {
        self.id = id
        self.unreadAtOpen = unreadAtOpen
    }

    public var conversationStatus: ConversationStatus? { detail?.conversation.status }
}

public struct StatusMessage: Sendable, Equatable {
    public var text: String
    public var isError: Bool
    public var at: Millis
    /// The conversation it is about; nil for the app as a whole. It is not shown while another one is open.
    public var conversationId: Int64?
    /// Set while the command it announces ("Closing …") is on its way: what replaces it when the command is done.
    public var pending: PendingCommand?

    public init(text: String, isError: Bool, at: Millis, conversationId: Int64? = nil, pending: PendingCommand? = nil) {
        self.text = text
        self.isError = isError
        self.at = at
        self.conversationId = conversationId
        self.pending = pending
    }
}

/// A command the status line announced, to say when it is done: it is done once the outbox no longer holds it.
public struct PendingCommand: Sendable, Equatable {
    /// `Command.action` of the command, to find it among the conversation's outbox entries.
    public var action: String
    public var conversationId: Int64
    public var doneText: String
    public var failedText: String
    /// The outbox was seen holding it, so its absence now means it left.
    public var seenQueued = false

    public init(action: String, conversationId: Int64, doneText: String, failedText: String) {
        self.action = action
        self.conversationId = conversationId
        self.doneText = doneText
        self.failedText = failedText
    }
}

public struct AlertState: Sendable, Equatable {
    /// Nil until the first count arrives, so starting the app does not ring for conversations already waiting.
    public var lastWaitingCount: Int?
    public var lastBellAt: Millis?
    /// A bell is owed but the cooldown has not passed yet.
    public var bellPending = false
    /// The title last set, so it is only sent when it changes.
    public var title: String?

    public init() {}
}

/// What the renderer measured in the last frame: the reducer uses it to clamp scrolling. The runner sends
/// `.measured` whenever the value a render returns differs from `state.measure`.
public struct ViewMeasure: Sendable, Equatable {
    /// The conversation's effective scroll, in lines from the bottom.
    public var conversationScroll: Int
    /// The most the conversation can scroll up.
    public var conversationMaxScroll: Int
    /// Lines of messages visible at once.
    public var conversationPage: Int

    public init(conversationScroll: Int = 0, conversationMaxScroll: Int = 0, conversationPage: Int = 0) {
        self.conversationScroll = conversationScroll
        self.conversationMaxScroll = conversationMaxScroll
        self.conversationPage = conversationPage
    }
}
