import Foundation
import RelanceCore
import RelanceForecast
import RelancePlan
import RelanceStore
import Synchronization

/// What an account may see: everything, or only the invoices of one sales rep.
public struct Scope: Sendable, Hashable {
    /// The sales-rep name on the invoices this account may see; `nil` for everything.
    public var salesRep: String?

    public static let everything = Scope(salesRep: nil)

    public init(salesRep: String?) { self.salesRep = salesRep }

    public init(_ account: Account) { self.salesRep = account.role == .salesRep ? (account.salesRep ?? account.name) : nil }

    public func sees(_ invoice: Invoice) -> Bool { salesRep == nil || invoice.salesRep == salesRep }
}

/// A request the workspace refuses, with the HTTP status that says why.
public struct ClientError: Error, Sendable, CustomStringConvertible {
    public var status: Int
    public var message: String
    public init(_ status: Int, _ message: String) {
        self.status = status
        self.message = message
    }
    public var description: String { message }

    static func notFound(_ what: String) -> ClientError { ClientError(404, what) }
    static func badRequest(_ what: String) -> ClientError { ClientError(400, what) }
}

/// One customer's book as the server shows it: the book, its forecasts by invoice, and its stuck steps.
struct LoadedBook: Sendable {
    var book: CustomerBook
    var forecasts: [String: PaymentForecast]
    var stuck: [StuckInvoice]
}

/// The data behind every page and API call: reads through the store, keeps each customer's computed book until
/// the database changes (any import or recorded event changes ``Store/changeStamp()``), records events.
public final class Workspace: Sendable {
    public let store: Store
    /// The day positions are computed for; `nil` means today in Paris.
    public let fixedAsOf: CivilDate?
    let finder = StuckFinder()
    private let cache = Mutex<(stamp: String, asOf: CivilDate?, books: [String: LoadedBook])>(("", nil, [:]))
    /// Overviews by database stamp, day and scope (the weekly cash-in sums every open invoice's distribution).
    private let overviews = Mutex<[String: OverviewData]>([:])
    let paris = TimeZone(identifier: "Europe/Paris") ?? .gmt

    public init(store: Store, asOf: CivilDate? = nil) {
        self.store = store
        self.fixedAsOf = asOf
    }

    public var asOf: CivilDate { fixedAsOf ?? CivilDate.today(in: paris) }

    /// The book of a group, computed once per state of the database.
    func loaded(_ group: String) throws -> LoadedBook? {
        let stamp = try store.changeStamp()
        let day = asOf
        if let hit = cache.withLock({ c -> LoadedBook? in
            if c.stamp != stamp || c.asOf != day { c = (stamp, day, [:]) }
            return c.books[group]
        }) { return hit }
        guard let book = try store.book(group: group, asOf: day) else { return nil }
        let fc = forecasts(for: book, asOf: day)
        var stuck: [StuckInvoice] = []
        for p in book.open { stuck += finder.stuck(p, credited: book.credited[p.invoice.id]) }
        let loaded = LoadedBook(book: book, forecasts: Dictionary(fc.map { ($0.invoice, $0) }, uniquingKeysWith: { a, _ in a }), stuck: stuck)
        cache.withLock { c in if c.stamp == stamp && c.asOf == day { c.books[group] = loaded } }
        return loaded
    }

    /// Computes every customer's book now, so that the first pages do not wait for it.
    public func warm() throws {
        for g in try store.groups() { _ = try loaded(g.id) }
    }

    // MARK: - Reads

    public func overview(scope: Scope) throws -> OverviewData {
        let key = "\(try store.changeStamp())|\(asOf)|\(scope.salesRep ?? "*")"
        if let hit = overviews.withLock({ $0[key] }) { return hit }
        let made = try computeOverview(scope: scope)
        overviews.withLock { table in
            if table.count > 100 { table.removeAll() }
            table[key] = made
        }
        return made
    }

