import Foundation
import Hummingbird
import RelanceCore
import RelanceForecast
import RelanceInsights
import RelancePlan
import RelanceRender
import RelanceStore

// The day's agenda with one-click call outcomes (issue 5) and the reports (issue 6), as pages and API calls.

/// A call outcome as it arrives from the agenda's buttons or the API, validated.
public struct OutcomeEntry: Sendable, Hashable {
    public var invoices: [String]
    public var outcome: FollowUpOutcome
    public var contact: String?
    public var day: CivilDate?
    public var note: String?

    /// Checks the fields, with an error naming the field: invoice ids (comma-separated), an outcome name with its
    /// argument (`on` for payment-run and promise, `reason` for dispute, `right` for wrong-contact), a contact id, a day.
    public static func validated(invoices: String?, outcome: String?, on: String?, reason: String?, right: String?,
                                 contact: String?, date: String?, note: String?) throws -> OutcomeEntry {
        func blank(_ s: String?) -> String? {
            s.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0.trimmingCharacters(in: .whitespaces) }
        }
        let ids = (blank(invoices) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !ids.isEmpty else { throw ClientError.badRequest("invoices: name at least one invoice (ids separated by commas)") }
        guard ids.count <= 100 else { throw ClientError.badRequest("invoices: at most 100 invoices at once (got \(ids.count))") }
        if let bad = ids.first(where: { !Identifier.isValid($0) }) { throw ClientError.badRequest("invoices: '\(bad)' is not an invoice id") }
        guard let name = blank(outcome) else {
            throw ClientError.badRequest("outcome: required, one of \(FollowUpOutcome.names.joined(separator: ", "))")
        }
        if let r = blank(reason), r.count > 500 { throw ClientError.badRequest("reason: at most 500 characters (got \(r.count))") }
        if let r = blank(right), r.count > 200 { throw ClientError.badRequest("right: at most 200 characters (got \(r.count))") }
        let argument: String?
        switch name {
        case "payment-run", "promise":
            guard let d = blank(on) else { throw ClientError.badRequest("on: outcome '\(name)' needs a date YYYY-MM-DD") }
            guard CivilDate(iso: d) != nil else { throw ClientError.badRequest("on: '\(d)' is not a date YYYY-MM-DD") }
            argument = d
        case "dispute": argument = blank(reason)
        case "wrong-contact": argument = blank(right)
        default: argument = nil
        }
        let parsed: FollowUpOutcome
        switch FollowUpOutcome.parse(name, argument: argument) {
        case .success(let o): parsed = o
        case .failure(let e): throw ClientError.badRequest("outcome: \(e.description)")
        }
        var entry = OutcomeEntry(invoices: ids, outcome: parsed)
        if let c = blank(contact) {
            guard Identifier.isValid(c) else { throw ClientError.badRequest("contact: '\(c)' is not a contact or department id") }
            entry.contact = c
        }
        if let d = blank(date) { entry.day = try AgendaQuery.day(d, field: "date") }
        if let n = blank(note) {
            guard n.count <= 500 else { throw ClientError.badRequest("note: at most 500 characters (got \(n.count))") }
            entry.note = n
        }
        return entry
    }

    init(invoices: [String], outcome: FollowUpOutcome) {
        self.invoices = invoices
        self.outcome = outcome
    }
}

/// The query of the agenda: the day and whose agenda.
enum AgendaQuery {
    static func day(_ text: String, field: String) throws -> CivilDate {
        guard let d = CivilDate(iso: text), (2000...2100).contains(d.year) else {
            throw ClientError.badRequest("\(field): '\(text)' is not a date YYYY-MM-DD between 2000 and 2100")
        }
        return d
    }

    static func person(_ text: String?) throws -> String? {
        guard let p = text?.trimmingCharacters(in: .whitespaces), !p.isEmpty else { return nil }
        guard p.count <= 100, !p.contains(where: { $0.isNewline }) else { throw ClientError.badRequest("for: at most 100 characters on one line") }
        return p
    }
}

/// What `POST /api/v1/agenda/outcomes` answers.
public struct OutcomeAnswer: Codable, Sendable, Hashable {
    public var id: Int64?
    public var day: String
    public var outcome: String
    public var summary: String
    public var invoices: [String]
    /// The states the events recorded (empty for a note, such as no-answer).
    public var states: [String]
    public var events: Int
}

