import Synchronization

/// Values worked out once per key, shared by the owner's copies and threads behind a lock: an engine's
/// circuits, the working-day tables and log-normal priors of the process, what a store has decoded. The
/// value is made outside the lock (two threads may both make it; the values are equal, the keys naming
/// everything they depend on), and at most `limit` are kept (then it starts over).
public final class Memo<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let values = Mutex<[Key: Value]>([:])
    private let limit: Int

    public init(limit: Int = 10_000) { self.limit = limit }

    /// The value kept for `key`, if any.
    public func value(for key: Key) -> Value? { values.withLock { $0[key] } }

    /// Keeps `value` for `key`.
    public func set(_ value: Value, for key: Key) {
        values.withLock { v in
            if v.count >= limit { v.removeAll(keepingCapacity: true) }
            v[key] = value
        }
    }

    /// The value kept for `key`, or the one `make` makes, then kept.
    public func value(for key: Key, _ make: () throws -> Value) rethrows -> Value {
        if let known = value(for: key) { return known }
        let made = try make()
        set(made, for: key)
        return made
    }
}
