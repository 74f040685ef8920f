import RelanceCore

/// Open amounts by how late they are at the end of the period.
public struct AgeingBuckets: Hashable, Sendable {
    public static let labels = ["not due", "1-30", "31-60", "61-90", "over 90"]

    /// Five amounts, in the order of ``labels``.
    public var amounts: [Money]

    public init(currency: String) { amounts = Array(repeating: .zero(currency), count: 5) }

    public var total: Money { amounts.dropFirst().reduce(amounts[0], +) }
    public var overdue: Money { amounts.dropFirst(2).reduce(amounts[1], +) }
}

/// The KPIs of one customer, entity, sales representative or the whole portfolio over a period.
public struct KPIRow: Sendable {
    /// The group, entity or sales representative id (`portfolio` for the whole).
    public var key: String
    public var label: String
    public var currency: String
    public var invoicesIssued: Int
    /// Invoices less credit notes issued in the period.
    public var netSales: Money
    /// Receivables at the end of the day before the period.
    public var openAtStart: Money
    /// Receivables at the end of the period, by ageing bucket.
    public var ageing: AgeingBuckets
    public var dsoCountBack: Double
    public var dsoStandard: Double?
    /// Invoices settled in the period, and their average days late (plain and amount-weighted).
    public var settled: Int
    public var averageDaysLate: Double?
    public var weightedDaysLate: Double?
    public var collectionEffectiveness: Double?
    /// Invoices due in the period, and how many of them were paid by their due date.
    public var due: Int
    public var paidByDue: Int

    public var open: Money { ageing.total }
    public var overdue: Money { ageing.overdue }
    public var shareOnTime: Double? { due > 0 ? Double(paidByDue) / Double(due) : nil }
}

/// Computes ``KPIRow``s. See `docs/kpis.md` for each formula and a worked example.
public struct KPIReport: Sendable {
    public var period: ReportPeriod
    public var grouping: KPIGrouping
    /// How far back count-back DSO may look, in months.
    public var countBackMonths = 24

    public init(period: ReportPeriod, grouping: KPIGrouping) {
        self.period = period
        self.grouping = grouping
    }

    /// One row per key and currency, in the order of the keys (the portfolio's rows alone for `.portfolio`).
    public func rows(_ histories: [CustomerHistory]) -> [KPIRow] {
        var labels: [String: String] = [:]
        var buckets: [String: [Invoice]] = [:]
        var order: [String] = []
        for h in histories {
            for i in h.invoices {
                let (key, label) = keyAndLabel(of: i, in: h.graph)
                let k = key + "\u{1}" + i.amount.currency
                if buckets[k] == nil { order.append(k) }
                buckets[k, default: []].append(i)
                labels[k] = label
            }
        }
        return order.sorted().compactMap { k in
            guard let invoices = buckets[k], let first = invoices.first else { return nil }
            let key = String(k.split(separator: "\u{1}", omittingEmptySubsequences: false)[0])
            return row(key: key, label: labels[k] ?? key, currency: first.amount.currency, invoices: invoices)
        }
    }

    func keyAndLabel(of invoice: Invoice, in graph: OrgGraph) -> (String, String) {
        switch grouping {
        case .customer: return (graph.group.id, graph.group.name)
        case .entity: return (invoice.entity, graph.entity(invoice.entity)?.name ?? invoice.entity)
        case .salesRep: return (invoice.salesRep ?? "-", invoice.salesRep ?? "(no sales rep)")
        case .portfolio: return ("portfolio", "Portfolio")
        }
    }

    /// The KPIs of a set of invoices and credit notes in one currency.
    public func row(key: String, label: String, currency: String, invoices all: [Invoice]) -> KPIRow {
        let ledger = ReceivablesLedger(all)
        let from = period.from, to = period.to
        let money = { (minor: Int64) in Money(minorUnits: minor, currency: currency) }

        var ageing = AgeingBuckets(currency: currency)
        for i in ledger.invoices {
            let open = ledger.open(i, on: to)
            guard open > 0 else { continue }
            let b = KPIFormulas.ageingBucket(daysPastDue: i.dueDate.days(to: to))
            ageing.amounts[b] = ageing.amounts[b] + money(open)
        }
        let end = ageing.total.minorUnits
        let start = ledger.receivables(on: from.adding(days: -1))
        let sales = ledger.netSales(from: from, to: to)
        let months = (0..<countBackMonths).map { k -> (days: Int, sales: Int64) in
            let monthEnd = to.adding(months: -k), monthStart = to.adding(months: -(k + 1)).adding(days: 1)
            return (monthStart.days(to: monthEnd) + 1, ledger.netSales(from: monthStart, to: monthEnd))
        }
        let settled = ledger.invoices.compactMap { i -> (amount: Int64, daysLate: Int)? in
            guard let s = i.settledOn, period.contains(s) else { return nil }
            return (i.amount.minorUnits, i.dueDate.days(to: s))
        }
        let late = KPIFormulas.daysLate(settled)
        let due = ledger.invoices.filter { period.contains($0.dueDate) }
        let onTime = due.filter { i in i.settledOn.map { $0 <= i.dueDate } ?? false }

        return KPIRow(
            key: key, label: label, currency: currency,
            invoicesIssued: ledger.invoices.filter { period.contains($0.issueDate) }.count,
            netSales: money(sales), openAtStart: money(start), ageing: ageing,
            dsoCountBack: KPIFormulas.dsoCountBack(receivables: end, months: months),
            dsoStandard: KPIFormulas.dsoStandard(receivables: end, sales: sales, days: period.days),
            settled: settled.count, averageDaysLate: late?.average, weightedDaysLate: late?.weighted,
            collectionEffectiveness: KPIFormulas.collectionEffectiveness(start: start, sales: sales, end: end, endCurrent: ageing.amounts[0].minorUnits),
            due: due.count, paidByDue: onTime.count)
    }
}
