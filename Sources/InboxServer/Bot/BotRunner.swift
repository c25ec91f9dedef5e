import Foundation
import InboxModel
import Logging

/// Runs the clinic's AI (its own endpoint when configured, else the built-in bot) for conversations still with
/// the bot, off the webhook's request path.
public actor BotRunner {
    private let store: any InboxStore
    private let bot = ClinicBot()
    private let hookTimeout: Duration
    private let onReply: @Sendable () async -> Void
    private let logger = Logger(label: "inbox.bot")

    /// `onReply` is told when the bot queued a message, so delivery can start at once.
    public init(store: any InboxStore, hookTimeout: Duration = .seconds(8), onReply: @escaping @Sendable () async -> Void) {
        self.store = store
        self.hookTimeout = hookTimeout
        self.onReply = onReply
    }

    public func patientWrote(conversationId: Int64) async {
        do {
            guard let context = try await store.botContext(conversationId: conversationId),
                  context.conversation.status == .bot,
                  let last = context.recent.last, last.author == .patient else { return }
            let decision: BotDecision
            var memory = context.memory
            if let url = context.aiHookURL {
                decision = await AIHook(url: url, timeout: hookTimeout).decide(context)
            } else {
                let current = context.memory.flatMap { try? JSONDecoder().decode(ClinicBot.Memory.self, from: Data($0.utf8)) }
                    ?? ClinicBot.Memory()
                let (answer, next) = bot.respond(to: last.body, memory: current)
                decision = answer
                memory = (try? JSONEncoder().encode(next)).map { String(decoding: $0, as: UTF8.self) }
            }
            try await store.applyBotDecision(decision, memory: memory, conversationId: conversationId)
            if decision.reply != nil { await onReply() }
        } catch {
            logger.error("bot failed on conversation \(conversationId): \(error)")
        }
    }
}
