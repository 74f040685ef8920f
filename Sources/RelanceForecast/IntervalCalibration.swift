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

    /// The fewest days of past forecasts that count, however many payments they hold: forecasts made the
    /// same day share their payment run, so a busy customer's 300 latest known payments could all be one
    /// or two runs, on time or late together, and the rest of those days' forecasts still open.
    public static let minimumDays = 28

    public static let identity = IntervalCalibration(low: 0.1, high: 0.9)

    public init(low: Double, high: Double) {
        self.low = low
        self.high = high
    }

    /// From past forecasts: the PITs of those whose invoices are settled and, for those still open, the
    /// level their payment is known to lie above (the probability, under that forecast, of a payment before
    /// today). The open ones are right-censored, and the levels' distribution is their Kaplan–Meier estimate.
    /// Leaving them out would keep only the payments that came early enough to be known, and pull both
    /// levels down: in a backtest, the latest 300 settled forecasts lack most of the late payments of the
    /// last few weeks.
    ///
    /// Levels are resolved on a grid of 1/``levelGrid``, bands spread evenly over theirs. When the payments
    /// known cannot say where the top 10% lies (too many still open high up), the high level stays at 0.9.
    public init(pits: [PIT], stillOpenAbove: [Double] = []) {
        guard pits.count >= IntervalCalibration.minimumCases else { self = .identity; return }
        let n = IntervalCalibration.levelGrid
        func bin(_ level: Double) -> Int { min(max(Int(level * Double(n)), 0), n - 1) }
        var deaths = Array(repeating: 0.0, count: n)
        var censored = Array(repeating: 0.0, count: n)
        // A band spreads 1/width per unit of level: its end bins get their share directly, the bins between
        // a constant, added through a running difference (wide bands are the common case: O(1) each).
        var step = Array(repeating: 0.0, count: n + 1)
        let cell = 1 / Double(n)
        for x in pits {
            let width = x.upTo - x.below
            if width <= 1e-12 { deaths[bin(x.upTo)] += 1; continue }
            let first = bin(x.below), last = bin(x.upTo)
            if first == last { deaths[first] += 1; continue }
            deaths[first] += (Double(first + 1) * cell - x.below) / width
            deaths[last] += max(0, x.upTo - Double(last) * cell) / width
            if last > first + 1 {
                step[first + 1] += cell / width
                step[last] -= cell / width
            }
        }
        var running = 0.0
        for k in 0..<n {
            running += step[k]
            deaths[k] += running
        }
        for c in stillOpenAbove { censored[bin(c)] += 1 }
        // G at the top of each bin: 1 − the product-limit survival.
        var g = Array(repeating: 0.0, count: n)
        var atRisk = Double(pits.count + stillOpenAbove.count)
        var survival = 1.0
        for k in 0..<n {
            if atRisk > 1e-12 && deaths[k] > 0 { survival *= max(0, 1 - deaths[k] / atRisk) }
            g[k] = 1 - survival
            atRisk -= deaths[k] + censored[k]
        }
        // G⁻¹, linear within a bin (bands spread evenly).
        func inverse(_ target: Double) -> Double? {
            guard let k = g.firstIndex(where: { $0 >= target - 1e-12 }) else { return nil }
            let below = k == 0 ? 0 : g[k - 1]
            let within = g[k] - below > 1e-15 ? (target - below) / (g[k] - below) : 1
            return (Double(k) + min(max(within, 0), 1)) / Double(n)
        }
        self.init(low: inverse(0.1) ?? IntervalCalibration.identity.low, high: inverse(0.9) ?? IntervalCalibration.identity.high)
    }

    /// The resolution of the calibrated levels.
    public static let levelGrid = 4096

    /// The forecast with its interval at the calibrated levels.
    public func apply(to forecast: PaymentForecast) -> PaymentForecast {
        var f = forecast
        f.intervalLevels = (low, high)
        return f
    }
}

extension IntervalCalibration {
    /// The levels learned from a book's latest invoices that were `days` before their due date by `asOf`,
    /// forecast again at that point with today's model: the latest stretch of them that holds `limit`
    /// payments, those paid giving their PIT and those still open the level they are known to exceed. An
    /// approximation of the backtest's calibration (today's model has seen those payments, so it is a
    /// little too kind to itself), cheap enough for every forecast.
    public static func fromRecentRoutes(graph: OrgGraph, model: any DwellModel, invoices: [Invoice], events: [String: [InvoiceEvent]],
                                        habit: PaymentHabit, asOf: CivilDate, days: Int = 10,
                                        limit: Int = IntervalCalibration.window) -> IntervalCalibration {
        let engine = PositionEngine(graph: graph, model: model)
        let candidates = invoices.filter { i in
            let point = i.dueDate.adding(days: -days)
            return i.kind == .invoice && point >= i.issueDate && point < asOf && (i.settledOn.map { $0 >= point } ?? true)
        }
        .sorted { ($0.dueDate, $0.id) > ($1.dueDate, $1.id) }
        var recent: [Invoice] = []
        var paid = 0
        for i in candidates where paid < limit && recent.count < 4 * limit {
            recent.append(i)
            if let s = i.settledOn, s <= asOf { paid += 1 }
        }
        let outcomes = recent.concurrentMap { inv -> (pit: PIT?, openAbove: Double?) in
            let point = inv.dueDate.adding(days: -days)
            let position = engine.position(of: inv.known(on: point), events: events[inv.id] ?? [], asOf: point)
            guard let forecast = RouteForecaster().forecast(position, habit: habit) else { return (nil, nil) }
            if let paid = inv.settledOn, paid <= asOf { return (forecast.pit(of: paid), nil) }
            return (nil, forecast.distribution.cdf(asOf))
        }
        return IntervalCalibration(pits: outcomes.compactMap(\.pit), stillOpenAbove: outcomes.compactMap(\.openAbove))
    }
}
