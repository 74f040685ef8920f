import Foundation
import RelanceCore

/// What the ledger model knows of one invoice.
public struct LedgerInvoice: Sendable {
    public var id: String
    public var customer: String
    public var issueDate: CivilDate
    public var dueDate: CivilDate
    public var channel: String?
    /// The day it was settled, when it was.
    public var settledOn: CivilDate?
    /// The day a dispute became known, when one did.
    public var disputedFrom: CivilDate?

    public init(id: String, customer: String, issueDate: CivilDate, dueDate: CivilDate, channel: String?, settledOn: CivilDate?, disputedFrom: CivilDate?) {
        self.id = id
        self.customer = customer
        self.issueDate = issueDate
        self.dueDate = dueDate
        self.channel = channel
        self.settledOn = settledOn
        self.disputedFrom = disputedFrom
    }

    /// An invoice as the ledger model sees it: a dispute is known from the day of its first `in-dispute` event.
    public init(_ invoice: Invoice, customer: String? = nil, events: [InvoiceEvent]) {
        let zone = TimeZone(identifier: "Europe/Paris") ?? .gmt
        self.init(id: invoice.id, customer: customer ?? invoice.group, issueDate: invoice.issueDate, dueDate: invoice.dueDate,
                  channel: invoice.channel, settledOn: invoice.settledOn,
                  disputedFrom: events.first { $0.state == .inDispute }?.day(in: zone))
    }

    var daysToSettle: Int? { settledOn.map { issueDate.days(to: $0) } }
}

/// Forecasts from payment history alone, for customers whose circuit is unknown (a plain receivables
/// ledger, the usual first import).
///
/// The customer's *level* is the 10%-trimmed mean of the days-to-settle of all its settled invoices, each
/// first moved to the forecast invoice's channel by the portfolio's channel effect and, when it was disputed,
/// back to an undisputed invoice by the portfolio's dispute effect. Pooling both channels and disputed
/// invoices this way gives each customer two to three times the history a same-channel, undisputed-only
/// estimate would have. A dispute known at the forecast date adds the dispute effect back; a new customer
/// gets the portfolio's median. The interval comes from the model's own past errors (conformal
/// prediction): the spread of the residuals of earlier forecasts whose invoices have since been settled.
public final class LedgerModel {
    /// Settled invoices by customer, in the order they became known.
    private var byCustomer: [String: [LedgerInvoice]] = [:]
    private var all: [LedgerInvoice] = []
    private var residuals: [Bool: [Int]] = [false: [], true: []]
    private var cachedAt = -1
    private var channelShift: [String: Double] = [:]
    private var disputeUplift = 10.0
    private var globalMedian = 30.0

    /// How many of the latest residuals make the interval.
    public static let residualWindow = 300

    public init() {}

    /// Learns a settled invoice (call in settlement order; only what was settled before a forecast may be added).
    public func learn(_ invoice: LedgerInvoice) {
        guard invoice.settledOn != nil else { return }
        byCustomer[invoice.customer, default: []].append(invoice)
        all.append(invoice)
    }

    /// Records the error of an earlier forecast once its invoice is settled (actual − predicted, in days).
    public func learnResidual(_ residual: Int, disputed: Bool) {
        residuals[disputed, default: []].append(residual)
    }

    public var historySize: Int { all.count }

    private func refreshPortfolioEffects() {
        // Recomputed as history grows (every new invoice while it is small, every 1% after that).
        guard all.count != cachedAt, all.count < 5_000 || Double(all.count) > Double(cachedAt) * 1.01 else { return }
        cachedAt = all.count
        let undisputed = all.filter { $0.disputedFrom == nil }
        globalMedian = median(undisputed.compactMap(\.daysToSettle)) ?? 30
        // Channel effect: within customers that used both, median difference to the customer's other channel.
        var shifts: [String: [Double]] = [:]
        for (_, list) in byCustomer {
            var perCh: [String: [Int]] = [:]
            for i in list where i.disputedFrom == nil { if let d = i.daysToSettle { perCh[i.channel ?? "", default: []].append(d) } }
            let usable = perCh.filter { $0.value.count >= 2 }
            guard usable.count >= 2 else { continue }
            for (a, da) in usable { for (b, db) in usable where a != b {
                if let ma = median(da), let mb = median(db) { shifts["\(a)|\(b)", default: []].append(ma - mb) }
            } }
        }
        channelShift = shifts.compactMapValues { median($0) }
        // Dispute effect: within customer and channel, disputed minus undisputed median.
        var ups: [Double] = []
        var groups: [String: (d: [Int], u: [Int])] = [:]
        for i in all { if let d = i.daysToSettle {
            let k = "\(i.customer)|\(i.channel ?? "")"
            if i.disputedFrom != nil { groups[k, default: ([], [])].d.append(d) } else { groups[k, default: ([], [])].u.append(d) }
        } }
        for (_, g) in groups where g.d.count >= 1 && g.u.count >= 2 {
            if let a = median(g.d), let b = median(g.u) { ups.append(a - b) }
        }
        disputeUplift = median(ups) ?? 10
    }

