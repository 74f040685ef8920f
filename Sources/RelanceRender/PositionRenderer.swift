import Foundation
import RelanceCore

/// Renders positions: the route with where the invoice and its approval are (`relance where`), the
/// ranked stuck list (`relance stuck`) and call plans (`relance who`).
public enum PositionRenderer {
    static func percent(_ p: Double) -> String { "\(Int((p * 100).rounded()))%" }

    /// "yyyy-MM-dd HH:mm" in the zone (GMT when the zone is unknown), seconds dropped. Arithmetic on the
    /// zone's offset at that instant rather than a `DateFormatter`, whose set-up (ICU's) was 40% of
    /// `relance where`'s time.
    static func time(_ d: Date, _ zone: String) -> String {
        let tz = TimeZone(identifier: zone) ?? .gmt
        let local = Int((d.timeIntervalSince1970 + Double(tz.secondsFromGMT(for: d))).rounded(.down))
        let day = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let seconds = local - day * 86_400
        let hour = seconds / 3_600, minute = seconds % 3_600 / 60
        return "\(CivilDate(dayNumber: day)) \(hour < 10 ? "0" : "")\(hour):\(minute < 10 ? "0" : "")\(minute)"
    }

    /// `relance where`: header, the route's steps with their status, blocks and the timeline of events.
    public static func whereText(_ p: InvoicePosition, graph: OrgGraph, credited: Money?) -> String {
        let i = p.invoice
        var out: [String] = []
        let open = i.openAmount(credited: credited)
        out.append("\(i.id) · \(graph.group.name) · \(graph.entity(i.entity)?.name ?? i.entity) · delivered at \(graph.site(i.site)?.name ?? i.site)")
        out.append("  \(i.amount) issued \(i.issueDate)" + (i.deliveryDate.map { ", delivered \($0)" } ?? "") + ", due \(i.dueDate)"
                   + (i.dueDateGiven ? "" : " (from the terms)") + " · \(i.method.rawValue)" + (i.discounted ? " to discount" : "")
                   + (open != i.amount ? " · open \(open)" : ""))
        if let po = i.orderNumber { out.append("  order \(po)" + (i.deliveryNote.map { " · delivery note \($0)" } ?? "") + (i.orderType.map { " · \($0)" } ?? "")) }
        let days = p.asOf.days(to: i.dueDate)
        out.append("  as of \(p.asOf): " + (p.closed ? "closed (paid or credited)" : days >= 0 ? "\(days) days before the due date" : "\(-days) days overdue"))
        guard let route = p.route else {
            out.append("  no route: this customer's organisation has none for \(i.site)")
            return out.joined(separator: "\n") + "\n"
        }
        out.append("")
        out.append("Route \(route.id)" + (route.name.map { " (\($0))" } ?? ""))
        for s in p.steps {
            let dept = s.department.map { "\($0.name) (\($0.id))" } ?? "?"
            var line: String
            switch s.status {
            case .done:
                if s.implied {
                    line = "  ✓ \(s.step.id) · \(s.carried.rawValue) · \(dept): done (shown by a later step)"
                } else {
                    let src = s.evidence.map { " · \($0.state?.rawValue ?? "")" + ($0.rawCode.map { " \($0)" } ?? "") + " via \($0.source.rawValue)" } ?? ""
                    line = "  ✓ \(s.step.id) · \(s.carried.rawValue) · \(dept): done \(s.doneAt?.description ?? "")\(src)"
                }
            case .pending:
                let since = s.since.map { " since \($0)" } ?? ""
                let dwell = s.dwellDays.map { ", \($0) working day\($0 == 1 ? "" : "s") there (usually ≤ \(s.law.quantile(0.9)))" } ?? ""
                line = "  ▶ \(s.step.id) · \(s.carried.rawValue) · \(dept): HERE\(since)\(dwell) · inferred \(percent(1 - s.probabilityDone)) still here, \(percent(s.probabilityDone)) done unreported"
            case .waiting:
                line = "  · \(s.step.id) · \(s.carried.rawValue) · \(dept): waiting · inferred \(percent(s.probabilityHere)) here now, \(percent(s.probabilityDone)) done"
            }
            if p.blocks.contains(where: { $0.stepID == s.step.id }) { line += "  ⛔ blocked" }
            out.append(line)
        }
        if !p.blocks.isEmpty {
            out.append("")
            out.append("Blocked")
            for b in p.blocks {
                out.append("  \(b.state.rawValue) since \(b.since)" + (b.department.map { " at \($0)" } ?? "") + (b.event.reason.map { " · reason \($0)" } ?? "")
                           + (b.event.note.map { " · \"\($0)\"" } ?? ""))
            }
        }
        if let run = p.scheduledRun { out.append("  in the payment run of \(run)") }
        if let promise = p.promisedDate { out.append("  promised for \(promise)") }
        out.append("")
        out.append("Timeline (\(p.events.count) event\(p.events.count == 1 ? "" : "s"))")
        for e in p.events {
            var line = "  \(time(e.at, e.timeZone)) \(e.state?.rawValue ?? "note")"
            if let d = e.department { line += " at \(d)" }
            line += " · \(e.source.rawValue)"
            if let c = e.rawCode { line += " \(c)" }
            if let r = e.reason { line += " · reason \(r)" }
            if let a = e.action { line += " · action \(a)" }
            if let d = e.date { line += " · \(d)" }
            if let n = e.note { line += " · \"\(n)\"" }
            out.append(line)
        }
        for pay in i.payments where pay.date <= p.asOf { out.append("  \(pay.date) payment received \(pay.amount)") }
        return out.joined(separator: "\n") + "\n"
    }

