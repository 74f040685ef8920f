import Dispatch
import Foundation

extension Array where Element: Sendable {
    /// `map` over the machine's cores, in order, for a few costly elements (customer groups): each element is
    /// a task of its own, taken by the next free core.
    ///
    /// (`concurrentMap` in RelanceCore chunks by at least `minimumChunk` elements and, for some counts, computes
    /// an empty last range that traps: with 44 elements and `minimumChunk: 1`, chunk 15 starts at 45.)
    public func parallelMap<T: Sendable>(_ transform: @Sendable (Element) -> T) -> [T] {
        guard count > 1, ProcessInfo.processInfo.activeProcessorCount > 1 else { return map(transform) }
        let slots = Slots<T>(count: count)
        withUnsafeBufferPointer { elements in
            nonisolated(unsafe) let elements = elements
            DispatchQueue.concurrentPerform(iterations: elements.count) { i in slots.set(i, transform(elements[i])) }
        }
        return slots.values()
    }
}

/// One slot per element, each written once by the task that owns it, read when all are done.
private final class Slots<T>: @unchecked Sendable {
    private var stored: [T?]
    private let lock = NSLock()

    init(count: Int) { stored = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ value: T) {
        lock.lock()
        stored[i] = value
        lock.unlock()
    }

    func values() -> [T] {
        lock.lock()
        defer { lock.unlock() }
        return stored.compactMap { $0 }
    }
}
