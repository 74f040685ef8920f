import RelanceCore

/// Renders an organisation as a tree for a terminal: entities, sites, departments, contacts, then routes
/// with their steps, the sites each serves and every path from delivery to payment.
public enum OrgTextRenderer {
    public static func render(_ g: OrgGraph) -> String {
        var out: [String] = []
        out.append("\(g.group.name) (\(g.group.id))" + (g.group.responsible.map { " · follow-up: \($0)" } ?? ""))
        if let notes = g.group.notes { out.append("  \(notes)") }
        for (i, e) in g.entities.enumerated() {
            let lastEntity = i == g.entities.count - 1 && g.routes.isEmpty
            let (b, c) = branch(lastEntity)
            var head = "\(b)\(e.name) (\(e.id))"
            if let siren = e.siren { head += " · SIREN \(groupDigits(siren))" }
            out.append(head)
            out.append("\(c)  terms: " + (e.agreedTerms?.summary ?? "not stated (legal default: \(e.terms.summary))"))
            let decides = g.sites.contains { $0.receivesDeliveries && g.paymentCalendarOwner(forSite: $0.id)?.id == e.id }
            let runsBy = Set(g.sites.filter { $0.receivesDeliveries && g.payer(of: $0.id)?.id == e.id }
                .compactMap { g.paymentCalendarOwner(forSite: $0.id) }.filter { $0.id != e.id }.map(\.id)).sorted()
            if decides || runsBy.isEmpty { out.append("\(c)  payables: \(calendarSummary(e.calendar))") }
            if !runsBy.isEmpty { out.append("\(c)  paid in the payment runs of: \(runsBy.joined(separator: ", "))") }
            if let a = e.invoiceAddress { out.append("\(c)  invoices to: \(g.site(a)?.name ?? a) (\(a))" + (e.requiresPurchaseOrder ? " · purchase-order number required" : "")) }
            let sites = g.sites(of: e.id)
            for (j, s) in sites.enumerated() {
                let (sb, sc) = branch(j == sites.count - 1)
                var line = "\(c)\(sb)\(s.name) (\(s.id)) · \(s.kind.rawValue)"
                if let siret = s.siret { line += " · SIRET \(siret)" }
                out.append(line)
                if let a = s.address { out.append("\(c)\(sc)  \(a.oneLine)") }
                if let p = s.paidBy { out.append("\(c)\(sc)  paid by \(g.entity(p)?.name ?? p) (\(p))") }
                let depts = g.departments(at: s.id)
                for (k, d) in depts.enumerated() {
                    let (db, dc) = branch(k == depts.count - 1)
                    var dl = "\(c)\(sc)\(db)\(d.name) (\(d.id)) · \(d.role.label)"
                    if let p = d.phone { dl += " · \(Identifiers.displayPhone(p))" }
                    if let m = d.email { dl += " · \(m)" }
                    out.append(dl)
                    let people = g.contacts(in: d.id)
                    for (l, p) in people.enumerated() {
                        let (pb, _) = branch(l == people.count - 1)
                        out.append("\(c)\(sc)\(dc)\(pb)\(contactLine(p))")
                    }
                }
            }
        }
        if !g.routes.isEmpty {
            out.append("└─ Routes")
            for (i, r) in g.routes.enumerated() {
                let (b, c) = branch(i == g.routes.count - 1)
                let prefix = "   "
                out.append("\(prefix)\(b)\(r.id)" + (r.name.map { ": \($0)" } ?? "") + " · applies to \(ruleSummary(r.appliesTo))")
                let served = g.sites(servedBy: r).map(\.id)
                out.append("\(prefix)\(c)  serves: \(served.isEmpty ? "no site" : served.joined(separator: ", "))")
                let carried = r.carriedByStep()
                let order = r.topologicalOrder() ?? r.steps
                let width = order.map(\.id.count).max() ?? 0
                for (n, s) in order.enumerated() {
                    let dept: String
                    switch s.department {
                    case .fixed(let id): dept = "\(id) (\(g.department(id)?.role.label ?? "?"))"
                    case .atDeliverySite(let role): dept = "the delivery site's \(role.rawValue)"
                    }
                    var line = "\(prefix)\(c)  \(n + 1). \(s.id.padding(to: width)) \((carried[s.id]?.rawValue ?? "").padding(to: 8)) \(s.action.rawValue) at \(dept)"
                    if let d = s.expectedDays { line += " · \(formatDays(d))" }
                    if !s.after.isEmpty { line += " · after \(s.after.joined(separator: ", "))" }
                    out.append(line)
                }
                for p in r.paths() { out.append("\(prefix)\(c)  path: \(p.joined(separator: " → "))") }
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func branch(_ last: Bool) -> (String, String) { last ? ("└─ ", "   ") : ("├─ ", "│  ") }

    static func contactLine(_ p: Contact) -> String {
        var parts = [p.name + (p.title.map { ", \($0)" } ?? "")]
        if let phone = p.phone { parts.append(Identifiers.displayPhone(phone)) }
        if let m = p.email { parts.append(m) }
        parts.append(p.hours.description + (p.timeZone == "Europe/Paris" ? "" : " \(p.timeZone)"))
        if p.channel != .phone { parts.append("prefers \(p.channel.rawValue)") }
        if p.language != "fr" { parts.append("speaks \(p.language)") }
        return parts.joined(separator: " · ")
    }

    /// "runs on the 10, 25 · closed 08-10 to 08-21 · holidays fr".
    public static func calendarSummary(_ c: PayablesCalendar) -> String {
        var parts: [String] = []
        if !c.hasKnownRuns { parts.append("payment runs unknown") }
        if !c.runWeekdays.isEmpty { parts.append("runs every " + c.runWeekdays.sorted().map(\.rawValue).joined(separator: ", ")) }
        if !c.runDays.isEmpty { parts.append("runs on day " + c.runDays.map(\.description).joined(separator: ", ") + " of the month") }
        if !c.closedPeriods.isEmpty { parts.append("closed " + c.closedPeriods.map(\.description).joined(separator: ", ")) }
        parts.append("holidays \(c.holidays.rawValue)")
        if c.workingDays != [.monday, .tuesday, .wednesday, .thursday, .friday] {
            parts.append("works " + c.workingDays.sorted().map(\.shortName).joined(separator: ","))
        }
        return parts.joined(separator: " · ")
    }

    static func ruleSummary(_ r: RouteRule) -> String {
        var parts: [String] = []
        if !r.sites.isEmpty { parts.append("sites " + r.sites.joined(separator: ", ")) }
        if !r.entities.isEmpty { parts.append("entities " + r.entities.joined(separator: ", ")) }
        if parts.isEmpty { parts.append("the whole group") }
        if !r.orderTypes.isEmpty { parts.append("order types " + r.orderTypes.joined(separator: ", ")) }
        return parts.joined(separator: ", ")
    }

    static func groupDigits(_ siren: String) -> String {
        guard siren.count == 9 else { return siren }
        let a = Array(siren)
        return "\(String(a[0..<3])) \(String(a[3..<6])) \(String(a[6..<9]))"
    }
}

func formatDays(_ d: Double) -> String {
    let text = d == d.rounded() ? String(Int(d)) : String(d)
    return "\(text) working day" + (d == 1 ? "" : "s")
}

extension String {
    func padding(to width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