    func computeOverview(scope: Scope) throws -> OverviewData {
        var customers: [CustomerSummary] = []
        var forecastsSeen: [PaymentForecast] = []
        var amounts: [String: Money] = [:]
        for (s, lb) in try summaries(scope: scope) {
            customers.append(s)
            for p in lb.book.open where scope.sees(p.invoice) {
                amounts[p.invoice.id] = p.invoice.openAmount(credited: lb.book.credited[p.invoice.id])
                if let f = lb.forecasts[p.invoice.id] { forecastsSeen.append(f) }
            }
        }
        let currency = customers.first?.currency ?? "EUR"
        let weeks = cashIn(forecastsSeen, amounts: amounts, by: .week).prefix(16).map {
            CashWeek(weekOf: $0.start.description, expected: $0.expected, low: $0.low, high: $0.high)
        }
        return OverviewData(
            asOf: asOf.description, currency: currency,
            open: AmountValue(minor: customers.reduce(0) { $0 + $1.open.minor }, currency: currency),
            overdue: AmountValue(minor: customers.reduce(0) { $0 + $1.overdue.minor }, currency: currency),
            openCount: customers.reduce(0) { $0 + $1.openCount }, overdueCount: customers.reduce(0) { $0 + $1.overdueCount },
            stuckCount: customers.reduce(0) { $0 + $1.stuckCount }, weeks: Array(weeks),
            customers: customers.sorted { ($0.open.minor, $0.id) > ($1.open.minor, $1.id) })
    }

    /// The customers an account may see, by name, with their totals.
    public func customers(scope: Scope) throws -> [CustomerSummary] { try summaries(scope: scope).map(\.0).sorted { ($0.name, $0.id) < ($1.name, $1.id) } }

    /// Each customer's totals with its book; a sales rep sees only the customers with open invoices of its own.
    func summaries(scope: Scope) throws -> [(CustomerSummary, LoadedBook)] {
        try store.groups().compactMap { g in
            guard let lb = try loaded(g.id) else { return nil }
            let s = summary(lb, scope: scope)
            return scope.salesRep != nil && s.openCount == 0 ? nil : (s, lb)
        }
    }

    func summary(_ lb: LoadedBook, scope: Scope) -> CustomerSummary {
        let open = lb.book.open.filter { scope.sees($0.invoice) }
        let currency = open.first?.invoice.amount.currency ?? lb.book.invoices.first?.amount.currency ?? "EUR"
        var total: Int64 = 0, overdue: Int64 = 0, overdueCount = 0
        for p in open {
            let amount = p.invoice.openAmount(credited: lb.book.credited[p.invoice.id]).minorUnits
            total += amount
            if p.invoice.dueDate < asOf { overdue += amount; overdueCount += 1 }
        }
        let stuck = Set(lb.stuck.filter { scope.sees($0.invoice) }.map(\.invoice.id)).count
        return CustomerSummary(id: lb.book.graph.group.id, name: lb.book.graph.group.name, currency: currency, openCount: open.count,
                               open: AmountValue(minor: total, currency: currency), overdueCount: overdueCount,
                               overdue: AmountValue(minor: overdue, currency: currency), stuckCount: stuck)
    }

    public func customer(_ id: String, scope: Scope) throws -> (detail: CustomerDetail, graph: OrgGraph) {
        guard Identifier.isValid(id), let lb = try loaded(id) else { throw ClientError.notFound("no customer '\(id)'") }
        let s = summary(lb, scope: scope)
        if scope.salesRep != nil && s.openCount == 0 { throw ClientError.notFound("no customer '\(id)' among your invoices") }
        let invoices = lb.book.open.filter { scope.sees($0.invoice) }.map { invoiceSummary($0, lb) }.sorted { ($0.dueDate, $0.id) < ($1.dueDate, $1.id) }
        return (CustomerDetail(customer: s, invoices: invoices), lb.book.graph)
    }