    /// One line per stuck item for `relance stuck`.
    public static func stuckRow(_ s: StuckInvoice, graph: OrgGraph) -> [String] {
        let why: String
        switch s.reason {
        case .blocked(let state, let reason): why = state.rawValue + (reason.map { " (\($0))" } ?? "")
        case .slow(let dwell, let usual, let p): why = "\(dwell) working days, usually ≤ \(usual) (\(percent(p)) still there)"
        }
        let due = s.daysToDue >= 0 ? "in \(s.daysToDue) d" : "\(-s.daysToDue) d late"
        let remit = s.daysToRemittance.map { $0 >= 0 ? "bill to bank in \($0) d" : "bill to bank \(-$0) d late" } ?? ""
        return [s.invoice.id, graph.group.id, s.openAmount.description, due, s.department?.id ?? "?", s.stepID ?? "?", why,
                s.since.description, remit, String(format: "%.0f", s.stake)]
    }

    public static let stuckColumns = ["invoice", "customer", "open", "due", "department", "step", "why", "since", "bill", "stake"]

    /// A plain text table with aligned columns.
    public static func table(_ header: [String], _ rows: [[String]]) -> String {
        var widths = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        func line(_ r: [String]) -> String {
            r.enumerated().map { i, c in i == r.count - 1 ? c : c.padding(to: widths[i]) }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n") + "\n"
    }

    /// `relance who`.
    public static func callPlanText(_ plan: CallPlan, position p: InvoicePosition, graph: OrgGraph) -> String {
        var out = ["\(p.invoice.id) · \(graph.group.name)" + (plan.stepID.map { " · step \($0)" } ?? "")]
        out.append("Ask: \(plan.question)")
        if plan.people.isEmpty {
            out.append("Nobody is known for this step: relance check \(graph.group.id)")
        }
        for (n, person) in plan.people.enumerated() {
            var line = "\(n + 1). \(person.name)" + (person.title.map { ", \($0)" } ?? "") + " · \(person.department?.name ?? "")"
            if let phone = person.phone { line += " · \(Identifiers.displayPhone(phone))" }
            if let mail = person.email { line += " · \(mail)" }
            out.append(line)
            var detail = "   \(person.role)"
            if let r = person.reachable { detail += " · reachable \(time(r, person.timeZone)) (\(person.timeZone))" }
            if let h = person.hours { detail += " · hours \(h)" }
            if person.channel != .phone { detail += " · prefers \(person.channel.rawValue)" }
            out.append(detail)
        }
        return out.joined(separator: "\n") + "\n"
    }
}
