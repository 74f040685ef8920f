import RelanceCore

// The data of the pages and of the JSON API: one set of Codable values, so the API and the pages show the same
// thing. Amounts are integer minor units with their currency; dates are ISO `YYYY-MM-DD`.

/// An amount: integer minor units (cents) and the currency, plus the plain decimal text.
public struct AmountValue: Codable, Sendable, Hashable {
    public var minor: Int64
    public var currency: String
    public var text: String

    public init(minor: Int64, currency: String) {
        self.minor = minor
        self.currency = currency
        self.text = Money(minorUnits: minor, currency: currency).amountText.replacing(",", with: "")
    }

    public init(_ m: Money) { self.init(minor: m.minorUnits, currency: m.currency) }
}

public struct CashWeek: Codable, Sendable, Hashable {
    public var weekOf: String
    public var expected: Double
    public var low: Double
    public var high: Double
}

public struct CustomerSummary: Codable, Sendable, Hashable {
    public var id: String
    public var name: String
    public var currency: String
    public var openCount: Int
    public var open: AmountValue
    public var overdueCount: Int
    public var overdue: AmountValue
    public var stuckCount: Int
}

public struct OverviewData: Codable, Sendable, Hashable {
    public var asOf: String
    public var currency: String
    public var open: AmountValue
    public var overdue: AmountValue
    public var openCount: Int
    public var overdueCount: Int
    public var stuckCount: Int
    /// Expected receipts by week (major units), with the 80% band.
    public var weeks: [CashWeek]
    public var customers: [CustomerSummary]
}

public struct InvoiceSummary: Codable, Sendable, Hashable {
    public var id: String
    public var customer: String
    public var amount: AmountValue
    public var open: AmountValue
    public var issueDate: String
    public var dueDate: String
    /// Negative when overdue.
    public var daysToDue: Int
    public var salesRep: String?
    /// The department where the invoice most probably is.
    public var department: String?
    public var departmentName: String?
    public var step: String?
    /// `low`, `medium`, `high` (of paying late) or `blocked`.
    public var risk: String
    public var p50: String?
    public var probabilityByDue: Double?
    public var closed: Bool
}

public struct CustomerDetail: Codable, Sendable, Hashable {
    public var customer: CustomerSummary
    public var invoices: [InvoiceSummary]
}

public struct RouteStepView: Codable, Sendable, Hashable {
    public var id: String
    public var label: String
    public var action: String
    public var department: String?
    public var departmentName: String?
    /// `done`, `pending` (here now) or `waiting`.
    public var status: String
    public var doneAt: String?
    public var since: String?
    public var probabilityHere: Double?
}

public struct EventView: Codable, Sendable, Hashable {
    public var at: String
    public var day: String
    public var state: String?
    public var department: String?
    public var departmentName: String?
    public var source: String
    public var note: String?
    public var date: String?
}

public struct BlockView: Codable, Sendable, Hashable {
    public var state: String
    public var since: String
    public var department: String?
    public var reason: String?
}

public struct ForecastView: Codable, Sendable, Hashable {
    public var p10: String
    public var p50: String
    public var p90: String
    public var probabilityByDue: Double
    public var expectedDaysLate: Double
    public var method: String
    public var explanation: String
}

public struct DepartmentOption: Codable, Sendable, Hashable {
    public var id: String
    public var name: String
}

public struct InvoiceDetail: Codable, Sendable, Hashable {
    public var invoice: InvoiceSummary
    public var customerName: String
    public var route: String?
    public var steps: [RouteStepView]
    public var blocks: [BlockView]
    public var events: [EventView]
    public var forecast: ForecastView?
    public var departments: [DepartmentOption]
}

public struct StuckRow: Codable, Sendable, Hashable {
    public var invoice: String
    public var customer: String
    public var customerName: String
    public var open: AmountValue
    public var dueDate: String
    public var daysToDue: Int
    public var department: String?
    public var departmentName: String?
    public var step: String?
    public var why: String
    public var probabilityStillThere: Double?
    public var since: String
    public var stake: Double
}
