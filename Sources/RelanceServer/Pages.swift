import Foundation
import Hummingbird
import NIOCore
import Mustache
import RelanceCore
import RelanceRender
import RelanceStore
import Synchronization

/// Renders the Mustache templates of the pages, with what every page shares: the strings of the language, the
/// account, the navigation and the CSRF token.
public struct PageRenderer: Sendable {
    let library: MustacheLibrary
    let stylesheet: String

    /// Loads the templates shipped with the module.
    public static func load() async throws -> PageRenderer {
        guard let dir = Bundle.module.resourceURL?.appendingPathComponent("Templates") else {
            throw ClientError(500, "the server's templates are missing from its bundle")
        }
        let library = try await MustacheLibrary(directory: dir.path)
        let css = try String(contentsOf: dir.appendingPathComponent("app.css"), encoding: .utf8)
        return PageRenderer(library: library, stylesheet: css)
    }

    /// The navigation: later pages (the agenda, reports) are one line each here.
    static let navigation: [(key: String, href: String)] = [
        ("nav_overview", "/"), ("nav_agenda", "/agenda"), ("nav_customers", "/customers"), ("nav_stuck", "/stuck"),
        ("nav_reports", "/reports"),
    ]

    func render(_ template: String, title: String, values: [String: Any], context: WorkspaceContext, current: String? = nil, asOf: String = "") -> String {
        let lang = context.language
        var all = values
        all["t"] = lang.strings
        all["lang"] = lang.rawValue
        all["otherLang"] = lang == .en ? "fr" : "en"
        all["title"] = title
        all["asOf"] = values["asOf"] ?? asOf
        if let s = context.session {
            all["csrf"] = s.csrf ?? ""
            all["user"] = [
                "name": s.account.name, "role": s.account.role.rawValue, "csrf": s.csrf ?? "",
                "nav": Self.navigation.map { ["label": lang.text($0.key), "href": $0.href, "current": $0.href == current] as [String: Any] },
            ] as [String: Any]
        }
        return library.render(Self.withoutNils(all) ?? [:], withTemplate: template) ?? "template \(template) is missing"
    }

    /// The values with every `nil` removed (an optional boxed in `Any` would otherwise print as "nil"), so that
    /// `{{#x}}` sections see a missing value.
    static func withoutNils(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            guard let wrapped = mirror.children.first?.value else { return nil }
            return withoutNils(wrapped)
        }
        if let d = value as? [String: Any] { return d.compactMapValues { withoutNils($0) } }
        if let a = value as? [[String: Any]] { return a.compactMap { withoutNils($0) } }
        return value
    }

    func errorPage(status: Int, message: String, context: WorkspaceContext) -> String {
        render("error", title: context.language.text("error_title"), values: ["status": status, "message": message], context: context)
    }
}

/// Graphviz pictures of organisations, kept until the database changes.
final class PictureCache: Sendable {
    private let entries = Mutex<[String: String]>([:])
    func value(_ key: String, make: () throws -> String) rethrows -> String {
        if let hit = entries.withLock({ $0[key] }) { return hit }
        let made = try make()
        entries.withLock { table in
            if table.count > 500 { table.removeAll() }
            table[key] = made
        }
        return made
    }
}

/// The HTML pages.
struct PageRoutes {
    let workspace: Workspace
    let pages: PageRenderer
    let hasher: PasswordHasher
    let throttle: LoginThrottle
    /// How `dot` is run (tests replace it to simulate a missing Graphviz).
    let drawSVG: @Sendable (String) throws -> String
    let pictures = PictureCache()
    static let sessionLifetime: TimeInterval = 12 * 3600

