import InboxModel
import Logging

/// What follows a stored webhook batch, off the request path: the webhook is answered while this runs.
///
/// Attachments wake the media fetcher (provider links expire). Each new patient message is then read as an answer to
/// an appointment reminder ("confirm", a tapped button) and, if it is not one, given to the bot. Most patients have no
/// reminder outstanding, so one read per batch picks out the few messages that could be answers; asking message by
/// message cost a statement each and was most of PostgreSQL's work at ingest (issue 11).
struct InboundFollowUp: Sendable {
    /// One message of a provider batch and what the store made of it.
    struct Ingested: Sendable {
        var message: InboundMessage
        var outcome: IngestOutcome
    }

    let store: any InboxStore
    let bot: BotRunner
    let runBot: Bool
    let pokeFetcher: @Sendable () async -> Void
    let reminderClock: ReminderClock
    let logger: Logger

    func handle(_ batch: [Ingested]) async {
        var stored: [(conversationId: Int64, messageId: Int64, status: ConversationStatus)] = []
        var carriesMedia = false
        for entry in batch {
            guard case .stored(let conversationId, let messageId, let status) = entry.outcome else { continue }
            stored.append((conversationId, messageId, status))
            if entry.message.media != nil { carriesMedia = true }
        }
        guard !stored.isEmpty else { return }
        if carriesMedia { await pokeFetcher() }
        Task {
            let now = reminderClock.now()
            let answers: Set<Int64>
            do {
                answers = try await store.possibleAppointmentAnswers(messageIds: stored.map(\.messageId), now: now)
            } catch {
                // Ids only: messages are the patients' words. The bot still answers, so no patient is ignored.
                logger.error("looking for appointment answers among \(stored.count) new messages failed: \(error)")
                answers = []
            }
            await withTaskGroup(of: Void.self) { group in
                for message in stored {
                    group.addTask {
                        var answer = AppointmentAnswerOutcome.notAnAnswer
                        if answers.contains(message.messageId) {
                            do {
                                answer = try await store.answerAppointment(messageId: message.messageId, replyId: nil, now: now)
                            } catch {
                                logger.error("reading message \(message.messageId) as an appointment answer failed: \(error)")
                            }
                        }
                        guard runBot, message.status == .bot, answer == .notAnAnswer else { return }
                        await bot.patientWrote(conversationId: message.conversationId)
                    }
                }
            }
        }
    }
}
