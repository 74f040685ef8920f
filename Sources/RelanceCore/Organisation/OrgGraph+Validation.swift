import Foundation

/// The kind of element an issue is about.
public enum ElementKind: String, Sendable, Hashable {
    case group, entity, site, department, contact, route, step
}

/// A field of one element of an organisation graph: `department ven-achats, field phone`.
/// Steps are named `route/step`. Readers map these to the file, line and column the value came from.
public struct FieldRef: Hashable, Sendable, CustomStringConvertible {
    public var kind: ElementKind
    public var id: String
    public var field: String?

    public init(_ kind: ElementKind, _ id: String, _ field: String? = nil) {
        self.kind = kind
        self.id = id
        self.field = field
    }

    /// The element itself, without the field.
    public var element: FieldRef { FieldRef(kind, id) }

    public var description: String { "\(kind.rawValue) \(id)" + (field.map { ", field \($0)" } ?? "") }
}

/// One reason an organisation graph is incoherent.
public struct ValidationIssue: Hashable, Sendable, CustomStringConvertible {
    public var at: FieldRef
    public var message: String

    public init(at: FieldRef, _ message: String) {
        self.at = at
        self.message = message
    }

    public var description: String { "\(at): \(message)" }
}

extension OrgGraph {
    /// Everything that makes this graph incoherent, in file order: duplicate ids, unknown references,
    /// malformed identifiers and contact details, impossible calendars, cyclic or ambiguous routes, steps
    /// without a responsible department, routes that reach no paying department, delivery sites no route
    /// serves. Empty for a sound graph.
    public func validate() -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        func add(_ ref: FieldRef, _ message: String) { issues.append(ValidationIssue(at: ref, message)) }

        // Ids: one namespace for entities, sites, departments, contacts and routes of the group.
        var seen: [String: ElementKind] = [:]
        let all: [(ElementKind, String)] = entities.map { (.entity, $0.id) } + sites.map { (.site, $0.id) }
            + departments.map { (.department, $0.id) } + contacts.map { (.contact, $0.id) } + routes.map { (.route, $0.id) }
        for (kind, id) in all {
            if !OrgGraph.isValidID(id) {
                add(FieldRef(kind, id, "id"), "id '\(id)' must be letters, digits, '-', '_' or '.', starting with a letter or digit")
            }
            if let earlier = seen[id] {
                add(FieldRef(kind, id, "id"), "duplicate id '\(id)' (already used by a \(earlier.rawValue))")
            } else {
                seen[id] = kind
            }
        }

        for e in entities {
            let ref = { (f: String) in FieldRef(.entity, e.id, f) }
            if let siren = e.siren { check(ref("siren"), &issues) { try Identifiers.siren(siren) } }
            if let vat = e.vatNumber {
                check(ref("vat"), &issues) {
                    let v = try Identifiers.vatNumber(vat)
                    if let siren = e.siren.flatMap({ try? Identifiers.siren($0) }), v.hasPrefix("FR"), !v.hasSuffix(siren) {
                        throw IdentifierError("VAT number '\(vat)' does not end with the entity's SIREN \(siren)")
                    }
                    return v
                }
            }
            for problem in e.calendar.problemsByField() {
                add(ref("payables-calendar.\(problem.field)"), "impossible calendar: \(problem.message)")
            }
            if TimeZone(identifier: e.calendar.timeZone) == nil {
                add(ref("payables-calendar.time-zone"), "unknown time zone '\(e.calendar.timeZone)'")
            }
            if e.terms.days < 0 || e.terms.days > 365 { add(ref("terms.days"), "terms of \(e.terms.days) days are out of range (0 to 365)") }
            if let payDay = e.terms.payDay, !(1...31).contains(payDay) { add(ref("terms.pay-day"), "pay day \(payDay) is not a day of the month") }
            if let a = e.invoiceAddress, site(a) == nil { add(ref("invoice-address"), "unknown site '\(a)'") }
        }

