import Foundation

/// A route's steps as bits (bit i is `route.steps[i]`), for invoices delivered at one site: what
/// ``PositionEngine`` and ``DwellObserver`` replay events on. The steps each state proves, each step's
/// predecessors, ancestors, department and branch, and each department's steps are worked out once per
/// site and order type, so that an event costs a few word operations rather than sets of step ids.
///
/// A route compiles when it has at most 64 steps, no two with one id, and only predecessors it has
/// (what validation asks of a route, see ``OrgGraph/validate()``). Positions on a route that does not
/// compile show no steps, as on a route with a cycle.
struct CompiledRoute: Sendable {
    struct Step: Sendable {
        /// Index in `StepAction.allCases`.
        var action: Int
        /// Whether the step's observations count (not a payment run nor a payment).
        var counts: Bool
        /// Index of its department in ``PositionEngine/departmentIDs``, -1 without one.
        var department: Int32
        /// Predecessors.
        var after: UInt64
        /// Predecessors in the order the route lists them (laws are combined in that order).
        var afterList: [Int]
        /// What reaches it: the invoice, the approval or both.
        var carried: Carried
    }

    /// What one event shows on the route.
    struct Effect {
        /// The steps it dates: the most advanced it proves done.
        var primary: UInt64
        /// Every step it shows done, dated or not.
        var closure: UInt64
        /// The first step of the department the event comes from, when the event proves nothing there
        /// (the invoice arrived at that department), else -1.
        var arrivedAt: Int
    }

    var count: Int
    var steps: [Step]
    /// Topological order (indices); empty when the route has a cycle.
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

    /// No route: events still close, schedule, promise and block, but prove no step.
    static func empty(departments: Int) -> CompiledRoute {
        CompiledRoute(count: 0, steps: [], order: [], ancestors: [], allSteps: 0, finalSteps: 0, beforePaymentRun: 0,
                      proof: Array(repeating: 0, count: StateFacts.table.count),
                      here: Array(repeating: 0, count: departments), firstHere: Array(repeating: -1, count: departments))
    }

    private init(count: Int, steps: [Step], order: [Int], ancestors: [UInt64], allSteps: UInt64, finalSteps: UInt64, beforePaymentRun: UInt64,
                 proof: [UInt64], here: [UInt64], firstHere: [Int8]) {
        (self.count, self.steps, self.order, self.ancestors) = (count, steps, order, ancestors)
        (self.allSteps, self.finalSteps, self.beforePaymentRun) = (allSteps, finalSteps, beforePaymentRun)
        (self.proof, self.here, self.firstHere) = (proof, here, firstHere)
    }

    /// The route's steps as bits, not placed at a site yet (no step has a department: see
    /// ``placed(departments:index:)``). `nil` when the route is beyond what bits cover (more than 64
    /// steps, two steps with one id, a predecessor the route does not have).
    init?(route: Route) {
        let steps = route.steps
        guard steps.count <= 64 else { return nil }
        var index: [String: Int] = [:]
        for (i, s) in steps.enumerated() where index.updateValue(i, forKey: s.id) != nil { return nil }
        func mask(_ ids: some Sequence<String>) -> UInt64 {
            ids.reduce(0) { m, id in index[id].map { m | 1 << UInt64($0) } ?? m }
        }
        var afterLists: [[Int]] = []
        for s in steps {
            var list: [Int] = []
            for p in s.after {
                guard let i = index[p] else { return nil }
                list.append(i)
            }
            afterLists.append(list)
        }
        count = steps.count
        allSteps = count == 64 ? ~0 : (1 << UInt64(count)) - 1
        order = (route.topologicalOrder() ?? []).compactMap { index[$0.id] }
        finalSteps = mask(route.finalSteps.map(\.id))
        let ancestorSets = PositionEngine.ancestors(route)
        let ancestors = steps.map { mask(ancestorSets[$0.id] ?? []) }
        self.ancestors = ancestors
        let carried = route.carriedByStep()
        let actions = StepAction.allCases
        let compiled = steps.indices.map { i in
            let s = steps[i]
            return Step(action: actions.firstIndex(of: s.action) ?? 0, counts: DwellTally.counts(s.action), department: -1,
                        after: mask(s.after), afterList: afterLists[i], carried: carried[s.id] ?? .invoice)
        }
        self.steps = compiled
        let runs = steps.indices.filter { steps[$0].action == .paymentRun || steps[$0].action == .payment }
        beforePaymentRun = runs.isEmpty ? allSteps & ~finalSteps : runs.reduce(0) { $0 | ancestors[$1] }
        proof = StateFacts.table.map { state in
            compiled.indices.reduce(0) { m, i in state.actions & 1 << UInt64(compiled[i].action) != 0 ? m | 1 << UInt64(i) : m }
        }
        here = []
        firstHere = []
    }

