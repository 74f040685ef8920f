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
    /// Also our own records and our follow-up: `issued` (our ERP), `deposited` (the platform), `in-processing`
    /// (accounts payable), a reminder e-mail, calls (some promising a date) and letters. Off by default, so
    /// that the three-sample history stays as it was; on in scale mode.
    public var followUpEvents = false

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
        let sorted = graphs.sorted(by: { $0.group.id < $1.group.id })
        // Laws first, for every group, so that the invoice stream does not change them.
        var laws: [String: GroundTruth.DepartmentLaw] = [:]
        var delays: [String: GroundTruth.SiteInvoicing] = [:]
        for g in sorted { drawLaws(g, laws: &laws, delays: &delays, rng: &rng) }
        var drafts: [InvoiceDraft] = []
        let plans = sorted.map(GroupPlan.init)
        let days = DayStarts(zones: Set(plans.flatMap(\.timeZones)), settings: settings)
        for plan in plans {
            drafts += simulateInvoices(plan, laws: laws, delays: delays, days: days, rng: &rng)
        }
        // Number invoices in issue order, as an ERP would.
        drafts.sort(by: InvoiceDraft.issueOrder)
        let rates = settings.missingEventRateByGroup
        var announced = Set<String>()
        for (n, draft) in drafts.enumerated() {
            var (inv, eps) = (draft.invoice, draft.episodes)
            let number = "FA-\(inv.issueDate.year)-\(settings.firstNumber + n)"
            inv.id = number
            for i in eps.indices { eps[i].invoice = number }
            invoices.append(inv)
            if var cn = draft.creditNote {
                cn.id = "AV-\(cn.issueDate.year)-\(settings.firstNumber + n)"
                cn.credits = number
                invoices.append(cn)
            }
            for var e in draft.events {
                e.invoice = number
                truth.eventsGenerated += 1
                // Our own records (payments) always arrive; customer statuses sometimes never do.
                if !Simulator.isOurOwnRecord(e) && rng.chance(rates[inv.group] ?? settings.missingEventRate) {
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

    /// Each department's true dwell-time law and each delivery site's invoicing delay.
    func drawLaws(_ g: OrgGraph, laws: inout [String: GroundTruth.DepartmentLaw], delays: inout [String: GroundTruth.SiteInvoicing],
                  rng: inout SeededGenerator) {
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

    /// Every invoice of one group, site by site, unnumbered and in generation order.
    func simulateInvoices(_ plan: GroupPlan, laws: [String: GroundTruth.DepartmentLaw], delays: [String: GroundTruth.SiteInvoicing],
                          days: DayStarts, rng: inout SeededGenerator) -> [InvoiceDraft] {
        var drafts: [InvoiceDraft] = []
        let span = max(0, settings.start.days(to: settings.asOf))
        let months = Double(settings.start.days(to: settings.asOf)) / 30.4
        for site in plan.graph.sites where site.receivesDeliveries {
            let count = max(1, Int((settings.invoicesPerSiteMonth * months * rng.logNormal(median: 1, sigma: 0.3)).rounded()))
            for _ in 0..<count {
                let delivery = settings.start.adding(days: rng.int(0...span))
                let orderType = !plan.orderTypes.isEmpty && rng.chance(0.1) ? rng.pick(plan.orderTypes) : nil
                if let draft = simulateInvoice(plan, site: site, delivery: delivery, orderType: orderType, laws: laws, delays: delays,
                                               days: days, rng: &rng) {
                    drafts.append(draft)
                }
            }
        }
        return drafts
    }

    /// One invoice's life, cut at the as-of date.
    func simulateInvoice(_ group: GroupPlan, site: Site, delivery: CivilDate, orderType: String?, laws: [String: GroundTruth.DepartmentLaw],
                         delays: [String: GroundTruth.SiteInvoicing], days: DayStarts, rng: inout SeededGenerator) -> InvoiceDraft? {
        guard let plan = group.plan(site: site.id, orderType: orderType) else { return nil }
        let g = group.graph
        let calendar = plan.calendar, zone = plan.zone, table = plan.table
        func adding(_ n: Int, to d: CivilDate) -> CivilDate { table.workday(table.count(before: d) + n) }
        let delayLaw = delays[site.id]?.medianDelay ?? 2
        let issue = delivery.adding(days: max(0, Int(rng.logNormal(median: delayLaw, sigma: 0.5).rounded())))
        guard issue <= settings.asOf else { return nil }
        let amountCents = Int64((rng.logNormal(median: 4_000, sigma: 1.0) * 100).rounded())
        let method: PaymentMethod = rng.chance(0.1) ? .lcr : (rng.chance(0.04) ? .cheque : .transfer)
        let terms = plan.payer.terms
        let basis: CivilDate = terms.basis == .deliveryDate ? delivery : (terms.basis == .receiptDate ? issue.adding(days: 2) : issue)
        let due = terms.dueDate(from: basis)
        var invoice = Invoice(
            id: "draft", group: g.group.id, entity: plan.payer.id, site: site.id, sentTo: plan.sentTo,
            orderNumber: "PO-\(rng.int(100_000...999_999))", orderType: orderType, deliveryNote: "BL-\(rng.int(100_000...999_999))",
            issueDate: issue, deliveryDate: delivery, dueDate: due, dueDateGiven: true,
            amount: Money(minorUnits: max(amountCents, 5_000), currency: "EUR"), method: method,
            salesRep: Simulator.salesReps[rng.int(0...2)],
            discounted: method == .lcr && rng.chance(0.5))
        var events: [InvoiceEvent] = []
        var episodes: [GroundTruth.Episode] = []
        let source = group.source
        func at(_ day: CivilDate) -> Date {
            days.start(of: day, in: zone).addingTimeInterval(Double(8 * 3600 + rng.int(0...(10 * 3600))))
        }
        func emit(_ state: CanonicalState?, _ day: CivilDate, department: String?, source s: EventSource = source, reason: String? = nil,
                  date: CivilDate? = nil, note: String? = nil) {
            events.append(InvoiceEvent(invoice: "draft", state: state, at: at(day), timeZone: calendar.timeZone, department: department,
                                       source: s, rawCode: nil, reason: reason, note: note, date: date))
        }
        let followUp = settings.followUpEvents
        if followUp {
            // Our ERP issues the invoice and sends it; the platform or portal acknowledges the deposit.
            emit(.issued, issue, department: nil, source: .erp)
            emit(.deposited, issue, department: nil)
        }

        let stuckCandidates = plan.steps.filter { $0.step.action != .paymentRun && $0.step.action != .payment }.map(\.step)
        let stuckStep = rng.chance(settings.stuckRate) ? rng.pick(stuckCandidates) : nil
        let disputeStep = stuckStep == nil && rng.chance(settings.disputeRate)
            ? (plan.steps.first { $0.step.action == .approval } ?? plan.steps.first { $0.step.action == .matching })?.step : nil
        var finish = [CivilDate?](repeating: nil, count: plan.steps.count)
        var paidOn: CivilDate?
        var credit: (amount: Money, date: CivilDate)?
        for (index, planned) in plan.steps.enumerated() {
            let step = planned.step
            guard let dept = planned.department else { return nil }
            let origin = planned.carried == .approval ? delivery : issue
            let start = planned.predecessors.isEmpty ? origin : (planned.predecessors.compactMap { finish[$0] }.max() ?? origin)
            let law = laws[dept.id] ?? GroundTruth.DepartmentLaw(department: dept.id, speedFactor: 1, sigma: 0.5, slow: false)
            let median = max(0.5, (step.expectedDays ?? PriorDwellModel.typicalDays(step.action)) * law.speedFactor)
            var days = max(0, Int(rng.logNormal(median: median, sigma: law.sigma).rounded()))
            if step.action == .paymentRun || step.action == .payment {
                var ready = adding(days, to: start)
                if settings.payAtDueDate.contains(g.group.id) { ready = max(ready, due.adding(days: -3)) }
                let run = table.nextPaymentRun(onOrAfter: ready) ?? ready
                emit(.scheduled, min(ready, run), department: dept.id, date: run)
                emit(.paymentSent, run, department: dept.id)
                finish[index] = run
                paidOn = adding(1, to: run.adding(days: 1))
                continue
            }
            if followUp && (step.action == .matching || step.action == .posting) {
                // Accounts payable acknowledges the invoice when it takes it up.
                emit(.inProcessing, start, department: dept.id)
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
            finish[index] = end
            emit(Simulator.completionState(of: step.action), end, department: dept.id)
        }
        if paidOn == nil, let last = finish.compactMap({ $0 }).max() { paidOn = adding(1, to: last.adding(days: 1)) }
        if let paidOn {
            let amount = invoice.amount + (credit?.amount ?? .zero("EUR"))
            invoice.payments = [Payment(date: paidOn, amount: amount, reference: "VIR-\(rng.int(1_000_000...9_999_999))")]
            emit(.paid, paidOn, department: nil, source: .erp)
        }
        /// Our collectors' follow-up: an e-mail reminder a few days before the due date, a courtesy call a week
        /// before it (where the customer often tells the payment date), then, while the money has not come, a
        /// reminder letter, a call that gets a promise, and a formal notice. The as-of cut removes the future.
        func emitFollowUp() {
            func unpaid(on day: CivilDate) -> Bool { paidOn.map { $0 > day } ?? true }
            let courtesy = due.adding(days: -7)
            if unpaid(on: courtesy) {
                if let paidOn, rng.chance(0.6) {
                    emit(.promised, courtesy, department: nil, source: .call, date: paidOn)
                } else {
                    emit(nil, courtesy, department: nil, source: .call, note: "courtesy call before the due date")
                }
            }
            let preDue = due.adding(days: -3)
            if unpaid(on: preDue) { emit(nil, preDue, department: nil, source: .email, note: "reminder: due in 3 days") }
            let firstReminder = due.adding(days: 3)
            if unpaid(on: firstReminder) { emit(nil, firstReminder, department: nil, source: .letter, note: "first reminder") }
            let call = due.adding(days: 15)
            if unpaid(on: call) {
                let promise = paidOn.map { max($0, call.adding(days: 1)) } ?? call.adding(days: 7 + rng.int(0...14))
                emit(.promised, call, department: nil, source: .call, date: promise)
            }
            let notice = due.adding(days: 30)
            if unpaid(on: notice) { emit(nil, notice, department: nil, source: .letter, note: "formal notice") }
        }
        if followUp { emitFollowUp() }
        var creditNote: Invoice?
        if let credit, credit.date <= settings.asOf {
            creditNote = Invoice(id: "draft", kind: .creditNote, group: invoice.group, entity: invoice.entity, site: invoice.site,
                                 sentTo: invoice.sentTo, orderNumber: invoice.orderNumber, issueDate: credit.date, deliveryDate: nil,
                                 dueDate: credit.date, amount: credit.amount, method: invoice.method, salesRep: invoice.salesRep, credits: "draft")
        }
        // Cut at the as-of date: what had not happened yet is unknown.
        let cutoff = days.start(of: settings.asOf.adding(days: 1), in: zone)
        events.removeAll { $0.at >= cutoff }
        invoice.payments.removeAll { $0.date > settings.asOf }
        episodes.removeAll { $0.start > settings.asOf }
        return InvoiceDraft(invoice: invoice, events: events, episodes: episodes, creditNote: creditNote)
    }

    /// Our ERP's records, calls, letters and e-mails always reach us; the customers' statuses sometimes do not.
    static func isOurOwnRecord(_ e: InvoiceEvent) -> Bool {
        e.source == .erp || e.source == .call || e.source == .letter || e.source == .email
    }

    static let salesReps = ["Julien Perrin", "Sarah Benali", "Hugo Masson"]

    static func completionState(of action: StepAction) -> CanonicalState {
        switch action {
        case .invoiceReceipt: .received
        case .platformRouting: .madeAvailable
        case .goodsReceipt: .goodsReceived
        case .serviceFait: .serviceDone
        case .approval: .approved
        case .matching, .posting: .posted
        case .mandate: .mandated
        case .publicAccounting: .scheduled
        case .paymentRun, .payment: .paymentSent
        }
    }
}

/// One simulated invoice before it is numbered: the invoice, the events about it (none dropped yet), its
/// stuck or disputed episodes and its credit note, if any.
struct InvoiceDraft: Sendable {
    var invoice: Invoice
    var events: [InvoiceEvent]
    var episodes: [GroundTruth.Episode]
    var creditNote: Invoice?

    /// Issue date, then site, then amount: the order an ERP numbers them in.
    static func issueOrder(_ a: InvoiceDraft, _ b: InvoiceDraft) -> Bool {
        (a.invoice.issueDate, a.invoice.site, a.invoice.amount.minorUnits) < (b.invoice.issueDate, b.invoice.site, b.invoice.amount.minorUnits)
    }
}
