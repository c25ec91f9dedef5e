import InboxModel

/// A provider's own timestamp, in Unix seconds, as the `providerTime` milliseconds of an inbound message.
enum ProviderTime {
    /// Nil when the milliseconds would not fit an Int64: a garbled (or fuzzed) timestamp is information only and
    /// must not trap the server.
    static func millis(fromSeconds seconds: Int64) -> Millis? {
        let (millis, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        return overflow ? nil : millis
    }
}