    func add(to router: Router<WorkspaceContext>) {
        router.get("/health") { _, _ in "ok" }
        router.get("/favicon.ico") { _, _ in Response(status: .noContent) }
        router.get("/static/app.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=3600"],
                     body: .init(byteBuffer: ByteBuffer(string: pages.stylesheet)))
        }
        router.get("/signin") { req, ctx in try signInPage(req, ctx, failure: nil, name: "") }
        router.post("/signin") { req, ctx in try await signIn(req, ctx) }
        router.post("/signout") { req, ctx in try signOut(req, ctx) }
        router.get("/") { _, ctx in try overview(ctx) }
        router.get("/customers") { _, ctx in try customers(ctx) }
        router.get("/customers/:id") { _, ctx in try customer(ctx) }
        router.get("/invoices/:id") { req, ctx in try invoice(req, ctx) }
        router.post("/invoices/:id/events") { _, ctx in try logEvent(ctx) }
        router.get("/stuck") { req, ctx in try stuck(req, ctx) }
        addAgendaAndReports(to: router)
    }

    func html(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    // MARK: Sign-in

    func signInPage(_ req: Request, _ ctx: WorkspaceContext, failure: String?, name: String, status: HTTPResponse.Status = .ok) throws -> Response {
        if ctx.session != nil && failure == nil { return .redirect(to: "/", type: .normal) }
        // Reuse the browser's sign-in token if it has one: a second tab or a favicon request must not invalidate the form.
        let token = req.cookies[CookieName.signInToken].map(\.value).flatMap { Secrets.isWellFormed($0) ? $0 : nil } ?? Secrets.token()
        let next = Self.safeNext(ctx.form["next"] ?? req.query["next"])
        var response = html(pages.render("signin", title: ctx.language.text("signin_title"),
                                         values: ["signinToken": token, "next": next, "failure": failure as Any, "name": name], context: ctx,
                                         asOf: workspace.asOf.description), status: status)
        response.setCookie(Cookie(name: CookieName.signInToken, value: token, maxAge: 3600, path: "/signin", httpOnly: true, sameSite: .strict))
        return response
    }

    /// Only a path on this site (`/…`, not `//host`), so that sign-in cannot send anyone elsewhere.
    static func safeNext(_ next: String?) -> String {
        guard let n = next, n.hasPrefix("/"), !n.hasPrefix("//"), !n.contains("\\"), n.count < 500 else { return "/" }
        return n
    }

    func signIn(_ req: Request, _ ctx: WorkspaceContext) async throws -> Response {
        let form = ctx.form
        guard let sent = form["csrf"], let cookie = req.cookies[CookieName.signInToken]?.value, Secrets.equal(sent, cookie) else {
            throw ClientError(403, "the sign-in form is out of date or did not come from this site: reload the page and try again")
        }
        let name = (form["name"] ?? "").trimmingCharacters(in: .whitespaces)
        let password = form["password"] ?? ""
        guard !name.isEmpty, !password.isEmpty else { throw ClientError.badRequest("name and password are both required") }
        switch try authenticate(name: name, password: password) {
        case .throttled:
            return try signInPage(req, ctx, failure: ctx.language.text("signin_throttled"), name: name, status: .tooManyRequests)
        case .refused:
            return try signInPage(req, ctx, failure: ctx.language.text("signin_failed"), name: name, status: .unauthorized)
        case .accepted(let account):
            let token = Secrets.token()
            try workspace.store.addSession(tokenHash: Secrets.hash(token), account: account.id, kind: .web, csrf: Secrets.token(),
                                           expiresAt: Date().addingTimeInterval(Self.sessionLifetime))
            var response = Response.redirect(to: Self.safeNext(form["next"]), type: .normal)
            response.setCookie(Cookie(name: CookieName.session, value: token, maxAge: Int(Self.sessionLifetime), path: "/", httpOnly: true, sameSite: .strict))
            response.setCookie(Cookie(name: CookieName.signInToken, value: "", maxAge: 0, path: "/signin", httpOnly: true, sameSite: .strict))
            return response
        }
    }

    enum Authentication { case accepted(Account), refused, throttled }

    /// Checks a name and password, counting failures against the name.
    func authenticate(name: String, password: String) throws -> Authentication {
        if throttle.isBlocked(name) { return .throttled }
        guard let (account, hash) = try workspace.store.credentials(name: name), hasher.verify(password, hash: hash) else {
            throttle.recordFailure(name)
            return .refused
        }
        throttle.reset(name)
        return .accepted(account)
    }

    func signOut(_ req: Request, _ ctx: WorkspaceContext) throws -> Response {
        if let cookie = req.cookies[CookieName.session] { try workspace.store.deleteSession(tokenHash: Secrets.hash(cookie.value)) }
        var response = Response.redirect(to: "/signin", type: .normal)
        response.setCookie(Cookie(name: CookieName.session, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: .strict))
        return response
    }

    // MARK: Pages

    func customerRows(_ list: [CustomerSummary], _ lang: Language) -> [[String: Any]] {
        list.map { c in
            ["id": c.id, "name": c.name, "openCount": c.openCount, "open": Format.amount(c.open, language: lang),
             "overdue": Format.amount(c.overdue, language: lang), "stuckCount": c.stuckCount]
        }
    }

    func overview(_ ctx: WorkspaceContext) throws -> Response {
        let account = try ctx.requireAccount()
        let o = try workspace.overview(scope: Scope(account))
        let lang = ctx.language
        let values: [String: Any] = [
            "asOf": o.asOf, "open": Format.amount(o.open, language: lang), "overdue": Format.amount(o.overdue, language: lang),
            "openCount": o.openCount, "overdueCount": o.overdueCount, "stuckCount": o.stuckCount, "currency": o.currency,
            "chart": Pictures.cashInChart(o.weeks, language: lang, currency: o.currency), "customers": customerRows(o.customers, lang),
        ]
        return html(pages.render("overview", title: lang.text("overview_title"), values: values, context: ctx, current: "/"))
    }

    func customers(_ ctx: WorkspaceContext) throws -> Response {
        let account = try ctx.requireAccount()
        let list = try workspace.customers(scope: Scope(account))
        return html(pages.render("customers", title: ctx.language.text("customers_title"), values: ["customers": customerRows(list, ctx.language)],
                                 context: ctx, current: "/customers", asOf: workspace.asOf.description))
    }

    func customer(_ ctx: WorkspaceContext) throws -> Response {
        let account = try ctx.requireAccount()
        let id = ctx.parameters.get("id") ?? ""
        let scope = Scope(account)
        let (detail, graph) = try workspace.customer(id, scope: scope)
        let lang = ctx.language
        var svg: String?
        do {
            let key = "\(id)|\(scope.salesRep ?? "*")|\(try workspace.store.changeStamp())|\(workspace.asOf)"
            svg = try pictures.value(key) { Pictures.inlineSVG(try drawSVG(Pictures.organisationDOT(graph, invoices: detail.invoices))) }
        } catch let failure as Graphviz.Failure {
            if case .failed = failure { throw failure }
            svg = nil
        }
        let c = detail.customer
        let values: [String: Any] = [
            "name": c.name, "open": Format.amount(c.open, language: lang), "overdue": Format.amount(c.overdue, language: lang),
            "openCount": c.openCount, "stuckCount": c.stuckCount, "svg": svg as Any, "text": svg == nil ? OrgTextRenderer.render(graph) : "",
            "invoices": detail.invoices.map { invoiceRow($0, lang) },
        ]
        return html(pages.render("customer", title: c.name, values: values, context: ctx, current: "/customers", asOf: workspace.asOf.description))
    }

    func invoiceRow(_ i: InvoiceSummary, _ lang: Language) -> [String: Any] {
        ["id": i.id, "customer": i.customer, "open": Format.amount(i.open, language: lang), "amount": Format.amount(i.amount, language: lang),
         "dueDate": i.dueDate, "issueDate": i.issueDate, "department": i.department ?? "", "departmentName": i.departmentName ?? "—",
         "p50": i.p50 ?? "—", "byDue": i.probabilityByDue.map { Format.percent($0, language: lang) } ?? "—", "risk": i.risk,
         "riskLabel": lang.text("risk_\(i.risk)"), "salesRep": i.salesRep as Any, "closed": i.closed]
    }

    func invoice(_ req: Request, _ ctx: WorkspaceContext) throws -> Response {
        let account = try ctx.requireAccount()
        let d = try workspace.invoice(ctx.parameters.get("id") ?? "", scope: Scope(account))
        let lang = ctx.language
        var values = invoiceRow(d.invoice, lang)
        values["customerName"] = d.customerName
        values["route"] = d.route ?? ""
        values["hasSteps"] = !d.steps.isEmpty
        values["steps"] = d.steps.map { s -> [String: Any] in
            ["label": s.label, "departmentName": s.departmentName ?? "", "status": s.status, "statusLabel": lang.text("status_\(s.status)"),
             "doneAt": s.doneAt as Any, "since": s.status == "pending" ? s.since as Any : nil as String? as Any,
             "here": s.probabilityHere.map { Format.percent($0, language: lang) } as Any]
        }
        values["hasBlocks"] = !d.blocks.isEmpty
        values["blocks"] = d.blocks.map { ["state": $0.state, "since": $0.since, "department": $0.department ?? "", "reason": $0.reason ?? ""] }
        values["hasEvents"] = !d.events.isEmpty
        values["events"] = d.events.reversed().map { e -> [String: Any] in
            ["day": e.day, "stateLabel": e.state ?? "note", "departmentName": e.departmentName ?? "", "source": e.source,
             "date": e.date as Any, "note": e.note as Any]
        }
        values["forecast"] = d.forecast.map { f -> [String: Any] in
            ["p10": f.p10, "p50": f.p50, "p90": f.p90, "byDue": Format.percent(f.probabilityByDue, language: lang),
             "daysLate": String(format: "%.1f", f.expectedDaysLate), "method": f.method, "explanation": f.explanation]
        } as Any
        values["canWrite"] = account.role.canWrite && !d.invoice.closed
        values["states"] = EventEntry.loggableStates.map { ["value": $0.rawValue, "label": $0.label] }
        values["departments"] = d.departments.map { ["id": $0.id, "name": $0.name] }
        values["notice"] = req.query["logged"] == "1" ? lang.text("log_done") : nil as String? as Any
        return html(pages.render("invoice", title: "\(lang.text("invoice_title")) \(d.invoice.id)", values: values, context: ctx,
                                 asOf: workspace.asOf.description))
    }

    func logEvent(_ ctx: WorkspaceContext) throws -> Response {
        let account = try ctx.requireAccount()
        let id = ctx.parameters.get("id") ?? ""
        let f = ctx.form
        let entry = try EventEntry.validated(state: f["state"], department: f["department"], date: f["date"], promised: f["promised"], note: f["note"])
        _ = try workspace.record(entry, invoice: id, by: account)
        return .redirect(to: "/invoices/\(id)?logged=1", type: .normal)
    }

    func stuck(_ req: Request, _ ctx: WorkspaceContext) throws -> Response {
        let account = try ctx.requireAccount()
        let q = req.query
        let filter = try StuckFilter.validated(customer: q["customer"], minProbability: q["minProbability"], minAmount: q["minAmount"])
        let rows = try workspace.stuck(scope: Scope(account), filter: filter)
        let lang = ctx.language
        let customers = try workspace.customers(scope: Scope(account))
        let values: [String: Any] = [
            "hasRows": !rows.isEmpty,
            "rows": rows.map { r -> [String: Any] in
                ["invoice": r.invoice, "customer": r.customer, "customerName": r.customerName, "open": Format.amount(r.open, language: lang),
                 "dueDate": r.dueDate, "departmentName": r.departmentName ?? "?", "step": r.step ?? "?", "why": r.why, "since": r.since,
                 "stake": Format.number(r.stake, language: lang)]
            },
            "customerOptions": customers.map { ["id": $0.id, "name": $0.name, "selected": $0.id == filter.customer] as [String: Any] },
            "minProbability": Int((filter.minimumProbability * 100).rounded()),
            "minAmount": filter.minimumAmountMinor == 0 ? "" : AmountValue(minor: filter.minimumAmountMinor, currency: "EUR").text,
        ]
        return html(pages.render("stuck", title: lang.text("stuck_title"), values: values, context: ctx, current: "/stuck",
                                 asOf: workspace.asOf.description))
    }
}

