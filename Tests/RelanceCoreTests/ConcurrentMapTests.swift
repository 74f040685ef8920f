import Testing
@testable import RelanceCore

@Suite struct ConcurrentMapTests {
    /// Every count and chunk size keeps every element, in order, once (44 elements in 16 chunks of 3 used to
    /// make an empty last chunk with its lower bound past the end).
    @Test(arguments: [1, 2, 3, 7, 64])
    func keepsEveryElementInOrder(minimumChunk: Int) {
        for count in [0, 1, 2, 15, 16, 17, 44, 45, 100, 129, 1_000] {
            let xs = Array(0..<count)
            #expect(xs.concurrentMap(minimumChunk: minimumChunk) { $0 * 2 } == xs.map { $0 * 2 }, "count \(count)")
            // Few chunks per core, or as many as there are elements (a customer each, as the portfolio's forecasts do).
            for perCore in [1, 3, max(count, 1)] {
                #expect(xs.concurrentMap(minimumChunk: minimumChunk, chunksPerCore: perCore) { $0 * 2 } == xs.map { $0 * 2 },
                        "count \(count), \(perCore) chunks per core")
            }
        }
    }
}