    /// The point forecast of days-to-settle, with a short explanation.
    public func pointForecast(_ i: LedgerInvoice, disputed: Bool) -> (days: Double, why: String) {
        refreshPortfolioEffects()
        let channel = i.channel ?? ""
        // Each settled invoice of the customer, moved to this invoice's channel and to "undisputed".
        var levels: [Double] = []
        var channels = Set<String>()
        var disputes = 0
        for h in byCustomer[i.customer] ?? [] {
            guard let d = h.daysToSettle else { continue }
            let hc = h.channel ?? ""
            var x = Double(d)
            if hc != channel { x += channelShift["\(channel)|\(hc)"] ?? 0 }
            if h.disputedFrom != nil { x -= disputeUplift; disputes += 1 }
            channels.insert(hc)
            levels.append(x)
        }
        var base: Double
        var why: String
        if let level = trimmedMean(levels) {
            base = level
            let s = levels.count == 1 ? "" : "s"
            why = "customer's level \(Int(base.rounded())) days over \(levels.count) invoice\(s)"
                + (channel.isEmpty ? "" : " (\(channel)\(channels.subtracting([channel]).isEmpty ? "" : ", other channel moved by the portfolio's channel effect"))")
                + (disputes == 0 ? "" : ", \(disputes) disputed counted without their dispute")
        } else {
            base = globalMedian
            why = "new customer: portfolio median \(Int(base.rounded())) days"
        }
        if disputed {
            base += disputeUplift
            why += ", +\(Int(disputeUplift.rounded())) days for the dispute"
        }
        return (base, why)
    }

    /// The forecast distribution of the settlement day, given the invoice is still open on `asOf`.
    public func forecast(_ i: LedgerInvoice, asOf: CivilDate) -> PaymentForecast {
        let disputed = i.disputedFrom.map { $0 <= asOf } ?? false
        let (days, why) = pointForecast(i, disputed: disputed)
        let p50 = i.issueDate.adding(days: Int(days.rounded()))
        // Spread: the residuals of the latest past forecasts (same dispute class when there are enough);
        // the latest only, since errors shrink as history grows.
        var pool = Array((residuals[disputed] ?? []).suffix(LedgerModel.residualWindow))
        if pool.count < 30 { pool += (residuals[!disputed] ?? []).suffix(LedgerModel.residualWindow) }
        if pool.count < 10 { pool = [-12, -8, -5, -3, -1, 0, 1, 3, 5, 8, 12, 18] }
        // Centred on the point forecast: the median of past errors drifts as history grows.
        let center = Int((median(pool) ?? 0).rounded())
        pool = pool.map { $0 - center }
        let lo = pool.min() ?? 0, hi = pool.max() ?? 0
        var mass = Array(repeating: 0.0, count: hi - lo + 1)
        for r in pool { mass[r - lo] += 1 }
        let dist = DayDistribution(start: p50.adding(days: lo), mass: mass).given(notBefore: max(asOf, i.issueDate))
        return PaymentForecast(invoice: i.id, asOf: asOf, dueDate: i.dueDate, distribution: dist, method: .ledger, explanation: why)
    }
}

func median(_ xs: [Int]) -> Double? { sortedMedian(xs.sorted()) }

/// The median of an already sorted array.
func sortedMedian(_ s: [Int]) -> Double? {
    guard !s.isEmpty else { return nil }
    return s.count % 2 == 1 ? Double(s[s.count / 2]) : Double(s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

func median(_ xs: [Double]) -> Double? {
    guard !xs.isEmpty else { return nil }
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// The mean of the middle 80% (10% trimmed at each end): about as robust as the median against the odd
/// very late payment, and steadier on a few observations, which is what matters with short histories.
func trimmedMean(_ xs: [Double]) -> Double? {
    guard !xs.isEmpty else { return nil }
    let s = xs.sorted()
    let cut = Int(Double(s.count) * 0.1)
    let kept = s[cut..<(s.count - cut)]
    return kept.reduce(0, +) / Double(kept.count)
}
