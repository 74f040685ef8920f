import Foundation

/// How long something takes, in whole working days: a probability for each number of days 0…`horizon`,
/// the last bin holding everything longer. Used for the time an invoice or an approval spends at a step,
/// and for sums of steps (convolution) and joins (maximum of independent branches).
public struct DwellDistribution: Hashable, Sendable {
    /// The largest number of working days represented; longer durations sit in this last bin.
    public static let horizon = 160

    /// `mass[d]` = P(duration = d working days); sums to 1.
    public private(set) var mass: [Double]

    public init(mass: consuming [Double]) {
        // Copied only when longer than the horizon; normalised in place (every distribution made goes
        // through here: the fewer arrays, the faster positions are). The array is taken, not borrowed: a
        // caller's array made for the law and not used after is moved in, so normalising it in place does
        // not copy it first (borrowed, it was copied on the first write, at every law made).
        var m = mass
        if m.count > DwellDistribution.horizon + 1 {
            let all = m
            m = Array(all.prefix(DwellDistribution.horizon + 1))
            m[m.count - 1] += all[m.count...].reduce(0, +)
        }
        if m.isEmpty { m = [1] }
        let total = m.reduce(0, +)
        guard total > 0 else { self.mass = [1]; return }
        // Dividing by exactly 1 changes no mass (x / 1 is x): points, shifts and most laws made from
        // normalised ones skip the divisions, which were half of this initialiser's time.
        if total != 1 {
            m.withUnsafeMutableBufferPointer { b in
                for i in b.indices { b[i] /= total }
            }
        }
        // Trim the negligible tail (keeping its mass in the last bin kept): convolutions stay short.
        var keep = m.count
        var tail = 0.0
        while keep > 1 && tail + m[keep - 1] < 1e-9 {
            tail += m[keep - 1]
            keep -= 1
        }
        if keep < m.count {
            m.removeLast(m.count - keep)
            m[keep - 1] += tail
        }
        self.mass = m
    }

    /// Exactly `days`.
    public static func point(_ days: Int) -> DwellDistribution {
        points[min(max(days, 0), horizon)]
    }

    /// Every certain duration, made once: a position asks for several (today, each done step's day), and
    /// each was an array of up to 161 masses allocated and summed. They are the laws `DwellDistribution(mass:)`
    /// makes of zeros and a final 1 (a total of exactly 1, nothing to trim), so the same values.
    private static let points: [DwellDistribution] = (0...horizon).map { days in
        var m = Array(repeating: 0.0, count: days + 1)
        m[days] = 1
        return DwellDistribution(mass: m)
    }

    /// A log-normal law with the given median (working days) and log-scale spread, discretised by rounding
    /// up (a step started today and done within the day took 0 days). The prior for a step whose route says
    /// "expected 3 days": median 3, spread 0.6 (P90 ≈ 2.2 × median).
    public static func logNormal(median: Double, sigma: Double = 0.6) -> DwellDistribution {
        guard median > 0 else { return .point(0) }
        return logNormals.value(for: SIMD2(median, sigma)) { computeLogNormal(median: median, sigma: sigma) }
    }

    /// Log-normal laws already discretised, by (median, spread), for the whole process: priors are asked for
    /// at every step of every position, and each costs 161 evaluations of Φ.
    private static let logNormals = Memo<SIMD2<Double>, DwellDistribution>(limit: 10_000)

    static func computeLogNormal(median: Double, sigma: Double) -> DwellDistribution {
        let mu = log(median)
        var m = Array(repeating: 0.0, count: horizon + 1)
        var previous = 0.0
        for d in 0...horizon {
            let cdf = d == horizon ? 1 : normalCDF((log(Double(d) + 0.5) - mu) / sigma)
            m[d] = max(0, cdf - previous)
            previous = cdf
        }
        return DwellDistribution(mass: m)
    }

    /// The Kaplan–Meier estimate from completed durations and right-censored ones (still running after
    /// that many days). Mass left beyond the longest completed duration continues geometrically, at the
    /// daily hazard of all the observations (completions over days at risk); what outlasts the horizon
    /// goes to the last bin.
    ///
    /// With `extrapolating` false, that mass stays in the last bin: what a report needs, where a median
    /// beyond the longest completion is "not reached" rather than extrapolated.
    public static func kaplanMeier(completed: [Int], censored: [Int], extrapolating: Bool = true) -> DwellDistribution? {
        guard !completed.isEmpty else { return nil }
        return kaplanMeier(deaths: histogram(completed), censored: histogram(censored), extrapolating: extrapolating)
    }

