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
}
