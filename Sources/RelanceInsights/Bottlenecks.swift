import RelanceCore

/// Whether a step got slower between the previous window and the recent one.
public enum Trend: String, Sendable {
    case slower, steady, faster
    /// Too few observations in one of the windows to say.
    case unknown = "-"
}

/// How long invoices stay at one department for one kind of step, against the portfolio.
public struct BottleneckRow: Sendable {
    public var group: String
    public var department: String
    public var departmentName: String
    public var site: String
    public var action: StepAction
    /// Observations whose step started in the period: done (dated by events) and still pending.
    public var completed: Int
    public var censored: Int
    /// Kaplan–Meier median and 90th percentile, in working days; `nil` when the median is not reached.
    public var median: Int?
    public var p90: Int?
    /// The portfolio's median for this kind of step (all departments), in working days.
    public var typical: Int?
    /// `median − typical`: the working days this department adds to each invoice passing through it.
    public var daysAdded: Int?
    /// Medians of the steps started in the recent window and in the one before.
    public var recentMedian: Int?
    public var previousMedian: Int?
    public var trend: Trend
    /// Open invoices probably sitting at this step now (pending there with probability ≥ 0.5), and their open amount.
    public var sittingNow: Int
    public var sittingAmount: Amounts
    /// Enough completed observations to rank the department.
    public var ranked: Bool
}

/// Dwell-time distribution per department and step kind, ranked by the days each adds; and the customer
/// structures that cost the most days. See `docs/kpis.md` ("Bottlenecks").
public struct BottleneckReport: Sendable {
    public var period: ReportPeriod
    /// Completed observations a department needs to be ranked.
    public var minimumObservations = 10
    /// Length of the recent window and of the one before it, in calendar days (13 weeks).
    public var trendWindow = 91
    /// Observations each window needs before a trend is stated.
    public var trendMinimum = 5
    /// Change of median, in working days, that counts as slower or faster.
    public var trendThreshold = 1
    /// Probability above which an open invoice is counted as sitting at its pending step.
    public var sittingProbability = 0.5

    public init(period: ReportPeriod) { self.period = period }

    /// The dated observations of the histories (see ``DwellLearner/datedObservations(positions:)``).
    public func observations(_ histories: [CustomerHistory]) -> [DwellObservation] {
        histories.flatMap { DwellLearner().datedObservations(positions: $0.positions) }
    }

    /// The portfolio's typical (median) working days per step kind, over the steps started in the period.
    public func typicalDays(_ observations: [DwellObservation]) -> [StepAction: Int] {
        let inPeriod = observations.filter { period.contains($0.since) }
        return Dictionary(grouping: inPeriod, by: \.action).compactMapValues { BottleneckReport.median(of: $0) }
    }

    /// Rows, the worst first: ranked rows by days added (then open amount sitting there, then department),
    /// then the rows with too few observations.
    public func rows(_ histories: [CustomerHistory]) -> [BottleneckRow] {
        let all = observations(histories)
        let typical = typicalDays(all)
        struct Key: Hashable { var department: String; var action: StepAction }
        let inPeriod = Dictionary(grouping: all.filter { period.contains($0.since) }) { Key(department: $0.department, action: $0.action) }
        let recentStart = period.to.adding(days: -(trendWindow - 1)), previousStart = recentStart.adding(days: -trendWindow)

        // What sits where now.
        var sitting: [Key: (count: Int, amount: Amounts)] = [:]
        for h in histories {
            let credited = Self.credited(h.invoices)
            for p in h.positions where !p.closed && p.invoice.kind == .invoice {
                let open = p.invoice.openAmount(credited: credited[p.invoice.id])
                guard open.minorUnits > 0 else { continue }
                var seen = Set<Key>()
                for s in p.steps where s.status == .pending && s.probabilityHere >= sittingProbability {
                    guard let d = s.department, seen.insert(Key(department: d.id, action: s.step.action)).inserted else { continue }
                    let k = Key(department: d.id, action: s.step.action)
                    sitting[k, default: (0, Amounts())].count += 1
                    sitting[k, default: (0, Amounts())].amount.add(open)
                }
            }
        }

        var departments: [String: (Department, String)] = [:]
        for h in histories { for d in h.graph.departments { departments[d.id] = (d, h.graph.group.id) } }
        let keys = Set(inPeriod.keys).union(sitting.keys)
        let rows = keys.compactMap { k -> BottleneckRow? in
            guard let (d, group) = departments[k.department] else { return nil }
            let obs = inPeriod[k] ?? []
            let completed = obs.filter(\.completed).count
            let law = Self.law(of: obs)
            let median = law.flatMap { Self.reached($0.median) }
            let typicalDays = typical[k.action]
            let recent = obs.filter { $0.since >= recentStart }, previous = obs.filter { $0.since >= previousStart && $0.since < recentStart }
            let recentMedian = Self.median(of: recent), previousMedian = Self.median(of: previous)
            var trend = Trend.unknown
            if let r = recentMedian, let p = previousMedian,
               recent.filter(\.completed).count >= trendMinimum, previous.filter(\.completed).count >= trendMinimum {
                trend = r - p >= trendThreshold ? .slower : p - r >= trendThreshold ? .faster : .steady
            }
            let ranked = completed >= minimumObservations && median != nil && typicalDays != nil
            return BottleneckRow(
                group: group, department: d.id, departmentName: d.name, site: d.site, action: k.action,
                completed: completed, censored: obs.count - completed, median: median,
                p90: law.flatMap { Self.reached($0.quantile(0.9)) }, typical: typicalDays,
                daysAdded: ranked ? median.flatMap { m in typicalDays.map { m - $0 } } : nil,
                recentMedian: recentMedian, previousMedian: previousMedian, trend: trend,
                sittingNow: sitting[k]?.count ?? 0, sittingAmount: sitting[k]?.amount ?? Amounts(), ranked: ranked)
        }
        return rows.sorted { a, b in
            if a.ranked != b.ranked { return a.ranked }
            if (a.daysAdded ?? 0) != (b.daysAdded ?? 0) { return (a.daysAdded ?? 0) > (b.daysAdded ?? 0) }
            if a.sittingAmount.rankingValue != b.sittingAmount.rankingValue { return a.sittingAmount.rankingValue > b.sittingAmount.rankingValue }
            return (a.department, a.action.rawValue) < (b.department, b.action.rawValue)
        }
    }

    // MARK: Helpers

    /// Credit notes' amounts by the invoice they credit.
    static func credited(_ invoices: [Invoice]) -> [String: Money] {
        var credited: [String: Money] = [:]
        for c in invoices where c.kind == .creditNote {
            if let target = c.credits { credited[target] = (credited[target] ?? .zero(c.amount.currency)) + c.amount }
        }
        return credited
    }

    /// The Kaplan–Meier law of observations (censored ones included), `nil` without a completed one. What
    /// outlasts the longest completion stays beyond the horizon: a report does not extrapolate.
    static func law(of observations: [DwellObservation]) -> DwellDistribution? {
        DwellDistribution.kaplanMeier(completed: observations.filter(\.completed).map(\.days),
                                      censored: observations.filter { !$0.completed }.map(\.days), extrapolating: false)
    }

    /// The Kaplan–Meier median, `nil` when there is no completed observation or when it is not reached.
    static func median(of observations: [DwellObservation]) -> Int? { law(of: observations).flatMap { reached($0.median) } }

    /// A quantile that fell in the law's last bin (more than half still running) is not reached.
    static func reached(_ days: Int) -> Int? { days >= DwellDistribution.horizon ? nil : days }
}
