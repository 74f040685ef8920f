import Synchronization

/// Values worked out once per key, shared by the owner's copies and threads behind a lock. The value is
/// made outside the lock (two threads may both make it; the values are equal), and at most `limit` are
/// kept (then it starts over): what an engine or a planner remembers while it lives.
final class Memo<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let values = Mutex<[Key: Value]>([:])
    private let limit: Int

    init(limit: Int = 10_000) { self.limit = limit }

    func value(for key: Key, _ make: () -> Value) -> Value {
        if let known = values.withLock({ $0[key] }) { return known }
        let value = make()
        values.withLock { v in
            if v.count >= limit { v.removeAll(keepingCapacity: true) }
            v[key] = value
        }
        return value
    }
}
