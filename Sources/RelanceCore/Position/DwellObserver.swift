import Foundation

/// Tallies what events show of dwell times (``DwellTally``) without building positions: for each invoice,
/// the steps that ``PositionEngine/observedPosition(of:events:asOf:)`` would show done, implied or pending,
/// worked out on bit sets of the route's steps, and only what ``DwellLearner`` reads of them. What
/// `relance learn` runs on every invoice of a portfolio; the tally is the one the positions give
/// (`DwellObserverTests` compares them).
///
/// Events are replayed on the engine's compiled routes (``CompiledRoute``, one per site and order type),
/// with the same ``CompiledRoute/effect(of:department:)`` as positions.
public struct DwellObserver: Sendable {
    public let engine: PositionEngine
    public let asOf: CivilDate
    /// The departments of the organisation, in order: ``Event/department`` is an index in it.
    public var departmentIDs: [String] { engine.departmentIDs }

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
            self.init(at: at, stateIndex: state?.ordinal ?? -1, department: department)
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
    }

    /// The index of a department of the organisation (-1 when it is none of them).
    public func department(_ id: String) -> Int32 { engine.departmentIndex[id] ?? -1 }

    /// The compiled route and calendar of invoices delivered at `site` with this order type (the engine
    /// compiles each circuit once; keep the result for the invoices that share it).
    public func circuit(site: String, orderType: String?) -> Circuit {
        Circuit(engine: engine, site: site, orderType: orderType, asOf: asOf)
    }

    // MARK: - Observing

    /// Adds what an invoice's events, in time order (then in the order they were recorded), show of its
    /// steps: the same as `tally.add(engine.observedPosition(of:events:asOf:))` for the invoice (not a
    /// credit note) and its events.
    public func observe(_ invoice: InvoiceFacts, events: UnsafeBufferPointer<Event>, into tally: inout Tally) {
        let c = invoice.circuit
        switch c.kind {
        case .noSteps: return
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
                let effect = k.effect(of: Int(e.state), department: e.department)
                let primary = effect.primary
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
                impliedByEvents |= effect.closure & ~primary
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
                    since = (step.carried == .approval ? (invoice.deliveryDate ?? invoice.issueDate) : invoice.issueDate).dayNumber
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

    // MARK: - Tally

    /// Observations gathered by one worker, by department index and action; ``tally()`` turns them into a
    /// ``DwellTally`` (merge the tallies of several workers).
    public struct Tally: Sendable {
        private let departments: [String]
        private var completed: [[Int]]
        private var censored: [[Int]]
        private var shown: [Int]
        private var total: [Int]

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
            return t
        }
    }

    // MARK: - Compiled routes

    /// The route and paying calendar of one site and order type, with what positions need of them.
    public final class Circuit: Sendable {
        let kind: Kind
        let table: WorkingDayTable
        let zone: TimeZone
        /// Events at or after this instant (the end of the as-of day in the paying calendar's zone) are ignored.
        let cutoff: Double
        /// Working days before the day after the as-of day.
        let now: Int

        enum Kind: Sendable {
            case noSteps
            case compiled(CompiledRoute)
        }

        init(engine: PositionEngine, site: String, orderType: String?, asOf: CivilDate) {
            let c = engine.fullCircuit(site: site, orderType: orderType)
            table = c.table
            zone = c.zone
            cutoff = asOf.adding(days: 1).start(in: zone).timeIntervalSince1970
            now = table.count(before: asOf.adding(days: 1))
            kind = c.compiled.order.isEmpty ? .noSteps : .compiled(c.compiled)
        }
    }
}
