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

    /// The step, its department for the invoice's delivery site and the branch it carries: the same for every
    /// invoice on a circuit, so one shared object (a position's steps are copied often, and a step and its
    /// department hold a dozen texts to retain and release at each copy).
    final class Place: Sendable {
        let step: RouteStep
        let department: Department?
        let carried: Carried

        init(step: RouteStep, department: Department?, carried: Carried) {
            self.step = step
            self.department = department
            self.carried = carried
        }
    }

    private var place: Place
    public var step: RouteStep {
        get { place.step }
        set { place = Place(step: newValue, department: place.department, carried: place.carried) }
    }
    public var department: Department? {
        get { place.department }
        set { place = Place(step: place.step, department: newValue, carried: place.carried) }
    }
    public var carried: Carried {
        get { place.carried }
        set { place = Place(step: place.step, department: place.department, carried: newValue) }
    }
    /// The step's id and its department's, read without copying the step or the department (each a dozen
    /// texts, retained and released when copied out of the shared place by a caller in another module).
    public var stepID: String { place.step.id }
    public var departmentID: String? { place.department?.id }
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

    init(place: Place, status: Status, doneAt: CivilDate?, evidence: InvoiceEvent?, implied: Bool, since: CivilDate?, dwellDays: Int?,
         probabilityDone: Double, probabilityHere: Double, law: DwellDistribution, lawSource: DwellSource) {
        self.place = place
        self.status = status
        self.doneAt = doneAt
        self.evidence = evidence
        self.implied = implied
        self.since = since
        self.dwellDays = dwellDays
        self.probabilityDone = probabilityDone
        self.probabilityHere = probabilityHere
        self.law = law
        self.lawSource = lawSource
    }
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

/// How much of a position to work out.
public enum PositionDetail: Sendable {
    /// Everything: each step's status, dates, law and probabilities, the blocks and the completion law.
    case full
    /// What forecasts and the agenda read: everything but the probabilities of the steps still waiting for
    /// an earlier one, which are 0. Those need the law of when each earlier step finished, counted from the
    /// invoice's origin: a convolution and a payment-run mapping per step, which nothing that looks ahead of
    /// the day reads (the completion law is worked out from the day on). Every other field, and the
    /// probabilities of the done and pending steps, are those of ``full`` (tests check it).
    case ahead
    /// What events show, without duration laws (see ``PositionEngine/observedPosition(of:events:asOf:)``).
    case observed
}

/// Computes positions from a route, the events and a duration model.
public struct PositionEngine: Sendable {
    public let graph: OrgGraph
    /// The duration model (fixed for the engine's life: each circuit keeps its steps' laws from it).
    public let model: any DwellModel
    /// The departments of the organisation, in order, and the index of each (events name departments by
    /// id; compiled routes by index).
    public let departmentIDs: [String]
    let departmentIndex: [String: Int32]
    /// The route and the paying calendar of each site and order type met, with what every position on the
    /// circuit needs (the compiled route, its steps' departments, the calendar's working-day table and time
    /// zone), worked out once per engine rather than once per invoice, and only for the circuits asked for.
    private let circuits = Memo<SiteOrder, Circuit>()
    /// Routes compiled (``CompiledRoute/init(route:)``), before their steps are placed at a site, by id
    /// (when no two routes share one, as validation asks: hashing a whole route costs as much as compiling it).
    private let compiledRoutes = Memo<String, CompiledRoute?>(limit: 1_000)
    private let routeIDsAreUnique: Bool
    /// The instant that ends the as-of day (the start of the next day there), by time zone and day:
    /// `CivilDate.start(in:)` builds a `Calendar` each time, and every position asks for it.
    private let cutoffs = Memo<Cutoff, Date>(limit: 1_000)

    struct Cutoff: Hashable, Sendable {
        var zone: String
        var day: Int
    }

    /// One object per circuit, shared by every position on it (a structure's dozen fields were retained and
    /// released at each look-up).
    final class Circuit: Sendable {
        let route: Route?
        let table: WorkingDayTable
        let zone: TimeZone
        /// The route's steps as bits; without a route, or for a route that does not compile, no steps.
        let compiled: CompiledRoute
        /// Each step of the route (by index) with its department for an invoice delivered at the circuit's site
        /// and its branch, shared by the positions on the circuit.
        let places: [StepPosition.Place]
        /// Each step's duration law, its source and the share of its completions reported, from the engine's
        /// model: the same for every invoice on the circuit, asked of the model once (each question copied
        /// the step and its department, a dozen texts, into the model's call).
        let laws: [StepLaw]