/// The reports page's data.
struct ReportsData {
    var period: ReportPeriod
    var customer: String?
    var kpis: [KPIRow]
    var bottlenecks: [BottleneckRow]
}

extension Workspace {
    /// The agenda of a day as an account sees it: everything for managers and collectors (or one person's customers
    /// with `person`), only its own invoices for a sales rep.
    public func agenda(date: CivilDate, person: String?, scope: Scope) throws -> Agenda {
        var a: Agenda
        if date == asOf {
            // The books of the as-of day are cached: only the policies and the follow-up log are read again.
            let policies = try followUpPolicies(in: store)
            var customers: [AgendaCustomer] = []
            for g in try store.groups() {
                guard let lb = try loaded(g.id) else { continue }
                let book = lb.book
                customers.append(AgendaCustomer(graph: book.graph, positions: book.open, credited: book.credited, forecasts: lb.forecasts,
                                                policy: policies[g.id] ?? FollowUpPolicy(), log: try store.followUps(group: g.id, through: date),
                                                learned: book.learned))
            }
            a = Agenda.build(customers, date: date, for: person)
        } else {
            a = try RelancePlan.agenda(in: store, date: date, for: person)
        }
        guard scope.salesRep != nil else { return a }
        var visible = Set<String>()
        for g in try store.groups() {
            guard let lb = try loaded(g.id) else { continue }
            for i in lb.book.invoices where scope.sees(i) { visible.insert(i.id) }
        }
        func keep(_ xs: [AgendaInvoice]) -> [AgendaInvoice] { xs.filter { visible.contains($0.invoice) } }
        a.calls = a.calls.compactMap { c in var c = c; c.invoices = keep(c.invoices); return c.invoices.isEmpty ? nil : c }
        a.letters = a.letters.compactMap { l in var l = l; l.invoices = keep(l.invoices); return l.invoices.isEmpty ? nil : l }
        a.salesRequests = a.salesRequests.compactMap { r in var r = r; r.invoices = keep(r.invoices); return r.invoices.isEmpty ? nil : r }
        a.bills = a.bills.filter { visible.contains($0.invoice.invoice) }
        a.disputes = a.disputes.filter { visible.contains($0.invoice.invoice) }
        a.deferred = a.deferred.compactMap { d in
            var d = d
            d.invoices = d.invoices.filter { visible.contains($0) }
            return d.invoices.isEmpty ? nil : d
        }
        return a
    }

    /// Records a call outcome through ``Store/logOutcome(_:invoices:day:kind:contact:person:note:forecastP50:now:)``: the
    /// follow-up and its events in one transaction. The events change ``Store/changeStamp()``, so cached books are rebuilt.
    public func logOutcome(_ entry: OutcomeEntry, by account: Account, now: Date = Date()) throws -> OutcomeAnswer {
        guard account.role.canWrite else { throw ClientError(403, "your account is read-only") }
        let scope = Scope(account)
        var p50: [String: CivilDate] = [:]
        for id in entry.invoices {
            guard let inv = try store.invoice(id), scope.sees(inv) else { throw ClientError.notFound("no invoice '\(id)'") }
            if let f = try loaded(inv.group)?.forecasts[id] { p50[id] = f.p50 }
        }
        let day = entry.day ?? asOf
        do {
            let (record, events) = try store.logOutcome(entry.outcome, invoices: entry.invoices, day: day, kind: .call, contact: entry.contact,
                                                        person: account.name, note: entry.note, forecastP50: p50, now: now)
            return OutcomeAnswer(id: record.id, day: day.description, outcome: entry.outcome.name, summary: entry.outcome.summary,
                                 invoices: entry.invoices, states: Set(events.compactMap { $0.state?.rawValue }).sorted(), events: events.count)
        } catch let e as FollowUpError {
            throw ClientError.badRequest(e.description)
        }
    }

