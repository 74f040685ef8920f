import Foundation

/// Tallies what events show of dwell times (``DwellTally``) without building positions: for each invoice,
/// the steps that ``PositionEngine/observedPosition(of:events:asOf:)`` would show done, implied or pending,
/// worked out on bit sets of the route's steps, and only what ``DwellLearner`` reads of them. What
/// `relance learn` runs on every invoice of a portfolio; the tally is the one the positions give
/// (`DwellObserverTests` compares them).
///
/// Routes are compiled once per site and order type: the steps each state proves, each step's
/// predecessors, ancestors and department, the departments' steps. A route this compilation does not
/// cover (more than 64 steps, two steps with one id, two routes with one id) goes through the positions.
public struct DwellObserver: Sendable {
    public let engine: PositionEngine
    public let asOf: CivilDate
    /// The departments of the organisation, in order: ``Event/department`` is an index in it.
    public let departmentIDs: [String]
    private let departmentIndex: [String: Int32]

    /// An invoice, as far as its observed position depends on it.
    public struct InvoiceFacts: Sendable {
        public var circuit: Circuit
        public var issueDate: CivilDate
        public var deliveryDate: CivilDate?
        /// Paid in full by the payments known on the as-of day (there is at least one, and they add up
        /// to the amount): the invoice is closed whatever the events say.
        public var paid: Bool

        public init(circuit: Circuit, issueDate: CivilDate, deliveryDate: CivilDate?, paid: Bool) {
            self.circuit = circuit
            self.issueDate = issueDate
            self.deliveryDate = deliveryDate
            self.paid = paid
        }
    }

    /// An event, as far as positions read it.
    public struct Event: Sendable {
        /// Seconds since 1970-01-01 UTC.
        public var at: Int64
        /// Index of the state in `CanonicalState.allCases`, or -1 for an event without a state.
        var state: Int8
        /// Index in ``DwellObserver/departmentIDs``, or -1 when the event names no department of the organisation.
        public var department: Int32

        public init(at: Int64, state: CanonicalState?, department: Int32) {
            self.init(at: at, stateIndex: state.flatMap { StateFacts.ordinal[$0] }.map(Int.init) ?? -1, department: department)
        }

        /// An event whose state is `CanonicalState.allCases[stateIndex]` (none when -1).
        public init(at: Int64, stateIndex: Int, department: Int32) {
            self.at = at
            self.state = stateIndex >= 0 && stateIndex < StateFacts.table.count ? Int8(stateIndex) : -1
            self.department = department
        }
    }

    public init(graph: OrgGraph, asOf: CivilDate) {
        self.init(engine: PositionEngine(graph: graph, model: PriorDwellModel()), asOf: asOf)
    }

    public init(engine: PositionEngine, asOf: CivilDate) {
        self.engine = engine
        self.asOf = asOf
        var ids: [String] = [], index: [String: Int32] = [:]
        for d in engine.graph.departments where index[d.id] == nil {
            index[d.id] = Int32(ids.count)
            ids.append(d.id)
        }
        departmentIDs = ids
        departmentIndex = index
    }

    /// The index of a department of the organisation (-1 when it is none of them).
    public func department(_ id: String) -> Int32 { departmentIndex[id] ?? -1 }

    /// The compiled route and calendar of invoices delivered at `site` with this order type (compiled on
    /// each call: keep it for the invoices that share them).
    public func circuit(site: String, orderType: String?) -> Circuit {
        Circuit(engine: engine, site: site, orderType: orderType, asOf: asOf, departments: departmentIndex)
    }

    // MARK: - Observing

    /// Adds what an invoice's events, in time order (then in the order they were recorded), show of its
    /// steps: the same as `tally.add(engine.observedPosition(of:events:asOf:))` for the invoice (not a
    /// credit note) and its events.
    public func observe(_ invoice: InvoiceFacts, events: UnsafeBufferPointer<Event>, into tally: inout Tally) {
        let c = invoice.circuit
        switch c.kind {
        case .noSteps: return
        case .positions: observeThroughPosition(invoice, events: events, into: &tally)
        case .compiled(let k): observe(invoice, circuit: c, route: k, events: events, into: &tally)
        }
    }

