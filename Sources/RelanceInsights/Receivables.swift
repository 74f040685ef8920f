import RelanceCore

/// What the customers owe on any day, from the invoices, their payments and the credit notes applied to them.
///
/// An invoice's open amount on day D is its amount, less its payments dated by D, plus the (negative) credit
/// notes issued by D that credit it, never below zero. Credit notes that name no invoice are not counted.
/// All amounts are integer minor units.
struct ReceivablesLedger: Sendable {
    let invoices: [Invoice]
    private let credits: [String: [(date: CivilDate, minor: Int64)]]
    private let creditNotes: [Invoice]

    init(_ all: [Invoice]) {
        invoices = all.filter { $0.kind == .invoice }
        creditNotes = all.filter { $0.kind == .creditNote }
        var credits: [String: [(date: CivilDate, minor: Int64)]] = [:]
        for c in creditNotes {
            if let target = c.credits { credits[target, default: []].append((c.issueDate, c.amount.minorUnits)) }
        }
        self.credits = credits
    }

    /// The invoice's open amount at the end of `day` (0 before it is issued).
    func open(_ invoice: Invoice, on day: CivilDate) -> Int64 {
        guard invoice.issueDate <= day else { return 0 }
        let paid = invoice.payments.filter { $0.date <= day }.reduce(Int64(0)) { $0 + $1.amount.minorUnits }
        let credited = (credits[invoice.id] ?? []).filter { $0.date <= day }.reduce(Int64(0)) { $0 + $1.minor }
        return max(0, invoice.amount.minorUnits - paid + credited)
    }

    /// Receivables at the end of `day`: the sum of the open amounts.
    func receivables(on day: CivilDate) -> Int64 {
        invoices.reduce(0) { $0 + open($1, on: day) }
    }

    /// Net sales issued between two days (both included): invoices, less the credit notes issued then.
    func netSales(from: CivilDate, to: CivilDate) -> Int64 {
        (invoices + creditNotes).filter { from <= $0.issueDate && $0.issueDate <= to }.reduce(0) { $0 + $1.amount.minorUnits }
    }
}
