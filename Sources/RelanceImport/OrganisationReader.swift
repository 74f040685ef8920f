import Foundation
import RelanceCore
import Yams

/// Reads organisation files: YAML, one customer group per file (format in `docs/formats.md`).
///
/// Reading is strict: unknown fields, repeated fields, malformed values and everything
/// ``OrgGraph/validate()`` finds are reported together, each with file, line, column and field, and no
/// graph is returned unless there is no problem at all.
public enum OrganisationReader {
    /// Reads one file from disk.
    public static func read(contentsOf url: URL) throws(ImportError) -> OrgGraph {
        let name = url.lastPathComponent
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ImportError([Diagnostic(file: url.path, message: "cannot read the file: \(error.localizedDescription)")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ImportError([Diagnostic(file: name, message: "the file is not UTF-8 text")])
        }
        return try read(yaml: text, file: name)
    }

    /// Reads YAML text; `file` names it in diagnostics.
    public static func read(yaml: String, file: String) throws(ImportError) -> OrgGraph {
        let sink = DiagnosticSink(file: file)
        var text = yaml
        var root: Node?
        // Yams refuses a mapping with a repeated key; mark each repetition and compose again, so that the
        // reader reports it with its path, along with every other problem.
        for _ in 0..<50 {
            do {
                root = try Yams.compose(yaml: text)
                break
            } catch let YamlError.duplicatedKeysInMapping(duplicates, context) {
                guard let key = duplicates.first, let marked = markRepetition(of: key, after: context.mark, in: text) else {
                    throw ImportError([Diagnostic(file: file, line: context.mark.line, column: context.mark.column, field: duplicates.first,
                                                  message: "field '\(duplicates.joined(separator: "', '"))' is given twice")])
                }
                text = marked
            } catch let error as YamlError {
                throw ImportError([yamlDiagnostic(error, file: file)])
            } catch {
                throw ImportError([Diagnostic(file: file, message: "not valid YAML: \(error)")])
            }
        }
        guard let root else { throw ImportError([Diagnostic(file: file, message: "the file is empty")]) }
        var builder = GraphBuilder(sink: sink)
        let structural = sink.diagnostics.count
        let graph = builder.read(YAMLCursor(node: root, path: "", sink: sink))
        if let graph {
            // With structural problems, elements may be missing or hold defaults: report only the checks of
            // single values (identifiers, contact details, calendars), which cannot follow from that.
            let partial = sink.diagnostics.count > structural
            let valueChecks = ["siren", "vat", "siret", "phone", "email", "time-zone", "language"]
            for issue in graph.validate() where !partial || issue.at.field.map({ f in
                valueChecks.contains(f) || f.hasPrefix("payables-calendar") || f.hasPrefix("terms")
            }) == true {
                let (mark, path) = builder.locate(issue.at)
                sink.report(mark, path, issue.message)
            }
        }
        guard let graph, sink.diagnostics.isEmpty else {
            throw ImportError(sink.diagnostics.isEmpty ? [Diagnostic(file: file, message: "no organisation found")] : sink.diagnostics)
        }
        return graph.normalized()
    }

    /// `text` with the second occurrence of `key` (after the first, at `mark`, at the same indentation)
    /// renamed with ``duplicateMarker``.
    static func markRepetition(of key: String, after mark: Mark, in text: String) -> String? {
        var lines = text.components(separatedBy: "\n")
        guard mark.line >= 1, mark.line <= lines.count else { return nil }
        let indent = mark.column - 1
        let first = lines[mark.line - 1]
        let isFlow = first.dropFirst(indent).hasPrefix(key + ":") == false
        guard !isFlow else { return nil }
        for i in mark.line..<lines.count {
            let line = lines[i]
            let leading = line.prefix { $0 == " " || $0 == "-" }.count
            if leading < indent && !line.trimmingCharacters(in: .whitespaces).isEmpty && !line.trimmingCharacters(in: .whitespaces).hasPrefix("#") { break }
            if leading == indent, line.dropFirst(indent).hasPrefix(key + ":") {
                lines[i] = String(line.prefix(indent)) + key + duplicateMarker + String(line.dropFirst(indent + key.count))
                return lines.joined(separator: "\n")
            }
        }
        return nil
    }

    static func yamlDiagnostic(_ error: YamlError, file: String) -> Diagnostic {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return Diagnostic(file: file, line: mark.line, column: mark.column, message: "not valid YAML: \(problem)")
        default:
            return Diagnostic(file: file, message: "not valid YAML: \(error)")
        }
    }
}

