import Foundation
import RelanceCore
import Testing

/// `Double.fixed(_:)` must write what `String(format:)` writes, rounding included.
@Suite struct FixedPointTests {
    @Test func fixedIsWhatStringFormatWrites() {
        var values: [Double] = [0, -0.0, 0.5, 1.5, 2.5, -2.5, 0.05, 0.15, 0.25, 0.35, 1.005, 99.95, 99.995, 123_456.789, -1e-9, 1e20, 1e300,
                                .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude, .nan, .infinity, -.infinity]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 { values.append(Double.random(in: -1_000...1_000, using: &generator)) }
        for _ in 0..<200 { values.append(Double(bitPattern: generator.next())) }
        for x in values {
            for d in [0, 1, 2, 4] {
                #expect(x.fixed(d) == String(format: "%.\(d)f", x), "\(x) with \(d) decimals")
            }
        }
    }
}
