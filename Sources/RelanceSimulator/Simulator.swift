import Foundation
import RelanceCore

/// Settings of a simulation. Defaults give a year of realistic history.
public struct SimulationSettings: Sendable {
    public var seed: UInt64 = 42
    public var start: CivilDate
    public var asOf: CivilDate
    /// Invoices per delivery site and month.
    public var invoicesPerSiteMonth: Double = 5
    /// Share of status events that never reach us (per customer group when given there).
    public var missingEventRate: Double = 0.2
    public var missingEventRateByGroup: [String: Double] = [:]
    public var duplicateRate: Double = 0.02
    /// Share of invoices that get stuck at one step (an extra 10 to 35 working days).
    public var stuckRate: Double = 0.08
    /// Share of stuck episodes announced by a blocking event (suspended, blocked).
    public var announcedStuckRate: Double = 0.5
    public var disputeRate: Double = 0.03
    /// Share of departments made slow (their usual time × 2.5).
    public var slowDepartmentShare: Double = 0.15
    public var slowInvoicingSiteShare: Double = 0.15
    /// Customer groups that wait for the due date before paying.
    public var payAtDueDate: Set<String> = []
    /// First number of the generated invoices (`FA-YYYY-NNNNN`).
    public var firstNumber = 50_001

    public init(start: CivilDate, asOf: CivilDate, seed: UInt64 = 42) {
        self.start = start
        self.asOf = asOf
        self.seed = seed
    }
}

/// A simulated portfolio: invoices (with the payments received by the as-of date), the events we would
/// have received (some missing, some duplicated, in no particular order) and the truth behind them.
public struct Simulation: Sendable {
    public var invoices: [Invoice]
    public var events: [InvoiceEvent]
    public var truth: GroundTruth
}

/// Generates realistic, reproducible invoice and event histories for given organisations.
///
/// Each department has a true dwell-time law (log-normal around the route's expected days, some made slow);
/// each site a delivery-to-invoice delay; invoices walk their route, get stuck or disputed now and then, and
/// are paid in the payment runs of the paying calendar (after the due date for customers with that habit).
public struct Simulator: Sendable {
    public var settings: SimulationSettings

    public init(settings: SimulationSettings) { self.settings = settings }

    public func run(_ graphs: [OrgGraph]) -> Simulation {
        var rng = SeededGenerator(seed: settings.seed)
        var invoices: [Invoice] = []
        var events: [InvoiceEvent] = []
        var truth = GroundTruth(seed: settings.seed, start: settings.start, asOf: settings.asOf, departments: [], episodes: [], invoicing: [],
                                payAtDueDate: settings.payAtDueDate.sorted(), invoices: 0, eventsGenerated: 0, eventsMissing: 0, eventsDuplicated: 0)
        // Laws first, for every group, so that the invoice stream does not change them.
        var laws: [String: GroundTruth.DepartmentLaw] = [:]
        var delays: [String: GroundTruth.SiteInvoicing] = [:]
        for g in graphs.sorted(by: { $0.group.id < $1.group.id }) {
            for d in g.departments {
                let slow = rng.chance(settings.slowDepartmentShare) && !d.role.pays
                let speed = rng.logNormal(median: 1, sigma: 0.25)
                let factor = slow ? 2.5 * max(0.9, speed) : speed
                laws[d.id] = GroundTruth.DepartmentLaw(department: d.id, speedFactor: factor, sigma: 0.45 + 0.2 * rng.unit(), slow: slow)
            }
            for s in g.sites where s.receivesDeliveries {
                let slow = rng.chance(settings.slowInvoicingSiteShare)
                delays[s.id] = GroundTruth.SiteInvoicing(site: s.id, medianDelay: slow ? 9 + 6 * rng.unit() : 1 + 2 * rng.unit(), slow: slow)
            }
        }
        var drafts: [(Invoice, [InvoiceEvent], [GroundTruth.Episode], Invoice?)] = []
        for g in graphs.sorted(by: { $0.group.id < $1.group.id }) {
            let orderTypes = Set(g.routes.flatMap(\.appliesTo.orderTypes)).sorted()
            for site in g.sites where site.receivesDeliveries {
                let months = Double(settings.start.days(to: settings.asOf)) / 30.4
                let count = max(1, Int((settings.invoicesPerSiteMonth * months * rng.logNormal(median: 1, sigma: 0.3)).rounded()))
                for _ in 0..<count {
                    let delivery = settings.start.adding(days: rng.int(0...max(0, settings.start.days(to: settings.asOf))))
                    let orderType = !orderTypes.isEmpty && rng.chance(0.1) ? rng.pick(orderTypes) : nil
                    if let draft = simulateInvoice(g, site: site, delivery: delivery, orderType: orderType, laws: laws, delays: delays, rng: &rng) {
                        drafts.append(draft)
                    }
                }
            }
        }
        // Number invoices in issue order, as an ERP would.
        drafts.sort { ($0.0.issueDate, $0.0.site, $0.0.amount.minorUnits) < ($1.0.issueDate, $1.0.site, $1.0.amount.minorUnits) }
        let rates = settings.missingEventRateByGroup
        var announced = Set<String>()
        for (n, draft) in drafts.enumerated() {
            var (inv, evs, eps, creditNote) = draft
            let number = "FA-\(inv.issueDate.year)-\(settings.firstNumber + n)"
            inv.id = number
            for i in eps.indices { eps[i].invoice = number }
            invoices.append(inv)
            if var cn = creditNote {
                cn.id = "AV-\(cn.issueDate.year)-\(settings.firstNumber + n)"
                cn.credits = number
                invoices.append(cn)
            }
            for var e in evs {
                e.invoice = number
                truth.eventsGenerated += 1
                // Our own records (payments) always arrive; customer statuses sometimes never do.
                if e.source != .erp && rng.chance(rates[inv.group] ?? settings.missingEventRate) {
                    truth.eventsMissing += 1
                    continue
                }
                events.append(e)
                if e.state?.isBlocking == true { announced.insert("\(number)|\(e.department ?? "")") }
                if rng.chance(settings.duplicateRate) {
                    events.append(e)
                    truth.eventsDuplicated += 1
                }
            }
            // An episode counts as announced only when its blocking event actually reached us.
            truth.episodes += eps.map { ep in
                var ep = ep
                ep.announced = announced.contains("\(number)|\(ep.department)")
                return ep
            }
        }
        // Events arrive late and out of order: shuffle deterministically.
        for i in stride(from: events.count - 1, to: 0, by: -1) {
            let j = Int(rng.next() % UInt64(i + 1))
            events.swapAt(i, j)
        }
        truth.invoices = invoices.count
        truth.departments = laws.values.sorted { $0.department < $1.department }
        truth.invoicing = delays.values.sorted { $0.site < $1.site }
        return Simulation(invoices: invoices, events: events, truth: truth)
    }

