import Foundation
import InboxModel
import Logging

/// Runs the clinic's AI (its own endpoint when configured, else the built-in bot) for conversations still with
/// the bot, off the webhook's request path.
public actor BotRunner {
    private let store: any InboxStore
    private let hookTimeout: Duration
    private let onReply: @Sendable () async -> Void
    private let logger = Logger(label: "inbox.bot")

    /// `onReply` is told when the bot queued a message, so delivery can start at once.
    public init(store: any InboxStore, hookTimeout: Duration = .seconds(8), onReply: @escaping @Sendable () async -> Void) {
        self.store = store
        self.hookTimeout = hookTimeout
        self.onReply = onReply
    }

    /// Conversations the bot is answering now, and those a patient wrote to again meanwhile.
    private var answering: Set<Int64> = []
    private var wroteAgain: Set<Int64> = []
    /// The patient message last answered in each conversation. A message stored while the one before was being
    /// answered, but handed over only after that answer was stored, is older than the newest message (the answer)
    /// yet newer than this: it is answered, not taken for answered.
    private var lastAnswered: [Int64: Int64] = [:]

    /// Answers the patient's newest message. A message that arrives while the bot is still answering the one
    /// before (its answer is stored after the new message) is answered next, by the same run, so it is never left
    /// unanswered and never answered twice.
    public func patientWrote(conversationId: Int64) async {
        guard answering.insert(conversationId).inserted else {
            wroteAgain.insert(conversationId)
            return
        }
        defer { answering.remove(conversationId) }
        var answered = lastAnswered[conversationId]
        repeat {
            wroteAgain.remove(conversationId)
            guard let next = await answer(conversationId, after: answered) else { return }
            answered = next
            lastAnswered[conversationId] = next
        } while wroteAgain.contains(conversationId)
    }

    /// Answers the conversation's newest patient message: only if it is newer than the one last answered, or, when
    /// this process has answered none there yet, only if nothing came after it. Returns the message answered.
    private func answer(_ conversationId: Int64, after answered: Int64?) async -> Int64? {
        do {
            guard let context = try await store.botContext(conversationId: conversationId),
                  context.conversation.status == .bot,
                  let last = context.recent.last(where: { $0.author == .patient }) else { return nil }
            if let answered {
                guard last.id > answered else { return nil }
            } else {
                guard context.recent.last?.id == last.id else { return nil }
            }
            let decision: BotDecision
            var memory = context.memory
            if let url = context.numberBot.aiHookURL ?? context.aiHookURL {
                decision = await AIHook(url: url, timeout: hookTimeout).decide(context)
            } else {
                let current = context.memory.flatMap { try? JSONDecoder().decode(ClinicBot.Memory.self, from: Data($0.utf8)) }
                    ?? ClinicBot.Memory()
                let (answer, next) = ClinicBot(settings: context.numberBot).respond(to: last.body, replyId: last.replyId,
                                                                                memory: current)
                decision = answer
                memory = (try? JSONEncoder().encode(next)).map { String(decoding: $0, as: UTF8.self) }
            }
            try await store.applyBotDecision(decision, memory: memory, conversationId: conversationId)
            if decision.reply != nil { await onReply() }
            return last.id
        } catch {
            logger.error("bot failed on conversation \(conversationId): \(error)")
            return nil
        }
    }
}
