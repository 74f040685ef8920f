/// The KPI formulas on plain numbers (amounts in minor units), as `docs/kpis.md` writes them out.
/// Ratios are `Double`s; amounts stay integers.
public enum KPIFormulas {
    /// Standard (average) DSO: receivables at the end of the period ÷ net sales of the period × days in the period.
    /// `nil` without positive sales.
    public static func dsoStandard(receivables: Int64, sales: Int64, days: Int) -> Double? {
        guard sales > 0 else { return nil }
        return Double(receivables) / Double(sales) * Double(days)
    }

    /// Count-back DSO: the receivables at the end of the period are matched against the net sales of the
    /// most recent month, then the month before, and so on; each month fully absorbed counts its days, the
    /// last one the fraction of its sales still open. `months` are the most recent first, as (calendar days,
    /// net sales). When the months run out first, their days are all counted (the result is then a lower
    /// bound). 0 when nothing is owed.
    public static func dsoCountBack(receivables: Int64, months: [(days: Int, sales: Int64)]) -> Double {
        var left = receivables
        var dso = 0.0
        for m in months {
            guard left > 0 else { break }
            if m.sales > 0 && left <= m.sales {
                return dso + Double(left) / Double(m.sales) * Double(m.days)
            }
            dso += Double(m.days)
            left -= max(m.sales, 0)
        }
        return dso
    }

    /// Collection Effectiveness Index, in percent: what was collected ÷ what could have been collected.
    /// (receivables at the start + net sales − receivables at the end)
    /// ÷ (receivables at the start + net sales − receivables not yet due at the end) × 100.
    /// `nil` when nothing could have been collected.
    public static func collectionEffectiveness(start: Int64, sales: Int64, end: Int64, endCurrent: Int64) -> Double? {
        let collectible = start + sales - endCurrent
        guard collectible > 0 else { return nil }
        return Double(start + sales - end) / Double(collectible) * 100
    }

    /// Average days late of settled invoices (days after the due date, 0 when paid by then), plain and
    /// weighted by the invoices' amounts. `nil` when there is none.
    public static func daysLate(_ settled: [(amount: Int64, daysLate: Int)]) -> (average: Double, weighted: Double)? {
        guard !settled.isEmpty else { return nil }
        let late = settled.map { max(0, $0.daysLate) }
        let average = Double(late.reduce(0, +)) / Double(late.count)
        let weight = settled.reduce(Int64(0)) { $0 + $1.amount }
        let weighted = weight > 0 ? Double(zip(settled, late).reduce(Int64(0)) { $0 + $1.0.amount * Int64($1.1) }) / Double(weight) : average
        return (average, weighted)
    }

    /// The ageing bucket of an open amount: 0 not due, 1 for 1–30 days past due, 2 for 31–60, 3 for 61–90, 4 beyond.
    public static func ageingBucket(daysPastDue: Int) -> Int {
        switch daysPastDue {
        case ...0: return 0
        case 1...30: return 1
        case 31...60: return 2
        case 61...90: return 3
        default: return 4
        }
    }
}
