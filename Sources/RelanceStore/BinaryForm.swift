import Foundation

/// Bytes written little-endian, without padding, for the store's binary forms (``ModelBinary``,
/// ``OpenBookBinary``): `str` is a `u32` byte count then UTF-8, `f64` an IEEE 754 double's bits (values
/// come back exactly as written).
struct BinaryWriter {
    private(set) var bytes: [UInt8] = []

    init(magic: [UInt8]) { bytes = magic }

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u32(_ v: Int) { u32(UInt32(truncatingIfNeeded: v)) }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }
    mutating func i32(_ v: Int32) { u32(UInt32(bitPattern: v)) }
    mutating func f64(_ v: Double) { u64(v.bitPattern) }
    mutating func str(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            u32(utf8.count)
            bytes.append(contentsOf: utf8)
        }
    }

    var data: Data { Data(bytes) }
}

/// Reads what ``BinaryWriter`` wrote; every read checks the bytes left and throws
/// ``StoreError/corrupt(_:)`` as "`subject` does not read (byte N): reason".
struct BinaryReader {
    let raw: UnsafeRawBufferPointer
    /// What the bytes are, for errors: "the stored model of metalux on 2026-11-27".
    let subject: String
    var offset = 0

    init(raw: UnsafeRawBufferPointer, subject: String, magic: [UInt8]) throws {
        self.raw = raw
        self.subject = subject
        guard raw.count >= magic.count, raw.prefix(magic.count).elementsEqual(magic) else {
            throw corrupt("does not start with \(String(decoding: magic, as: UTF8.self))")
        }
        offset = magic.count
    }

    func corrupt(_ reason: String) -> StoreError { .corrupt("\(subject) does not read (byte \(offset)): \(reason)") }

    var bytesLeft: Int { raw.count - offset }

    mutating func take(_ n: Int) throws -> Int {
        guard n >= 0, n <= raw.count - offset else { throw corrupt("cut short") }
        defer { offset += n }
        return offset
    }
    mutating func u8() throws -> UInt8 { raw[try take(1)] }
    mutating func u32() throws -> UInt32 { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: try take(4), as: UInt32.self)) }
    mutating func u64() throws -> UInt64 { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: try take(8), as: UInt64.self)) }
    mutating func i64() throws -> Int64 { Int64(bitPattern: try u64()) }
    mutating func i32() throws -> Int32 { Int32(bitPattern: try u32()) }
    mutating func f64() throws -> Double { Double(bitPattern: try u64()) }
    /// A count of items that follow, each at least `itemBytes` long: no more than the bytes left allow.
    mutating func count(itemBytes: Int = 1) throws -> Int {
        let n = Int(try u32())
        guard n <= bytesLeft / max(itemBytes, 1) else { throw corrupt("a count of \(n) with \(bytesLeft) bytes left") }
        return n
    }
    mutating func str() throws -> String {
        let n = Int(try u32())
        let start = try take(n)
        let bytes = UnsafeRawBufferPointer(rebasing: raw[start..<start + n])
        // ASCII (most texts) is valid UTF-8 as it is: made without the generic validation.
        if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes.assumingMemoryBound(to: UInt8.self), as: UTF8.self) }
        guard let s = String(validating: bytes, as: UTF8.self) else { throw corrupt("a text that is not UTF-8") }
        return s
    }
    /// Throws unless every byte was read.
    func end() throws {
        guard offset == raw.count else { throw corrupt("\(raw.count - offset) bytes left over") }
    }
}