    private func observe(_ invoice: InvoiceFacts, circuit c: Circuit, route k: CompiledRoute, events: UnsafeBufferPointer<Event>,
                         into tally: inout Tally) {
        // The day each done step was done (day numbers, valid where `done` has the step's bit).
        withUnsafeTemporaryAllocation(of: Int.self, capacity: k.count) { doneDay in
            var closed = invoice.paid
            var done: UInt64 = 0, doneByClosing: UInt64 = 0, impliedByEvents: UInt64 = 0
            for e in events {
                guard e.state >= 0, Double(e.at) < c.cutoff else { continue }
                let state = StateFacts.table[Int(e.state)]
                if state.closes { closed = true }
                // Which steps the state proves done.
                let proof = k.proof[Int(e.state)]
                var targets = proof
                if state.all {
                    targets = k.allSteps
                } else if state.beforePaymentRun {
                    targets |= k.beforePaymentRun
                }
                var arrivedAt = -1
                if e.department >= 0 && Int(e.department) < k.here.count {
                    let here = k.here[Int(e.department)]
                    let hereTargets = targets & here
                    if hereTargets != 0 {
                        // A multi-level approval: the approval at this department only.
                        targets &= ~(proof & ~here & ~k.ancestors(of: hereTargets))
                    } else if here != 0 {
                        arrivedAt = Int(k.firstHere[Int(e.department)])
                    }
                }
                // The event dates only the most advanced steps it proves (see PositionEngine).
                var primary: UInt64 = state.beforePaymentRun ? 0 : targets & ~k.ancestors(of: targets)
                if state.all { primary = k.finalSteps }
                if arrivedAt >= 0 { targets |= k.ancestors[arrivedAt] }
                let closure = targets | k.ancestors(of: targets)
                let newlyDone = primary & ~done
                if newlyDone != 0 {
                    let day = CivilDate(Date(timeIntervalSince1970: Double(e.at)), in: c.zone).dayNumber
                    var bits = newlyDone
                    while bits != 0 {
                        doneDay[bits.trailingZeroBitCount] = day
                        bits &= bits - 1
                    }
                    done |= newlyDone
                    if state.closes { doneByClosing |= newlyDone }
                }
                impliedByEvents |= closure & ~primary
            }
            if closed { impliedByEvents |= k.allSteps }
            // Implied completions: what events prove without dating it, and the predecessors of a done step.
            let implied = (impliedByEvents | k.ancestors(of: done)) & ~done
            let finished = done | implied
            for i in k.order {
                let step = k.steps[i]
                guard step.counts else { continue }
                let bit: UInt64 = 1 << UInt64(i)
                if closed { tally.report(action: step.action, shown: done & bit != 0 && doneByClosing & bit == 0) }
                guard step.department >= 0 else { continue }
                // Since when the step could start: its branch's origin, or the day its last predecessor was done.
                let since: Int
                if step.after == 0 {
                    since = (step.approval ? (invoice.deliveryDate ?? invoice.issueDate) : invoice.issueDate).dayNumber
                } else if step.after & ~done == 0 {
                    var latest = Int.min, bits = step.after
                    while bits != 0 {
                        latest = max(latest, doneDay[bits.trailingZeroBitCount])
                        bits &= bits - 1
                    }
                    since = latest
                } else {
                    continue
                }
                let start = c.table.count(before: CivilDate(dayNumber: since))
                if done & bit != 0 {
                    if !closed || doneByClosing & bit == 0 {
                        let end = c.table.count(before: CivilDate(dayNumber: doneDay[i]))
                        tally.complete(department: Int(step.department), action: step.action, days: max(0, end - start))
                    }
                } else if implied & bit == 0, step.after & ~finished == 0, !closed {
                    // Pending: working days spent there so far.
                    tally.censor(department: Int(step.department), action: step.action, days: max(0, c.now - start - 1))
                }
            }
        }
    }

