/// Channel health in words a receptionist reads: the status line and the header of every conversation on an
/// unhealthy number say that WhatsApp is the reason replies wait, not the client or the network.
extension ChannelHealth {
    /// Nil when the channel is healthy.
    public var problem: String? {
        guard !isHealthy else { return nil }
        switch state {
        case "degraded": return "WhatsApp channel degraded: retrying"
        case "STARTING": return "WhatsApp channel starting: replies wait"
        case "SCAN_QR_CODE": return "WhatsApp channel signed out (scan the QR code): replies wait"
        case "FAILED", "STOPPED": return "WhatsApp channel down (\(state)): replies wait"
        default: return "WhatsApp channel \(state): replies wait"
        }
    }

    /// A few words for a pane title.
    public var shortProblem: String? {
        guard !isHealthy else { return nil }
        return state == "degraded" ? "channel degraded" : "channel down"
    }
}

extension AppState {
    /// The first unhealthy channel's problem, for the status line; with several numbers, which one.
    public var channelProblem: String? {
        let unhealthy = channels.filter { !$0.isHealthy }
        guard let first = unhealthy.first, let problem = first.problem else { return nil }
        let more = unhealthy.count > 1 ? " (+\(unhealthy.count - 1) more)" : ""
        return channels.count > 1 ? "\(first.clinicNumber): \(problem)\(more)" : problem
    }

    /// The health of the number a conversation runs on, when it is not healthy.
    public func channelIssue(forNumber clinicNumber: String) -> ChannelHealth? {
        channels.first { $0.clinicNumber == clinicNumber && !$0.isHealthy }
    }
}
