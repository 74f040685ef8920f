import Foundation
import RelanceCore

/// Bytes copied once and kept at the same address until the arena is released: the keys of
/// ``ByteKeyedTable`` and texts bound to SQLite without a copy per row.
final class ByteArena {
    private var blocks: [UnsafeMutablePointer<UInt8>] = []
    private var free: UnsafeMutablePointer<UInt8>?
    private var left = 0
    private static let blockSize = 1 << 16

    /// A copy of `bytes` that stays valid as long as the arena.
    func copy(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return .empty }
        if bytes.count > left || free == nil {
            let size = max(ByteArena.blockSize, bytes.count)
            let block = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
            blocks.append(block)
            free = block
            left = size
        }
        guard let start = free else { return .empty }
        start.update(from: source, count: bytes.count)
        free = start + bytes.count
        left -= bytes.count
        return UnsafeBufferPointer(start: start, count: bytes.count)
    }

    /// A copy of the UTF-8 of `text`.
    func copy(_ text: String) -> UnsafeBufferPointer<UInt8> {
        var text = text
        return text.withUTF8 { copy($0) }
    }

    deinit { for block in blocks { block.deallocate() } }
}

/// A hash table keyed by byte strings (an invoice number, a department id), looked up straight from a
/// file's bytes without making a `String`. Keys are copied into an arena when inserted; entries are kept
/// in insertion order, and the open-addressing index (linear probing, grown at half full) holds 8 bytes a
/// slot: a million invoices take about 50 MiB. Hashes use the standard library's seeded `Hasher`, so
/// crafted keys cannot make lookups slow.
struct ByteKeyedTable<Value> {
    private struct Entry {
        var key: UnsafeBufferPointer<UInt8>
        var value: Value
    }

    /// 0 for an empty slot, or the high 32 bits of the key's hash and the entry's position + 1.
    private var slots: [UInt64]
    private var entries: [Entry] = []
    private var mask: Int
    private let arena: ByteArena

    var count: Int { entries.count }

    init(arena: ByteArena, capacity: Int = 64) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: 0, count: size)
        mask = size - 1
        self.arena = arena
    }

    /// A table of these texts, each with its value (the first one, for a text given twice), its keys in an
    /// arena of its own.
    init(texts entries: [(String, Value)]) {
        self.init(arena: ByteArena(), capacity: entries.count)
        for (text, value) in entries {
            let key = Array(text.utf8)
            key.withUnsafeBufferPointer { key in
                if self[key] == nil { set(value, for: key) }
            }
        }
    }

    private static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(bytes: UnsafeRawBufferPointer(key))
        return UInt64(UInt(bitPattern: hasher.finalize()))
    }

    /// The slot holding `key`, or the empty slot where it would go.
    private func find(_ key: UnsafeBufferPointer<UInt8>, _ hash: UInt64) -> Int {
        let tag = hash >> 32
        var i = Int(truncatingIfNeeded: hash) & mask
        while slots[i] != 0 {
            if slots[i] >> 32 == tag && ByteKeyedTable.same(entries[Int(slots[i] & 0xFFFF_FFFF) - 1].key, key) { return i }
            i = (i + 1) & mask
        }
        return i
    }

    static func same(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        guard let pa = a.baseAddress, let pb = b.baseAddress else { return true }
        return memcmp(pa, pb, a.count) == 0
    }

    subscript(key: UnsafeBufferPointer<UInt8>) -> Value? {
        let slot = slots[find(key, ByteKeyedTable.hash(key))]
        return slot == 0 ? nil : entries[Int(slot & 0xFFFF_FFFF) - 1].value
    }

    /// Sets the value of `key` (the key's bytes are copied on first insertion).
    mutating func set(_ value: Value, for key: UnsafeBufferPointer<UInt8>) {
        let hash = ByteKeyedTable.hash(key)
        let i = find(key, hash)
        if slots[i] != 0 {
            entries[Int(slots[i] & 0xFFFF_FFFF) - 1].value = value
            return
        }
        entries.append(Entry(key: arena.copy(key), value: value))
        slots[i] = (hash >> 32) << 32 | UInt64(entries.count)
        if entries.count * 2 > slots.count { grow() }
    }

    /// Twice the slots, filled again from the entries (each hashed again: no hash is kept whole).
    private mutating func grow() {
        slots = Array(repeating: 0, count: slots.count * 2)
        mask = slots.count - 1
        for (position, entry) in entries.enumerated() {
            let hash = ByteKeyedTable.hash(entry.key)
            var i = Int(truncatingIfNeeded: hash) & mask
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = (hash >> 32) << 32 | UInt64(position + 1)
        }
    }
}
