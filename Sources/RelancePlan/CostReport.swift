import Foundation
import RelanceCore

/// The cost of following a customer up against what it saved, over a period.
public struct CostLine: Sendable, Hashable, Codable {
    public var group: String
    public var customer: String
    public var calls: Int
    public var letters: Int
    public var visits: Int
    public var salesRequests: Int
    /// calls × call cost + letters × letter cost + visits × visit cost.
    public var effort: Money
    /// Invoices followed up and paid in the period, and the days they were paid ahead of their forecast.
    public var invoicesPaid: Int
    public var daysGained: Int
    /// Σ days gained × amount × financing rate / 365.
    public var saved: Money
    public var net: Money { saved - effort }
}

/// `relance report cost`: effort from the follow-up log, gain from payments earlier than forecast.
public enum CostReport {
    /// Lines per customer for actions from `from` to `to` (included). The gain of an invoice is measured
    /// against the median payment date forecast at its first follow-up action in the period: paid that
    /// many days earlier (never less than zero) × its amount × the financing rate / 365.
    public static func compute(log: [FollowUpRecord], invoices: [String: Invoice], policies: [String: FollowUpPolicy], names: [String: String],
                               from: CivilDate, to: CivilDate) -> [CostLine] {
        var lines: [String: CostLine] = [:]
        var firstForecast: [String: (group: String, day: CivilDate, p50: CivilDate)] = [:]
        for r in log where r.day >= from && r.day <= to {
            let policy = policies[r.group] ?? FollowUpPolicy()
            var l = lines[r.group] ?? CostLine(group: r.group, customer: names[r.group] ?? r.group, calls: 0, letters: 0, visits: 0, salesRequests: 0,
                                               effort: .zero("EUR"), invoicesPaid: 0, daysGained: 0, saved: .zero("EUR"))
            switch r.kind {
            case .call: l.calls += 1; l.effort = l.effort + policy.callCost
            case .letter: l.letters += 1; l.effort = l.effort + policy.letterCost
            case .visit: l.visits += 1; l.effort = l.effort + policy.visitCost
            case .salesRep: l.salesRequests += 1
            }
            lines[r.group] = l
            for (inv, p50) in r.forecastP50 where firstForecast[inv].map({ r.day < $0.day }) ?? true {
                firstForecast[inv] = (r.group, r.day, p50)
            }
        }
        for (id, f) in firstForecast.sorted(by: { $0.key < $1.key }) {
            guard let inv = invoices[id], let paid = inv.settledOn, paid <= to, var l = lines[f.group] else { continue }
            let days = max(0, paid.days(to: f.p50))
            let policy = policies[f.group] ?? FollowUpPolicy()
            l.invoicesPaid += 1
            l.daysGained += days
            l.saved = l.saved + simpleInterest(inv.amount, ratePercent: policy.financingRatePercent, days: days)
            lines[f.group] = l
        }
        return lines.values.sorted { ($0.net, $1.group) > ($1.net, $0.group) }
    }
}
