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
        var w = BinaryWriter(magic: magic)
        w.i64(Int64(model.minimumObservations))
        w.u32(model.reporting.count)
        for (key, share) in model.reporting.sorted(by: { $0.key < $1.key }) { w.str(key); w.f64(share) }
        let keys = Set(model.laws.keys).union(model.counts.keys).sorted()
        w.u32(keys.count)
        for key in keys {
            w.str(key.department)
            w.str(key.action.rawValue)
            let counts = model.counts[key], law = model.laws[key]
            w.u8((counts == nil ? 0 : 1) | (law == nil ? 0 : 2))
            if let counts {
                w.i64(Int64(counts.completed))
                w.i64(Int64(counts.censored))
            }
            if let law {
                w.u32(law.mass.count)
                for m in law.mass { w.f64(m) }
            }
        }
        return w.data
    }

    /// The model in `bytes`; throws ``StoreError/corrupt(_:)`` naming `what` (the group and day) when they
    /// do not read: cut short, an unknown action, a law that is not one, a step given twice, bytes left over.
    static func decode(_ bytes: Data, what: String) throws -> LearnedDwellModel {
        try bytes.withUnsafeBytes { raw in
            var r = try BinaryReader(raw: raw, subject: "the stored model of \(what)", magic: magic)
            guard let minimum = Int(exactly: try r.i64()) else { throw r.corrupt("minimum out of range") }
            var model = LearnedDwellModel(minimumObservations: minimum)
            let reported = try r.count()
            model.reporting.reserveCapacity(reported)
            for _ in 0..<reported {
                let key = try r.str()
                guard model.reporting.updateValue(try r.f64(), forKey: key) == nil else { throw r.corrupt("\(key) reported twice") }
            }
            for _ in 0..<(try r.count()) {
                let department = try r.str(), actionName = try r.str()
                guard let action = StepAction(rawValue: actionName) else { throw r.corrupt("unknown action '\(actionName)'") }
                let key = LearnedDwellModel.Key(department: department, action: action)
                guard model.laws[key] == nil, model.counts[key] == nil else { throw r.corrupt("\(department) \(actionName) given twice") }
                let flags = try r.u8()
                if flags & 1 != 0 {
                    let completed = try r.i64(), censored = try r.i64()
                    guard let c = Int(exactly: completed), let n = Int(exactly: censored) else { throw r.corrupt("counts out of range") }
                    model.counts[key] = (c, n)
                }
                if flags & 2 != 0 {
                    let n = try r.count(itemBytes: 8)
                    guard n <= DwellDistribution.horizon + 1 else { throw r.corrupt("a law of \(n) masses") }
                    var mass = [Double](repeating: 0, count: n)
                    for i in 0..<n { mass[i] = try r.f64() }
                    guard let law = DwellDistribution(stored: mass) else { throw r.corrupt("the law of \(department) \(actionName) is not one") }
                    model.laws[key] = law
                }
            }
            try r.end()
            return model
        }
    }
}