    func invoiceSummary(_ p: InvoicePosition, _ lb: LoadedBook) -> InvoiceSummary {
        let i = p.invoice
        let graph = lb.book.graph
        let place = likelyDepartment(p, graph: graph)
        let f = lb.forecasts[i.id]
        let blocked = p.blocks.contains { !$0.state.closesInvoice }
        let risk: String
        if blocked { risk = "blocked" } else if let f {
            risk = f.probabilityByDue >= 0.7 ? "low" : (f.probabilityByDue >= 0.4 ? "medium" : "high")
        } else { risk = i.dueDate < asOf ? "high" : "medium" }
        return InvoiceSummary(
            id: i.id, customer: i.group, amount: AmountValue(i.amount),
            open: AmountValue(i.openAmount(credited: lb.book.credited[i.id])), issueDate: i.issueDate.description,
            dueDate: i.dueDate.description, daysToDue: asOf.days(to: i.dueDate), salesRep: i.salesRep,
            department: place?.department.id, departmentName: place?.department.name, step: place?.step,
            risk: risk, p50: f?.p50.description, probabilityByDue: f?.probabilityByDue, closed: p.closed)
    }

    /// Where an open invoice most probably is: the block's department, else the pending step most probably holding it.
    func likelyDepartment(_ p: InvoicePosition, graph: OrgGraph) -> (department: Department, step: String?)? {
        if let b = p.blocks.last, let d = b.department.flatMap(graph.department) { return (d, b.stepID) }
        let pending = p.pending.filter { $0.department != nil }.max { $0.probabilityHere < $1.probabilityHere }
        if let s = pending, let d = s.department { return (d, s.step.id) }
        return nil
    }

    public func invoice(_ id: String, scope: Scope) throws -> InvoiceDetail {
        guard Identifier.isValid(id), let group = try store.group(ofInvoice: id), let lb = try loaded(group),
              let p = lb.book.positions.first(where: { $0.invoice.id == id }), scope.sees(p.invoice) else {
            throw ClientError.notFound("no invoice '\(id)'")
        }
        let graph = lb.book.graph
        let steps = p.steps.map { s in
            RouteStepView(id: s.step.id, label: s.step.label, action: s.step.action.rawValue, department: s.department?.id,
                          departmentName: s.department?.name, status: s.status.rawValue, doneAt: s.doneAt?.description,
                          since: s.since?.description, probabilityHere: s.status == .pending ? s.probabilityHere : nil)
        }
        let events = p.events.map { e in
            EventView(at: ISO8601DateFormatter().string(from: e.at), day: e.day(in: paris).description, state: e.state?.rawValue,
                      department: e.department, departmentName: e.department.flatMap(graph.department)?.name, source: e.source.rawValue,
                      note: e.note, date: e.date?.description)
        }
        let forecast = lb.forecasts[id].map {
            ForecastView(p10: $0.p10.description, p50: $0.p50.description, p90: $0.p90.description, probabilityByDue: $0.probabilityByDue,
                         expectedDaysLate: $0.expectedDaysLate, method: $0.method.rawValue, explanation: $0.explanation)
        }
        let blocks = p.blocks.map { BlockView(state: $0.state.rawValue, since: $0.since.description, department: $0.department, reason: $0.event.reason) }
        return InvoiceDetail(invoice: invoiceSummary(p, lb), customerName: graph.group.name, route: p.route?.id, steps: steps, blocks: blocks,
                             events: events, forecast: forecast,
                             departments: graph.departments.map { DepartmentOption(id: $0.id, name: $0.name) })
    }

    public func stuck(scope: Scope, filter: StuckFilter) throws -> [StuckRow] {
        var groups = try store.groups()
        if let c = filter.customer { groups = groups.filter { $0.id == c } }
        var items: [StuckInvoice] = []
        var names: [String: String] = [:]
        for g in groups {
            guard let lb = try loaded(g.id) else { continue }
            names[g.id] = g.name
            items += lb.stuck.filter { s in
                guard scope.sees(s.invoice), s.openAmount.minorUnits >= filter.minimumAmountMinor else { return false }
                if case .slow(_, _, let p) = s.reason { return p >= filter.minimumProbability }
                return true
            }
        }
        return finder.rank(items).map { s in
            let why: String, still: Double?
            switch s.reason {
            case .blocked(let state, let reason): why = state.rawValue + (reason.map { " (\($0))" } ?? ""); still = nil
            case .slow(let dwell, let usual, let p): why = "slow: \(dwell) working days, usually ≤ \(usual)"; still = p
            }
            return StuckRow(invoice: s.invoice.id, customer: s.invoice.group, customerName: names[s.invoice.group] ?? s.invoice.group,
                            open: AmountValue(s.openAmount), dueDate: s.invoice.dueDate.description, daysToDue: s.daysToDue,
                            department: s.department?.id, departmentName: s.department?.name, step: s.stepID, why: why,
                            probabilityStillThere: still, since: s.since.description, stake: s.stake)
        }
    }

