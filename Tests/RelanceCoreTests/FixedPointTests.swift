import Foundation
@testable import RelanceCore
import Testing

/// `Double.fixed(_:)` must write what `String(format:)` writes, rounding included.
@Suite struct FixedPointTests {
    @Test func fixedIsWhatStringFormatWrites() {
        var values: [Double] = [0, -0.0, 0.5, 1.5, 2.5, -2.5, 0.05, 0.15, 0.25, 0.35, 1.005, 99.95, 99.995, 123_456.789, -1e-9, 1e20, 1e300,
                                .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude, .nan, .infinity, -.infinity]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 { values.append(Double.random(in: -1_000...1_000, using: &generator)) }
        for _ in 0..<200 { values.append(Double(bitPattern: generator.next())) }
        // Probabilities and day counts as the forecast CSV writes them, halfway points and their neighbours.
        for _ in 0..<2_000 { values.append(Double.random(in: 0...1, using: &generator) * 100) }
        for k in 0..<2_000 {
            let tie = Double(k) / 20
            values += [tie, -tie, tie.nextUp, tie.nextDown, tie * 1e8, 4.398046511104e12 / 10_000, 4.398046511104e12 / 10_000 + 1]
        }
        for x in values {
            for d in [0, 1, 2, 3, 4, 5] {
                #expect(x.fixed(d) == String(format: "%.\(d)f", x), "\(x) with \(d) decimals")
            }
        }
    }

    /// The integer path gives way to `printf` where its rounding is not certain, and answers often enough
    /// to matter: most day counts and percentages it writes itself.
    @Test func theIntegerPathAnswersWhereItsRoundingIsCertain() {
        #expect(0.25.fixedByIntegers(1) == nil)        // halfway in binary: printf rounds to even
        #expect(0.15.fixedByIntegers(1) == nil)        // just below halfway: too close to call
        #expect(1e13.fixedByIntegers(0) == nil)        // beyond 2^42 once scaled
        #expect(Double.nan.fixedByIntegers(1) == nil)
        #expect(12.34.fixedByIntegers(1) == "12.3")
        #expect((-0.04).fixedByIntegers(1) == "-0.0")
        #expect(0.996.fixedByIntegers(0) == "1")
        var generator = SystemRandomNumberGenerator()
        let answered = (0..<1_000).filter { _ in Double.random(in: 0...100, using: &generator).fixedByIntegers(1) != nil }.count
        #expect(answered > 900)
    }
}