    /// The route placed at a site: `departments` are its steps' departments there, in route order (a step at
    /// the delivery site's reception is at that site's), `index` the organisation's department indices.
    func placed(departments: [Department?], index: [String: Int32]) -> CompiledRoute {
        var placed = self
        var here = Array(repeating: UInt64(0), count: index.count)
        var firstHere = Array(repeating: Int8(-1), count: index.count)
        for (i, department) in departments.enumerated() where i < count {
            let d = department.map { index[$0.id] ?? -1 } ?? -1
            placed.steps[i].department = d
            guard d >= 0 && Int(d) < index.count else { continue }
            here[Int(d)] |= 1 << UInt64(i)
            if firstHere[Int(d)] < 0 { firstHere[Int(d)] = Int8(i) }
        }
        placed.here = here
        placed.firstHere = firstHere
        return placed
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

    /// What an event with this state (index in `CanonicalState.allCases`) from this department (index, -1
    /// for none or one the organisation does not have) shows done.
    ///
    /// A state proves its actions' steps done; one that proves everything before the payment run proves
    /// the payment run's ancestors too, and a state that closes the invoice proves every step. Coming from a
    /// department that holds some of those steps, it proves only that department's approval among several
    /// (a multi-level approval), with what comes before it; coming from a department that holds none, it
    /// shows the invoice arrived there, so the steps before that department's first are done. The event
    /// dates only the most advanced steps it proves (an approval dates the approval step, not the goods
    /// receipt before it); a payment run or a payment dates nothing before it, those steps were done some
    /// time earlier.
    @inline(__always)
    func effect(of state: Int, department: Int32) -> Effect {
        let facts = StateFacts.table[state]
        let proved = proof[state]
        var targets = proved
        if facts.all {
            targets = allSteps
        } else if facts.beforePaymentRun {
            targets |= beforePaymentRun
        }
        var arrivedAt = -1
        if department >= 0 && Int(department) < here.count {
            let here = here[Int(department)]
            let hereTargets = targets & here
            if hereTargets != 0 {
                targets &= ~(proved & ~here & ~ancestors(of: hereTargets))
            } else if here != 0 {
                arrivedAt = Int(firstHere[Int(department)])
            }
        }
        var primary: UInt64 = facts.beforePaymentRun ? 0 : targets & ~ancestors(of: targets)
        if facts.all { primary = finalSteps }
        if arrivedAt >= 0 { targets |= ancestors[arrivedAt] }
        return Effect(primary: primary, closure: targets | ancestors(of: targets), arrivedAt: arrivedAt)
    }
}

/// What the engine reads of a state, by index in `CanonicalState.allCases`.
struct StateFacts: Sendable {
    var state: CanonicalState
    var closes: Bool
    var beforePaymentRun: Bool
    var all: Bool
    /// The actions it proves done, as bits of their indices in `StepAction.allCases`.
    var actions: UInt64

    static let table: [StateFacts] = CanonicalState.allCases.map { state in
        let proof = state.completes
        let actions = StepAction.allCases.indices.reduce(UInt64(0)) { m, i in proof.actions.contains(StepAction.allCases[i]) ? m | 1 << UInt64(i) : m }
        return StateFacts(state: state, closes: state.closesInvoice, beforePaymentRun: proof.beforePaymentRun, all: proof.all, actions: actions)
    }
}
