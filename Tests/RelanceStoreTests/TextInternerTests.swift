@testable import RelanceStore
import Testing

/// The interner's byte comparison: a string read before is found only for exactly its bytes.
@Suite struct TextInternerTests {
    @Test func aTextIsTheSameAsExactlyItsBytes() {
        let texts = ["", "a", "Europe/Paris", "mtx-ssc-accounts-payable-claire", "é", "e\u{301}", "FA-2026-000001", "FA-2026-000002"]
        for a in texts {
            for b in texts {
                let bytes = Array(b.utf8)
                let same = bytes.withUnsafeBufferPointer { TextInterner.same(a, $0) }
                #expect(same == (Array(a.utf8) == bytes), "\(a) against \(b)")
            }
        }
        // A prefix, and a string that is not native UTF-8 storage (bridged from a substring).
        let long = "mtx-ssc-accounts-payable-claire"
        Array("mtx-ssc".utf8).withUnsafeBufferPointer { #expect(!TextInterner.same(long, $0)) }
        Array(long.utf8).withUnsafeBufferPointer { #expect(TextInterner.same(String(long[...]), $0)) }
    }
}