        for s in sites {
            let ref = { (f: String) in FieldRef(.site, s.id, f) }
            if entity(s.entity) == nil { add(ref("entity"), "unknown entity '\(s.entity)'") }
            if let p = s.paidBy, entity(p) == nil { add(ref("paid-by"), "unknown entity '\(p)'") }
            if let siret = s.siret {
                check(ref("siret"), &issues) {
                    let v = try Identifiers.siret(siret)
                    if let siren = entity(s.entity)?.siren.flatMap({ try? Identifiers.siren($0) }), !v.hasPrefix(siren) {
                        throw IdentifierError("SIRET '\(siret)' does not start with the entity's SIREN \(siren)")
                    }
                    return v
                }
            }
        }

        for d in departments {
            let ref = { (f: String) in FieldRef(.department, d.id, f) }
            if site(d.site) == nil { add(ref("site"), "unknown site '\(d.site)'") }
            if let p = d.phone { check(ref("phone"), &issues) { try Identifiers.phone(p) } }
            if let m = d.email { check(ref("email"), &issues) { try Identifiers.email(m) } }
        }

        for c in contacts {
            let ref = { (f: String) in FieldRef(.contact, c.id, f) }
            if department(c.department) == nil { add(ref("department"), "unknown department '\(c.department)'") }
            if let p = c.phone { check(ref("phone"), &issues) { try Identifiers.phone(p) } }
            if let m = c.email { check(ref("email"), &issues) { try Identifiers.email(m) } }
            if TimeZone(identifier: c.timeZone) == nil { add(ref("time-zone"), "unknown time zone '\(c.timeZone)'") }
            if c.language.count != 2 || !c.language.allSatisfy({ $0.isASCII && $0.isLowercase }) {
                add(ref("language"), "language '\(c.language)' must be a two-letter ISO 639-1 code such as fr or en")
            }
        }