/// Turns the YAML tree into an ``OrgGraph``, remembering where each element and field came from.
struct GraphBuilder {
    let sink: DiagnosticSink
    var locations: [FieldRef: (mark: Mark?, path: String)] = [:]

    init(sink: DiagnosticSink) { self.sink = sink }

    /// The place in the file of a field, else of its element, else of the file.
    func locate(_ ref: FieldRef) -> (Mark?, String?) {
        if let at = locations[ref] { return (at.mark, at.path) }
        if let at = locations[ref.element] { return (at.mark, at.path + (ref.field.map { ".\($0)" } ?? "")) }
        return (nil, ref.description)
    }

    mutating func remember(_ kind: ElementKind, _ id: String, _ cursor: YAMLCursor, _ fields: [String: YAMLCursor]) {
        locations[FieldRef(kind, id)] = (cursor.mark, cursor.path)
        for (name, c) in fields { locations[FieldRef(kind, id, name)] = (c.mark, c.path) }
    }

    mutating func read(_ root: YAMLCursor) -> OrgGraph? {
        guard let top = root.fields(allowed: ["group", "entities", "routes"]) else { return nil }
        guard let groupCursor = top["group"] else {
            sink.report(root.mark, "group", "missing field 'group' (id and name of the customer group)")
            return nil
        }
        guard let g = groupCursor.fields(allowed: ["id", "name", "responsible", "notes"]),
              let id = required(g, "id", in: groupCursor)?.text else { return nil }
        remember(.group, id, groupCursor, g)
        var graph = OrgGraph(group: CustomerGroup(
            id: id, name: required(g, "name", in: groupCursor)?.text ?? id,
            responsible: g["responsible"]?.text, notes: g["notes"]?.text))

        if let entities = required(top, "entities", in: root) {
            for e in entities.items() { readEntity(e, into: &graph) }
        }
        for r in top["routes"]?.items() ?? [] {
            if let route = readRoute(r) { graph.routes.append(route) }
        }
        return graph
    }

    func required(_ fields: [String: YAMLCursor], _ name: String, in parent: YAMLCursor) -> YAMLCursor? {
        if let c = fields[name] { return c }
        sink.report(parent.mark, parent.child(name), "missing field '\(name)'")
        return nil
    }

    mutating func readEntity(_ c: YAMLCursor, into graph: inout OrgGraph) {
        guard let f = c.fields(allowed: ["id", "name", "siren", "vat", "terms", "payables-calendar", "invoice-address",
                                         "requires-purchase-order", "sites"]),
              let id = required(f, "id", in: c)?.text else { return }
        remember(.entity, id, c, f)
        var entity = LegalEntity(id: id, name: required(f, "name", in: c)?.text ?? id)
        entity.siren = f["siren"]?.text
        entity.vatNumber = f["vat"]?.text
        entity.invoiceAddress = f["invoice-address"]?.text
        entity.requiresPurchaseOrder = f["requires-purchase-order"]?.bool ?? false
        if let t = f["terms"], let terms = readTerms(t) { entity.terms = terms }
        if let cal = f["payables-calendar"], let calendar = readCalendar(cal, entity: id) { entity.calendar = calendar }
        graph.entities.append(entity)
        for s in f["sites"]?.items() ?? [] { readSite(s, entity: id, into: &graph) }
    }

