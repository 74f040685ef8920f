import Foundation
import RelanceCore

/// What the invoicing delays are computed per.
public enum InvoicingGrouping: String, Sendable, CaseIterable {
    case site
    case salesRep = "sales-rep"
    case customer
}

/// Delivery-to-invoice delays of one site, sales representative or customer.
public struct InvoicingDelayRow: Sendable {
    public var key: String
    public var label: String
    public var group: String?
    /// Invoices issued in the period with a delivery date.
    public var invoices: Int
    /// Calendar days from delivery to issue.
    public var median: Int
    public var p90: Int
    public var mean: Double
    /// Days beyond the target, summed over the invoices (invoice-days).
    public var excessDays: Int
    /// Amount of the invoices issued later than the target.
    public var lateAmount: Amounts
    /// What the days beyond the target cost: amount × excess days × annual rate ÷ 365, rounded to the minor unit.
    public var cost: Amounts
}

/// An invoice our side got wrong before it left.
public struct InvoicingIssue: Sendable {
    public enum Kind: String, Sendable {
        /// Sent to a site where no department processes invoices.
        case addressNotProcessing = "address-not-processing"
        /// Sent elsewhere than the entity's invoice address.
        case notInvoiceAddress = "not-invoice-address"
        /// No purchase-order number, though the entity requires one.
        case missingPurchaseOrder = "missing-purchase-order"
    }

    public var kind: Kind
    public var invoice: Invoice
    public var group: String
    public var detail: String
}

/// Our own side: how long we take to invoice after delivering, and invoices sent wrong.
public struct InvoicingReport: Sendable {
    public var period: ReportPeriod
    public var grouping: InvoicingGrouping
    /// Delay, in calendar days, within which invoicing is on time.
    public var targetDays: Int
    /// Annual financing rate in basis points (400 = 4 %).
    public var rateBasisPoints: Int64

    public init(period: ReportPeriod, grouping: InvoicingGrouping = .site, targetDays: Int = 2, rateBasisPoints: Int64 = 400) {
        self.period = period
        self.grouping = grouping
        self.targetDays = targetDays
        self.rateBasisPoints = rateBasisPoints
    }

    /// The invoices of the period: not credit notes, issued in the period.
    func issued(_ h: CustomerHistory) -> [Invoice] {
        h.invoices.filter { $0.kind == .invoice && period.contains($0.issueDate) }
    }

    /// One row per key, the slowest (highest median, then mean) first.
    public func delays(_ histories: [CustomerHistory]) -> [InvoicingDelayRow] {
        var byKey: [String: (label: String, group: String?, invoices: [(Invoice, Int)])] = [:]
        for h in histories {
            for i in issued(h) {
                guard let delivered = i.deliveryDate else { continue }
                let (key, label, group): (String, String, String?)
                switch grouping {
                case .site: (key, label, group) = (i.site, h.graph.site(i.site)?.name ?? i.site, h.graph.group.id)
                case .salesRep: (key, label, group) = (i.salesRep ?? "-", i.salesRep ?? "(no sales rep)", nil)
                case .customer: (key, label, group) = (h.graph.group.id, h.graph.group.name, h.graph.group.id)
                }
                byKey[key, default: (label, group, [])].invoices.append((i, delivered.days(to: i.issueDate)))
            }
        }
        let rows = byKey.map { key, v -> InvoicingDelayRow in
            let delays = v.invoices.map(\.1).sorted()
            var late = Amounts(), excessDays = 0
            var numerators: [String: Int64] = [:]
            for (i, d) in v.invoices {
                let excess = max(0, d - targetDays)
                guard excess > 0 else { continue }
                excessDays += excess
                late.add(i.amount)
                numerators[i.amount.currency, default: 0] += i.amount.minorUnits * Int64(excess)
            }
            var cost = Amounts()
            for (currency, n) in numerators { cost.add(Money(minorUnits: Self.divideRounded(n * rateBasisPoints, 10_000 * 365), currency: currency)) }
            return InvoicingDelayRow(key: key, label: v.label, group: v.group, invoices: delays.count,
                                     median: Stats.quantile(delays, 0.5) ?? 0, p90: Stats.quantile(delays, 0.9) ?? 0,
                                     mean: Stats.mean(delays) ?? 0, excessDays: excessDays, lateAmount: late, cost: cost)
        }
        return rows.sorted { ($0.median, $0.mean, $1.key) > ($1.median, $1.mean, $0.key) }
    }

    /// Invoices of the period sent to an address that does not process invoices, or elsewhere than the
    /// entity's invoice address, or missing a purchase-order number the entity requires.
    public func issues(_ histories: [CustomerHistory]) -> [InvoicingIssue] {
        var out: [InvoicingIssue] = []
        for h in histories {
            let g = h.graph
            for i in issued(h) {
                let entity = g.entity(i.entity)
                if let to = i.sentTo {
                    let name = g.site(to)?.name ?? to
                    if !g.departments(at: to).contains(where: { $0.role.processesInvoices }) {
                        out.append(InvoicingIssue(kind: .addressNotProcessing, invoice: i, group: g.group.id,
                                                  detail: "sent to \(name) (\(to)), where no department processes invoices"))
                    } else if let expected = entity?.invoiceAddress, expected != to {
                        out.append(InvoicingIssue(kind: .notInvoiceAddress, invoice: i, group: g.group.id,
                                                  detail: "sent to \(name) (\(to)), not to the invoice address \(expected)"))
                    }
                }
                if entity?.requiresPurchaseOrder == true && (i.orderNumber ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                    out.append(InvoicingIssue(kind: .missingPurchaseOrder, invoice: i, group: g.group.id,
                                              detail: "\(entity?.name ?? i.entity) requires a purchase-order number"))
                }
            }
        }
        return out.sorted { ($0.kind.rawValue, $1.invoice.amount.minorUnits, $0.invoice.id) < ($1.kind.rawValue, $0.invoice.amount.minorUnits, $1.invoice.id) }
    }

    /// `n ÷ d` rounded to the nearest integer, halves away from zero (d > 0).
    static func divideRounded(_ n: Int64, _ d: Int64) -> Int64 {
        n >= 0 ? (n + d / 2) / d : -((-n + d / 2) / d)
    }
}