    /// The KPIs by customer and the bottlenecks over a period, as `relance report kpi` and `relance report bottlenecks`
    /// compute them, on the invoices the account may see.
    func reports(from: String?, to: String?, customer: String?, scope: Scope) throws -> ReportsData {
        func blank(_ s: String?) -> String? { s.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0.trimmingCharacters(in: .whitespaces) } }
        let day = asOf
        let end = try blank(to).map { try AgendaQuery.day($0, field: "to") } ?? day
        guard end <= day else { throw ClientError.badRequest("to: \(end) is after the as-of day \(day): the future is not known yet") }
        let start = try blank(from).map { try AgendaQuery.day($0, field: "from") } ?? end.adding(days: -364)
        guard let period = ReportPeriod(from: start, to: end) else { throw ClientError.badRequest("from: \(start) is after to \(end)") }
        var groups = try store.groups().map(\.id)
        if let c = blank(customer) {
            guard Identifier.isValid(c), groups.contains(c) else { throw ClientError.badRequest("customer: '\(c)' is not a customer id") }
            groups = [c]
        }
        var plain: [CustomerHistory] = [], positioned: [CustomerHistory] = []
        for g in groups {
            guard let lb = try loaded(g) else { continue }
            let graph = lb.book.graph
            let invoices = try store.invoices(group: g).filter { $0.issueDate <= day && scope.sees($0) }.map { $0.known(on: day) }
            if scope.salesRep != nil && invoices.isEmpty { continue }
            plain.append(CustomerHistory(graph: graph, invoices: invoices))
            positioned.append(CustomerHistory(graph: graph, invoices: lb.book.invoices.filter { scope.sees($0) },
                                              positions: lb.book.positions.filter { scope.sees($0.invoice) }))
        }
        return ReportsData(period: period, customer: groups.count == 1 ? groups.first : nil,
                           kpis: KPIReport(period: period, grouping: .customer).rows(plain),
                           bottlenecks: BottleneckReport(period: period).rows(positioned))
    }
}

extension PageRoutes {
    func addAgendaAndReports(to router: Router<WorkspaceContext>) {
        router.get("/agenda") { req, ctx in try agendaPage(req, ctx) }
        router.post("/agenda/outcomes") { _, ctx in try postOutcome(ctx) }
        router.get("/reports") { req, ctx in try reportsPage(req, ctx) }
    }

