import Synchronization

/// A value shared between tasks and threads behind a lock. A class, so escaping closures can share it (a bare
/// `Mutex` cannot be captured); for values that are set once or rarely and read often.
public final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    public init(_ value: Value) { mutex = Mutex(value) }

    public var value: Value {
        get { mutex.withLock { $0 } }
        set { mutex.withLock { $0 = newValue } }
    }
}
