import RelanceCore

/// The days a report covers, both included.
public struct ReportPeriod: Hashable, Sendable, CustomStringConvertible {
    public var from: CivilDate
    public var to: CivilDate

    /// `nil` when `from` is after `to`.
    public init?(from: CivilDate, to: CivilDate) {
        guard from <= to else { return nil }
        self.from = from
        self.to = to
    }

    /// Number of calendar days, both ends included.
    public var days: Int { from.days(to: to) + 1 }

    public func contains(_ date: CivilDate) -> Bool { from <= date && date <= to }

    public var description: String { "\(from) to \(to)" }
}

/// What the KPIs are computed per.
public enum KPIGrouping: String, Sendable, CaseIterable {
    case customer, entity
    case salesRep = "sales-rep"
    case portfolio
}

/// What one customer group brings to the reports: its organisation, its invoices and credit notes (with the
/// payments known at the as-of date) and the positions of its invoices. Plain values, so that the reports
/// can be computed and tested without a database.
public struct CustomerHistory: Sendable {
    public var graph: OrgGraph
    /// Invoices and credit notes.
    public var invoices: [Invoice]
    /// Positions of the invoices (not the credit notes) as of the as-of date.
    public var positions: [InvoicePosition]

    public init(graph: OrgGraph, invoices: [Invoice], positions: [InvoicePosition] = []) {
        self.graph = graph
        self.invoices = invoices
        self.positions = positions
    }
}

/// Small order statistics on whole numbers.
enum Stats {
    /// The smallest value with at least `p` of the values at or below it (nearest rank); `nil` when empty.
    static func quantile(_ sorted: [Int], _ p: Double) -> Int? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    static func mean(_ values: [Int]) -> Double? {
        values.isEmpty ? nil : Double(values.reduce(0, +)) / Double(values.count)
    }
}
