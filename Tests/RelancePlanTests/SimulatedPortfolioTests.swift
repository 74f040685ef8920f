import Foundation
import RelanceCore
import RelancePlan
import RelanceSimulator
import Testing

/// Three months of simulated working days over the three sample customers, driven once and shared.
private enum Drive {
    struct Run: Sendable {
        var portfolio: DrivenPortfolio
        var agendas: [Agenda]
        /// The open invoices of each driven day.
        var open: [CivilDate: Set<String>]
        var first: CivilDate
        var last: CivilDate
    }

    static let run: Run? = try? make()

    static func make() throws -> Run {
        let graphs = try ["chu-armor", "maisonvert", "metalux"].map(Fixture.graph)
        var settings = SimulationSettings(start: try Fixture.day("2026-01-05"), asOf: try Fixture.day("2026-05-31"), seed: 17)
        settings.invoicesPerSiteMonth = 1.2
        var sim = Simulator(settings: settings).run(graphs)
        // More bills of exchange than the simulator's one in ten: every fourth invoice, half of them to discount
        // (most are paid early, so only a few are still open and not accepted when their chase starts).
        for i in sim.invoices.indices where sim.invoices[i].kind == .invoice && i % 4 == 0 {
            sim.invoices[i].method = .lcr
            sim.invoices[i].discounted = i % 8 == 0
        }
        var portfolio = DrivenPortfolio(graphs: graphs, simulation: sim)
        let first = try Fixture.day("2026-02-02"), last = try Fixture.day("2026-04-30")
        var agendas: [Agenda] = []
        var open: [CivilDate: Set<String>] = [:]
        var day = first
        while day <= last {
            if Fixture.isWeekday(day) {
                open[day] = portfolio.openInvoices(on: day)
                let a = portfolio.agenda(on: day)
                agendas.append(a)
                portfolio.perform(a)
            }
            day = day.adding(days: 1)
        }
        return Run(portfolio: portfolio, agendas: agendas, open: open, first: first, last: last)
    }
}

@Suite struct SimulatedPortfolioTests {
    @Test func theDriveCoversMonthsOfWork() throws {
        let run = try #require(Drive.run)
        #expect(run.agendas.count > 60)
        #expect(run.portfolio.log.filter { $0.kind == .call }.count > 50)
        #expect(run.portfolio.log.filter { $0.kind == .letter }.count > 50)
        #expect(run.agendas.contains { !$0.bills.isEmpty })
        #expect(run.agendas.contains { !$0.salesRequests.isEmpty })
    }

    @Test func noContactIsCalledMoreOftenThanTheLimit() throws {
        let run = try #require(Drive.run)
        let limit = run.portfolio.policy.minDaysBetweenCalls
        var days: [String: [CivilDate]] = [:]
        for r in run.portfolio.log where r.kind == .call {
            days["\(r.group)|\(r.contact ?? "-")", default: []].append(r.day)
        }
        #expect(days.count > 5)
        for (contact, list) in days {
            for (a, b) in zip(list, list.dropFirst()) {
                #expect(a.days(to: b) >= limit, "\(contact) called on \(a) and again on \(b)")
            }
        }
        // The limit did bite: some calls were deferred.
        #expect(run.agendas.contains { !$0.deferred.isEmpty })
    }

    @Test func everyOpenInvoiceGetsItsLetterEveryFourteenDaysFromItsInvoiceDate() throws {
        let run = try #require(Drive.run)
        let every = run.portfolio.policy.letterEveryDays
        var letters: [String: [CivilDate]] = [:]
        for r in run.portfolio.log where r.kind == .letter {
            for i in r.invoices { letters[i, default: []].append(r.day) }
        }
        var checked = 0
        for inv in run.portfolio.invoices where inv.kind == .invoice {
            var k = 1
            while true {
                let anchor = inv.issueDate.adding(days: k * every)
                k += 1
                if anchor > run.last.adding(days: -3) { break }
                guard anchor >= run.first else { continue }
                // The first working day on or after the anchor (weekends: Monday).
                var acted = anchor
                while !Fixture.isWeekday(acted) { acted = acted.adding(days: 1) }
                guard run.open[acted]?.contains(inv.id) == true else { continue }
                checked += 1
                let sent = letters[inv.id, default: []].contains { $0 >= anchor && $0 <= acted }
                #expect(sent, "\(inv.id) of \(inv.issueDate): no letter for its \(anchor) anchor by \(acted)")
            }
        }
        #expect(checked > 100, "\(checked) anchors checked")
    }

    @Test func billOfExchangeChasesHappenBeforeTheRemittanceDeadline() throws {
        let run = try #require(Drive.run)
        let policy = run.portfolio.policy
        var chased: [String: [CivilDate]] = [:]
        for a in run.agendas {
            for b in a.bills { chased[b.invoice.invoice, default: []].append(a.date) }
        }
        var checked = 0
        for inv in run.portfolio.invoices where inv.method.isBillOfExchange && inv.kind == .invoice {
            guard let deadline = inv.remittanceDeadline(leadDays: policy.remittanceLeadDays) else { continue }
            var start = deadline.adding(days: -policy.billChaseDays)
            while !Fixture.isWeekday(start) { start = start.adding(days: 1) }
            guard start >= run.first, deadline <= run.last, start < deadline, run.open[start]?.contains(inv.id) == true else { continue }
            // Not chased when the accepted bill is already back (a payment order, a run, a payment).
            let cutoff = start.adding(days: 1).start(in: Fixture.paris)
            let back = (run.portfolio.events[inv.id] ?? []).contains { e in
                e.at < cutoff && ([.mandated, .scheduled, .paymentSent, .paid, .partiallyPaid].contains(e.state) || e.rawCode == "follow-up:bill-accepted")
            }
            if back { continue }
            checked += 1
            let first = chased[inv.id]?.min()
            #expect(first.map { $0 < deadline } == true, "\(inv.id): remittance deadline \(deadline), first chase \(first?.description ?? "never")")
        }
        #expect(checked >= 2, "\(checked) bills checked")
    }

