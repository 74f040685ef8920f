import Foundation
import RelanceCore
import RelanceForecast
import RelanceStore

/// A question about the book that cannot be answered as asked (an unknown invoice, one not yet issued).
public struct PlanError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Loads the book of the customer an invoice belongs to, and the invoice's position.
public func position(of invoiceID: String, in store: Store, asOf: CivilDate) throws -> (CustomerBook, InvoicePosition) {
    guard let invoice = try store.invoice(invoiceID) else {
        throw PlanError("unknown invoice '\(invoiceID)': import it with 'relance import invoices FILE'")
    }
    let group = invoice.group
    // With a current stored model (relance learn), only this invoice is read: the same position, in milliseconds.
    if let model = try store.dwellModel(group: group, asOf: asOf), let found = try store.invoiceBook(invoice, asOf: asOf, model: model) {
        return found
    }
    guard let book = try store.book(group: group, asOf: asOf) else { throw StoreError.unknownCustomer(group, known: []) }
    guard let p = book.positions.first(where: { $0.invoice.id == invoiceID }) else {
        if invoice.kind == .creditNote {
            throw PlanError("\(invoiceID) is a credit note: it does not travel through the customer; see the invoice it credits")
        }
        throw PlanError("invoice \(invoiceID) was not issued yet on \(asOf)")
    }
    return (book, p)
}

/// The stuck steps of the open invoices of some customers as of a day, ranked, with the books they come from.
public func stuckInvoices(in store: Store, groups: [String], asOf: CivilDate, finder: StuckFinder) throws
    -> (ranked: [StuckInvoice], graphs: [String: OrgGraph], books: [String: CustomerBook], openCount: Int) {
    var items: [StuckInvoice] = []
    var graphs: [String: OrgGraph] = [:]
    var books: [String: CustomerBook] = [:]
    var openCount = 0
    for g in groups {
        guard let book = try store.book(group: g, asOf: asOf) else { continue }
        books[g] = book
        openCount += book.open.count
        for p in book.open {
            let found = finder.stuck(p, credited: book.credited[p.invoice.id])
            items += found
            for s in found { graphs[s.invoice.id] = book.graph }
        }
    }
    return (finder.rank(items), graphs, books, openCount)
}

/// What a customer's route forecasts learn from its whole history, apart from the dwell model: its payment
/// habit (pays at the due date or not, bank lag, dispute length) and the re-calibrated levels of the 80%
/// interval. Small, so it can be kept with the learned dwell model and reused while the data has not changed.
public struct ForecastContext: Sendable, Codable, Equatable {
    public var habit: PaymentHabit
    public var calibration: IntervalCalibration

    public init(habit: PaymentHabit, calibration: IntervalCalibration) {
        self.habit = habit
        self.calibration = calibration
    }

    /// Learned from a full book (every invoice and event up to the as-of day).
    public static func learn(from book: CustomerBook, asOf: CivilDate) -> ForecastContext {
        let habit = PaymentHabit.learn(invoices: book.invoices, events: book.events, table: book.graph.paymentTableLookup(), asOf: asOf.adding(days: 1))
        // The route model's interval levels, re-calibrated on how its forecasts of recent payments fared.
        let calibration = IntervalCalibration.fromRecentRoutes(graph: book.graph, model: book.model, invoices: book.invoices,
                                                               events: book.events, habit: habit, asOf: asOf)
        return ForecastContext(habit: habit, calibration: calibration)
    }
}

/// Forecasts for every open invoice of a book: from the position where the route is known, from the
/// customer's payment history otherwise (the ledger model, warmed up on the group's settled invoices so
/// that its intervals come from its own past errors).
public func forecasts(for book: CustomerBook, asOf: CivilDate, context: ForecastContext? = nil) -> [PaymentForecast] {
    let context = context ?? ForecastContext.learn(from: book, asOf: asOf)
    if let routed = routeForecasts(for: book, context: context) { return routed }
    let ledgerInvoices = book.invoices.filter { $0.kind == .invoice }.map { LedgerInvoice($0, events: book.events[$0.id] ?? []) }
    // Warm the ledger model up on the history: each invoice forecast at its issue date, errors learned once settled.
    let model = LedgerModel()
    let settled = ledgerInvoices.filter { $0.settledOn != nil }.sorted { ($0.settledOn ?? asOf) < ($1.settledOn ?? asOf) }
    var predicted: [String: Int] = [:]
    var next = 0
    for i in ledgerInvoices.sorted(by: { $0.issueDate < $1.issueDate }) {
        while next < settled.count, let s = settled[next].settledOn, s < i.issueDate {
            let first = settled[next]
            model.learn(first)
            if let p = predicted[first.id] { model.learnResidual(first.issueDate.days(to: s) - p, disputed: first.disputedFrom != nil) }
            next += 1
        }
        predicted[i.id] = i.issueDate.days(to: model.forecast(i, asOf: i.issueDate).p50)
    }
    for s in settled[next...] where (s.settledOn ?? asOf) <= asOf { model.learn(s) }
    let byID = Dictionary(ledgerInvoices.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    let forecaster = RouteForecaster(remembersReceipts: true)
    return book.open.compactMap { p in
        forecaster.forecast(p, habit: context.habit).map(context.calibration.apply(to:)) ?? byID[p.invoice.id].map { model.forecast($0, asOf: asOf) }
    }
}

/// The route forecasts of every open invoice of a book, or `nil` when some open invoice has no route
/// forecast (its circuit is unknown: the ledger model, which needs the whole history, must answer).
/// Needs only the open invoices, so it works on ``Store/openBook(group:asOf:model:)``.
public func routeForecasts(for book: CustomerBook, context: ForecastContext) -> [PaymentForecast]? {
    var result: [PaymentForecast] = []
    let open = book.open
    result.reserveCapacity(open.count)
    let forecaster = RouteForecaster(remembersReceipts: true)
    // Each position passed in place from the array's buffer (iterating copied each one out, a dozen arrays
    // and texts; so did the array's subscript, measured: 0.3% of the agenda's samples in retains alone).
    return open.withUnsafeBufferPointer { all in
        for i in all.indices {
            guard let f = forecaster.forecast(all[i], habit: context.habit) else { return nil }
            result.append(context.calibration.apply(to: f))
        }
        return result
    }
}
