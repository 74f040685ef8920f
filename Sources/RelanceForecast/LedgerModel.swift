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
/// Days-to-settle of a customer's undisputed invoices sent through the same channel (their median, the
/// estimate that minimises the mean absolute error); with fewer than three of them, the other channel's
/// median moved by the portfolio's channel effect, blended with what there is; for a new customer, the
/// portfolio's median for the channel. A dispute known at the forecast date adds the portfolio's dispute
/// effect. The interval comes from the model's own past errors (conformal prediction): the spread of
/// the residuals of earlier forecasts whose invoices have since been settled.
public final class LedgerModel {
    /// Settled invoices by customer, in the order they became known.
    private var byCustomer: [String: [LedgerInvoice]] = [:]
    private var all: [LedgerInvoice] = []
    private var residuals: [Bool: [Int]] = [false: [], true: []]
    private var cachedAt = -1
    private var channelShift: [String: Double] = [:]
    private var disputeUplift = 10.0
    private var channelMedians: [String: Double] = [:]
    private var globalMedian = 30.0

    /// Same-channel invoices needed before they alone make the estimate; below that, they are blended with
    /// the other channel's estimate, which weighs as much as `otherChannelWeight` invoices. Both were chosen
    /// on a validation window before the IBM sample's test split (invoices issued 2013-01-01 to 2013-07-11,
    /// forecast with what was settled before each): see docs/forecasting.md.
    public static let minimumSameChannel = 4
    public static let otherChannelWeight = 6.0

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
        var perChannel: [String: [Int]] = [:]
        for i in undisputed { if let d = i.daysToSettle { perChannel[i.channel ?? "", default: []].append(d) } }
        channelMedians = perChannel.compactMapValues { median($0) }
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
        let history = (byCustomer[i.customer] ?? []).filter { $0.disputedFrom == nil }
        let channel = i.channel ?? ""
        let same = history.filter { ($0.channel ?? "") == channel }.compactMap(\.daysToSettle)
        let other = history.filter { ($0.channel ?? "") != channel }
        var base: Double
        var why: String
        var fromOther: Double?
        // The customer's other channel (the one it used most), moved by the portfolio's channel effect.
        let otherChannels = Dictionary(grouping: other, by: { $0.channel ?? "" })
        if let (oc, list) = otherChannels.max(by: { $0.value.count < $1.value.count }), let m = trimmedMean(list.compactMap(\.daysToSettle)) {
            fromOther = m + (channelShift["\(channel)|\(oc)"] ?? 0)
        }
        if same.count >= LedgerModel.minimumSameChannel || (!same.isEmpty && fromOther == nil) {
            base = trimmedMean(same) ?? globalMedian
            why = "customer's median \(Int(base.rounded())) days over \(same.count) invoice\(same.count == 1 ? "" : "s")" + (channel.isEmpty ? "" : " (\(channel))")
        } else if let fromOther {
            let w = LedgerModel.otherChannelWeight
            base = same.isEmpty ? fromOther : (fromOther * w + Double(same.reduce(0, +))) / (w + Double(same.count))
            why = "customer's other channel, moved by the portfolio's channel effect"
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
func trimmedMean(_ xs: [Int]) -> Double? {
    guard !xs.isEmpty else { return nil }
    let s = xs.sorted()
    let cut = Int(Double(s.count) * 0.1)
    let kept = s[cut..<(s.count - cut)]
    return Double(kept.reduce(0, +)) / Double(kept.count)
}
