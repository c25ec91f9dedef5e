/// Everything that can happen to the app: keys already translated by the keymap, and results the runner
/// feeds back from the mirror, the sync loop, the editor and the clock.
public enum Action: Sendable, Equatable {
    // MARK: Navigation (from keys)
    /// Move the selection in the focused list (queue, picker, search hits); scroll by lines in the conversation.
    case moveSelection(Int)
    case pageUp
    case pageDown
    case jumpToTop
    case jumpToBottom
    /// Open the selected queue row.
    case openSelected
    case focusNext
    case focusPrevious
    case switchTab(QueueTab)
    /// Open the conversation that has waited longest (other than the one already open).
    case nextWaiting
    case toggleSidebar
    case toggleHelp

    // MARK: Conversation commands (from keys)
    case takeOver
    /// Focus the composer (opening the selected conversation first if needed).
    case reply
    case composeInEditor
    case handBack
    case close
    /// Reopen the selected closed conversation (the Closed tab); it becomes mine.
    case reopen
    case openTransferPicker
    /// Choose an approved template, fill its parameters and send it (the only way outside the 24-hour window).
    case openTemplatePicker
    /// List the open conversation's attachments to save (and open) one.
    case openAttachments
    /// Ask for the path of a file to send.
    case attachFile
    /// Retry the open conversation's failed commands, or re-send its last failed message.
    case retryFailed
    /// Give up on the open conversation's refused commands: they leave the outbox and the failure count.
    case discardFailed
    case openSearch
    /// `p`: write a private note on the selected or open conversation (agents only; never sent to the patient).
    case openNote
    /// `:`: the command palette, every action by name.
    case openPalette
    /// Tab in the palette: complete the line to the selected entry.
    case completePalette
    /// The palette's "canned…": the composer with the `/` picker open.
    case openCannedFromPalette
    /// `z`: snooze the selected or open conversation (or wake it when snoozed).
    case snooze
    /// Edit the open conversation's patient profile.
    case editProfile
    /// List only conversations whose patient has a tag.
    case filterByTag
    case requestQuit
    /// The terminal went away (SSH dropped, tmux killed): keep the draft and quit without asking anyone.
    case terminalHungUp

    // MARK: Text input and dialogs (from keys)
    /// Edits the active text: the search query when the search is open, else the composer.
    case edit(EditCommand)
    /// Text the terminal pasted, line breaks included: inserted into the composer as one edit, never sent.
    case paste(String)
    /// Enter: send the composer, pick the transfer target, jump to the search hit.
    case submit
    /// Esc: close the overlay, leave the composer, dismiss an error.
    case cancel
    /// Answer to a yes/no question (quit confirmation).
    case confirm(Bool)

    // MARK: Results (from the runner)
    /// `complete` false: only the tab's first rows (the first frame's screenful); the whole tab follows.
    case queueLoaded(tab: QueueTab, rows: [QueueRow], counts: QueueCounts, complete: Bool = true)
    case conversationLoaded(ConversationDetail)
    /// The conversation is not in the mirror (yet).
    case conversationMissing(Int64)
    /// The next (older) page of the open conversation's history; nil when the mirror has no more.
    case historyLoaded(conversationId: Int64, EarlierConversation?)
    case agentsLoaded([Agent])
    /// My saved drafts that can no longer be sent (a colleague holds their conversation).
    case strandedDraftsLoaded([StrandedDraft])
    /// The WhatsApp channels' health as the mirror holds it.
    case channelsLoaded([ChannelHealth])
    /// The clinic's presence roster changed (from the sync loop; never stored).
    case presenceChanged(PresenceRoster)
    case searchResults(query: String, hits: [SearchHit])
    case connectionChanged(ConnectionState)
    /// A catch-up's progress after each stored batch; nil once caught up.
    case catchingUp(CatchUpProgress?)
    case outboxChanged(pending: Int, failed: Int)
    /// Commands other agents queued on this terminal, waiting for them to sign in again.
    case outboxHeld([HeldOutbox])
    /// The server says the token belongs to this agent (a different one than the mirror last knew, after
    /// `inbox login` on a shared terminal): the app now acts as them.
    case signedIn(Agent, clinic: String)
    /// The server refused a command or it could not be queued; `message` is shown as an error.
    case commandFailed(conversationId: Int64?, message: String)
    /// `$EDITOR` returned; `text` is the file's content.
    case editorFinished(conversationId: Int64, text: String)
    /// A patient's file is on disk (and was handed to the opener, if one is set).
    case attachmentSaved(path: String, opened: Bool)
    /// The agent's file is on the server; sending it is a command like a reply.
    case attachmentUploaded(conversationId: Int64, MediaSend)
    /// Any other failure the runner must not swallow (mirror query, editor launch, draft save…).
    case failure(String)
    /// The mirror changed (a sync batch, the outbox): reload what is on screen and what the change touched.
    case mirrorChanged(MirrorChange)
    case tick(Millis)
    case resize(width: Int, height: Int)
    case measured(ViewMeasure)
}
