/// A structural finding a credit manager can act on: a weakness in the customer's circuit or in what we
/// know of it. Unlike a ``ValidationIssue``, a finding does not stop an import.
public struct Finding: Hashable, Sendable {
    public enum Severity: String, Sendable, Comparable, CaseIterable {
        case warning, notice
        public static func < (l: Severity, r: Severity) -> Bool { l == .warning && r == .notice }
    }

    /// A stable code (`no-payer`, `no-contact`, …) for scripts and filters.
    public var code: String
    public var severity: Severity
    public var subject: FieldRef
    public var message: String
    /// What to do about it.
    public var advice: String

    public init(code: String, severity: Severity, subject: FieldRef, message: String, advice: String) {
        self.code = code
        self.severity = severity
        self.subject = subject
        self.message = message
        self.advice = advice
    }
}

extension OrgGraph {
    /// How many sites must depend on a single person before ``findings(singleApproverSites:)`` reports it.
    public static let defaultSingleApproverSites = 3

    /// Structural findings, warnings first: deliveries whose route reaches no payer, steps with no contact
    /// or no phone, one approver on whom many sites depend, invoice addresses that do not process invoices,
    /// terms beyond the legal cap, unknown payment runs.
    public func findings(singleApproverSites: Int = OrgGraph.defaultSingleApproverSites) -> [Finding] {
        var found: [Finding] = []

        // Deliveries whose route reaches no payer, or a payer of another entity.
        for s in sites where s.receivesDeliveries {
            let candidates = routeCandidates(for: s)
            if candidates.isEmpty {
                found.append(Finding(code: "no-route", severity: .warning, subject: FieldRef(.site, s.id),
                    message: "deliveries at \(s.name) (\(s.id)) follow no route, so no payer is known",
                    advice: "add a route for this site, its entity or the group"))
            }
            for r in candidates {
                let finals = r.finalSteps.compactMap { department(for: $0, deliveredAt: s.id) }
                if !finals.contains(where: { $0.role.pays }) {
                    found.append(Finding(code: "no-payer", severity: .warning, subject: FieldRef(.route, r.id),
                        message: "route \(r.id) for \(s.id) reaches no paying department",
                        advice: "end the route at accounts payable, treasury or the public accountant"))
                }
                let payerEntity = payer(of: s.id)?.id
                for d in finals where d.role.pays {
                    let owner = site(d.site)?.entity
                    // Shared-service centres and public accountants pay for other entities by design.
                    if let payerEntity, let owner, owner != payerEntity, site(d.site)?.kind != .sharedServiceCentre,
                       d.role != .publicAccountant {
                        found.append(Finding(code: "payer-mismatch", severity: .warning, subject: FieldRef(.route, r.id),
                            message: "route \(r.id) ends at \(d.id) of entity \(owner), but \(payerEntity) pays for \(s.id)",
                            advice: "check which entity's payables pays this site's invoices"))
                    }
                }
            }
        }

        // Steps whose department has no contact, or no phone at all.
        var reported = Set<String>()
        for r in routes {
            let served = sites(servedBy: r)
            for step in r.steps {
                for s in served {
                    guard let d = department(for: step, deliveredAt: s.id), reported.insert(d.id).inserted else { continue }
                    let people = contacts(in: d.id)
                    if people.isEmpty {
                        found.append(Finding(code: "no-contact", severity: .warning, subject: FieldRef(.department, d.id),
                            message: "nobody is known at \(d.name) (\(d.id)), responsible for step \(step.id) of route \(r.id)",
                            advice: "ask the customer for a named contact at this department"))
                    } else if d.phone == nil && people.allSatisfy({ $0.phone == nil }) {
                        found.append(Finding(code: "no-phone", severity: .warning, subject: FieldRef(.department, d.id),
                            message: "no phone number for \(d.name) (\(d.id)) nor its contacts",
                            advice: "get a direct line: a stalled step is unblocked by a call"))
                    }
                }
            }
        }
        for c in contacts where c.phone == nil && c.email == nil {
            found.append(Finding(code: "unreachable-contact", severity: .notice, subject: FieldRef(.contact, c.id),
                message: "\(c.name) (\(c.id)) has neither phone nor e-mail", advice: "complete the contact's details"))
        }

        // One approver on whom many sites depend.
        for d in departments where [.purchasing, .requester, .reception, .ordonnateur].contains(d.role) {
            let dependants = sitesDepending(on: d.id)
            let people = contacts(in: d.id)
            if dependants.count >= singleApproverSites && people.count == 1, let person = people.first {
                found.append(Finding(code: "single-approver", severity: .warning, subject: FieldRef(.department, d.id),
                    message: "\(dependants.count) sites depend on one person, \(person.name) at \(d.name) (\(d.id))",
                    advice: "ask who approves in \(person.name)'s absence and add that deputy"))
            }
        }

        // Invoice addresses that do not process invoices.
        for e in entities {
            guard let a = e.invoiceAddress, let s = site(a) else { continue }
            if !departments(at: a).contains(where: { $0.role.processesInvoices }) {
                found.append(Finding(code: "invoice-address", severity: .warning, subject: FieldRef(.entity, e.id, "invoice-address"),
                    message: "invoices for \(e.name) go to \(s.name) (\(a)), where no department processes invoices",
                    advice: "confirm the invoicing address: a mailroom, accounts payable or e-invoicing platform must be there"))
            }
        }

        for e in entities {
            if let problem = e.terms.legalProblem {
                found.append(Finding(code: "terms-over-cap", severity: .warning, subject: FieldRef(.entity, e.id, "terms"),
                    message: "\(e.name): \(problem)", advice: "bring the contract within the legal cap"))
            }
            let paysForDeliveries = sites.contains { $0.receivesDeliveries && payer(of: $0.id)?.id == e.id }
            if e.agreedTerms == nil && paysForDeliveries {
                found.append(Finding(code: "terms-unknown", severity: .notice, subject: FieldRef(.entity, e.id, "terms"),
                    message: "\(e.name)'s payment terms are not stated: the legal default, 30 days after delivery, is assumed",
                    advice: "record the terms of the contract or the general conditions of sale"))
            }
            let orderTypes = [nil] + Set(routes.flatMap(\.appliesTo.orderTypes)).sorted().map(Optional.some)
            let decidesRuns = sites.contains { s in
                s.receivesDeliveries && orderTypes.contains { paymentCalendarOwner(forSite: s.id, orderType: $0)?.id == e.id }
            }
            if !e.calendar.hasKnownRuns && decidesRuns {
                found.append(Finding(code: "unknown-payment-runs", severity: .notice, subject: FieldRef(.entity, e.id, "payables-calendar"),
                    message: "\(e.name)'s payment runs are unknown", advice: "ask payables on which days they pay: forecasts snap to the runs"))
            }
        }
        for s in sites where s.siret == nil && s.receivesDeliveries {
            found.append(Finding(code: "no-siret", severity: .notice, subject: FieldRef(.site, s.id, "siret"),
                message: "\(s.name) (\(s.id)) has no SIRET", advice: "e-invoices are routed by SIREN/SIRET from September 2026: record it"))
        }
        return found.enumerated().sorted { ($0.element.severity, $0.offset) < ($1.element.severity, $1.offset) }.map(\.element)
    }
}
