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
/// file's bytes without making a `String`. Keys are copied into an arena when inserted; open addressing
/// with linear probing, grown at half full. Hashes use the standard library's seeded `Hasher`, so crafted
/// keys cannot make lookups slow.
struct ByteKeyedTable<Value> {
    private struct Slot {
        var hash: Int
        var key: UnsafeBufferPointer<UInt8>
        var value: Value?
    }

    private var slots: [Slot]
    private var mask: Int
    private(set) var count = 0
    private let arena: ByteArena

    init(arena: ByteArena, capacity: Int = 64) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: Slot(hash: 0, key: .empty, value: nil), count: size)
        mask = size - 1
        self.arena = arena
    }

    private static func hash(_ key: UnsafeBufferPointer<UInt8>) -> Int {
        var hasher = Hasher()
        hasher.combine(bytes: UnsafeRawBufferPointer(key))
        return hasher.finalize()
    }

    /// The slot holding `key`, or the empty slot where it would go.
    private func find(_ key: UnsafeBufferPointer<UInt8>, _ hash: Int) -> Int {
        var i = hash & mask
        while slots[i].value != nil {
            if slots[i].hash == hash && ByteKeyedTable.same(slots[i].key, key) { return i }
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
        slots[find(key, ByteKeyedTable.hash(key))].value
    }

    /// Sets the value of `key` (the key's bytes are copied on first insertion).
    mutating func set(_ value: Value, for key: UnsafeBufferPointer<UInt8>) {
        let hash = ByteKeyedTable.hash(key)
        let i = find(key, hash)
        if slots[i].value != nil { slots[i].value = value; return }
        slots[i] = Slot(hash: hash, key: arena.copy(key), value: value)
        count += 1
        if count * 2 > slots.count { grow() }
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: Slot(hash: 0, key: .empty, value: nil), count: old.count * 2)
        mask = slots.count - 1
        for slot in old where slot.value != nil {
            var i = slot.hash & mask
            while slots[i].value != nil { i = (i + 1) & mask }
            slots[i] = slot
        }
    }
}
