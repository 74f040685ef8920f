import RelanceCore

/// Where an actual payment day fell in the forecast made for it: the forecast's probability of a payment
/// strictly before that day, and on or before it. Forecasts are in whole days, so an actual day carries a
/// band of levels, not one (the randomised PIT of Czado, Gneiting and Held, 2009).
public struct PIT: Sendable, Hashable {
    public var below: Double
    public var upTo: Double

    public init(below: Double, upTo: Double) {
        self.below = below
        self.upTo = upTo
    }

    /// The share of this band inside the levels `low…high`: 1 when the whole band is inside. For a
    /// calibrated forecast its mean over many cases is `high − low`. A payment before the law's first day
    /// or after its last (a band of width 0 at level 0 or 1) is outside.
    public func share(inside low: Double, _ high: Double) -> Double {
        let width = upTo - below
        guard width > 1e-12 else {
            // A day outside the law (before its first day, after its last) is outside every interval.
            guard upTo > 1e-12 && upTo < 1 - 1e-12 else { return 0 }
            return (low...high).contains(upTo) ? 1 : 0
        }
        return max(0, min(upTo, high) - max(below, low)) / width
    }
}

extension PaymentForecast {
    /// Where `actual` fell in this forecast.
    public func pit(of actual: CivilDate) -> PIT {
        PIT(below: distribution.cdf(actual.adding(days: -1)), upTo: distribution.cdf(actual))
    }
}

/// Re-calibrates the levels of the 80% interval on a model's own past: the levels `a`, `b` such that
/// 10% of past payments fell below level `a` of their forecasts and 10% above level `b` (with day bands
/// spread evenly over their levels). A model that is too sure of itself (too narrow) gets levels further
/// out; one too cautious gets levels closer in. The forecast's law is kept; only the interval's ends move.
public struct IntervalCalibration: Sendable, Codable, Equatable {
    public var low: Double
    public var high: Double

    /// Past cases needed before the levels move from 0.1 and 0.9.
    public static let minimumCases = 30

    /// How many of the latest past cases count (behaviour drifts; the latest say most).
    public static let window = 300

    public static let identity = IntervalCalibration(low: 0.1, high: 0.9)

    public init(low: Double, high: Double) {
        self.low = low
        self.high = high
    }

    /// From the PITs of past forecasts whose invoices are settled.
    public init(pits: [PIT]) {
        guard pits.count >= IntervalCalibration.minimumCases else { self = .identity; return }
        // G(p): the share of past payments at or below level p of their forecasts.
        func g(_ p: Double) -> Double {
            pits.reduce(0) { acc, x in
                let width = x.upTo - x.below
                if width <= 1e-12 { return acc + (x.upTo <= p ? 1 : 0) }
                return acc + min(1, max(0, (p - x.below) / width))
            }
            / Double(pits.count)
        }
        // G⁻¹ by bisection (G is non-decreasing in p).
        func inverse(_ target: Double) -> Double {
            var lo = 0.0, hi = 1.0
            for _ in 0..<40 {
                let mid = (lo + hi) / 2
                if g(mid) < target { lo = mid } else { hi = mid }
            }
            return hi
        }
        self.init(low: inverse(0.1), high: inverse(0.9))
    }

    /// The forecast with its interval at the calibrated levels.
    public func apply(to forecast: PaymentForecast) -> PaymentForecast {
        var f = forecast
        f.intervalLevels = (low, high)
        return f
    }
}

extension IntervalCalibration {
    /// The levels learned from a book's recently settled invoices, forecast again `days` before their due
    /// date with today's model: an approximation of the backtest's calibration (today's model has seen
    /// those payments, so it is a little too kind to itself), cheap enough for every forecast.
    public static func fromRecentRoutes(graph: OrgGraph, model: any DwellModel, invoices: [Invoice], events: [String: [InvoiceEvent]],
                                        habit: PaymentHabit, days: Int = 10, limit: Int = IntervalCalibration.window) -> IntervalCalibration {
        let engine = PositionEngine(graph: graph, model: model)
        let settled = invoices.filter { $0.kind == .invoice && $0.settledOn != nil }
            .sorted { ($0.settledOn ?? $0.issueDate, $0.id) < ($1.settledOn ?? $1.issueDate, $1.id) }
            .suffix(limit)
        let pits = Array(settled).concurrentMap { inv -> PIT? in
            let point = inv.dueDate.adding(days: -days)
            guard let paid = inv.settledOn, paid >= point, point >= inv.issueDate else { return nil }
            let position = engine.position(of: inv.known(on: point), events: events[inv.id] ?? [], asOf: point)
            return RouteForecaster().forecast(position, habit: habit)?.pit(of: paid)
        }
        return IntervalCalibration(pits: pits.compactMap { $0 })
    }
}
