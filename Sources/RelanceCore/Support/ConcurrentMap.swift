import Dispatch
import Foundation

extension Array where Element: Sendable {
    /// `map`, spread over the machine's cores in contiguous chunks; the result keeps the order of the
    /// elements. For pure, CPU-bound transforms of many elements (positions, forecasts). The elements are
    /// cut into at most `chunksPerCore` chunks per core, each at least `minimumChunk` long, that the cores
    /// take one after the other.
    public func concurrentMap<T: Sendable>(minimumChunk: Int = 64, chunksPerCore: Int = 32, _ transform: @Sendable (Element) -> T) -> [T] {
        let workers = Swift.min(ProcessInfo.activeProcessorCountCached, Swift.max(1, count / Swift.max(minimumChunk, 1)))
        guard workers > 1 else { return map(transform) }
        let results = ResultSlots<T>(count: count)
        // Many chunks per core, so that a core done early takes another one: elements can differ a lot in cost
        // (a customer's book can be a hundred times another's), and with 8 per core a portfolio's forecasts
        // left one core idle for the last 2 of 15 seconds.
        let chunks = Swift.min(workers * Swift.max(chunksPerCore, 1), Swift.max(1, count / Swift.max(minimumChunk, 1)))
        let chunk = (count + chunks - 1) / chunks
        self.withUnsafeBufferPointer { elements in
            nonisolated(unsafe) let elements = elements
            DispatchQueue.concurrentPerform(iterations: chunks) { w in
                // With ⌈count / chunks⌉ per chunk, the last chunks can be empty (44 elements in 16 chunks of 3).
                let range = Swift.min(count, w * chunk)..<Swift.min(count, (w + 1) * chunk)
                for i in range { results.set(i, transform(elements[i])) }
            }
        }
        return results.values()
    }
}

extension ProcessInfo {
    static let activeProcessorCountCached = ProcessInfo.processInfo.activeProcessorCount
}

/// Slots written by one worker each (disjoint indices), read once all workers are done.
private final class ResultSlots<T>: @unchecked Sendable {
    private let base: UnsafeMutablePointer<T>
    private let count: Int

    init(count: Int) {
        self.count = count
        base = .allocate(capacity: count)
    }

    /// Each index is written exactly once, by the worker that owns it.
    func set(_ i: Int, _ value: T) { (base + i).initialize(to: value) }

    /// Moves the values out (call once, after every index was written).
    func values() -> [T] {
        let result = Array(UnsafeBufferPointer(start: base, count: count))
        base.deinitialize(count: count)
        return result
    }

    deinit { base.deallocate() }
}