        for r in routes { validateRoute(r, add: add) }
        validateRouteCoverage(add: add)
        return issues
    }

    private func validateRoute(_ r: Route, add: (FieldRef, String) -> Void) {
        for e in r.appliesTo.entities where entity(e) == nil { add(FieldRef(.route, r.id, "applies-to.entities"), "unknown entity '\(e)'") }
        for s in r.appliesTo.sites where site(s) == nil { add(FieldRef(.route, r.id, "applies-to.sites"), "unknown site '\(s)'") }
        guard !r.steps.isEmpty else { return add(FieldRef(.route, r.id, "steps"), "a route needs at least one step") }
        // Positions replay events on the steps as the bits of one 64-bit word (CompiledRoute).
        if r.steps.count > 64 { add(FieldRef(.route, r.id, "steps"), "route \(r.id) has \(r.steps.count) steps; at most 64 are supported") }

        var stepIDs = Set<String>()
        for step in r.steps {
            let sref = { (f: String) in FieldRef(.step, "\(r.id)/\(step.id)", f) }
            if !stepIDs.insert(step.id).inserted { add(sref("id"), "duplicate step id '\(step.id)' in route \(r.id)") }
            for p in step.after where r.step(p) == nil { add(sref("after"), "unknown step '\(p)' in route \(r.id)") }
            if step.after.contains(step.id) { add(sref("after"), "step '\(step.id)' waits for itself") }
            if case .fixed(let id) = step.department, department(id) == nil { add(sref("department"), "unknown department '\(id)'") }
            if let e = step.expectedDays, !(0...365).contains(e) { add(sref("expected-days"), "expected days \(e) out of range (0 to 365)") }
            if !step.after.isEmpty, step.carries != nil, step.carries != r.carriedByStep()[step.id] {
                add(sref("carries"), "only a starting step declares what it carries; this one receives it from \(step.after.joined(separator: ", "))")
            }
        }
        if let loop = r.cycle() {
            add(FieldRef(.route, r.id, "steps"), "cycle in route \(r.id): \(loop.joined(separator: " → "))")
            return
        }
        // Where the route ends must pay: accounts payable, treasury or the public accountant.
        for final in r.finalSteps {
            if case .fixed(let id) = final.department, let d = department(id), !d.role.pays {
                add(FieldRef(.step, "\(r.id)/\(final.id)", "department"),
                    "route \(r.id) ends at \(d.id) (\(d.role.label)), which does not pay: the last step must be at accounts payable, treasury or a public accountant")
            }
            if case .atDeliverySite(let role) = final.department, !role.pays {
                add(FieldRef(.step, "\(r.id)/\(final.id)", "site-role"),
                    "route \(r.id) ends at the delivery site's \(role.label), which does not pay")
            }
        }
        // A department found by role must exist at every site the route serves.
        for s in sites(servedBy: r) {
            for step in r.steps {
                guard case .atDeliverySite(let role) = step.department else { continue }
                if department(for: step, deliveredAt: s.id) == nil {
                    add(FieldRef(.step, "\(r.id)/\(step.id)", "site-role"),
                        "site \(s.id) has no \(role.rawValue) department, and route \(r.id) needs one there for step \(step.id)")
                }
            }
        }
    }

    private func validateRouteCoverage(add: (FieldRef, String) -> Void) {
        for s in sites where s.receivesDeliveries {
            let candidates = routes.filter { $0.appliesTo.matches(site: s, orderType: nil) }
            if candidates.isEmpty && !routes.contains(where: { r in
                r.appliesTo.orderTypes.contains { r.appliesTo.matches(site: s, orderType: $0) }
            }) {
                add(FieldRef(.site, s.id),
                    "delivery site \(s.id) has no route to a paying department: add a route that applies to it, to its entity or to the whole group")
            }
            // Two equally specific routes for the same deliveries: which one an invoice takes would be arbitrary.
            for type in [nil] + Set(routes.flatMap(\.appliesTo.orderTypes)).sorted().map(Optional.some) {
                let matching = routes.filter { $0.appliesTo.matches(site: s, orderType: type) }
                guard let top = matching.map(\.appliesTo.specificity).max() else { continue }
                let tied = matching.filter { $0.appliesTo.specificity == top }
                if tied.count > 1 {
                    add(FieldRef(.route, tied[1].id, "applies-to"),
                        "routes \(tied.map(\.id).joined(separator: " and ")) both apply to site \(s.id)" + (type.map { " for order type \($0)" } ?? "")
                            + ": make one more specific")
                }
            }
        }
    }

    private func check(_ ref: FieldRef, _ issues: inout [ValidationIssue], _ body: () throws -> String) {
        do { _ = try body() } catch { issues.append(ValidationIssue(at: ref, String(describing: error))) }
    }

    static func isValidID(_ id: String) -> Bool {
        guard let first = id.first, first.isASCII, first.isLetter || first.isNumber, id.count <= 64 else { return false }
        return id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }
}

extension OrgGraph {
    /// The graph with identifiers in canonical form: SIREN and SIRET without spaces, VAT numbers upper-case,
    /// phone numbers in E.164, e-mail domains lower-case. Values that do not pass their check are left as they
    /// are (``validate()`` reports them).
    public func normalized() -> OrgGraph {
        func norm(_ v: String?, _ f: (String) throws -> String) -> String? { v.map { (try? f($0)) ?? $0 } }
        var g = self
        for i in g.entities.indices {
            g.entities[i].siren = norm(g.entities[i].siren, Identifiers.siren)
            g.entities[i].vatNumber = norm(g.entities[i].vatNumber, Identifiers.vatNumber)
        }
        for i in g.sites.indices { g.sites[i].siret = norm(g.sites[i].siret, Identifiers.siret) }
        for i in g.departments.indices {
            g.departments[i].phone = norm(g.departments[i].phone, Identifiers.phone)
            g.departments[i].email = norm(g.departments[i].email, Identifiers.email)
        }
        for i in g.contacts.indices {
            g.contacts[i].phone = norm(g.contacts[i].phone, Identifiers.phone)
            g.contacts[i].email = norm(g.contacts[i].email, Identifiers.email)
        }
        return g
    }
}