    /// `HH:mm` in the contact's time zone, or `--:--` when the call does not fit the day.
    static func slotText(_ call: AgendaCall) -> String {
        guard let s = call.slot else { return "--:--" }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: call.timeZone) ?? .gmt
        return String(format: "%02d:%02d", cal.component(.hour, from: s), cal.component(.minute, from: s))
    }

    func agendaInvoiceRow(_ i: AgendaInvoice, _ lang: Language) -> [String: Any] {
        let late = i.daysLate > 0 ? String(format: lang.text("agenda_daysLate"), i.daysLate)
            : (i.daysLate == 0 ? lang.text("agenda_dueToday") : String(format: lang.text("agenda_dueIn"), -i.daysLate))
        return ["invoice": i.invoice, "open": Format.amount(AmountValue(i.openAmount), language: lang), "dueDate": i.dueDate.description,
                "late": late, "reason": i.reason, "p50": i.forecastP50?.description ?? "—",
                "byDue": i.probabilityByDue.map { Format.percent($0, language: lang) } ?? "—"]
    }

    func agendaPage(_ req: Request, _ ctx: WorkspaceContext) throws -> Response {
        let account = try ctx.requireAccount()
        let q = req.query
        let date = try q["date"].flatMap { $0.isEmpty ? nil : $0 }.map { try AgendaQuery.day($0, field: "date") } ?? workspace.asOf
        let person = try AgendaQuery.person(q["for"])
        let a = try workspace.agenda(date: date, person: person, scope: Scope(account))
        let lang = ctx.language
        let canWrite = account.role.canWrite
        let values: [String: Any] = [
            "date": date.description, "person": person ?? "", "canWrite": canWrite,
            "summary": String(format: lang.text("agenda_summary"), a.calls.count, a.letters.count, a.salesRequests.count, a.bills.count,
                              a.disputes.filter(\.due).count),
            "hasCalls": !a.calls.isEmpty,
            "calls": a.calls.map { c -> [String: Any] in
                ["time": Self.slotText(c), "name": c.name, "customer": c.customer, "group": c.group, "role": c.role, "phone": c.phone ?? "",
                 "email": c.email ?? "", "minutes": c.minutes, "contact": c.contactKey, "unreachable": c.slot == nil,
                 "question": c.invoices.first?.question ?? "", "ids": c.invoices.map(\.invoice).joined(separator: ","),
                 "invoices": c.invoices.map { agendaInvoiceRow($0, lang) }]
            },
            "hasLetters": !a.letters.isEmpty,
            "letters": a.letters.map { l -> [String: Any] in
                ["level": l.level.rawValue, "entityName": l.entityName, "customer": l.customer, "language": l.language,
                 "invoices": l.invoices.map { agendaInvoiceRow($0, lang) }]
            },
            "hasRequests": !a.salesRequests.isEmpty,
            "requests": a.salesRequests.map { r -> [String: Any] in
                ["salesRep": r.salesRep, "customer": r.customer, "what": lang.text(r.visit ? "agenda_visit" : "agenda_callContact"),
                 "invoices": r.invoices.map { agendaInvoiceRow($0, lang) }]
            },
            "hasBills": !a.bills.isEmpty,
            "bills": a.bills.map { b -> [String: Any] in
                ["invoice": b.invoice.invoice, "open": Format.amount(AmountValue(b.invoice.openAmount), language: lang),
                 "method": b.method.uppercased(), "deadline": b.deadline.description, "daysLeft": b.daysLeft, "missed": b.daysLeft < 0]
            },
            "hasDisputes": !a.disputes.isEmpty,
            "disputes": a.disputes.map { d -> [String: Any] in
                ["invoice": d.invoice.invoice, "open": Format.amount(AmountValue(d.invoice.openAmount), language: lang), "since": d.since.description,
                 "reason": d.reason ?? "", "owner": d.owner ?? "—", "target": d.target.description, "due": d.due]
            },
            "hasDeferred": !a.deferred.isEmpty,
            "deferred": a.deferred.map { ["name": $0.name, "group": $0.group, "lastCall": $0.lastCall.description, "invoices": $0.invoices.joined(separator: ", ")] },
            "notice": q["logged"] == "1" ? lang.text("agenda_logged") : nil as String? as Any,
        ]
        return html(pages.render("agenda", title: lang.text("agenda_title"), values: values, context: ctx, current: "/agenda",
                                 asOf: workspace.asOf.description))
    }

    func postOutcome(_ ctx: WorkspaceContext) throws -> Response {
        let account = try ctx.requireAccount()
        let f = ctx.form
        let entry = try OutcomeEntry.validated(invoices: f["invoices"], outcome: f["outcome"], on: f["on"], reason: f["reason"], right: f["right"],
                                               contact: f["contact"], date: f["date"], note: f["note"])
        let person = try AgendaQuery.person(f["for"])
        _ = try workspace.logOutcome(entry, by: account)
        var back = "/agenda?date=\(entry.day ?? workspace.asOf)&logged=1"
        if let person { back += "&for=\(FormCoding.encode(person))" }
        return .redirect(to: back, type: .normal)
    }

    func reportsPage(_ req: Request, _ ctx: WorkspaceContext) throws -> Response {
        let account = try ctx.requireAccount()
        let q = req.query
        let scope = Scope(account)
        let r = try workspace.reports(from: q["from"], to: q["to"], customer: q["customer"], scope: scope)
        let lang = ctx.language
        func days(_ x: Double?) -> String { x.map { Format.number($0, language: lang) } ?? "—" }
        let top = r.bottlenecks.prefix(15)
        let charted = top.filter(\.ranked).compactMap { b in
            b.median.map { (label: "\(b.department) · \(b.action.rawValue)", median: $0, p90: b.p90, slow: (b.daysAdded ?? 0) >= 2) }
        }
        let chart = charted.isEmpty ? "" : Pictures.inlineSVG(Charts.svg(Charts.dwell(title: lang.text("reports_chart"), rows: charted)))
        let customers = try workspace.customers(scope: scope)
        let values: [String: Any] = [
            "from": r.period.from.description, "to": r.period.to.description, "days": r.period.days,
            "customerOptions": customers.map { ["id": $0.id, "name": $0.name, "selected": $0.id == r.customer && customers.count > 1] as [String: Any] },
            "hasKPIs": !r.kpis.isEmpty,
            "kpis": r.kpis.map { k -> [String: Any] in
                ["key": k.key, "label": k.label, "open": Format.amount(AmountValue(k.open), language: lang),
                 "overdue": Format.amount(AmountValue(k.overdue), language: lang), "dsoCountBack": days(k.dsoCountBack), "dsoStandard": days(k.dsoStandard),
                 "daysLate": days(k.averageDaysLate), "weightedDaysLate": days(k.weightedDaysLate), "settled": k.settled,
                 "cei": k.collectionEffectiveness.map { days($0) + " %" } ?? "—",
                 "onTime": k.shareOnTime.map { Format.percent($0, language: lang) } ?? "—", "due": k.due]
            },
            "hasBottlenecks": !top.isEmpty,
            "bottlenecks": top.enumerated().map { i, b -> [String: Any] in
                ["rank": i + 1, "department": b.department, "departmentName": b.departmentName, "step": b.action.rawValue,
                 "median": b.median.map { "\($0)" } ?? "—", "p90": b.p90.map { "\($0)" } ?? "—",
                 "adds": b.daysAdded.map { ($0 > 0 ? "+" : "") + "\($0)" } ?? "—", "slow": (b.daysAdded ?? 0) >= 2]
            },
            "chart": chart,
        ]
        return html(pages.render("reports", title: lang.text("reports_title"), values: values, context: ctx, current: "/reports",
                                 asOf: workspace.asOf.description))
    }
}