    func readTerms(_ c: YAMLCursor) -> PaymentTerms? {
        guard let f = c.fields(allowed: ["days", "end-of-month", "basis", "pay-day"]), let days = required(f, "days", in: c)?.int else { return nil }
        var terms = PaymentTerms(days: days)
        if let e = f["end-of-month"], let rule = e.choice(EndOfMonthRule.self) { terms.endOfMonth = rule }
        if let b = f["basis"], let basis = b.choice(TermsBasis.self) { terms.basis = basis }
        terms.payDay = f["pay-day"]?.int
        return terms
    }

    mutating func readCalendar(_ c: YAMLCursor, entity: String) -> PayablesCalendar? {
        guard let f = c.fields(allowed: ["time-zone", "working-days", "holidays", "payment-runs", "closed"]) else { return nil }
        for (k, v) in f { locations[FieldRef(.entity, entity, "payables-calendar.\(k)")] = (v.mark, v.path) }
        var cal = PayablesCalendar()
        if let tz = f["time-zone"]?.text { cal.timeZone = tz }
        if let w = f["working-days"], let days = readWeekdays(w) { cal.workingDays = days }
        if let h = f["holidays"], let region = h.choice(HolidayRegion.self) { cal.holidays = region }
        if let runs = f["payment-runs"], let r = runs.fields(allowed: ["weekdays", "days-of-month"]) {
            for (k, v) in r { locations[FieldRef(.entity, entity, "payables-calendar.payment-runs.\(k)")] = (v.mark, v.path) }
            if let w = r["weekdays"], let days = readWeekdays(w) { cal.runWeekdays = days }
            for d in r["days-of-month"]?.items(scalarAsList: true) ?? [] {
                guard let t = d.text else { continue }
                if t.lowercased() == "last" { cal.runDays.append(.last) } else if let n = Int(t) { cal.runDays.append(.day(n)) } else {
                    d.report("'\(t)' is not a day of the month (1 to 31, or last)")
                }
            }
        }
        for p in f["closed"]?.items() ?? [] {
            guard let pf = p.fields(allowed: ["from", "to"]) else { continue }
            let ends = ["from", "to"].map { key -> MonthDay? in
                guard let v = required(pf, key, in: p), let t = v.text else { return nil }
                guard let md = MonthDay(text: t) else {
                    v.report("'\(t)' is not a day of the year as MM-DD (a day that exists, such as 08-01)")
                    return nil
                }
                return md
            }
            if let from = ends[0], let to = ends[1] { cal.closedPeriods.append(ClosedPeriod(from: from, to: to)) }
        }
        return cal
    }