    /// Kaplan–Meier when the events may have missed the end of a step: each completion is reported with
    /// probability `reportingRate`, so a step that is silent after *t* days is either still running or
    /// ended unreported. Expectation–maximisation: under the current law, a silent observation is still
    /// running with probability S(t) / (S(t) + (1 − r)·F(t)) (a censoring at *t*), and otherwise ended on a
    /// day ≤ *t* in proportion to the law's mass there (fractional deaths); the law is re-estimated from
    /// those weights until it stops moving. With every completion reported (r = 1) it is the plain
    /// estimate. Without it, a log where one completion in six goes unreported would read every such
    /// invoice as a step still running, and its open invoices would give the law a long false tail.
    public static func kaplanMeier(completed: [Int], censored: [Int], reportingRate r: Double,
                                   tolerance: Double = 1e-10, maximumIterations: Int = 300) -> DwellDistribution? {
        guard !completed.isEmpty else { return nil }
        let deaths = histogram(completed)
        let silent = histogram(censored)
        var law = kaplanMeier(deaths: deaths, censored: silent)
        let unreported = max(0, min(1, 1 - r))
        guard unreported > 0, !censored.isEmpty else { return law }
        let silentDays = silent.indices.filter { silent[$0] > 0 }
        for _ in 0..<maximumIterations {
            let cdf = law.cumulative
            var stillRunning = Array(repeating: 0.0, count: horizon + 1)
            // share[t]: the weight of silent observations at t that ended unreported, per unit of F(t).
            var share = Array(repeating: 0.0, count: horizon + 2)
            for t in silentDays {
                let f = t < cdf.count ? cdf[t] : 1
                let s = max(0, 1 - f)
                let ended = unreported * f
                guard s + ended > 1e-300 else { stillRunning[t] += silent[t]; continue }
                let w = s / (s + ended)
                stillRunning[t] += silent[t] * w
                if f > 1e-300 { share[t] += silent[t] * (1 - w) / f }
            }
            // An observation silent at t that ended unreported ended on day d ≤ t with weight mass[d]: the
            // deaths at d gather the shares of every t ≥ d.
            var weighted = deaths
            var suffix = 0.0
            for d in stride(from: horizon, through: 0, by: -1) {
                suffix += share[d]
                if d < law.mass.count { weighted[d] += law.mass[d] * suffix }
            }
            let next = kaplanMeier(deaths: weighted, censored: stillRunning)
            let nextCDF = next.cumulative
            // Beyond its last bin a law's CDF is 1.
            var moved = 0.0
            for d in 0..<max(nextCDF.count, cdf.count) {
                let a: Double = d < nextCDF.count ? nextCDF[d] : 1
                let b: Double = d < cdf.count ? cdf[d] : 1
                moved = max(moved, abs(a - b))
            }
            law = next
            if moved < tolerance { break }
        }
        return law
    }

    /// Counts per day, days clamped to 0…horizon.
    static func histogram(_ days: [Int]) -> [Double] {
        var h = Array(repeating: 0.0, count: horizon + 1)
        for d in days { h[min(max(d, 0), horizon)] += 1 }
        return h
    }

    /// Kaplan–Meier from (possibly fractional) deaths and censorings per day: censored at d means known
    /// to last at least d days, so they leave the risk set after the deaths at d.
    static func kaplanMeier(deaths: [Double], censored: [Double], extrapolating: Bool = true) -> DwellDistribution {
        var atRisk = deaths.reduce(0, +) + censored.reduce(0, +)
        var survival = 1.0
        var m = Array(repeating: 0.0, count: horizon + 1)
        for d in 0...horizon {
            let dying = deaths[d]
            if atRisk > 1e-12 && dying > 0 {
                let next = survival * max(0, 1 - dying / atRisk)
                m[d] = survival - next
                survival = next
            }
            atRisk -= dying + censored[d]
        }
        // Beyond the longest completion the estimate says nothing of the shape, only how much is left
        // (the steps still running there). That mass continues at the pace the observations show on
        // average, the geometric law's constant daily hazard: completions over days at risk.
        if extrapolating, survival > 1e-12, let last = deaths.lastIndex(where: { $0 > 0 }), last < horizon {
            var completions = 0.0, daysAtRisk = 0.0
            for d in 0...horizon {
                completions += deaths[d]
                daysAtRisk += (deaths[d] + censored[d]) * Double(d)
            }
            let hazard = min(1, completions / max(completions + daysAtRisk, 1e-12))
            var left = survival
            for d in (last + 1)..<horizon where left > 1e-12 {
                m[d] = left * hazard
                left -= m[d]
            }
            survival = left
        }
        m[horizon] += survival
        return DwellDistribution(mass: m)
    }

    /// P(duration ≤ d) for every d of the law.
    var cumulative: [Double] {
        var acc = 0.0
        return mass.map { acc += $0; return acc }
    }

    /// P(duration ≤ days).
    public func cdf(_ days: Int) -> Double {
        guard days >= 0 else { return 0 }
        return mass.prefix(days + 1).reduce(0, +)
    }

    /// The smallest d with P(duration ≤ d) ≥ p.
    public func quantile(_ p: Double) -> Int {
        var acc = 0.0
        for (d, x) in mass.enumerated() {
            acc += x
            if acc >= p - 1e-12 { return d }
        }
        return mass.count - 1
    }

    public var median: Int { quantile(0.5) }
    public var mean: Double { mass.enumerated().reduce(0) { $0 + Double($1.offset) * $1.element } }

