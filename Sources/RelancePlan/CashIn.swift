import Foundation
import RelanceCore
import RelanceForecast

/// Expected receipts in one period (a week from its Monday, or a month from its first day), in major units,
/// with an 80% band that treats invoices as independent: expected ± 1.28 standard deviations.
public struct CashInBucket: Sendable, Hashable {
    public var start: CivilDate
    public var expected: Double
    public var low: Double
    public var high: Double
}

/// The period a cash-in forecast is summed over.
public enum CashInPeriod: String, Sendable, CaseIterable {
    case week, month

    /// The first day of the period that holds `d` (the Monday of its week, the first of its month).
    public func start(of d: CivilDate) -> CivilDate {
        switch self {
        case .week: return d.adding(days: -(Weekday.allCases.firstIndex(of: d.weekday) ?? 0))
        case .month: return CivilDate(year: d.year, month: d.month, day: 1) ?? d
        }
    }
}

/// Spreads each invoice's open amount over its forecast distribution and sums by period. `amounts` gives the
/// open amount of each invoice (forecasts of invoices without one are left out).
public func cashIn(_ forecasts: [PaymentForecast], amounts: [String: Money], by period: CashInPeriod) -> [CashInBucket] {
    var buckets: [CivilDate: (mean: Double, variance: Double)] = [:]
    for f in forecasts {
        guard let money = amounts[f.invoice] else { continue }
        let amount = money.approximateMajorUnits
        var perBucket: [CivilDate: Double] = [:]
        for (k, p) in f.distribution.mass.enumerated() where p > 0 {
            perBucket[period.start(of: f.distribution.start.adding(days: k)), default: 0] += p
        }
        for (b, p) in perBucket {
            let v = buckets[b] ?? (0, 0)
            buckets[b] = (v.mean + amount * p, v.variance + amount * amount * p * (1 - p))
        }
    }
    return buckets.keys.sorted().map { b in
        let v = buckets[b] ?? (0, 0)
        let sd = v.variance.squareRoot()
        return CashInBucket(start: b, expected: v.mean, low: max(0, v.mean - 1.28 * sd), high: v.mean + 1.28 * sd)
    }
}
