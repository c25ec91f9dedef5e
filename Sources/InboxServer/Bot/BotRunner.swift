import Foundation
import InboxModel
import Logging

/// Runs the clinic bot for conversations still with the bot, off the webhook's request path.
public actor BotRunner {
    private let store: any InboxStore
    private let bot = ClinicBot()
    private let onReply: @Sendable () async -> Void
    private let logger = Logger(label: "inbox.bot")

    /// `onReply` is told when the bot queued a message, so delivery can start at once.
    public init(store: any InboxStore, onReply: @escaping @Sendable () async -> Void) {
        self.store = store
        self.onReply = onReply
    }

    public func patientWrote(conversationId: Int64) async {
        do {
            guard let context = try await store.botContext(conversationId: conversationId),
                  context.conversation.status == .bot,
                  let last = context.recent.last, last.author == .patient else { return }
            let memory = context.memory.flatMap { try? JSONDecoder().decode(ClinicBot.Memory.self, from: Data($0.utf8)) }
                ?? ClinicBot.Memory()
            let (decision, next) = bot.respond(to: last.body, memory: memory)
            let encoded = (try? JSONEncoder().encode(next)).map { String(decoding: $0, as: UTF8.self) }
            try await store.applyBotDecision(decision, memory: encoded, conversationId: conversationId)
            if decision.reply != nil { await onReply() }
        } catch {
            logger.error("bot failed on conversation \(conversationId): \(error)")
        }
    }
}
