import RelanceCore

/// One forecast compared with what happened.
public struct BacktestCase: Sendable {
    public var invoice: String
    public var customer: String
    public var forecastDate: CivilDate
    public var actual: CivilDate
    public var forecast: PaymentForecast
    /// The baselines' predicted days: `due`, `due+lateness`, `median-days`.
    public var baselines: [String: CivilDate]
}

/// Scores of one method over a backtest.
public struct MethodScore: Sendable, Codable {
    public var method: String
    /// Mean absolute error of the predicted payment date, in days.
    public var meanAbsoluteError: Double
    /// Share of actual payment dates inside the 80% interval (P10–P90), for methods that give one.
    public var coverage80: Double?
    /// The same share counting each actual day by the part of its band of levels inside the interval
    /// (``PIT/share(inside:_:)``): what "80%" means for forecasts in whole days, where one day may hold
    /// more than 80% of the probability. A calibrated model scores 80% here.
    public var bandCoverage80: Double?
    public var cases: Int
}

/// A backtest's result: the forecasts and the scores of Relance and the baselines.
public struct BacktestReport: Sendable {
    public var cases: [BacktestCase]

    public init(cases: [BacktestCase]) { self.cases = cases }

    public static let baselineNames = ["due", "due+lateness", "median-days"]

    public var scores: [MethodScore] {
        guard !cases.isEmpty else { return [] }
        let n = Double(cases.count)
        var result = [MethodScore(
            method: "relance", meanAbsoluteError: cases.map { Double(abs($0.forecast.p50.days(to: $0.actual))) }.reduce(0, +) / n,
            coverage80: Double(cases.filter { $0.forecast.p10 <= $0.actual && $0.actual <= $0.forecast.p90 }.count) / n,
            bandCoverage80: cases.map { c in
                c.forecast.pit(of: c.actual).share(inside: c.forecast.intervalLevels.low, c.forecast.intervalLevels.high)
            }.reduce(0, +) / n,
            cases: cases.count)]
        for b in BacktestReport.baselineNames {
            let errors = cases.compactMap { c in c.baselines[b].map { Double(abs($0.days(to: c.actual))) } }
            result.append(MethodScore(method: b, meanAbsoluteError: errors.reduce(0, +) / Double(max(errors.count, 1)), coverage80: nil, bandCoverage80: nil, cases: errors.count))
        }
        return result
    }
}

/// What the baselines know: each customer's settled invoices, as days late and days to settle.
struct BaselineHistory {
    private var byCustomer: [String: (late: Int, count: Int, days: [Int])] = [:]
    /// Every customer's days-to-settle, kept sorted, and the portfolio's lateness: a forecast reads medians
    /// without sorting.
    private var allDays: [Int] = []
    private var allLate = 0

    mutating func learn(customer: String, issue: CivilDate, due: CivilDate, settled: CivilDate) {
        var h = byCustomer[customer] ?? (0, 0, [])
        let late = due.days(to: settled), days = issue.days(to: settled)
        h.late += late
        h.count += 1
        h.days.insert(days, at: h.days.insertionIndex(of: days))
        byCustomer[customer] = h
        allDays.insert(days, at: allDays.insertionIndex(of: days))
        allLate += late
    }

    /// The three baselines for an invoice forecast on `date` (never before it): the due date; the due date plus
    /// the customer's average lateness; the issue date plus its median days-to-settle. A customer with no
    /// history gets the portfolio's figures, else no lateness and the terms' days.
    func baselines(customer: String, issue: CivilDate, due: CivilDate, on date: CivilDate) -> [String: CivilDate] {
        let h = byCustomer[customer]
        let meanLate = h.map { Double($0.late) / Double($0.count) } ?? (allDays.isEmpty ? 0 : Double(allLate) / Double(allDays.count))
        let medianDays = h.flatMap { sortedMedian($0.days) } ?? sortedMedian(allDays) ?? Double(issue.days(to: due))
        return ["due": max(due, date), "due+lateness": max(due.adding(days: Int(meanLate.rounded())), date),
                "median-days": max(issue.adding(days: Int(medianDays.rounded())), date)]
    }
}

extension Array where Element == Int {
    /// Where `x` goes to keep the (sorted) array sorted: after the elements equal to it.
    func insertionIndex(of x: Int) -> Int {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if self[mid] <= x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

/// Replays a ledger: each invoice is forecast at its forecast point (its issue date, or some days before
/// its due date) using only the invoices settled strictly before that day, then compared with its actual
/// settlement. The model's own errors feed its intervals only once the invoices are settled.
public enum LedgerBacktest {
    /// - Parameters:
    ///   - point: the day to forecast an invoice (nil: do not forecast it).
    ///   - evaluate: whether a forecast counts in the report (others only warm the model up).
    public static func run(_ invoices: [LedgerInvoice], point: (LedgerInvoice) -> CivilDate?, evaluate: (LedgerInvoice) -> Bool) -> BacktestReport {
        let model = LedgerModel()
        enum Kind: Int { case forecast = 0, settle = 1 }
        var timeline: [(CivilDate, Kind, Int)] = []
        for (i, inv) in invoices.enumerated() {
            if let s = inv.settledOn { timeline.append((s, .settle, i)) }
            if let p = point(inv), inv.settledOn.map({ $0 >= p }) ?? true { timeline.append((p, .forecast, i)) }
        }
        // A settlement is known from the next day on: forecasts of the same day come first.
        timeline.sort { ($0.0, $0.1.rawValue, $0.2) < ($1.0, $1.1.rawValue, $1.2) }
        var predicted: [Int: (p50: CivilDate, disputed: Bool)] = [:]
        var history = BaselineHistory()
        var cases: [BacktestCase] = []
        for (date, kind, i) in timeline {
            let inv = invoices[i]
            switch kind {
            case .settle:
                guard let s = inv.settledOn else { continue }
                model.learn(inv)
                history.learn(customer: inv.customer, issue: inv.issueDate, due: inv.dueDate, settled: s)
                if let p = predicted[i] { model.learnResidual(p.p50.days(to: s), disputed: p.disputed) }
            case .forecast:
                let f = model.forecast(inv, asOf: date)
                predicted[i] = (f.p50, inv.disputedFrom.map { $0 <= date } ?? false)
                guard evaluate(inv), let actual = inv.settledOn else { continue }
                cases.append(BacktestCase(
                    invoice: inv.id, customer: inv.customer, forecastDate: date, actual: actual, forecast: f,
                    baselines: history.baselines(customer: inv.customer, issue: inv.issueDate, due: inv.dueDate, on: date)))
            }
        }
        return BacktestReport(cases: cases)
    }
}