extension APIRoutes {
    func addAgenda(to api: RouterGroup<WorkspaceContext>) {
        api.get("/reports") { req, ctx in
            let q = req.query
            let r = try workspace.reports(from: q["from"], to: q["to"], customer: q["customer"], scope: Scope(try ctx.requireAccount()))
            return try json(ReportsAnswer(r), ctx)
        }
        api.get("/agenda") { req, ctx in
            let account = try ctx.requireAccount()
            let q = req.query
            let date = try q["date"].flatMap { $0.isEmpty ? nil : $0 }.map { try AgendaQuery.day($0, field: "date") } ?? workspace.asOf
            return try json(try workspace.agenda(date: date, person: try AgendaQuery.person(q["for"]), scope: Scope(account)), ctx)
        }
        api.post("/agenda/outcomes") { req, ctx in
            let account = try ctx.requireAccount()
            let r = try body(OutcomeRequest.self, req, ctx)
            let entry = try OutcomeEntry.validated(invoices: r.invoices?.joined(separator: ","), outcome: r.outcome, on: r.on, reason: r.reason,
                                                   right: r.right, contact: r.contact, date: r.date, note: r.note)
            return try json(try workspace.logOutcome(entry, by: account), ctx, status: .created)
        }
    }

    struct OutcomeRequest: Decodable {
        var invoices: [String]?
        var outcome: String?
        var on: String?
        var reason: String?
        var right: String?
        var contact: String?
        var date: String?
        var note: String?
    }
}

/// The reports page's figures as the JSON API gives them: amounts in minor units with their currency, days
/// as numbers, absent when there is nothing to measure.
struct ReportsAnswer: Encodable {
    struct KPI: Encodable {
        var key: String
        var label: String
        var currency: String
        var open: Money
        var overdue: Money
        var dsoCountBack: Double
        var dsoStandard: Double?
        var averageDaysLate: Double?
        var weightedDaysLate: Double?
        var collectionEffectiveness: Double?
        var shareOnTime: Double?
        var settled: Int
        var due: Int
    }

    struct Bottleneck: Encodable {
        var group: String
        var department: String
        var departmentName: String
        var step: String
        var median: Int?
        var p90: Int?
        var typical: Int?
        var daysAdded: Int?
        var sittingNow: Int
    }

    var from: String
    var to: String
    var customer: String?
    var kpis: [KPI]
    var bottlenecks: [Bottleneck]

    init(_ r: ReportsData) {
        from = r.period.from.description
        to = r.period.to.description
        customer = r.customer
        kpis = r.kpis.map { k in
            KPI(key: k.key, label: k.label, currency: k.currency, open: k.open, overdue: k.overdue, dsoCountBack: k.dsoCountBack,
                dsoStandard: k.dsoStandard, averageDaysLate: k.averageDaysLate, weightedDaysLate: k.weightedDaysLate,
                collectionEffectiveness: k.collectionEffectiveness, shareOnTime: k.shareOnTime, settled: k.settled, due: k.due)
        }
        bottlenecks = r.bottlenecks.filter(\.ranked).map { b in
            Bottleneck(group: b.group, department: b.department, departmentName: b.departmentName, step: b.action.rawValue,
                       median: b.median, p90: b.p90, typical: b.typical, daysAdded: b.daysAdded, sittingNow: b.sittingNow)
        }
    }
}
