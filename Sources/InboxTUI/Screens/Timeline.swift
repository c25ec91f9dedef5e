import InboxModel

/// A conversation's messages followed by the agent's unconfirmed commands, turned into display lines one
/// item at a time (so the pane can lay out from the bottom and stop once the screen is full).
struct Timeline {
    enum Item {
        case message(Message)
        case outbox(OutboxEntry)
        /// Heads one of the patient's earlier conversations (paged in above the open one).
        case earlierConversation(Conversation)
        /// Where the open conversation starts, below the patient's earlier ones.
        case thisConversation(Conversation)

        var time: Millis {
            switch self {
            case .message(let message): message.createdAt
            case .outbox(let entry): entry.createdAt
            case .earlierConversation(let conversation), .thisConversation(let conversation): conversation.createdAt
            }
        }

        var isConversationBoundary: Bool {
            switch self {
            case .earlierConversation, .thisConversation: true
            case .message, .outbox: false
            }
        }
    }

    let detail: ConversationDetail
    /// Read receipts are bookkeeping, not conversation: they never show.
    private let outbox: [OutboxEntry]
    /// The patient's earlier conversations loaded so far, oldest first; each is a heading and its messages.
    private let earlier: [EarlierConversation]
    /// Items before the open conversation's first message: the earlier conversations and the boundary after them.
    private let earlierItemCount: Int

    init(_ detail: ConversationDetail, earlier: [EarlierConversation] = []) {
        self.detail = detail
        self.earlier = earlier
        earlierItemCount = earlier.isEmpty ? 0 : earlier.reduce(1) { $0 + 1 + $1.messages.count }
        outbox = detail.outbox.filter {
            if case .markRead = $0.command { return false }
            return true
        }
    }

    var count: Int { earlierItemCount + detail.messages.count + outbox.count }

    func item(_ index: Int) -> Item {
        if index < earlierItemCount { return earlierItem(index) }
        let index = index - earlierItemCount
        return index < detail.messages.count ? .message(detail.messages[index])
            : .outbox(outbox[index - detail.messages.count])
    }

    /// Walks the (few) loaded pages; each page is its heading followed by its messages.
    private func earlierItem(_ index: Int) -> Item {
        var start = 0
        for page in earlier {
            if index == start { return .earlierConversation(page.conversation) }
            if index <= start + page.messages.count { return .message(page.messages[index - start - 1]) }
            start += 1 + page.messages.count
        }
        return .thisConversation(detail.conversation)
    }

    /// The lines of item `index`: a day separator when the local day changed since the previous item, a header
    /// (time, author, delivery mark), the wrapped body, media and failure lines.
    /// The keys the timeline names in its hints ("R to retry", "o to save").
    struct Keys {
        var retry: String
        var openAttachment: String
    }

    func lines(_ index: Int, state: AppState, theme: Theme, keys: Keys, width: Int) -> [StyledLine] {
        let item = item(index)
        let offset = state.settings.utcOffsetSeconds
        var lines: [StyledLine] = []
        let day = Formatting.date(item.time, offset: offset).dayNumber
        let previous = index == 0 ? nil : self.item(index - 1)
        if previous == nil || previous?.isConversationBoundary == true
            || Formatting.date(previous?.time ?? 0, offset: offset).dayNumber != day {
            lines.append(daySeparator(item.time, state: state, theme: theme, width: width))
        }
        switch item {
        case .message(let message):
            appendMessage(message, to: &lines, state: state, theme: theme, keys: keys, width: width)
        case .outbox(let entry):
            appendOutbox(entry, to: &lines, state: state, theme: theme, keys: keys, width: width)
        case .earlierConversation, .thisConversation:
            return [conversationSeparator(item, state: state, theme: theme, width: width)]
        }
        return lines
    }

    /// "━━ Earlier conversation · closed 3 Nov ━━" above a past conversation; "━━ This conversation ━━" where the
    /// open one begins.
    private func conversationSeparator(_ item: Item, state: AppState, theme: Theme, width: Int) -> StyledLine {
        let label: String
        switch item {
        case .earlierConversation(let conversation):
            let day = Formatting.shortDate(conversation.lastMessageAt, now: state.now, offset: state.settings.utcOffsetSeconds)
            label = conversation.status == .closed ? " Earlier conversation · closed \(day) "
                                                   : " Earlier conversation · \(day) "
        default:
            label = " This conversation "
        }
        let side = max(0, (width - TextLayout.width(label)) / 2)
        let rule = String(repeating: "━", count: side)
        return StyledLine([Span(rule + label + rule, theme.border)])
    }

