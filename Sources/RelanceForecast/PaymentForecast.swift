import RelanceCore

/// A probability for each calendar day from `start` on; the last day holds whatever lies beyond.
public struct DayDistribution: Sendable {
    public var start: CivilDate
    public var mass: [Double]

    /// The array is taken (moved in when the caller does not use it after) and normalised in place.
    public init(start: CivilDate, mass: consuming [Double]) {
        self.start = start
        var m = mass
        let total = m.reduce(0, +)
        if total > 0 {
            // (x / 1 is x: a law that already sums to exactly 1 is kept as it is.)
            if total != 1 {
                m.withUnsafeMutableBufferPointer { b in
                    for i in b.indices { b[i] /= total }
                }
            }
            self.mass = m
        } else {
            self.mass = [1]
        }
    }

    /// All the mass on one day.
    public static func point(_ day: CivilDate) -> DayDistribution { DayDistribution(start: day, mass: [1]) }

    public func quantile(_ p: Double) -> CivilDate {
        var acc = 0.0
        for (i, m) in mass.enumerated() {
            acc += m
            if acc >= p - 1e-9 { return start.adding(days: i) }
        }
        return start.adding(days: mass.count - 1)
    }

    /// P(day ≤ date).
    public func cdf(_ date: CivilDate) -> Double {
        let k = start.days(to: date)
        guard k >= 0 else { return 0 }
        return mass.prefix(k + 1).reduce(0, +)
    }

    /// Mean day offset from `start`.
    public var meanOffset: Double { mass.enumerated().reduce(0) { $0 + Double($1.offset) * $1.element } }

    /// The law given that nothing happened before `date` (the invoice is still unpaid then). When the law
    /// gave no chance of that, everything moves to `date`.
    public func given(notBefore date: CivilDate) -> DayDistribution {
        let k = start.days(to: date)
        guard k > 0 else { return self }
        let tail = Array(mass.dropFirst(k))
        guard tail.reduce(0, +) > 1e-9 else { return .point(date) }
        return DayDistribution(start: date, mass: tail)
    }

    /// A mixture: `self` with weight `w`, `other` with weight 1 − w.
    public func mixed(with other: DayDistribution, weight w: Double) -> DayDistribution {
        let s = min(start, other.start)
        let end = max(start.adding(days: mass.count), other.start.adding(days: other.mass.count))
        var m = Array(repeating: 0.0, count: s.days(to: end))
        for (i, x) in mass.enumerated() { m[s.days(to: start) + i] += w * x }
        for (i, x) in other.mass.enumerated() { m[s.days(to: other.start) + i] += (1 - w) * x }
        return DayDistribution(start: s, mass: m)
    }

    /// The law shifted by `days` calendar days.
    public func shifted(by days: Int) -> DayDistribution { DayDistribution(start: start.adding(days: days), mass: mass) }
}

/// When an invoice will be paid, as a distribution.
public struct PaymentForecast: Sendable {
    public enum Method: String, Sendable, Codable {
        /// From the invoice's position in the customer's route, the departments' dwell laws and the payment runs.
        case route
        /// From the customer's own payment history and the invoice's attributes (a plain ledger).
        case ledger
    }

    public var invoice: String
    public var asOf: CivilDate
    public var dueDate: CivilDate
    public var distribution: DayDistribution
    public var method: Method
    /// Why: "in the run of 2026-12-10 (scheduled)", "approval pending at purchasing", "customer median 23 days".
    public var explanation: String

    /// The levels of the 80% interval's ends: 0.1 and 0.9 unless the model's past errors re-calibrated
    /// them (``IntervalCalibration``).
    public var intervalLevels: (low: Double, high: Double) = (0.1, 0.9)

    /// The 80% interval's ends and the median. P10 and P90 are the quantiles at ``intervalLevels``.
    public init(invoice: String, asOf: CivilDate, dueDate: CivilDate, distribution: DayDistribution, method: Method, explanation: String) {
        self.invoice = invoice
        self.asOf = asOf
        self.dueDate = dueDate
        self.distribution = distribution
        self.method = method
        self.explanation = explanation
    }

    public var p10: CivilDate { distribution.quantile(intervalLevels.low) }
    public var p50: CivilDate { distribution.quantile(0.5) }
    public var p90: CivilDate { distribution.quantile(intervalLevels.high) }
    /// P(paid on or before the due date).
    public var probabilityByDue: Double { distribution.cdf(dueDate) }
    /// Expected days late (days after the due date, 0 when paid on time), in calendar days.
    public var expectedDaysLate: Double {
        // Day i of the law is i − due days after the due date (calendar days: no date made per day).
        let due = distribution.start.days(to: dueDate)
        var late = 0.0
        // From the day after the due date on, in order (the same sum as over every day, skipping the others).
        distribution.mass.withUnsafeBufferPointer { mass in
            guard due + 1 < mass.count else { return }
            for i in max(due + 1, 0)..<mass.count { late += mass[i] * Double(i - due) }
        }
        return late
    }
}