    func readWeekdays(_ c: YAMLCursor) -> Set<Weekday>? {
        var days = Set<Weekday>()
        for item in c.items(scalarAsList: true) {
            guard let t = item.text else { return nil }
            for part in t.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                let ends = part.split(separator: "-")
                if ends.count == 2, let a = Weekday(name: ends[0]), let b = Weekday(name: ends[1]), a <= b {
                    days.formUnion(Weekday.allCases.filter { a <= $0 && $0 <= b })
                } else if let d = Weekday(name: part) {
                    days.insert(d)
                } else {
                    item.report("'\(part)' is not a weekday or a range of weekdays (mon-fri)")
                    return nil
                }
            }
        }
        return days
    }

    mutating func readSite(_ c: YAMLCursor, entity: String, into graph: inout OrgGraph) {
        guard let f = c.fields(allowed: ["id", "name", "kind", "siret", "address", "paid-by", "receives-deliveries", "departments"]),
              let id = required(f, "id", in: c)?.text else { return }
        remember(.site, id, c, f)
        let kind = required(f, "kind", in: c)?.choice(SiteKind.self) ?? .office
        var site = Site(id: id, entity: entity, name: required(f, "name", in: c)?.text ?? id, kind: kind,
                        siret: f["siret"]?.text, paidBy: f["paid-by"]?.text, receivesDeliveries: f["receives-deliveries"]?.bool)
        if let a = f["address"], let af = a.fields(allowed: ["lines", "postcode", "city", "country"]) {
            site.address = Address(lines: af["lines"]?.strings ?? [], postcode: required(af, "postcode", in: a)?.text ?? "",
                                   city: required(af, "city", in: a)?.text ?? "", country: af["country"]?.text ?? "FR")
        }
        graph.sites.append(site)
        for d in f["departments"]?.items() ?? [] { readDepartment(d, site: id, into: &graph) }
    }

    mutating func readDepartment(_ c: YAMLCursor, site: String, into graph: inout OrgGraph) {
        guard let f = c.fields(allowed: ["id", "name", "role", "phone", "email", "contacts"]),
              let id = required(f, "id", in: c)?.text else { return }
        remember(.department, id, c, f)
        let role = required(f, "role", in: c)?.choice(DepartmentRole.self) ?? .management
        graph.departments.append(Department(id: id, site: site, name: required(f, "name", in: c)?.text ?? id, role: role,
                                            email: f["email"]?.text, phone: f["phone"]?.text))
        for p in f["contacts"]?.items() ?? [] { readContact(p, department: id, into: &graph) }
    }

    mutating func readContact(_ c: YAMLCursor, department: String, into graph: inout OrgGraph) {
        guard let f = c.fields(allowed: ["id", "name", "title", "phone", "email", "hours", "time-zone", "language", "channel"]),
              let id = required(f, "id", in: c)?.text else { return }
        remember(.contact, id, c, f)
        var contact = Contact(id: id, department: department, name: required(f, "name", in: c)?.text ?? id,
                              title: f["title"]?.text, phone: f["phone"]?.text, email: f["email"]?.text)
        if let h = f["hours"], let t = h.text {
            if let hours = WorkingHours(text: t) { contact.hours = hours } else {
                h.report("'\(t)' is not working hours such as 'mon-fri 09:00-12:00 14:00-17:30' (days, then ordered time ranges)")
            }
        }
        if let tz = f["time-zone"]?.text { contact.timeZone = tz }
        if let l = f["language"]?.text { contact.language = l }
        if let ch = f["channel"], let channel = ch.choice(Channel.self) { contact.channel = channel }
        graph.contacts.append(contact)
    }

    mutating func readRoute(_ c: YAMLCursor) -> Route? {
        guard let f = c.fields(allowed: ["id", "name", "applies-to", "steps"]), let id = required(f, "id", in: c)?.text else { return nil }
        remember(.route, id, c, f)
        var rule = RouteRule()
        if let a = f["applies-to"], let af = a.fields(allowed: ["entities", "sites", "order-types"]) {
            rule = RouteRule(entities: af["entities"]?.strings ?? [], sites: af["sites"]?.strings ?? [], orderTypes: af["order-types"]?.strings ?? [])
            for (k, v) in af { locations[FieldRef(.route, id, "applies-to.\(k)")] = (v.mark, v.path) }
        }
        var steps: [RouteStep] = []
        for s in required(f, "steps", in: c)?.items() ?? [] {
            guard let sf = s.fields(allowed: ["id", "name", "action", "department", "site-role", "after", "carries", "expected-days"]),
                  let sid = required(sf, "id", in: s)?.text else { continue }
            remember(.step, "\(id)/\(sid)", s, sf)
            let department: DepartmentRef?
            switch (sf["department"], sf["site-role"]) {
            case (let d?, nil): department = d.text.map(DepartmentRef.fixed)
            case (nil, let r?): department = r.choice(DepartmentRole.self).map(DepartmentRef.atDeliverySite)
            case (.some, .some):
                s.report("step '\(sid)' gives both department and site-role: give one")
                department = nil
            case (nil, nil):
                s.report("step '\(sid)' has no responsible department: give 'department' (an id) or 'site-role' (a role at the delivery site)")
                department = nil
            }
            guard let action = required(sf, "action", in: s)?.choice(StepAction.self), let department else { continue }
            steps.append(RouteStep(id: sid, name: sf["name"]?.text, action: action, department: department,
                                   after: sf["after"]?.strings ?? [], carries: sf["carries"]?.choice(Carried.self),
                                   expectedDays: sf["expected-days"]?.double))
        }
        return Route(id: id, name: f["name"]?.text, appliesTo: rule, steps: steps)
    }
}
