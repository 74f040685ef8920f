@testable import RelanceStore
import Testing

/// The byte-keyed table behind the event import's caches, against a `Dictionary` of the same keys.
@Suite struct ByteKeyedTableTests {
    @Test func lookupsAndUpdatesMatchADictionaryAsTheTableGrows() {
        let arena = ByteArena()
        var table = ByteKeyedTable<Int32>(arena: arena, capacity: 4)
        var reference: [String: Int32] = [:]
        // Invoice-like keys, some longer than 16 bytes, multi-byte ones, a prefix of another, and the empty key.
        let keys = (0..<20_000).map { i in i % 97 == 0 ? "FA-2026-\(i)-with-a-long-suffix" : i % 89 == 0 ? "Fé-\(i)" : "FA-2026-\(i)" }
            + ["FA-2026-1", "FA-2026-", ""]
        for (i, key) in keys.enumerated() {
            var text = key
            text.withUTF8 { table.set(Int32(i), for: $0) }
            reference[key] = Int32(i)
        }
        #expect(table.count == reference.count)
        for (key, value) in reference {
            var text = key
            #expect(text.withUTF8 { table[$0] } == value, "\(key)")
        }
        for missing in ["FA-2026-20000", "FA-2026-1 ", "fa-2026-1", "FA-2026-0-with-a-long-suffiX"] {
            var text = missing
            #expect(text.withUTF8 { table[$0] } == nil, "\(missing)")
        }
        // A key's bytes are copied: the caller's buffer may change afterwards.
        var bytes = Array("mtx-ssc-mailroom".utf8)
        bytes.withUnsafeBufferPointer { table.set(-1, for: $0) }
        bytes[0] = UInt8(ascii: "X")
        var text = "mtx-ssc-mailroom"
        #expect(text.withUTF8 { table[$0] } == -1)
    }

    @Test func aTableOfTextsKeepsTheFirstValueOfATextGivenTwice() {
        // What `relance learn` looks states and departments up in: the bytes of a column, no String.
        let table = ByteKeyedTable(texts: [("approved", Int32(0)), ("paid", 1), ("approved", 2), ("", 3)])
        #expect(table.count == 3)
        for (text, value) in [("approved", Int32(0)), ("paid", 1), ("", 3)] {
            #expect(Array(text.utf8).withUnsafeBufferPointer { table[$0] } == value, "\(text)")
        }
        #expect(Array("approve".utf8).withUnsafeBufferPointer { table[$0] } == nil)
    }
}