    @Test func aLoggedDisputeIsOnTheNextDaysAgenda() throws {
        let run = try #require(Drive.run)
        let byDay = Dictionary(run.agendas.map { ($0.date, $0) }, uniquingKeysWith: { a, _ in a })
        var checked = 0
        for o in run.portfolio.outcomes {
            guard case .dispute = o.outcome else { continue }
            var next = o.day.adding(days: 1)
            while !Fixture.isWeekday(next) { next = next.adding(days: 1) }
            guard let agenda = byDay[next] else { continue }
            let noon = o.day.start(in: Fixture.paris).addingTimeInterval(12 * 3600), cutoff = next.adding(days: 1).start(in: Fixture.paris)
            for id in o.invoices where run.open[next]?.contains(id) == true {
                // Unless the customer's own events moved it meanwhile (an answer, progress past the step, a payment…).
                let lifted = (run.portfolio.events[id] ?? []).contains { e in
                    e.at > noon && e.at < cutoff && e.state.map { !$0.isBlocking } == true
                }
                if lifted { continue }
                checked += 1
                #expect(agenda.disputes.contains { $0.invoice.invoice == id && $0.since <= o.day }, "\(id) disputed on \(o.day), not on the \(next) agenda")
            }
        }
        #expect(checked > 3, "\(checked) disputed invoices checked")
    }

    @Test func noInvoiceIsForgotten() throws {
        let run = try #require(Drive.run)
        let every = run.portfolio.policy.letterEveryDays
        // Every invoice open on a driven day and at least `every` days old appears on some agenda within
        // the last `every` + 3 days (letters every 14 days; weekends and the agenda's own day included).
        var seen: [String: [CivilDate]] = [:]
        for a in run.agendas { for id in a.invoiceIDs { seen[id, default: []].append(a.date) } }
        let issue = Dictionary(run.portfolio.invoices.map { ($0.id, $0.issueDate) }, uniquingKeysWith: { a, _ in a })
        var checked = 0
        for (day, open) in run.open where day >= run.first.adding(days: every + 3) {
            for id in open {
                guard let d = issue[id], d.days(to: day) >= every + 3 else { continue }
                checked += 1
                let recent = seen[id, default: []].contains { $0 <= day && $0.days(to: day) <= every + 3 }
                #expect(recent, "\(id) open on \(day) but on no agenda since \(day.adding(days: -(every + 3)))")
            }
        }
        #expect(checked > 500, "\(checked) open invoice-days checked")
    }
}

/// One bill of exchange followed day by day: chased from its remittance deadline − `bill-chase-days`, until
/// the accepted bill is logged as back.
@Suite struct BillOfExchangeTests {
    @Test func theChaseStartsBeforeTheRemittanceDeadlineAndStopsWhenTheBillIsBack() throws {
        let graph = try Fixture.graph("metalux")
        let bill = Invoice(id: "FA-LCR-1", group: "metalux", entity: "mtx-industrie", site: "mtx-ven", orderNumber: "PO-1", deliveryNote: "BL-1",
                           issueDate: try Fixture.day("2026-03-02"), dueDate: try Fixture.day("2026-05-15"),
                           amount: Money(minorUnits: 30_000_00, currency: "EUR"), method: .lcr, salesRep: "Hugo Masson", discounted: true)
        let policy = FollowUpPolicy()
        let deadline = try #require(bill.remittanceDeadline(leadDays: policy.remittanceLeadDays))
        #expect(deadline == (try Fixture.day("2026-05-05")))
        var events: [InvoiceEvent] = []
        var log: [FollowUpRecord] = []
        var chased: [CivilDate] = []
        var visitAsked = false
        var day = bill.issueDate
        let accepted = try Fixture.day("2026-04-30")
        while day <= bill.dueDate {
            let cutoff = day.adding(days: 1).start(in: Fixture.paris)
            let p = PositionEngine(graph: graph).position(of: bill, events: events.filter { $0.at < cutoff }, asOf: day)
            let agenda = Agenda.build([AgendaCustomer(graph: graph, positions: [p], policy: policy, log: log)], date: day)
            if agenda.bills.contains(where: { $0.invoice.invoice == bill.id }) { chased.append(day) }
            visitAsked = visitAsked || agenda.salesRequests.contains { $0.visit && $0.salesRep == "Hugo Masson" }
            for l in agenda.letters { log.append(l.record(on: day, person: nil)) }
            for r in agenda.salesRequests { log.append(r.record(on: day)) }
            if day == accepted {
                events.append(FollowUpOutcome.billAccepted.event(invoice: bill.id, at: day.start(in: Fixture.paris).addingTimeInterval(12 * 3600),
                                                                 department: nil, contact: nil, source: .call, note: nil))
            }
            day = day.adding(days: 1)
        }
        // Chased every day from deadline − 7 until the bill came back, never after.
        let start = deadline.adding(days: -policy.billChaseDays)
        #expect(chased.first == start)
        #expect(chased.last == accepted)
        #expect(chased.count == start.days(to: accepted) + 1)
        #expect(chased.allSatisfy { $0 < deadline })
        #expect(visitAsked, "the sales rep is asked to visit to collect the accepted bill")
    }
}
