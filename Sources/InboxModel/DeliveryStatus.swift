/// Where an outbound message is on its way to the patient (inbound messages are `.delivered` on arrival).
///
/// Providers report statuses out of order (`read` may come without `delivered`; `delivered` may come after
/// `failed` when the patient has several devices), so statuses are merged by precedence, never by arrival.
public enum DeliveryStatus: String, Codable, Sendable, CaseIterable {
    /// Accepted by the server, not yet handed to the provider.
    case pending
    case sent
    case delivered
    case read
    case failed

    /// A later report replaces the current one only when it says more. `failed` outranks `sent` (the provider
    /// gave up), but proof of arrival (`delivered`, `read`) outranks `failed`.
    var precedence: Int {
        switch self {
        case .pending: 0
        case .sent: 1
        case .failed: 2
        case .delivered: 3
        case .read: 4
        }
    }

    /// The status after `report` arrives for a message currently in `self`.
    public func merged(with report: DeliveryStatus) -> DeliveryStatus {
        report.precedence > precedence ? report : self
    }
}
