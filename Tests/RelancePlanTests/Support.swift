import Foundation
import RelanceCore
import RelanceImport
import RelancePlan
import RelanceSamples
import RelanceSimulator
import Testing

enum Fixture {
    static let paris = TimeZone(identifier: "Europe/Paris") ?? .gmt

    static func graph(_ name: String) throws -> OrgGraph {
        let url = try #require(Samples.organisationFiles.first { $0.lastPathComponent == "\(name).yaml" })
        return try OrganisationReader.read(contentsOf: url)
    }

    static func day(_ iso: String) throws -> CivilDate { try #require(CivilDate(iso: iso), "bad date literal \(iso)") }

    static func isWeekday(_ d: CivilDate) -> Bool { d.weekday != .saturday && d.weekday != .sunday }
}

/// A simulated portfolio driven day by day: each working day the agenda is built from what is known that
/// day (invoices issued, payments received, events so far, including the outcomes logged), then
/// "performed": letters and requests are logged as sent, reachable calls are made and their outcomes
/// (drawn from a seeded generator) logged and turned into events.
struct DrivenPortfolio {
    var graphs: [OrgGraph]
    var invoices: [Invoice]
    var events: [String: [InvoiceEvent]]
    var policy: FollowUpPolicy
    var log: [FollowUpRecord] = []
    var rng: SeededGenerator
    /// Each performed outcome: the day, the invoices, the outcome.
    var outcomes: [(day: CivilDate, invoices: [String], outcome: FollowUpOutcome)] = []

    init(graphs: [OrgGraph], simulation: Simulation, policy: FollowUpPolicy = FollowUpPolicy(), seed: UInt64 = 99) {
        self.graphs = graphs
        self.invoices = simulation.invoices
        self.events = Dictionary(grouping: simulation.events, by: \.invoice)
        self.policy = policy
        self.rng = SeededGenerator(seed: seed)
    }

    /// What the agenda sees on `day`, per customer.
    func customers(on day: CivilDate) -> [AgendaCustomer] {
        let cutoff = day.adding(days: 1).start(in: Fixture.paris)
        return graphs.map { g in
            let known = invoices.filter { $0.group == g.group.id && $0.issueDate <= day }.map { i -> Invoice in
                var i = i
                i.payments = i.payments.filter { $0.date <= day }
                return i
            }
            var credited: [String: Money] = [:]
            for c in known where c.kind == .creditNote {
                if let t = c.credits { credited[t] = (credited[t] ?? .zero(c.amount.currency)) + c.amount }
            }
            let engine = PositionEngine(graph: g)
            let positions = known.filter { $0.kind == .invoice && $0.openAmount(credited: credited[$0.id]).minorUnits > 0 }.map { i in
                engine.position(of: i, events: (events[i.id] ?? []).filter { $0.at < cutoff }, asOf: day)
            }
            return AgendaCustomer(graph: g, positions: positions, credited: credited, policy: policy, log: log.filter { $0.group == g.group.id })
        }
    }

    /// The open invoices on `day` (the same definition the agenda uses: issued, not closed, something left to pay).
    func openInvoices(on day: CivilDate) -> Set<String> {
        Set(customers(on: day).flatMap { c in
            c.positions.filter { !$0.closed }.map(\.invoice.id)
        })
    }

    func agenda(on day: CivilDate) -> Agenda { Agenda.build(customers(on: day), date: day) }

    /// Performs the agenda of `day`: logs letters, requests, and the reachable calls with a drawn outcome.
    mutating func perform(_ agenda: Agenda) {
        let day = agenda.date
        for l in agenda.letters { log.append(l.record(on: day, person: "collector")) }
        for r in agenda.salesRequests { log.append(r.record(on: day)) }
        for call in agenda.calls where call.slot != nil {
            let outcome = draw(day)
            log.append(call.record(on: day, outcome: outcome, person: "collector"))
            let at = day.start(in: Fixture.paris).addingTimeInterval(12 * 3600)
            let graph = graphs.first { $0.group.id == call.group }
            let department = graph?.contact(call.contactKey)?.department ?? graph?.department(call.contactKey)?.id
            let contact = graph?.contact(call.contactKey)?.id
            let ids = call.invoices.map(\.invoice)
            for id in ids {
                events[id, default: []].append(outcome.event(invoice: id, at: at, department: department, contact: contact, source: .call, note: nil))
            }
            outcomes.append((day, ids, outcome))
        }
    }

    mutating func draw(_ day: CivilDate) -> FollowUpOutcome {
        let u = rng.unit()
        switch u {
        case ..<0.35: return .noAnswer
        case ..<0.60: return .promiseToPay(day.adding(days: rng.int(5...15)))
        case ..<0.75: return .inPaymentRun(day.adding(days: rng.int(3...10)))
        case ..<0.85: return .approvalGiven
        case ..<0.90: return .dispute(reason: "price")
        case ..<0.95: return .goodsReceiptMissing
        default: return .wrongContact(right: "the site manager")
        }
    }
}
