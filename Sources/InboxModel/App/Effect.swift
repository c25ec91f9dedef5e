/// Work the reducer asks the runner to do. Effects carry everything they need; the runner performs them
/// and feeds results back as actions. Idempotency keys are made by the runner, never by the reducer, so
/// reducing stays deterministic.
///
/// The runner's loop, in order:
/// 1. Start: perform `initialEffects(state)`; send `.agentsLoaded`, `.connectionChanged`, `.outboxChanged`
///    as the sync engine reports them, `.tick(now)` about once a second, `.resize` on start and on SIGWINCH.
/// 2. Key: `keymap.action(for: key, in: state)` → `reduce` → perform the effects.
/// 3. Frame: `Screen.render(state, theme:, keymap:, into: &grid)`; if the returned `measure` differs from
///    `state.measure`, reduce `.measured(measure)` (no re-render needed for that alone); paint the grid.
/// 4. Sync applied a batch: `.mirrorChanged`. A command the server refused: `.commandFailed`. Any other
///    error: `.failure` — nothing is swallowed.
public enum Effect: Sendable, Equatable {
    /// Query the mirror for a tab's rows and all tab counts → `.queueLoaded`.
    case loadQueue(QueueTab)
    /// Query the mirror for one conversation → `.conversationLoaded` or `.conversationMissing`.
    case loadConversation(Int64)
    /// The patient's newest conversation older than `before` → `.historyLoaded`.
    case loadEarlierConversation(conversationId: Int64, patientId: Int64, before: Int64)
    /// → `.agentsLoaded`.
    case loadAgents
    /// My saved drafts in conversations a colleague now holds → `.strandedDraftsLoaded`.
    case loadStrandedDrafts
    /// → `.channelsLoaded`.
    case loadChannels
    /// Put a command in the outbox (with a fresh idempotency key) and send it.
    case send(Command, conversationId: Int64)
    /// Send a refused outbox entry again (under a new key: the old key's answer is final).
    case retry(key: String)
    /// Remove a refused outbox entry the agent gave up on.
    case discard(key: String)
    /// Persist the composer text; an empty text deletes the draft.
    case saveDraft(conversationId: Int64, text: String)
    /// Full-text search → `.searchResults` (the runner may drop superseded queries).
    case search(String)
    /// Suspend the screen, edit `initialText` in $VISUAL/$EDITOR → `.editorFinished`.
    case runEditor(conversationId: Int64, initialText: String)
    /// Download a message's attachment into the downloads folder (and open it) → `.attachmentSaved`.
    case saveAttachment(messageId: Int64, fileName: String?, mimeType: String?)
    /// Read, size-check and upload a file from disk → `.attachmentUploaded`.
    case uploadAttachment(conversationId: Int64, path: String)
    case bell
    /// Terminal title text. Built from counts only: remote text never goes into an escape sequence.
    case setTitle(String)
    case quit
}