    /// A route the compilation does not cover: the position itself, from an invoice and events that give it.
    private func observeThroughPosition(_ invoice: InvoiceFacts, events: UnsafeBufferPointer<Event>, into tally: inout Tally) {
        let c = invoice.circuit
        // Paid in full: one payment of nothing on the day closes it as the real ones do.
        let bill = Invoice(id: "", group: engine.graph.group.id, entity: "", site: c.site, orderType: c.orderType, issueDate: invoice.issueDate,
                           deliveryDate: invoice.deliveryDate, dueDate: invoice.issueDate, amount: Money(minorUnits: 0, currency: "EUR"),
                           payments: invoice.paid ? [Payment(date: asOf, amount: Money(minorUnits: 0, currency: "EUR"))] : [])
        let known = events.map { e in
            InvoiceEvent(invoice: "", state: e.state >= 0 ? StateFacts.table[Int(e.state)].state : nil, at: Date(timeIntervalSince1970: Double(e.at)),
                         department: departmentIDs.indices.contains(Int(e.department)) ? departmentIDs[Int(e.department)] : nil, source: .erp)
        }
        tally.positions.add(engine.observedPosition(of: bill, events: known, asOf: asOf))
    }

    // MARK: - Tally

    /// Observations gathered by one worker, by department index and action; ``tally()`` turns them into a
    /// ``DwellTally`` (merge the tallies of several workers).
    public struct Tally: Sendable {
        private let departments: [String]
        private var completed: [[Int]]
        private var censored: [[Int]]
        private var shown: [Int]
        private var total: [Int]
        /// What went through positions.
        var positions = DwellTally()

        public init(observer: DwellObserver) {
            departments = observer.departmentIDs
            let n = departments.count * StepAction.allCases.count
            completed = Array(repeating: [], count: n)
            censored = Array(repeating: [], count: n)
            shown = Array(repeating: 0, count: StepAction.allCases.count)
            total = shown
        }

        mutating func complete(department: Int, action: Int, days: Int) {
            completed[department * StepAction.allCases.count + action].append(days)
        }

        mutating func censor(department: Int, action: Int, days: Int) {
            censored[department * StepAction.allCases.count + action].append(days)
        }

        mutating func report(action: Int, shown isShown: Bool) {
            total[action] += 1
            if isShown { shown[action] += 1 }
        }

        /// What was observed.
        public func tally() -> DwellTally {
            var t = DwellTally()
            let actions = StepAction.allCases
            for (i, d) in departments.enumerated() {
                for (a, action) in actions.enumerated() {
                    let k = i * actions.count + a
                    if !completed[k].isEmpty || !censored[k].isEmpty {
                        t.observations[LearnedDwellModel.Key(department: d, action: action)] = (completed[k], censored[k])
                    }
                }
            }
            for (a, action) in actions.enumerated() where total[a] > 0 {
                t.reported[action] = (shown[a], total[a])
            }
            t.merge(positions)
            return t
        }
    }

    // MARK: - Compiled routes

    /// The route and paying calendar of one site and order type, with what positions need of them.
    public final class Circuit: Sendable {
        let site: String
        let orderType: String?
        let kind: Kind
        let table: WorkingDayTable
        let zone: TimeZone
        /// Events at or after this instant (the end of the as-of day in the paying calendar's zone) are ignored.
        let cutoff: Double
        /// Working days before the day after the as-of day.
        let now: Int

        enum Kind: Sendable {
            case noSteps, positions
            case compiled(CompiledRoute)
        }

        init(engine: PositionEngine, site: String, orderType: String?, asOf: CivilDate, departments: [String: Int32]) {
            self.site = site
            self.orderType = orderType
            let (route, payingCalendar) = engine.circuit(site: site, orderType: orderType)
            let calendar = payingCalendar ?? PayablesCalendar()
            table = WorkingDayTable.shared(for: calendar)
            zone = TimeZone(identifier: calendar.timeZone) ?? .gmt
            cutoff = asOf.adding(days: 1).start(in: zone).timeIntervalSince1970
            now = table.count(before: asOf.adding(days: 1))
            guard let route else { kind = .noSteps; return }
            kind = CompiledRoute(engine: engine, route: route, site: site, departments: departments).map { .compiled($0) } ?? .positions
        }
    }

    struct CompiledStep: Sendable {
        /// Index in `StepAction.allCases`.
        var action: Int
        /// Whether the step's observations count (not a payment run nor a payment).
        var counts: Bool
        /// Index of its department, -1 without one.
        var department: Int32
        /// Predecessors.
        var after: UInt64
        /// A starting step that carries the approval (it starts on delivery).
        var approval: Bool
    }