    /// The law of what remains after `elapsed` days without completion (the law of D − elapsed given D > elapsed).
    /// When the law gives no chance of lasting that long, the remainder is taken as one more day.
    public func remaining(after elapsed: Int) -> DwellDistribution {
        guard elapsed > 0 else { return self }
        // One array, [0] followed by the masses after `elapsed` (summed in the same order as before).
        let from = min(elapsed + 1, mass.count)
        var left = 0.0
        for d in from..<mass.count { left += mass[d] }
        guard left > 1e-12 else { return .point(1) }
        var m = [Double](repeating: 0, count: 1 + mass.count - from)
        for d in from..<mass.count { m[1 + d - from] = mass[d] }
        return DwellDistribution(mass: m)
    }

    /// The law of the sum of two independent durations.
    public func adding(_ other: DwellDistribution) -> DwellDistribution {
        // A certain duration (a point) only shifts the other law.
        if other.mass.last == 1 { return shifted(by: other.mass.count - 1) }
        if mass.last == 1 { return other.shifted(by: mass.count - 1) }
        let n = min(mass.count + other.mass.count - 1, DwellDistribution.horizon + 1)
        var m = Array(repeating: 0.0, count: n)
        m.withUnsafeMutableBufferPointer { out in
            mass.withUnsafeBufferPointer { a in
                other.mass.withUnsafeBufferPointer { b in
                    let last = n - 1
                    // beyond[k] = b[k] + b[k+1] + … + b[count-1], added left to right from k, for the k a
                    // truncated sum starts at (the smallest is last − (a.count − 1)). Worked out together, one
                    // element of b at a time, the additions run side by side instead of one chain per k, and
                    // each sum is made in the same order as before, so the same number.
                    let lowest = Swift.max(0, Swift.min(b.count, last - (a.count - 1)))
                    var beyond = [Double](repeating: 0, count: Swift.max(0, b.count - lowest))
                    beyond.withUnsafeMutableBufferPointer { s in
                        for j in lowest..<b.count {
                            let x = b[j]
                            for k in 0...(j - lowest) { s[k] += x }
                        }
                    }
                    for i in 0..<a.count where a[i] > 0 {
                        let x = a[i]
                        // Sums below the last bin land where they fall; the rest goes to the last bin.
                        let below = Swift.max(0, Swift.min(b.count, last - i))
                        // Through pointers, without an overflow check on i + j, the loop runs on vector
                        // registers (each element computed as before, so the same numbers).
                        if below > 0, let o = out.baseAddress, let bj = b.baseAddress {
                            let shifted = o + i
                            for j in 0..<below { shifted[j] += x * bj[j] }
                        }
                        out[last] += x * (below < b.count ? beyond[below - lowest] : 0)
                    }
                }
            }
        }
        return DwellDistribution(mass: m)
    }

    /// The law moved `days` later (the horizon's bin keeps whatever passes it).
    func shifted(by days: Int) -> DwellDistribution {
        guard days > 0 else { return self }
        var m = [Double](repeating: 0, count: days + mass.count)
        for d in mass.indices { m[days + d] = mass[d] }
        return DwellDistribution(mass: m)
    }

    /// All the mass on the last day: exactly 0 before it, exactly 1 there.
    var isPoint: Bool {
        guard mass.last == 1 else { return false }
        for d in 0..<(mass.count - 1) where mass[d] != 0 { return false }
        return true
    }

    /// The law of the later of two independent finishing times.
    public func maximum(_ other: DwellDistribution) -> DwellDistribution {
        // The later of two certain days is the later day (what the products below give, exactly).
        if isPoint && other.isPoint { return mass.count >= other.mass.count ? self : other }
        let n = max(mass.count, other.mass.count)
        var m = Array(repeating: 0.0, count: n)
        var previous = 0.0, a = 0.0, b = 0.0
        for d in 0..<n {
            if d < mass.count { a += mass[d] }
            if d < other.mass.count { b += other.mass[d] }
            let c = a * b
            m[d] = max(0, c - previous)
            previous = c
        }
        return DwellDistribution(mass: m)
    }
}

/// A law is stored as its array of masses, `[0.5, 0.3, 0.2]`. Decoding keeps the numbers exactly as written
/// (no renormalisation), so that a stored law gives the same positions as the law it was saved from; it
/// refuses an empty array, a negative or non-finite mass, more bins than the horizon allows, or masses
/// whose sum is not 1 (within 1e-9).
extension DwellDistribution: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let mass = try container.decode([Double].self)
        guard let law = DwellDistribution(stored: mass) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a law: \(mass.count) masses summing to \(mass.reduce(0, +))")
        }
        self = law
    }

    /// A stored law, its masses kept exactly as they are (no renormalisation); `nil` for an empty array, a
    /// negative or non-finite mass, more bins than the horizon allows, or masses whose sum is not 1 (within
    /// 1e-9). Every stored form of a law (JSON, the store's binary models) reads through here.
    public init?(stored mass: [Double]) {
        let total = mass.reduce(0, +)
        guard !mass.isEmpty, mass.count <= DwellDistribution.horizon + 1, mass.allSatisfy({ $0.isFinite && $0 >= 0 }), abs(total - 1) < 1e-9 else {
            return nil
        }
        self.mass = mass
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(mass)
    }
}

/// Φ, the standard normal distribution function.
func normalCDF(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }
