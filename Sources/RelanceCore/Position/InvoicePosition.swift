import Foundation

/// Where one step of an invoice's route stands.
public struct StepPosition: Sendable {
    public enum Status: String, Sendable {
        /// An event shows the step done (or a later step done, see `implied`).
        case done
        /// Every step before it is done: the invoice or the approval is here, unless it has moved on unreported.
        case pending
        /// Steps before it are not all done yet.
        case waiting
    }

    public var step: RouteStep
    public var department: Department?
    public var carried: Carried
    public var status: Status
    /// When the step was done, when an event says so.
    public var doneAt: CivilDate?
    /// The event that shows it done (`nil` when implied by a later step).
    public var evidence: InvoiceEvent?
    /// Done because a later step is done, with no event of its own.
    public var implied: Bool
    /// Since when the step could start (its predecessors done, or the branch's origin), when events show it.
    public var since: CivilDate?
    /// Working days spent at the step so far (pending steps with a known start).
    public var dwellDays: Int?
    /// Probability the step is done by the as-of date, given the events and the durations.
    public var probabilityDone: Double
    /// Probability the invoice (or the approval) sits at this step at the as-of date.
    public var probabilityHere: Double
    /// The duration law used, and where it comes from.
    public var law: DwellDistribution
    public var lawSource: DwellSource
}

/// A blocking event not yet lifted: a dispute, a suspension, a payment block, a refusal.
public struct Block: Sendable {
    public var state: CanonicalState
    public var since: CivilDate
    public var stepID: String?
    public var department: String?
    public var event: InvoiceEvent
}

/// Where an open invoice and its approval sit inside the customer, as of a date.
public struct InvoicePosition: Sendable {
    public var invoice: Invoice
    public var route: Route?
    public var asOf: CivilDate
    public var steps: [StepPosition]
    public var blocks: [Block]
    /// Paid, credited or cancelled by the as-of date.
    public var closed: Bool
    public var events: [InvoiceEvent]
    /// The payment run the invoice is said to be in (a `scheduled` event's date).
    public var scheduledRun: CivilDate?
    /// The last promise to pay.
    public var promisedDate: CivilDate?
    public var axis: WorkingDayAxis
    /// When the route will be complete (its last step done: the payment released), in working days from
    /// the axis origin; `nil` without a route.
    public var completion: DwellDistribution?

    public func step(_ id: String) -> StepPosition? { steps.first { $0.step.id == id } }

    /// Pending steps: where each branch is, as far as events show.
    public var pending: [StepPosition] { steps.filter { $0.status == .pending } }

    /// The most likely place of each branch (invoice, approval, or both once joined), with its probability.
    public func likelyPlace(of branch: Carried) -> StepPosition? {
        steps.filter { $0.status != .done && ($0.carried == branch || $0.carried == .both) }.max { $0.probabilityHere < $1.probabilityHere }
    }
}

/// Computes positions from a route, the events and a duration model.
public struct PositionEngine: Sendable {
    public let graph: OrgGraph
    public var model: any DwellModel
    /// What every position of an invoice on a route needs and that depends on the route alone, worked out
    /// once per engine rather than once per invoice.
    let facts: [String: RouteFacts]
    /// The route and the paying calendar of each site, with no order type and with each one the routes name,
    /// with what every position on the circuit needs of the calendar (its working-day table and time zone),
    /// looked up once per engine rather than once per invoice.
    private let circuits: [SiteOrder: Circuit]
    /// The instant that ends the as-of day, by time zone.
    private let cutoffs = Cutoffs()

    struct Circuit: Sendable {
        var route: Route?
        var calendar: PayablesCalendar?
        var table: WorkingDayTable
        var zone: TimeZone

        init(route: Route?, calendar: PayablesCalendar?) {
            self.route = route
            self.calendar = calendar
            let paying = calendar ?? PayablesCalendar()
            table = WorkingDayTable.shared(for: paying)
            zone = TimeZone(identifier: paying.timeZone) ?? .gmt
        }
    }

    struct RouteFacts: Sendable {
        var order: [RouteStep]
        var ancestors: [String: Set<String>]
        var carried: [String: Carried]
        var finalIDs: [String]
    }

    struct SiteOrder: Hashable, Sendable {
        var site: String
        var orderType: String?
    }

    public init(graph: OrgGraph, model: any DwellModel = PriorDwellModel()) {
        self.graph = graph
        self.model = model
        var facts: [String: RouteFacts] = [:]
        for r in graph.routes {
            facts[r.id] = RouteFacts(order: r.topologicalOrder() ?? [], ancestors: PositionEngine.ancestors(r),
                                     carried: r.carriedByStep(), finalIDs: r.finalSteps.map(\.id))
        }
        self.facts = facts
        var circuits: [SiteOrder: Circuit] = [:]
        let orderTypes: [String?] = [nil] + Set(graph.routes.flatMap(\.appliesTo.orderTypes)).sorted()
        for site in graph.sites {
            for o in orderTypes {
                circuits[SiteOrder(site: site.id, orderType: o)] = Circuit(route: graph.route(forSite: site.id, orderType: o),
                                                                           calendar: graph.paymentCalendarOwner(forSite: site.id, orderType: o)?.calendar)
            }
        }
        self.circuits = circuits
    }

    /// The route of an invoice and the calendar of the entity that pays it.
    func circuit(site: String, orderType: String?) -> (route: Route?, calendar: PayablesCalendar?) {
        let c = fullCircuit(site: site, orderType: orderType)
        return (c.route, c.calendar)
    }

    func fullCircuit(site: String, orderType: String?) -> Circuit {
        circuits[SiteOrder(site: site, orderType: orderType)]
            ?? Circuit(route: graph.route(forSite: site, orderType: orderType),
                       calendar: graph.paymentCalendarOwner(forSite: site, orderType: orderType)?.calendar)
    }

    /// The position of `invoice` at the end of `asOf` (events later than that day are ignored).
    public func position(of invoice: Invoice, events allEvents: [InvoiceEvent], asOf: CivilDate) -> InvoicePosition {
        position(of: invoice, events: allEvents, asOf: asOf, withLaws: true)
    }

    /// What events show of `invoice`'s position, without any duration law: each step's status, dates,
    /// evidence and time spent so far, the blocks and whether it is closed are those of
    /// ``position(of:events:asOf:)``, which they do not depend on the model; the laws, the probabilities
    /// and the completion are left empty (a certain 0, probabilities 0 or 1, `nil`). What ``DwellLearner``
    /// needs, at a fraction of the cost.
    public func observedPosition(of invoice: Invoice, events allEvents: [InvoiceEvent], asOf: CivilDate) -> InvoicePosition {
        position(of: invoice, events: allEvents, asOf: asOf, withLaws: false)
    }

    private static let noLaw = DwellDistribution.point(0)

    private func position(of invoice: Invoice, events allEvents: [InvoiceEvent], asOf: CivilDate, withLaws: Bool) -> InvoicePosition {
        let circuit = fullCircuit(site: invoice.site, orderType: invoice.orderType)
        let route = circuit.route
        let routeFacts = route.flatMap { facts[$0.id] }
        let zone = circuit.zone
        let cutoff = cutoffs.end(of: asOf, in: zone)
        let events = allEvents.filter { $0.at < cutoff }.sorted { $0.at < $1.at }
        let origin = min(invoice.issueDate, invoice.deliveryDate ?? invoice.issueDate)
        let axis = WorkingDayAxis(origin: origin, table: circuit.table)
        let day = { (e: InvoiceEvent) in e.day(in: zone) }

        let paidByThen = invoice.payments.filter { $0.date <= asOf }.reduce(Int64(0)) { $0 + $1.amount.minorUnits }
        var closed = invoice.kind == .invoice && !invoice.payments.isEmpty && paidByThen >= invoice.amount.minorUnits
        var scheduled: CivilDate?, promised: CivilDate?
        var blocks: [Block] = []
        var done: [String: (date: CivilDate, event: InvoiceEvent)] = [:]
        let steps = route?.steps ?? []
        let carried = routeFacts?.carried ?? route?.carriedByStep() ?? [:]
        let ancestors = routeFacts?.ancestors ?? route.map(PositionEngine.ancestors) ?? [:]
        let finalIDs = routeFacts?.finalIDs ?? route?.finalSteps.map(\.id) ?? []
        let deptOf: [String: Department] = Dictionary(steps.compactMap { s in
            graph.department(for: s, deliveredAt: invoice.site).map { (s.id, $0) }
        }, uniquingKeysWith: { a, _ in a })

        var impliedByEvents = Set<String>()
        func markDone(_ ids: Set<String>, _ e: InvoiceEvent) {
            for id in ids where done[id] == nil { done[id] = (day(e), e) }
        }

        for e in events {
            guard let state = e.state else { continue }
            if state.closesInvoice { closed = true }
            if state == .scheduled { scheduled = e.date ?? scheduled }
            if state == .promised { promised = e.date }
            // Which steps the state proves done.
            let proof = state.completes
            var targets = Set(steps.filter { proof.actions.contains($0.action) }.map(\.id))
            if proof.all {
                targets = Set(steps.map(\.id))
            } else if proof.beforePaymentRun {
                let runs = steps.filter { $0.action == .paymentRun || $0.action == .payment }.map(\.id)
                let before = runs.isEmpty ? Set(steps.map(\.id)).subtracting(finalIDs) : Set(runs.flatMap { ancestors[$0] ?? [] })
                targets.formUnion(before)
            }
            var arrivedAt: String?
            if let d = e.department {
                let here = steps.filter { deptOf[$0.id]?.id == d }.map(\.id)
                let hereTargets = targets.intersection(here)
                if !hereTargets.isEmpty {
                    // A multi-level approval: the approval at this department only.
                    targets = targets.subtracting(Set(steps.filter { s in
                        proof.actions.contains(s.action) && !here.contains(s.id) && !(hereTargets.contains { ancestors[$0]?.contains(s.id) ?? false })
                    }.map(\.id)))
                } else if let first = here.first {
                    arrivedAt = first
                }
            }
            // The event dates only the most advanced steps it proves (an approval dates the approval step, not
            // the goods receipt before it); what it proves before them is done at an unknown date. A payment run
            // or a payment dates nothing before it: those steps were done some time earlier.
            var primary = proof.beforePaymentRun ? Set<String>() : targets.filter { t in !targets.contains { ancestors[$0]?.contains(t) ?? false } }
            if proof.all { primary = Set(finalIDs) }
            if let a = arrivedAt { targets.formUnion(ancestors[a] ?? []) }
            var closure = targets
            for t in targets { closure.formUnion(ancestors[t] ?? []) }
            markDone(primary, e)
            impliedByEvents.formUnion(closure.subtracting(primary))

            if state.isBlocking {
                let stepID = arrivedAt ?? e.department.flatMap { d in steps.first { deptOf[$0.id]?.id == d }?.id }
                blocks.append(Block(state: state, since: day(e), stepID: stepID, department: e.department, event: e))
            } else {
                // Lifted by an explicit answer or by progress past the blocked step itself (an approval at the
                // department that suspended the invoice).
                blocks.removeAll { b in
                    guard b.event.at <= e.at, b.state != .refused || state.closesInvoice else { return false }
                    if state.lifts(b.state) { return true }
                    guard let blocked = b.stepID, state.concernsApproval || !state.completes.actions.isEmpty else { return false }
                    return primary.contains { $0 == blocked || (ancestors[$0]?.contains(blocked) ?? false) }
                }
            }
        }
        if closed {
            impliedByEvents.formUnion(steps.map(\.id))
            blocks.removeAll()
        }

        // Implied completions: predecessors of a done step, and what events prove without dating it.
        var implied = impliedByEvents.filter { done[$0] == nil }
        for id in done.keys { for a in ancestors[id] ?? [] where done[a] == nil { implied.insert(a) } }

        // Finishing-time laws in working days from the origin, in route order.
        let order = routeFacts?.order ?? route?.topologicalOrder() ?? []
        var finish: [String: DwellDistribution] = [:]
        var positions: [StepPosition] = []
        let now = axis.index(of: asOf.adding(days: 1))
        for s in order {
            let dept = deptOf[s.id]
            let branch = carried[s.id] ?? .invoice
            var status = StepPosition.Status.waiting
            var since: CivilDate?
            if let d = done[s.id] {
                status = .done
                if withLaws { finish[s.id] = .point(max(axis.index(of: d.date), 0)) }
            } else if implied.contains(s.id) {
                status = .done
            }
            let predsDone = s.after.allSatisfy { done[$0] != nil || implied.contains($0) }
            let dates = s.after.compactMap { done[$0]?.date }
            if s.after.isEmpty {
                since = branch == .approval ? (invoice.deliveryDate ?? invoice.issueDate) : invoice.issueDate
            } else if dates.count == s.after.count {
                since = dates.max()
            }
            if status != .done && predsDone { status = .pending }
            // Working days spent at a pending step so far.
            var dwell: Int?
            if status == .pending, let since { dwell = max(0, now - axis.index(of: since) - 1) }
            guard withLaws else {
                positions.append(StepPosition(
                    step: s, department: dept, carried: branch, status: status, doneAt: done[s.id]?.date,
                    evidence: done[s.id]?.event, implied: implied.contains(s.id), since: since, dwellDays: dwell,
                    probabilityDone: status == .done ? 1 : 0, probabilityHere: 0, law: PositionEngine.noLaw, lawSource: .prior))
                continue
            }
            let (law, source) = model.dwell(for: s, department: dept, group: graph.group.id)
            // Start law: the latest predecessor; for a starting step, its branch's origin.
            var start: DwellDistribution
            if s.after.isEmpty {
                let o = branch == .approval ? (invoice.deliveryDate ?? invoice.issueDate) : invoice.issueDate
                start = .point(max(axis.index(of: o), 0))
            } else {
                start = s.after.compactMap { finish[$0] }.reduce(DwellDistribution.point(0)) { $0.maximum($1) }
            }
            if finish[s.id] == nil {
                if implied.contains(s.id) {
                    // Done before a later step: somewhere between its start and that step's date; take the start.
                    finish[s.id] = start
                } else if s.action == .paymentRun || s.action == .payment, s.after.isEmpty == false {
                    finish[s.id] = paymentRunFinish(start: start, law: law, axis: axis, scheduled: scheduled)
                } else {
                    finish[s.id] = start.adding(law)
                }
            }
            var pDone = status == .done ? 1.0 : (finish[s.id]?.cdf(now - 1) ?? 0)
            let pStarted = s.after.isEmpty ? 1.0 : s.after.map { p in
                done[p] != nil || implied.contains(p) ? 1.0 : (finish[p]?.cdf(now - 1) ?? 0)
            }.reduce(1, *)
            if let elapsed = dwell {
                // Silence as evidence: a completion is reported with probability r.
                let r = model.reportingRate(for: s, department: dept, group: graph.group.id)
                let stillThere = 1 - law.cdf(elapsed)
                let notDone = stillThere / max(stillThere + (1 - stillThere) * (1 - r), 1e-12)
                pDone = 1 - notDone
            }
            let here = status == .done ? 0 : max(0, min(1, (status == .pending ? 1 : pStarted) - pDone))
            positions.append(StepPosition(
                step: s, department: dept, carried: branch, status: status, doneAt: done[s.id]?.date,
                evidence: done[s.id]?.event, implied: implied.contains(s.id),
                since: since, dwellDays: dwell, probabilityDone: pDone, probabilityHere: here, law: law, lawSource: source))
        }
        // A block whose message does not say where it is sits at the most advanced pending step where such
        // decisions are taken (approval, matching, posting, mandate), else at the last pending step.
        let pendingOrder = positions.filter { $0.status == .pending }
        let deciding = pendingOrder.last { [.approval, .matching, .posting, .mandate, .serviceFait].contains($0.step.action) } ?? pendingOrder.last
        for i in blocks.indices where blocks[i].stepID == nil {
            blocks[i].stepID = deciding?.step.id
            if blocks[i].department == nil { blocks[i].department = deciding?.department?.id }
        }
        let completion = closed || !withLaws ? nil : ahead(positions, route: route, now: now, axis: axis, scheduled: scheduled, finish: finish)
        return InvoicePosition(invoice: invoice, route: route, asOf: asOf, steps: positions, blocks: blocks, closed: closed,
                               events: events, scheduledRun: scheduled, promisedDate: promised, axis: axis, completion: completion)
    }

    /// When the route will be complete, looking ahead from `now` (working-day index): a pending step is either
    /// done unreported (it ends now) or still there, and then needs what remains of its dwell law given the
    /// time already spent; waiting steps follow; a payment run waits for the next run. Laws are in working days
    /// from the axis origin, all at or after `now`.
    func ahead(_ positions: [StepPosition], route: Route?, now: Int, axis: WorkingDayAxis, scheduled: CivilDate?,
               finish: [String: DwellDistribution]) -> DwellDistribution? {
        guard let route else { return nil }
        var ahead: [String: DwellDistribution] = [:]
        let today = DwellDistribution.point(max(now - 1, 0))
        func notBefore(_ d: DwellDistribution, _ k: Int) -> DwellDistribution {
            let tail = d.mass.enumerated().filter { $0.offset >= k }
            guard tail.reduce(0, { $0 + $1.element }) > 1e-9 else { return .point(k) }
            var m = Array(repeating: 0.0, count: (tail.last?.offset ?? k) + 1)
            for (i, x) in tail { m[i] = x }
            return DwellDistribution(mass: m)
        }
        for p in positions {
            let s = p.step
            switch p.status {
            case .done:
                ahead[s.id] = p.doneAt.map { .point(max(axis.index(of: $0), 0)) } ?? today
            case .pending, .waiting:
                let start = p.status == .pending && s.after.isEmpty ? today
                    : s.after.compactMap { ahead[$0] }.reduce(today) { $0.maximum($1) }
                if s.action == .paymentRun || s.action == .payment {
                    ahead[s.id] = notBefore(paymentRunFinish(start: start, law: p.law, axis: axis, scheduled: scheduled), max(now - 1, 0))
                } else if p.status == .pending, let elapsed = p.dwellDays {
                    let still = start.adding(p.law.remaining(after: elapsed))
                    // Done unreported with probability pDone: it ends today.
                    let mixed = zip(0..<max(still.mass.count, today.mass.count), 0...).map { i, _ in
                        (i < still.mass.count ? still.mass[i] * (1 - p.probabilityDone) : 0) + (i < today.mass.count ? today.mass[i] * p.probabilityDone : 0)
                    }
                    ahead[s.id] = DwellDistribution(mass: mixed)
                } else {
                    ahead[s.id] = notBefore(start.adding(p.law), max(now - 1, 0))
                }
            }
        }
        let finals = facts[route.id]?.finalIDs ?? route.finalSteps.map(\.id)
        return finals.compactMap { ahead[$0] }.reduce(nil as DwellDistribution?) { acc, f in acc.map { $0.maximum(f) } ?? f }
    }

    /// The law of the day a payment-run step is done: ready after its own preparation time, then paid in the
    /// first payment run on or after that day (or in the run a `scheduled` event announced).
    func paymentRunFinish(start: DwellDistribution, law: DwellDistribution, axis: WorkingDayAxis, scheduled: CivilDate?) -> DwellDistribution {
        if let scheduled { return .point(max(axis.index(of: scheduled), 0)) }
        let ready = start.adding(law)
        var m = Array(repeating: 0.0, count: DwellDistribution.horizon + 1)
        for (i, p) in ready.mass.enumerated() where p > 0 {
            let day = axis.date(at: i)
            let run = axis.table.nextPaymentRun(onOrAfter: day) ?? day
            m[min(max(axis.index(of: run), i), DwellDistribution.horizon)] += p
        }
        return DwellDistribution(mass: m)
    }

    /// For each step, every step that must be done before it.
    static func ancestors(_ route: Route) -> [String: Set<String>] {
        var result: [String: Set<String>] = [:]
        for s in route.topologicalOrder() ?? route.steps {
            var set = Set(s.after)
            for p in s.after { set.formUnion(result[p] ?? []) }
            result[s.id] = set
        }
        return result
    }
}

extension OrgGraph {
    /// The department a state most likely comes from for an invoice, when the message does not say:
    /// the department of the only step of the invoice's route whose action the state shows done
    /// (`approved` → the approval step's department). `nil` when no step or several steps fit.
    public func likelyDepartment(of state: CanonicalState, for invoice: Invoice) -> String? {
        // A dispute or a suspension says the buyer has the invoice, not who raised it: the position places it.
        guard !state.isBlocking, state != .completed, let route = route(forSite: invoice.site, orderType: invoice.orderType) else { return nil }
        let actions = state.completes.actions
        // The most advanced action the state proves (approved proves the goods receipt too, but comes from the approver).
        for action in actions.reversed() {
            let steps = route.steps.filter { $0.action == action }
            if steps.count == 1, let step = steps.first { return department(for: step, deliveredAt: invoice.site)?.id }
            if steps.count > 1 { return nil }
        }
        if state == .scheduled || state == .paymentSent, let run = route.steps.first(where: { $0.action == .paymentRun || $0.action == .payment }) {
            return department(for: run, deliveredAt: invoice.site)?.id
        }
        return nil
    }
}

/// The instant each day ends in each time zone an engine meets (the start of the next day there), shared by
/// the engine's copies and threads behind a lock: `CivilDate.start(in:)` builds a `Calendar` each time, and
/// every position asks for the end of its as-of day.
final class Cutoffs: @unchecked Sendable {
    private struct Key: Hashable {
        var zone: String
        var day: Int
    }

    private let lock = NSLock()
    private var instants: [Key: Date] = [:]

    func end(of day: CivilDate, in zone: TimeZone) -> Date {
        let key = Key(zone: zone.identifier, day: day.dayNumber)
        lock.lock()
        let known = instants[key]
        lock.unlock()
        if let known { return known }
        let instant = day.adding(days: 1).start(in: zone)
        lock.lock()
        if instants.count < 1_000 { instants[key] = instant }
        lock.unlock()
        return instant
    }
}