    /// A route's steps as bits (bit i is `route.steps[i]`).
    struct CompiledRoute: Sendable {
        var count: Int
        var steps: [CompiledStep]
        /// Topological order (indices).
        var order: [Int]
        var ancestors: [UInt64]
        var allSteps: UInt64
        var finalSteps: UInt64
        /// What a payment run's or a payment's state proves done before it.
        var beforePaymentRun: UInt64
        /// Per state (index in `CanonicalState.allCases`), the steps whose action it proves done.
        var proof: [UInt64]
        /// Per department index, its steps, and the first of them in route order.
        var here: [UInt64]
        var firstHere: [Int8]

        /// `nil` when the route is beyond what bits cover, or when positions would not take the route's own
        /// facts (another route has its id).
        init?(engine: PositionEngine, route: Route, site: String, departments: [String: Int32]) {
            let steps = route.steps
            guard steps.count <= 64, Set(steps.map(\.id)).count == steps.count,
                  engine.graph.routes.count(where: { $0.id == route.id }) == 1, let facts = engine.facts[route.id] else { return nil }
            var index: [String: Int] = [:]
            for (i, s) in steps.enumerated() { index[s.id] = i }
            func mask(_ ids: some Sequence<String>) -> UInt64? {
                var m: UInt64 = 0
                for id in ids {
                    guard let i = index[id] else { return nil }
                    m |= 1 << UInt64(i)
                }
                return m
            }
            count = steps.count
            allSteps = count == 64 ? ~0 : (1 << UInt64(count)) - 1
            let order = facts.order.compactMap { index[$0.id] }
            guard order.count == facts.order.count, let finals = mask(facts.finalIDs) else { return nil }
            self.order = order
            finalSteps = finals
            var ancestors: [UInt64] = []
            var compiled: [CompiledStep] = []
            let actions = StepAction.allCases
            for s in steps {
                // Ancestors of a step no topological order reaches are never read; predecessors unknown to
                // the route leave no order at all (then nothing is observed).
                guard let a = mask((facts.ancestors[s.id] ?? []).filter { index[$0] != nil }), let after = mask(s.after.filter { index[$0] != nil })
                else { return nil }
                ancestors.append(a)
                let department = engine.graph.department(for: s, deliveredAt: site).map { departments[$0.id] ?? -1 } ?? -1
                compiled.append(CompiledStep(action: actions.firstIndex(of: s.action) ?? 0, counts: DwellTally.counts(s.action),
                                             department: department, after: after, approval: (facts.carried[s.id] ?? .invoice) == .approval))
            }
            // Every predecessor of an ordered step is a step of the route (the order places a step only after them).
            for i in order where steps[i].after.contains(where: { index[$0] == nil }) { return nil }
            self.ancestors = ancestors
            self.steps = compiled
            let runs = steps.indices.filter { steps[$0].action == .paymentRun || steps[$0].action == .payment }
            beforePaymentRun = runs.isEmpty ? allSteps & ~finals : runs.reduce(0) { $0 | ancestors[$1] }
            proof = StateFacts.table.map { state in
                steps.indices.reduce(0) { m, i in state.state.completes.actions.contains(steps[i].action) ? m | 1 << UInt64(i) : m }
            }
            var here = Array(repeating: UInt64(0), count: departments.count)
            var firstHere = Array(repeating: Int8(-1), count: departments.count)
            for (i, s) in compiled.enumerated() where s.department >= 0 {
                here[Int(s.department)] |= 1 << UInt64(i)
                if firstHere[Int(s.department)] < 0 { firstHere[Int(s.department)] = Int8(i) }
            }
            self.here = here
            self.firstHere = firstHere
        }

        /// Every ancestor of any of these steps.
        @inline(__always)
        func ancestors(of set: UInt64) -> UInt64 {
            var m: UInt64 = 0, bits = set
            while bits != 0 {
                m |= ancestors[bits.trailingZeroBitCount]
                bits &= bits - 1
            }
            return m
        }
    }

    /// What the engine reads of a state, by index in `CanonicalState.allCases`.
    struct StateFacts: Sendable {
        var state: CanonicalState
        var closes: Bool
        var beforePaymentRun: Bool
        var all: Bool

        static let table: [StateFacts] = CanonicalState.allCases.map {
            StateFacts(state: $0, closes: $0.closesInvoice, beforePaymentRun: $0.completes.beforePaymentRun, all: $0.completes.all)
        }
        static let ordinal: [CanonicalState: Int8] =
            Dictionary(uniqueKeysWithValues: CanonicalState.allCases.enumerated().map { ($1, Int8($0)) })
    }
}