    private func daySeparator(_ time: Millis, state: AppState, theme: Theme, width: Int) -> StyledLine {
        let label = " " + Formatting.dayLabel(time, now: state.now, offset: state.settings.utcOffsetSeconds) + " "
        let side = max(0, (width - TextLayout.width(label)) / 2)
        let rule = String(repeating: "─", count: side)
        return StyledLine([Span(rule + label + rule, theme.dim)])
    }

    private func appendMessage(_ message: Message, to lines: inout [StyledLine], state: AppState, theme: Theme,
                               keys: Keys, width: Int) {
        let time = Formatting.clock(message.createdAt, offset: state.settings.utcOffsetSeconds)
        let highlighted = state.conversation?.highlightMessageId == message.id
        if message.author == .note {
            appendNote(author: message.agentId == state.me.id ? "You" : message.agentId.map(state.agentName) ?? "a colleague",
                       time: time, body: message.body, highlighted: highlighted, mark: nil, to: &lines, state: state,
                       theme: theme, width: width)
            return
        }
        if message.author == .system {
            // Notices such as "Bea took over" read as one dim line, not as someone speaking.
            let text = message.body.replacingNewlinesWithSpaces()
            let parts = TextLayout.lines(text, width: max(1, width - 6), reorder: state.settings.bidi)
            for (i, part) in parts.enumerated() {
                lines.append(StyledLine([Span(i == 0 ? time + " " : "      ", theme.dim),
                                         Span(part, highlighted ? theme.searchHit : theme.authorSystem)],
                                        alignRight: part.isRightToLeft))
            }
            return
        }
        let (author, authorStyle) = self.author(message, state: state, theme: theme)
        let mark = message.direction == .outbound ? deliveryMark(message.status, theme: theme) : nil
        lines.append(StyledLine([Span(time, theme.dim), Span(" ", theme.base),
                                 Span(author, highlighted ? theme.searchHit : authorStyle)], trailing: mark))
        appendBody(message.body, to: &lines, style: highlighted ? theme.searchHit : theme.base, width: width,
                   reorder: state.settings.bidi)
        if let media = message.media {
            var spans = [Span("  " + Self.mediaLabel(media), theme.dim)]
            switch media.state {
            case .stored: spans.append(Span(" · \(keys.openAttachment) to save", theme.dim))
            case .pending: spans.append(Span(" · fetching…", theme.dim))
            case .refused, .failed: spans.append(Span(" · not kept: " + (media.error ?? "unknown reason"), theme.deliveryFailed))
            case nil: break
            }
            lines.append(StyledLine(spans))
        }
        if message.direction == .outbound, message.status == .failed {
            let reason = message.error.map { "failed: \($0)" } ?? "failed: not delivered"
            appendFailure(reason, keys: keys, to: &lines, theme: theme, width: width)
        }
    }

    private func appendOutbox(_ entry: OutboxEntry, to lines: inout [StyledLine], state: AppState, theme: Theme,
                              keys: Keys, width: Int) {
        let time = Formatting.clock(entry.createdAt, offset: state.settings.utcOffsetSeconds)
        let failed = entry.state == .failed
        let mark = failed ? Span("✗ not sent", theme.deliveryFailed) : Span("… sending", theme.dim)
        switch entry.command {
        case .reply(let body):
            lines.append(StyledLine([Span(time, theme.dim), Span(" ", theme.base), Span("You", theme.authorAgent)],
                                    trailing: mark))
            appendBody(body, to: &lines, style: failed ? theme.dim : theme.base, width: width,
                       reorder: state.settings.bidi)
        case .sendTemplate(let template):
            lines.append(StyledLine([Span(time, theme.dim), Span(" ", theme.base), Span("You", theme.authorAgent),
                                     Span(" · template " + template.name, theme.dim)], trailing: mark))
            let body = detail.templates.first { $0.name == template.name && $0.language == template.language }
                .map { $0.render(template.parameters) } ?? template.parameters.joined(separator: " · ")
            appendBody(body, to: &lines, style: failed ? theme.dim : theme.base, width: width,
                       reorder: state.settings.bidi)
        case .note(let body):
            appendNote(author: "You", time: time, body: body, highlighted: false, mark: mark, to: &lines, state: state,
                       theme: theme, width: width)
        case .sendMedia(let media):
            lines.append(StyledLine([Span(time, theme.dim), Span(" ", theme.base), Span("You", theme.authorAgent)],
                                    trailing: mark))
            appendBody("[attachment] " + media.fileName, to: &lines, style: theme.dim, width: width,
                       reorder: state.settings.bidi)
            appendBody(media.caption, to: &lines, style: failed ? theme.dim : theme.base, width: width,
                       reorder: state.settings.bidi)
        default:
            lines.append(StyledLine([Span(time, theme.dim), Span(" " + commandLabel(entry.command), theme.authorSystem)],
                                    trailing: mark))
        }
        if failed {
            appendFailure(entry.lastError ?? "not sent", keys: keys, to: &lines, theme: theme, width: width)
        }
    }

    /// A private note, unlike anything the patient sees: "10:42 ▌NOTE Amal · private" over a ruled body.
    private func appendNote(author: String, time: String, body: String, highlighted: Bool, mark: Span?,
                            to lines: inout [StyledLine], state: AppState, theme: Theme, width: Int) {
        lines.append(StyledLine([Span(time, theme.dim), Span(" ", theme.base), Span("▌NOTE", theme.banner),
                                 Span(" " + author, highlighted ? theme.searchHit : theme.authorSystem),
                                 Span(" · private, agents only", theme.dim)], trailing: mark))
        for line in TextLayout.lines(body, width: max(1, width - 2), reorder: state.settings.bidi) {
            lines.append(StyledLine([Span("▌ ", theme.banner), Span(line, highlighted ? theme.searchHit : theme.authorSystem)],
                                    alignRight: line.isRightToLeft))
        }
    }

    /// The wrapped text under a header, indented two columns; a right-to-left paragraph is drawn flush right.
    private func appendBody(_ body: String, to lines: inout [StyledLine], style: Style, width: Int, reorder: Bool) {
        guard !body.isEmpty else { return }
        for line in TextLayout.lines(body, width: max(1, width - 2), reorder: reorder) {
            lines.append(StyledLine([Span("  ", style), Span(line, style)], alignRight: line.isRightToLeft))
        }
    }

    private func appendFailure(_ reason: String, keys: Keys, to lines: inout [StyledLine], theme: Theme,
                               width: Int) {
        let text = "✗ " + reason.replacingNewlinesWithSpaces() + " · \(keys.retry) to retry"
        for line in TextLayout.wrap(text, width: max(1, width - 2)) {
            lines.append(StyledLine([Span("  ", theme.base), Span(line, theme.deliveryFailed)]))
        }
    }

    private func author(_ message: Message, state: AppState, theme: Theme) -> (String, Style) {
        switch message.author {
        case .patient: (detail.patientLabel, theme.authorPatient)
        case .bot: ("AI", theme.authorBot)
        case .agent:
            if let agent = message.agentId, agent != state.me.id { (state.agentName(agent), theme.authorAgent) }
            else { ("You", theme.authorAgent) }
        case .system: ("System", theme.authorSystem)
        case .note: ("Note", theme.authorSystem)
        }
    }

    /// sent ✓, delivered ✓✓, read ✓✓ (in the read colour), failed ✗, accepted but not yet sent …
    func deliveryMark(_ status: DeliveryStatus, theme: Theme) -> Span {
        switch status {
        case .pending: Span("…", theme.dim)
        case .sent: Span("✓", theme.deliveryOk)
        case .delivered: Span("✓✓", theme.deliveryOk)
        case .read: Span("✓✓", theme.deliveryRead)
        case .failed: Span("✗", theme.deliveryFailed)
        }
    }

    /// `[image] scan.pdf (1.2 MB)`
    static func mediaLabel(_ media: MediaInfo) -> String {
        var label = "[\(media.kind)]"
        if let name = media.fileName ?? media.mimeType, !name.isEmpty { label += " " + name }
        if let size = media.size { label += " (" + ByteCount.text(size) + ")" }
        return label
    }

    private func commandLabel(_ command: Command) -> String {
        switch command {
        case .reply: "reply"
        case .sendTemplate(let template): "template \(template.name)"
        case .sendMedia(let media): "attachment \(media.fileName)"
        case .takeOver: "take over"
        case .handBack: "hand back to the AI"
        case .close: "close"
        case .transfer: "transfer"
        case .markRead: "mark read"
        case .reopen: "reopen"
        case .note: "note"
        case .snooze: "snooze"
        case .unsnooze: "end snooze"
        case .editProfile: "profile edit"
        }
    }
}

extension String {
    func replacingNewlinesWithSpaces() -> String {
        guard contains(where: { $0.isNewline }) else { return self }
        return String(map { $0.isNewline ? " " : $0 })
    }
}
