import Foundation
import RelanceCore

/// The binary form of a stored dwell model (`dwell_model.model_binary`, migration v10), read by every
/// forecast instead of the JSON in `dwell_model.model`: decoding a model's JSON took about half a
/// millisecond, 7% of a portfolio's forecast. The JSON stays the readable form (`relance learn --list`
/// reads it, `sqlite3` shows it); both are written together and say the same.
///
/// Layout, little-endian, no padding (`str` is a `u32` byte count then UTF-8; `f64` an IEEE 754 double's
/// bits, so masses come back exactly as saved):
///
/// ```
/// "RDM1"  u64 minimumObservations
/// u32 n   n × (str group|action, f64 share reported)          sorted by key
/// u32 n   n × (str department, str action, u8 flags,           sorted by department, then action
///              [i64 completed, i64 censored] if flags & 1,
///              [u32 m, m × f64 mass] if flags & 2)
/// ```
enum ModelBinary {
    static let magic = Array("RDM1".utf8)

    static func encode(_ model: LearnedDwellModel) -> Data {
        var out = Data(magic)
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { out.append(contentsOf: $0) } }
        func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func str(_ s: String) { let b = Array(s.utf8); u32(b.count); out.append(contentsOf: b) }
        u64(UInt64(bitPattern: Int64(model.minimumObservations)))
        u32(model.reporting.count)
        for (key, share) in model.reporting.sorted(by: { $0.key < $1.key }) { str(key); u64(share.bitPattern) }
        let keys = Set(model.laws.keys).union(model.counts.keys).sorted()
        u32(keys.count)
        for key in keys {
            str(key.department)
            str(key.action.rawValue)
            let counts = model.counts[key], law = model.laws[key]
            out.append((counts == nil ? 0 : 1) | (law == nil ? 0 : 2))
            if let counts {
                u64(UInt64(bitPattern: Int64(counts.completed)))
                u64(UInt64(bitPattern: Int64(counts.censored)))
            }
            if let law {
                u32(law.mass.count)
                for m in law.mass { u64(m.bitPattern) }
            }
        }
        return out
    }

    /// The model in `bytes`; throws ``StoreError/corrupt(_:)`` naming `what` (the group and day) when they
    /// do not read: cut short, an unknown action, a law that is not one, a step given twice, bytes left over.
    static func decode(_ bytes: Data, what: String) throws -> LearnedDwellModel {
        try bytes.withUnsafeBytes { raw in
            var r = Reader(raw: raw, what: what)
            guard raw.count >= magic.count, Array(raw.prefix(magic.count)) == magic else { throw r.corrupt("does not start with RDM1") }
            r.offset = magic.count
            guard let minimum = Int(exactly: Int64(bitPattern: try r.u64())) else { throw r.corrupt("minimum out of range") }
            var model = LearnedDwellModel(minimumObservations: minimum)
            let reported = try r.count()
            model.reporting.reserveCapacity(reported)
            for _ in 0..<reported {
                let key = try r.str()
                guard model.reporting.updateValue(Double(bitPattern: try r.u64()), forKey: key) == nil else { throw r.corrupt("\(key) reported twice") }
            }
            for _ in 0..<(try r.count()) {
                let department = try r.str(), actionName = try r.str()
                guard let action = StepAction(rawValue: actionName) else { throw r.corrupt("unknown action '\(actionName)'") }
                let key = LearnedDwellModel.Key(department: department, action: action)
                guard model.laws[key] == nil, model.counts[key] == nil else { throw r.corrupt("\(department) \(actionName) given twice") }
                let flags = try r.u8()
                if flags & 1 != 0 {
                    let completed = Int64(bitPattern: try r.u64()), censored = Int64(bitPattern: try r.u64())
                    guard let c = Int(exactly: completed), let n = Int(exactly: censored) else { throw r.corrupt("counts out of range") }
                    model.counts[key] = (c, n)
                }
                if flags & 2 != 0 {
                    let n = try r.count()
                    guard n <= DwellDistribution.horizon + 1, r.offset + 8 * n <= raw.count else { throw r.corrupt("a law of \(n) masses") }
                    var mass = [Double](repeating: 0, count: n)
                    for i in 0..<n { mass[i] = Double(bitPattern: try r.u64()) }
                    guard let law = DwellDistribution(stored: mass) else { throw r.corrupt("the law of \(department) \(actionName) is not one") }
                    model.laws[key] = law
                }
            }
            guard r.offset == raw.count else { throw r.corrupt("\(raw.count - r.offset) bytes left over") }
            return model
        }
    }

    private struct Reader {
        let raw: UnsafeRawBufferPointer
        let what: String
        var offset = 0

        func corrupt(_ reason: String) -> StoreError { .corrupt("the stored model of \(what) does not read (byte \(offset)): \(reason)") }

        mutating func take(_ n: Int) throws -> Int {
            guard n >= 0, offset + n <= raw.count else { throw corrupt("cut short") }
            defer { offset += n }
            return offset
        }
        mutating func u8() throws -> UInt8 { raw[try take(1)] }
        mutating func u32() throws -> UInt32 { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: try take(4), as: UInt32.self)) }
        mutating func u64() throws -> UInt64 { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: try take(8), as: UInt64.self)) }
        /// A count of items that follow, each at least a byte: no larger than the bytes left.
        mutating func count() throws -> Int {
            let n = Int(try u32())
            guard n <= raw.count - offset else { throw corrupt("a count of \(n) with \(raw.count - offset) bytes left") }
            return n
        }
        mutating func str() throws -> String {
            let n = Int(try u32())
            let start = try take(n)
            guard let s = String(validating: UnsafeRawBufferPointer(rebasing: raw[start..<start + n]), as: UTF8.self) else {
                throw corrupt("a name that is not UTF-8")
            }
            return s
        }
    }
}