    /// One invoice's life, cut at the as-of date.
    func simulateInvoice(_ g: OrgGraph, site: Site, delivery: CivilDate, orderType: String?, laws: [String: GroundTruth.DepartmentLaw],
                         delays: [String: GroundTruth.SiteInvoicing], rng: inout SeededGenerator) -> (Invoice, [InvoiceEvent], [GroundTruth.Episode], Invoice?)? {
        guard let payer = g.payer(of: site.id), let route = g.route(forSite: site.id, orderType: orderType),
              let order = route.topologicalOrder() else { return nil }
        let calendar = g.paymentCalendarOwner(forSite: site.id, orderType: orderType)?.calendar ?? PayablesCalendar()
        let zone = TimeZone(identifier: calendar.timeZone) ?? .gmt
        let table = WorkingDayTable.shared(for: calendar)
        func adding(_ n: Int, to d: CivilDate) -> CivilDate { table.workday(table.count(before: d) + n) }
        let delayLaw = delays[site.id]?.medianDelay ?? 2
        let issue = delivery.adding(days: max(0, Int(rng.logNormal(median: delayLaw, sigma: 0.5).rounded())))
        guard issue <= settings.asOf else { return nil }
        let amountCents = Int64((rng.logNormal(median: 4_000, sigma: 1.0) * 100).rounded())
        let method: PaymentMethod = rng.chance(0.1) ? .lcr : (rng.chance(0.04) ? .cheque : .transfer)
        let terms = payer.terms
        let basis: CivilDate = terms.basis == .deliveryDate ? delivery : (terms.basis == .receiptDate ? issue.adding(days: 2) : issue)
        let due = terms.dueDate(from: basis)
        var invoice = Invoice(
            id: "draft", group: g.group.id, entity: payer.id, site: site.id, sentTo: g.entities.first { $0.id == payer.id }?.invoiceAddress,
            orderNumber: "PO-\(rng.int(100_000...999_999))", orderType: orderType, deliveryNote: "BL-\(rng.int(100_000...999_999))",
            issueDate: issue, deliveryDate: delivery, dueDate: due, dueDateGiven: true,
            amount: Money(minorUnits: max(amountCents, 5_000), currency: "EUR"), method: method,
            salesRep: ["Julien Perrin", "Sarah Benali", "Hugo Masson"][rng.int(0...2)],
            discounted: method == .lcr && rng.chance(0.5))
        var events: [InvoiceEvent] = []
        var episodes: [GroundTruth.Episode] = []
        let source: EventSource = g.group.id.contains("chu") ? .chorus : (g.routes.contains { $0.steps.contains { $0.action == .platformRouting } } ? .einvoicing : .portal)
        func at(_ day: CivilDate) -> Date {
            day.start(in: zone).addingTimeInterval(Double(8 * 3600 + rng.int(0...(10 * 3600))))
        }
        func emit(_ state: CanonicalState, _ day: CivilDate, department: String?, source s: EventSource = source, reason: String? = nil, date: CivilDate? = nil) {
            events.append(InvoiceEvent(invoice: "draft", state: state, at: at(day), timeZone: calendar.timeZone, department: department,
                                       source: s, rawCode: nil, reason: reason, date: date))
        }

        let stuckStep = rng.chance(settings.stuckRate) ? rng.pick(order.filter { $0.action != .paymentRun && $0.action != .payment }) : nil
        let disputeStep = stuckStep == nil && rng.chance(settings.disputeRate)
            ? (order.first { $0.action == .approval } ?? order.first { $0.action == .matching }) : nil
        var finish: [String: CivilDate] = [:]
        var paidOn: CivilDate?
        var credit: (amount: Money, date: CivilDate)?
        for step in order {
            guard let dept = g.department(for: step, deliveredAt: site.id) else { return nil }
            let carried = route.carriedByStep()[step.id] ?? .invoice
            let origin = carried == .approval ? delivery : issue
            let start = step.after.isEmpty ? origin : (step.after.compactMap { finish[$0] }.max() ?? origin)
            let law = laws[dept.id] ?? GroundTruth.DepartmentLaw(department: dept.id, speedFactor: 1, sigma: 0.5, slow: false)
            let median = max(0.5, (step.expectedDays ?? PriorDwellModel.typicalDays(step.action)) * law.speedFactor)
            var days = max(0, Int(rng.logNormal(median: median, sigma: law.sigma).rounded()))
            if step.action == .paymentRun || step.action == .payment {
                var ready = adding(days, to: start)
                if settings.payAtDueDate.contains(g.group.id) { ready = max(ready, due.adding(days: -3)) }
                let run = table.nextPaymentRun(onOrAfter: ready) ?? ready
                emit(.scheduled, min(ready, run), department: dept.id, date: run)
                emit(.paymentSent, run, department: dept.id)
                finish[step.id] = run
                paidOn = adding(1, to: run.adding(days: 1))
                continue
            }
            if step.id == stuckStep?.id {
                let stuckStart = adding(days, to: start)
                let extra = rng.int(10...35)
                days += extra
                let end = adding(days, to: start)
                let announced = rng.chance(settings.announcedStuckRate)
                let reason = ["CMD_ERR", "JUSTIF_ABS", "REF_CT_ABSENT", "QTE_ERR"][rng.int(0...3)]
                if announced {
                    emit(reason == "QTE_ERR" ? .blocked : .suspended, stuckStart, department: dept.id, reason: reason)
                    emit(reason == "QTE_ERR" ? .resolved : .completed, end, department: dept.id)
                }
                episodes.append(GroundTruth.Episode(kind: .stuck, invoice: "draft", step: step.id, department: dept.id, start: stuckStart, end: end,
                                                    announced: announced, reason: announced ? reason : nil))
            }
            if step.id == disputeStep?.id {
                let opened = adding(min(days, 2), to: start)
                let length = rng.int(5...25)
                days += length
                let closedOn = adding(days, to: start)
                let reason = ["QTE_ERR", "PU_ERR", "LIVR_INCOMP"][rng.int(0...2)]
                emit(.inDispute, opened, department: dept.id, reason: reason)
                emit(.resolved, closedOn, department: dept.id)
                episodes.append(GroundTruth.Episode(kind: .dispute, invoice: "draft", step: step.id, department: dept.id, start: opened, end: closedOn,
                                                    announced: true, reason: reason))
                if rng.chance(0.5) {
                    credit = (Money(minorUnits: -(invoice.amount.minorUnits * Int64(rng.int(5...25)) / 100), currency: "EUR"), closedOn)
                }
            }
            let end = adding(days, to: start)
            finish[step.id] = end
            let state: CanonicalState
            switch step.action {
            case .invoiceReceipt: state = .received
            case .platformRouting: state = .madeAvailable
            case .goodsReceipt: state = .goodsReceived
            case .serviceFait: state = .serviceDone
            case .approval: state = .approved
            case .matching, .posting: state = .posted
            case .mandate: state = .mandated
            case .publicAccounting: state = .scheduled
            case .paymentRun, .payment: state = .paymentSent
            }
            emit(state, end, department: dept.id)
        }
        if paidOn == nil, let last = finish.values.max() { paidOn = adding(1, to: last.adding(days: 1)) }
        if let paidOn {
            let amount = invoice.amount + (credit?.amount ?? .zero("EUR"))
            invoice.payments = [Payment(date: paidOn, amount: amount, reference: "VIR-\(rng.int(1_000_000...9_999_999))")]
            emit(.paid, paidOn, department: nil, source: .erp)
        }
        var creditNote: Invoice?
        if let credit, credit.date <= settings.asOf {
            creditNote = Invoice(id: "draft", kind: .creditNote, group: invoice.group, entity: invoice.entity, site: invoice.site,
                                 sentTo: invoice.sentTo, orderNumber: invoice.orderNumber, issueDate: credit.date, deliveryDate: nil,
                                 dueDate: credit.date, amount: credit.amount, method: invoice.method, salesRep: invoice.salesRep, credits: "draft")
        }
        // Cut at the as-of date: what had not happened yet is unknown.
        let cutoff = settings.asOf.adding(days: 1).start(in: zone)
        events = events.filter { $0.at < cutoff }
        invoice.payments = invoice.payments.filter { $0.date <= settings.asOf }
        episodes = episodes.filter { $0.start <= settings.asOf }
        return (invoice, events, episodes, creditNote)
    }
}