        struct StepLaw: Sendable {
            var law: DwellDistribution
            var source: DwellSource
            var reportingRate: Double
        }

        init(graph: OrgGraph, model: any DwellModel, site: String, orderType: String?, departmentIndex: [String: Int32],
             compile: (Route) -> CompiledRoute?) {
            let route = graph.route(forSite: site, orderType: orderType)
            let paying = graph.paymentCalendarOwner(forSite: site, route: route)?.calendar ?? PayablesCalendar()
            self.route = route
            table = WorkingDayTable.shared(for: paying)
            zone = TimeZone(identifier: paying.timeZone) ?? .gmt
            if let route, let shape = compile(route) {
                let departments = route.steps.map { graph.department(for: $0, deliveredAt: site) }
                let compiled = shape.placed(departments: departments, index: departmentIndex)
                self.compiled = compiled
                places = route.steps.indices.map { i in StepPosition.Place(step: route.steps[i], department: departments[i], carried: compiled.steps[i].carried) }
                laws = route.steps.indices.map { i in
                    let (law, source) = model.dwell(for: route.steps[i], department: departments[i], group: graph.group.id)
                    return StepLaw(law: law, source: source, reportingRate: model.reportingRate(for: route.steps[i], department: departments[i], group: graph.group.id))
                }
            } else {
                compiled = .empty(departments: departmentIndex.count)
                places = []
                laws = []
            }
        }
    }

    struct SiteOrder: Hashable, Sendable {
        var site: String
        var orderType: String?
    }

    public init(graph: OrgGraph, model: any DwellModel = PriorDwellModel()) {
        self.graph = graph
        self.model = model
        var ids: [String] = [], index: [String: Int32] = [:]
        for d in graph.departments where index[d.id] == nil {
            index[d.id] = Int32(ids.count)
            ids.append(d.id)
        }
        departmentIDs = ids
        departmentIndex = index
        routeIDsAreUnique = graph.routeIDsAreUnique
    }

    func fullCircuit(site: String, orderType: String?) -> Circuit {
        circuits.value(for: SiteOrder(site: site, orderType: orderType)) {
            Circuit(graph: graph, model: model, site: site, orderType: orderType, departmentIndex: departmentIndex) { route in
                routeIDsAreUnique ? compiledRoutes.value(for: route.id) { CompiledRoute(route: route) } : CompiledRoute(route: route)
            }
        }
    }

    /// The position of `invoice` at the end of `asOf` (events later than that day are ignored).
    public func position(of invoice: Invoice, events allEvents: [InvoiceEvent], asOf: CivilDate) -> InvoicePosition {
        position(of: invoice, events: allEvents, asOf: asOf, detail: .full)
    }

    /// What events show of `invoice`'s position, without any duration law: each step's status, dates,
    /// evidence and time spent so far, the blocks and whether it is closed are those of
    /// ``position(of:events:asOf:)``, which they do not depend on the model; the laws, the probabilities
    /// and the completion are left empty (a certain 0, probabilities 0 or 1, `nil`). What ``DwellLearner``
    /// needs, at a fraction of the cost.
    public func observedPosition(of invoice: Invoice, events allEvents: [InvoiceEvent], asOf: CivilDate) -> InvoicePosition {
        position(of: invoice, events: allEvents, asOf: asOf, detail: .observed)
    }

    private static let noLaw = DwellDistribution.point(0)

    /// The position of `invoice` at the end of `asOf`, worked out to `detail`.
    public func position(of invoice: Invoice, events allEvents: [InvoiceEvent], asOf: CivilDate, detail: PositionDetail) -> InvoicePosition {
        let withLaws = detail != .observed
        // Each earlier step's finishing law from the origin, which the waiting steps' probabilities need.
        let finishing = detail == .full
        let circuit = fullCircuit(site: invoice.site, orderType: invoice.orderType)
        let route = circuit.route
        let k = circuit.compiled
        let zone = circuit.zone
        let cutoff = cutoffs.value(for: Cutoff(zone: zone.identifier, day: asOf.dayNumber)) { asOf.adding(days: 1).start(in: zone) }
        // Read from the store, the events are already in time order and up to the day: no copy then.
        // (By index: iterating pairs copied every event, a dozen texts retained and released each time.)
        var inOrder = !(allEvents.last.map { $0.at >= cutoff } ?? false)
        if inOrder, allEvents.count > 1 {
            for i in 1..<allEvents.count where allEvents[i].at < allEvents[i - 1].at {
                inOrder = false
                break
            }
        }
        let events = inOrder ? allEvents : allEvents.filter { $0.at < cutoff }.sorted { $0.at < $1.at }
        let origin = min(invoice.issueDate, invoice.deliveryDate ?? invoice.issueDate)
        let axis = WorkingDayAxis(origin: origin, table: circuit.table)
        let day = { (e: InvoiceEvent) in e.day(in: zone) }
        let stepID = { (i: Int) in route?.steps[i].id }

        let paidByThen = invoice.payments.filter { $0.date <= asOf }.reduce(Int64(0)) { $0 + $1.amount.minorUnits }
        var closed = invoice.kind == .invoice && !invoice.payments.isEmpty && paidByThen >= invoice.amount.minorUnits
        var scheduled: CivilDate?, promised: CivilDate?
        // Blocks not lifted yet, with the step each sits at (-1 when the event does not say).
        var blocks: [(block: Block, step: Int)] = []
        // Steps done with a date (bits), the day and the event (its index in `events`) of each.
        var done: UInt64 = 0
        var doneAt = [(date: CivilDate, event: Int)?](repeating: nil, count: k.count)
        var impliedByEvents: UInt64 = 0

        // Each event read in place through the array's buffer: iterating copied every event out, a dozen texts
        // retained and released (1.5% of the agenda's samples at a million open invoices).
        events.withUnsafeBufferPointer { ev in
            for index in ev.indices {
                guard let state = ev[index].state else { continue }
                if state.closesInvoice { closed = true }
                if state == .scheduled { scheduled = ev[index].date ?? scheduled }
                if state == .promised { promised = ev[index].date }
                let department = ev[index].department.flatMap { departmentIndex[$0] } ?? -1
                let effect = k.effect(of: state.ordinal, department: department)
                var newlyDone = effect.primary & ~done
                if newlyDone != 0 {
                    let d = day(ev[index])
                    done |= newlyDone
                    while newlyDone != 0 {
                        doneAt[newlyDone.trailingZeroBitCount] = (d, index)
                        newlyDone &= newlyDone - 1
                    }
                }
                impliedByEvents |= effect.closure & ~effect.primary

                if state.isBlocking {
                    let at = effect.arrivedAt >= 0 ? effect.arrivedAt : department >= 0 ? Int(k.firstHere[Int(department)]) : -1
                    blocks.append((Block(state: state, since: day(ev[index]), stepID: at >= 0 ? stepID(at) : nil, department: ev[index].department,
                                         event: ev[index]), at))
                } else if !blocks.isEmpty {
                    // Lifted by an explicit answer or by progress past the blocked step itself (an approval at the
                    // department that suspended the invoice).
                    let reached = effect.primary | k.ancestors(of: effect.primary)
                    let eventAt = ev[index].at
                    blocks.removeAll { b, at in
                        guard b.event.at <= eventAt, b.state != .refused || state.closesInvoice else { return false }
                        if state.lifts(b.state) { return true }
                        guard at >= 0, state.concernsApproval || !state.completes.actions.isEmpty else { return false }
                        return reached & (1 << UInt64(at)) != 0
                    }
                }
            }
        }
        if closed {
            impliedByEvents |= k.allSteps
            blocks.removeAll()
        }

        // Implied completions: what events prove without dating it, and the predecessors of a done step.
        let implied = (impliedByEvents | k.ancestors(of: done)) & ~done
        let finished = done | implied

        // Finishing-time laws in working days from the origin, in route order (full positions only).
        var finish = [DwellDistribution?](repeating: nil, count: finishing ? k.count : 0)
        var positions: [StepPosition] = []
        positions.reserveCapacity(k.order.count)
        let now = axis.index(of: asOf.adding(days: 1))
        // (Asked once: comparing the optional route with nil copies it, a dozen arrays and texts.)
        let routed = route != nil
        for i in k.order where routed {
            let step = k.steps[i]
            let bit: UInt64 = 1 << UInt64(i)
            let place = circuit.places[i]
            let branch = place.carried
            var status = StepPosition.Status.waiting
            var since: CivilDate?
            if let d = doneAt[i] {
                status = .done
                if finishing { finish[i] = .point(max(axis.index(of: d.date), 0)) }
            } else if implied & bit != 0 {
                status = .done
            }
            if step.afterList.isEmpty {
                since = branch == .approval ? (invoice.deliveryDate ?? invoice.issueDate) : invoice.issueDate
            } else if step.after & ~done == 0 {
                since = step.afterList.compactMap { doneAt[$0]?.date }.max()
            }
            if status != .done && step.after & ~finished == 0 { status = .pending }
            // Working days spent at a pending step so far.
            var dwell: Int?
            if status == .pending, let since { dwell = max(0, now - axis.index(of: since) - 1) }
            guard withLaws else {
                positions.append(StepPosition(
                    place: place, status: status, doneAt: doneAt[i]?.date,
                    evidence: doneAt[i].map { events[$0.event] }, implied: implied & bit != 0, since: since, dwellDays: dwell,
                    probabilityDone: status == .done ? 1 : 0, probabilityHere: 0, law: PositionEngine.noLaw, lawSource: .prior))
                continue
            }
            let stepLaw = circuit.laws[i]
            let (law, source) = (stepLaw.law, stepLaw.source)
            // Silence as evidence: a completion is reported with probability r.
            func doneUnreported(after elapsed: Int) -> Double {
                let stillThere = 1 - law.cdf(elapsed)
                let notDone = stillThere / max(stillThere + (1 - stillThere) * (1 - stepLaw.reportingRate), 1e-12)
                return 1 - notDone
            }
            if !finishing {
                var pDone = status == .done ? 1.0 : 0
                if status == .pending {
                    // A pending step whose start no event dates is judged by its finishing law: the full position.
                    guard let elapsed = dwell else { return position(of: invoice, events: allEvents, asOf: asOf, detail: .full) }
                    pDone = doneUnreported(after: elapsed)
                }
                positions.append(StepPosition(
                    place: place, status: status, doneAt: doneAt[i]?.date,
                    evidence: doneAt[i].map { events[$0.event] }, implied: implied & bit != 0, since: since, dwellDays: dwell,
                    probabilityDone: pDone, probabilityHere: status == .pending ? max(0, min(1, 1 - pDone)) : 0, law: law, lawSource: source))
                continue
            }
            // Start law: the latest predecessor; for a starting step, its branch's origin.
            var start: DwellDistribution
            if step.afterList.isEmpty {
                let o = branch == .approval ? (invoice.deliveryDate ?? invoice.issueDate) : invoice.issueDate
                start = .point(max(axis.index(of: o), 0))
            } else {
                start = step.afterList.compactMap { finish[$0] }.reduce(DwellDistribution.point(0)) { $0.maximum($1) }
            }
            if finish[i] == nil {
                if implied & bit != 0 {
                    // Done before a later step: somewhere between its start and that step's date; take the start.
                    finish[i] = start
                } else if place.step.action == .paymentRun || place.step.action == .payment, !step.afterList.isEmpty {
                    finish[i] = paymentRunFinish(start: start, law: law, axis: axis, scheduled: scheduled)
                } else {
                    finish[i] = start.adding(law)
                }
            }
            var pDone = status == .done ? 1.0 : (finish[i]?.cdf(now - 1) ?? 0)
            let pStarted = step.afterList.isEmpty ? 1.0 : step.afterList.map { p in
                finished & (1 << UInt64(p)) != 0 ? 1.0 : (finish[p]?.cdf(now - 1) ?? 0)
            }.reduce(1, *)
            if let elapsed = dwell { pDone = doneUnreported(after: elapsed) }
            let here = status == .done ? 0 : max(0, min(1, (status == .pending ? 1 : pStarted) - pDone))
            positions.append(StepPosition(
                place: place, status: status, doneAt: doneAt[i]?.date,
                evidence: doneAt[i].map { events[$0.event] }, implied: implied & bit != 0,
                since: since, dwellDays: dwell, probabilityDone: pDone, probabilityHere: here, law: law, lawSource: source))
        }
        // A block whose message does not say where it is sits at the most advanced pending step where such
        // decisions are taken (approval, matching, posting, mandate), else at the last pending step.
        // (Looked for only when a block needs it; by index, without copying the positions.)
        let deciding: StepPosition? = blocks.contains { $0.block.stepID == nil } ? {
            let pending = positions.indices.filter { positions[$0].status == .pending }
            return pending.last { i in
                switch positions[i].step.action {
                case .approval, .matching, .posting, .mandate, .serviceFait: true
                default: false
                }
            }.map { positions[$0] } ?? pending.last.map { positions[$0] }
        }() : nil
        var located = blocks.map(\.block)
        for i in located.indices where located[i].stepID == nil {
            located[i].stepID = deciding?.step.id
            if located[i].department == nil { located[i].department = deciding?.department?.id }
        }
        let completion = closed || !withLaws || !routed ? nil : ahead(positions, route: k, now: now, axis: axis, scheduled: scheduled)
        return InvoicePosition(invoice: invoice, route: route, asOf: asOf, steps: positions, blocks: located, closed: closed,
                               events: events, scheduledRun: scheduled, promisedDate: promised, axis: axis, completion: completion)
    }

    /// When the route will be complete, looking ahead from `now` (working-day index): a pending step is either
    /// done unreported (it ends now) or still there, and then needs what remains of its dwell law given the
    /// time already spent; waiting steps follow; a payment run waits for the next run. Laws are in working days
    /// from the axis origin, all at or after `now`. `positions` are the route's, in its order.
    func ahead(_ positions: [StepPosition], route k: CompiledRoute, now: Int, axis: WorkingDayAxis, scheduled: CivilDate?) -> DwellDistribution? {
        var ahead = [DwellDistribution?](repeating: nil, count: k.count)
        let today = DwellDistribution.point(max(now - 1, 0))
        // The law kept from day k on (what lies before it is dropped, the rest renormalised).
        func notBefore(_ d: DwellDistribution, _ k: Int) -> DwellDistribution {
            let mass = d.mass
            guard k < mass.count else { return .point(k) }
            var tail = 0.0
            for i in k..<mass.count { tail += mass[i] }
            guard tail > 1e-9 else { return .point(k) }
            // Nothing before day k, a total of exactly 1 and a last bin the trimming keeps: the law made below
            // would be this one, mass for mass (the same sum, no division, nothing to trim), so it is kept as is.
            if tail == 1, mass.count == 1 || mass[mass.count - 1] >= 1e-9, !mass[..<k].contains(where: { $0 != 0 }) { return d }
            var m = Array(repeating: 0.0, count: mass.count)
            for i in k..<mass.count { m[i] = mass[i] }
            return DwellDistribution(mass: m)
        }
        // By index, each field read in place (a step copied out retained its law, place and event).
        for (n, i) in k.order.enumerated() where n < positions.count {
            let status = positions[n].status
            let after = k.steps[i].afterList
            switch status {
            case .done:
                ahead[i] = positions[n].doneAt.map { .point(max(axis.index(of: $0), 0)) } ?? today
            case .pending, .waiting:
                // The latest of the predecessors and today, taken in the same order as before.
                var start = today
                if !(status == .pending && after.isEmpty) {
                    for a in after { if let x = ahead[a] { start = start.maximum(x) } }
                }
                let action = positions[n].step.action
                if action == .paymentRun || action == .payment {
                    ahead[i] = notBefore(paymentRunFinish(start: start, law: positions[n].law, axis: axis, scheduled: scheduled), max(now - 1, 0))
                } else if status == .pending, let elapsed = positions[n].dwellDays {
                    let still = start.adding(positions[n].law.remaining(after: elapsed))
                    // Done unreported with probability pDone: it ends today.
                    let (a, b, done) = (still.mass, today.mass, positions[n].probabilityDone)
                    var mixed = Array(repeating: 0.0, count: max(a.count, b.count))
                    for i in mixed.indices { mixed[i] = (i < a.count ? a[i] * (1 - done) : 0) + (i < b.count ? b[i] * done : 0) }
                    ahead[i] = DwellDistribution(mass: mixed)
                } else {
                    ahead[i] = notBefore(start.adding(positions[n].law), max(now - 1, 0))
                }
            }
        }
        // The final steps in the route's order.
        var finals: [DwellDistribution] = []
        var bits = k.finalSteps
        while bits != 0 {
            if let f = ahead[bits.trailingZeroBitCount] { finals.append(f) }
            bits &= bits - 1
        }
        return finals.dropFirst().reduce(finals.first) { acc, f in acc.map { $0.maximum(f) } ?? f }
    }

    /// The law of the day a payment-run step is done: ready after its own preparation time, then paid in the
    /// first payment run on or after that day (or in the run a `scheduled` event announced).
    func paymentRunFinish(start: DwellDistribution, law: DwellDistribution, axis: WorkingDayAxis, scheduled: CivilDate?) -> DwellDistribution {
        if let scheduled { return .point(max(axis.index(of: scheduled), 0)) }
        let ready = start.adding(law)
        // Mapped on the stack, then kept up to the last day with mass: the law made of the horizon's 161 days,
        // most of them zeros at the end, summed them and trimmed them one by one (the same law: zeros add
        // nothing to the total, and the trimming removes them first).
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: DwellDistribution.horizon + 1) { m in
            m.initialize(repeating: 0)
            var last = 0
            for (i, p) in ready.mass.enumerated() where p > 0 {
                let run = axis.table.runAfter(workday: axis.base + i) - axis.base
                let day = min(max(run, i), DwellDistribution.horizon)
                m[day] += p
                last = max(last, day)
            }
            return DwellDistribution(mass: Array(m[0...last]))
        }
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
