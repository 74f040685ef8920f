#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Double {
    /// The number with `decimals` digits after the point: what `String(format: "%.<decimals>f", x)` writes
    /// (C's `printf`, correctly rounded from the binary value; `nan`, `inf`, `-0.0` as printf writes them),
    /// without Foundation's formatting machinery around it, which made up a tenth of writing a portfolio's
    /// forecast CSV. `decimals` is clamped to 0...17.
    public func fixed(_ decimals: Int) -> String {
        if let text = fixedByIntegers(decimals) { return text }
        let format: StaticString = "%.*f"
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 352) { buffer -> String in
            guard let base = buffer.baseAddress else { return "" }
            let written = format.withUTF8Buffer { f in
                f.withMemoryRebound(to: CChar.self) { f in
                    withVaList([Int32(Swift.min(Swift.max(decimals, 0), 17)), self]) { vsnprintf(base, buffer.count, f.baseAddress, $0) }
                }
            }
            // The largest double has 309 digits before the point: 352 bytes hold any result.
            let count = Swift.min(Swift.max(Int(written), 0), buffer.count - 1)
            return String(decoding: UnsafeRawBufferPointer(start: base, count: count), as: UTF8.self)
        }
    }

    /// Powers of ten for the decimals written without `printf`.
    private static let scales: [Double] = [1, 10, 100, 1_000, 10_000]

    /// The same text as `printf`'s, made with integers, when the rounding is certain: at most 4 decimals, a
    /// finite number whose scaled value is below 2^42 (so the product is off the exact one by less than
    /// 2^-10) and not within 0.01 of a halfway point. `nil` otherwise: `printf` decides. The forecast CSV
    /// writes two such numbers per open invoice, and `vsnprintf` was 2.8% of a million-invoice forecast.
    func fixedByIntegers(_ decimals: Int) -> String? {
        guard decimals >= 0, decimals < Double.scales.count, isFinite else { return nil }
        let scaled = Swift.abs(self) * Double.scales[decimals]
        guard scaled < 4_398_046_511_104 else { return nil }
        let rounded = scaled.rounded(.toNearestOrEven)
        guard Swift.abs(scaled - rounded) <= 0.49 else { return nil }
        var n = UInt64(rounded)
        // Sign, up to 13 integer digits, point, 4 decimals: 20 bytes.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { buffer -> String in
            var end = buffer.count
            func put(_ byte: UInt8) {
                end -= 1
                buffer[end] = byte
            }
            for _ in 0..<decimals {
                put(UInt8(ascii: "0") + UInt8(n % 10))
                n /= 10
            }
            if decimals > 0 { put(UInt8(ascii: ".")) }
            repeat {
                put(UInt8(ascii: "0") + UInt8(n % 10))
                n /= 10
            } while n > 0
            // printf writes the sign of a negative number even when it rounds to zero, and of -0.0.
            if sign == .minus { put(UInt8(ascii: "-")) }
            return String(decoding: UnsafeMutableBufferPointer(rebasing: buffer[end...]), as: UTF8.self)
        }
    }
}
