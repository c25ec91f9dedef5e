import InboxModel

/// What a provider said to one send attempt.
public enum SendOutcome: Sendable, Equatable {
    case sent(providerMessageId: String)
    /// Worth another try later (network failure, 429, 5xx).
    case retryable(String)
    /// The provider refused the message for good (bad number, window closed, invalid content).
    case rejected(String)
}

/// Hands an outbound message to one WhatsApp provider.
public protocol ProviderSender: Sendable {
    func send(_ job: DeliveryJob) async -> SendOutcome
}
