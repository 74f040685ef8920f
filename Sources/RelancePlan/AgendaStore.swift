import Foundation
import RelanceCore
import RelanceForecast
import RelanceStore

/// The effective follow-up policy of every customer in the store (defaults ← portfolio ← customer).
public func followUpPolicies(in store: Store) throws -> [String: FollowUpPolicy] {
    let settings = try store.policySettings()
    var result: [String: FollowUpPolicy] = [:]
    for g in try store.groups() {
        do {
            result[g.id] = try FollowUpPolicy.effective(portfolio: settings[Store.portfolioScope] ?? [:], customer: settings[g.id] ?? [:],
                                                        fileResponsible: g.responsible)
        } catch {
            throw PlanError("the stored policy of \(g.id) is invalid: \(error.description); fix it with 'relance policy'")
        }
    }
    return result
}

/// The agenda's inputs for some customers on a day, read from the store: books as of the day, forecasts,
/// policies and the follow-up log up to the day.
public func agendaCustomers(in store: Store, groups: [String], date: CivilDate, withForecasts: Bool = true) throws -> [AgendaCustomer] {
    let policies = try followUpPolicies(in: store)
    var result: [AgendaCustomer] = []
    let books: [(group: String, book: CustomerBook, forecasts: [PaymentForecast])] = withForecasts
        ? try booksWithForecasts(in: store, groups: groups, asOf: date).map { ($0.book.graph.group.id, $0.book, $0.forecasts) }
        : try groups.compactMap { g in try store.book(group: g, asOf: date).map { (g, $0, []) } }
    for (g, book, fs) in books {
        result.append(try agendaCustomer(g, book: book, forecasts: fs, policies: policies, store: store, date: date))
    }
    return result
}

/// A customer's agenda inputs from its book and forecasts, its policy and its follow-up log up to the day.
private func agendaCustomer(_ group: String, book: CustomerBook, forecasts: [PaymentForecast], policies: [String: FollowUpPolicy], store: Store,
                            date: CivilDate) throws -> AgendaCustomer {
    AgendaCustomer(graph: book.graph, positions: book.open, credited: book.credited,
                   forecasts: Dictionary(forecasts.map { ($0.invoice, $0) }, uniquingKeysWith: { a, _ in a }),
                   policy: policies[group] ?? FollowUpPolicy(), log: try store.followUps(group: group, through: date), learned: book.learned)
}

/// The day's agenda from the store, for everyone or one person, for every customer or one.
///
/// Each customer's part is planned on the worker that built its book and forecasts, and the book is released
/// there: only the parts are gathered (a portfolio's books held 1.8 GB until the agenda was built).
/// The same agenda as ``Agenda/build(_:date:for:dayStartMinutes:)`` of ``agendaCustomers(in:groups:date:withForecasts:)``.
public func agenda(in store: Store, date: CivilDate, for person: String? = nil, customer: String? = nil) throws -> Agenda {
    let groups = try customer.map { [try store.resolveCustomer($0)] } ?? store.groups().map(\.id)
    let policies = try followUpPolicies(in: store)
    // The planner reads the pending steps, never the waiting steps' probabilities.
    let parts = try booksWithForecasts(in: store, groups: groups, asOf: date, detail: .ahead) { bf in
        let g = bf.book.graph.group.id
        let c = try agendaCustomer(g, book: bf.book, forecasts: bf.forecasts, policies: policies, store: store, date: date)
        return Agenda.PlannedPart(group: g, responsible: c.policy.responsible, part: AgendaPlanner(customer: c, date: date).plan())
    }
    return Agenda.assemble(parts, date: date, for: person)
}

extension AgendaLetter {
    /// The follow-up log entry that records the letter as sent on `date`, with each invoice's forecast.
    public func record(on date: CivilDate, person: String?) -> FollowUpRecord {
        FollowUpRecord(kind: .letter, day: date, group: group, contact: entity, person: person, invoices: invoices.map(\.invoice), level: level,
                       forecastP50: AgendaInvoice.forecasts(invoices))
    }
}

extension AgendaSalesRequest {
    /// The follow-up log entry that records the request as sent on `date`.
    public func record(on date: CivilDate) -> FollowUpRecord {
        FollowUpRecord(kind: .salesRep, day: date, group: group, contact: salesRep, person: salesRep, invoices: invoices.map(\.invoice),
                       note: visit ? "visit requested" : nil,
                       forecastP50: AgendaInvoice.forecasts(invoices))
    }
}

extension AgendaCall {
    /// The follow-up log entry of this call, made on `date`, with an outcome.
    public func record(on date: CivilDate, outcome: FollowUpOutcome, person: String?) -> FollowUpRecord {
        FollowUpRecord(kind: .call, day: date, group: group, contact: contactKey, person: person, invoices: invoices.map(\.invoice), outcome: outcome,
                       forecastP50: AgendaInvoice.forecasts(invoices))
    }
}

extension AgendaInvoice {
    /// The forecast median payment dates of some agenda invoices, by invoice (what the log keeps).
    public static func forecasts(_ items: [AgendaInvoice]) -> [String: CivilDate] {
        Dictionary(items.compactMap { i in i.forecastP50.map { (i.invoice, $0) } }, uniquingKeysWith: { a, _ in a })
    }
}