extension EventEntry {
    /// Checks the fields of a logged event as they arrive (form or JSON), with an error naming the field.
    public static func validated(state: String?, department: String?, date: String?, promised: String?, note: String?) throws -> EventEntry {
        func blank(_ s: String?) -> String? { s.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0.trimmingCharacters(in: .whitespaces) } }
        var entry = EventEntry(state: nil)
        if let s = blank(state) {
            guard let st = CanonicalState(rawValue: s), loggableStates.contains(st) else {
                throw ClientError.badRequest("state: '\(s)' is not a state a call can record; use one of \(loggableStates.map(\.rawValue).joined(separator: ", ")) or leave it empty")
            }
            entry.state = st
        }
        if let d = blank(department) {
            guard Identifier.isValid(d) else { throw ClientError.badRequest("department: '\(d)' is not a department id") }
            entry.department = d
        }
        if let d = blank(date) {
            guard let day = CivilDate(iso: d) else { throw ClientError.badRequest("date: '\(d)' is not a date YYYY-MM-DD") }
            entry.date = day
        }
        if let d = blank(promised) {
            guard let day = CivilDate(iso: d) else { throw ClientError.badRequest("promisedDate: '\(d)' is not a date YYYY-MM-DD") }
            entry.promisedDate = day
        }
        if let n = blank(note) {
            guard n.count <= 500 else { throw ClientError.badRequest("note: at most 500 characters (got \(n.count))") }
            entry.note = n
        }
        if entry.state == .promised && entry.promisedDate == nil {
            throw ClientError.badRequest("promisedDate: a promise needs the promised payment date")
        }
        return entry
    }
}

extension StuckFilter {
    /// Checks the filters of the stuck list: a customer id, a percentage 0–100, an amount ≥ 0.
    public static func validated(customer: String?, minProbability: String?, minAmount: String?) throws -> StuckFilter {
        var filter = StuckFilter()
        if let c = customer, !c.isEmpty {
            guard Identifier.isValid(c) else { throw ClientError.badRequest("customer: '\(c)' is not a customer id") }
            filter.customer = c
        }
        if let p = minProbability, !p.isEmpty {
            guard let v = Double(p), v.isFinite, (0...100).contains(v) else {
                throw ClientError.badRequest("minProbability: '\(p)' is not a percentage between 0 and 100")
            }
            filter.minimumProbability = v / 100
        }
        if let a = minAmount, !a.isEmpty {
            guard let m = Money(parsing: a, currency: "EUR"), m.minorUnits >= 0 else {
                throw ClientError.badRequest("minAmount: '\(a)' is not an amount ≥ 0 (like 1500 or 1500.50)")
            }
            filter.minimumAmountMinor = m.minorUnits
        }
        return filter
    }
}
