import Foundation
import RelanceCore
import RelanceForecast
import RelanceStore

/// A customer's book as of a day and the forecasts of its open invoices.
public struct BookForecasts: Sendable {
    public var book: CustomerBook
    public var forecasts: [PaymentForecast]
    /// Whether it came from the stored model and context (only the open invoices read), or from the whole history.
    public var fromStoredModel: Bool
}

/// The books and forecasts of many customers as of a day, spread over the cores.
///
/// A customer whose dwell model and forecast context were learned for that day and whose data has not
/// changed since (`relance learn`) costs only its open invoices: ``Store/openBook(group:asOf:model:)`` and
/// ``routeForecasts(for:context:)``. Any other customer (no stored model, stale data, an invoice without a
/// known circuit) is read and learned in full, as ``Store/book(group:asOf:minimumObservations:)`` and
/// ``forecasts(for:asOf:context:)`` do. Both give the same forecasts (tests check it); the order of the
/// result is the order of `groups`.
///
/// With `detail` ``PositionDetail/ahead``, the positions read from the stored model leave the waiting
/// steps' probabilities at 0 (forecasts and the agenda do not read them); the others are complete.
public func booksWithForecasts(in store: Store, groups: [String], asOf: CivilDate, detail: PositionDetail = .full) throws -> [BookForecasts] {
    try booksWithForecasts(in: store, groups: groups, asOf: asOf, detail: detail) { $0 }
}

/// What `extract` takes from each customer's book and forecasts (see ``booksWithForecasts(in:groups:asOf:detail:)``),
/// run on the worker that built them, so that a book is released there rather than kept for the caller:
/// a portfolio's books hold every open invoice's events and positions.
public func booksWithForecasts<T: Sendable>(in store: Store, groups: [String], asOf: CivilDate, detail: PositionDetail = .full,
                                            _ extract: @Sendable (BookForecasts) throws -> T) throws -> [T] {
    // A customer per chunk: in chunks of 32 per core (47 customers each at 3,000), one core worked alone
    // on the last chunk for about half a second of a million open invoices' agenda.
    let results: [Result<T?, any Error>] = groups.concurrentMap(minimumChunk: 1, chunksPerCore: groups.count) { group in
        Result {
            if let stored = try store.storedForecastInputs(group: group, asOf: asOf, detail: detail),
               let fs = routeForecasts(for: stored.book, context: try JSONDecoder().decode(ForecastContext.self, from: stored.context)) {
                return try extract(BookForecasts(book: stored.book, forecasts: fs, fromStoredModel: true))
            }
            guard let book = try store.book(group: group, asOf: asOf) else { return nil }
            return try extract(BookForecasts(book: book, forecasts: forecasts(for: book, asOf: asOf), fromStoredModel: false))
        }
    }
    return try results.compactMap { try $0.get() }
}

/// One open invoice's forecast with what lists of forecasts show beside it.
public struct OpenInvoiceForecast: Sendable {
    public var forecast: PaymentForecast
    /// What is left to pay, credit notes deducted.
    public var openAmount: Money
    public var salesRep: String?
}

/// The forecasts of every open invoice of some customers as of a day, each with its open amount, in the
/// order of `groups` then of each book's forecasts. The books themselves are not kept.
public func openInvoiceForecasts(in store: Store, groups: [String], asOf: CivilDate) throws -> [OpenInvoiceForecast] {
    try openInvoiceForecasts(in: store, groups: groups, asOf: asOf) { $0 }
}

/// What `transform` takes from each open invoice's forecast (see ``openInvoiceForecasts(in:groups:asOf:)``),
/// worked out on the core that made the forecast, so that a forecast's law (a probability for each day,
/// about 2 KB) is released there: a million open invoices' laws would not fit in memory at once.
public func openInvoiceForecasts<T: Sendable>(in store: Store, groups: [String], asOf: CivilDate,
                                              _ transform: @Sendable (OpenInvoiceForecast) throws -> T) throws -> [T] {
    try booksWithForecasts(in: store, groups: groups, asOf: asOf, detail: .ahead) { bf -> [T] in
        let open = bf.book.open
        func row(_ f: PaymentForecast, _ i: Invoice) throws -> T {
            try transform(OpenInvoiceForecast(forecast: f, openAmount: i.openAmount(credited: bf.book.credited[i.id]), salesRep: i.salesRep))
        }
        // Route forecasts come one per open invoice, in the book's order: paired by position, without a
        // table of the invoices by number (which copied every invoice and hashed every number twice).
        if bf.forecasts.count == open.count, bf.forecasts.indices.allSatisfy({ bf.forecasts[$0].invoice == open[$0].invoice.id }) {
            return try bf.forecasts.indices.map { try row(bf.forecasts[$0], open[$0].invoice) }
        }
        let byID = Dictionary(open.map { ($0.invoice.id, $0.invoice) }, uniquingKeysWith: { a, _ in a })
        return try bf.forecasts.compactMap { f in try byID[f.invoice].map { try row(f, $0) } }
    }.flatMap { $0 }
}

/// Learns and stores the forecast context of each group for a day (after its dwell model: the context's
/// interval calibration uses the model), from the group's full book. Returns the number stored.
@discardableResult
public func learnForecastContexts(in store: Store, groups: [String], asOf: CivilDate) throws -> Int {
    let learned: [Result<(String, Data)?, any Error>] = groups.concurrentMap(minimumChunk: 1) { group in
        Result {
            guard let book = try store.book(group: group, asOf: asOf) else { return nil }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return (group, try encoder.encode(ForecastContext.learn(from: book, asOf: asOf)))
        }
    }
    let contexts = try learned.compactMap { try $0.get() }
    try store.saveForecastContexts(contexts, asOf: asOf)
    return contexts.count
}