    // MARK: - Writes

    /// Records what a collector learnt (a call outcome, a state reached, a promised date) as an event of the invoice.
    public func record(_ entry: EventEntry, invoice id: String, by account: Account, now: Date = Date()) throws -> InvoiceDetail {
        guard account.role.canWrite else { throw ClientError(403, "your account is read-only") }
        let scope = Scope(account)
        guard Identifier.isValid(id), let inv = try store.invoice(id), scope.sees(inv) else { throw ClientError.notFound("no invoice '\(id)'") }
        if let d = entry.department, try store.graph(inv.group)?.department(d) == nil {
            throw ClientError.badRequest("department: '\(d)' is not a department of customer \(inv.group)")
        }
        let day = entry.date ?? asOf
        if day < inv.issueDate { throw ClientError.badRequest("date: \(day) is before the invoice date \(inv.issueDate)") }
        // Now when the day is today; noon in Paris otherwise, so that a position as of that day sees it.
        let today = CivilDate(now, in: paris)
        if day > today { throw ClientError.badRequest("date: \(day) is in the future") }
        let at = day == today ? now : day.start(in: paris).addingTimeInterval(12 * 3600)
        let note = [entry.note, "by \(account.name)"].compactMap { $0 }.joined(separator: " — ")
        let event = InvoiceEvent(invoice: id, state: entry.state, at: at, timeZone: "Europe/Paris", department: entry.department,
                                 source: .call, note: note, date: entry.promisedDate)
        do {
            try store.appendEvents([EventInput(event: event, place: "web:\(account.name)")], source: "web:\(account.name)", now: now)
        } catch let problems as RowProblems {
            throw ClientError.badRequest(problems.problems.map { "\($0.field): \($0.message)" }.joined(separator: "; "))
        }
        return try invoice(id, scope: scope)
    }
}

/// The filters of the stuck list.
public struct StuckFilter: Sendable, Hashable {
    public var customer: String?
    /// For slow steps: how sure we must be that the invoice is still there (0…1).
    public var minimumProbability: Double = 0.3
    public var minimumAmountMinor: Int64 = 0

    public init(customer: String? = nil, minimumProbability: Double = 0.3, minimumAmountMinor: Int64 = 0) {
        self.customer = customer
        self.minimumProbability = minimumProbability
        self.minimumAmountMinor = minimumAmountMinor
    }
}

/// An event to record, as validated from a form or a JSON body.
public struct EventEntry: Sendable, Hashable {
    public var state: CanonicalState?
    public var department: String?
    public var date: CivilDate?
    public var promisedDate: CivilDate?
    public var note: String?

    public init(state: CanonicalState?, department: String? = nil, date: CivilDate? = nil, promisedDate: CivilDate? = nil, note: String? = nil) {
        self.state = state
        self.department = department
        self.date = date
        self.promisedDate = promisedDate
        self.note = note
    }

    /// The states a collector can record from a call or a letter, in the order the form lists them.
    public static let loggableStates: [CanonicalState] = [
        .received, .inProcessing, .goodsReceived, .serviceDone, .approved, .suspended, .completed, .blocked, .inDispute, .resolved,
        .posted, .scheduled, .promised, .paymentSent,
    ]
}

/// Ids in URLs: what Relance accepts as an id (letters, digits, `-`, `_`, `.`, `/`-free), at most 100 characters.
enum Identifier {
    static func isValid(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 100 && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }
}
