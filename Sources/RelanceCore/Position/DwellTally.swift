/// What ``DwellLearner`` learns from, gathered invoice by invoice: the completed and censored dwell times
/// per department and action, and, among closed invoices, how many step completions an event reported.
///
/// A tally is filled from positions (``add(_:)``) or, without building positions, by
/// ``DwellObserver``; both give the same tally for the same invoices and events. The model learned from a
/// tally does not depend on the order in which invoices were added, so tallies filled in parallel can be
/// merged (``merge(_:)``).
public struct DwellTally: Sendable {
    /// Dwell times in working days, per department and action.
    public var observations: [LearnedDwellModel.Key: (completed: [Int], censored: [Int])] = [:]
    /// Per action, among the steps of closed invoices: (completions an event reported, steps).
    public var reported: [StepAction: (shown: Int, total: Int)] = [:]

    public init() {}

    /// The tally of these positions.
    public init(positions: [InvoicePosition]) {
        for p in positions { add(p) }
    }

    /// Adds what one position shows (``DwellLearner/datedObservations(positions:)`` says which steps count).
    public mutating func add(_ p: InvoicePosition) {
        DwellLearner.forEachObservation(in: p) { s, department, _, end, days in
            if end != nil {
                addCompleted(days, department: department.id, action: s.step.action)
            } else {
                addCensored(days, department: department.id, action: s.step.action)
            }
        }
        guard p.closed else { return }
        for s in p.steps where DwellTally.counts(s.step.action) {
            addReported(s.evidence != nil && !s.implied && s.evidence?.state?.closesInvoice == false, action: s.step.action)
        }
    }

    /// Whether steps with this action teach anything: payment runs are set by the calendar and the
    /// customer's habits, not by a department's pace.
    @inline(__always)
    static func counts(_ action: StepAction) -> Bool { action != .paymentRun && action != .payment }

    mutating func addCompleted(_ days: Int, department: String, action: StepAction) {
        observations[LearnedDwellModel.Key(department: department, action: action), default: ([], [])].completed.append(days)
    }

    mutating func addCensored(_ days: Int, department: String, action: StepAction) {
        observations[LearnedDwellModel.Key(department: department, action: action), default: ([], [])].censored.append(days)
    }

    mutating func addReported(_ shown: Bool, action: StepAction, count: Int = 1) {
        let (a, b) = reported[action] ?? (0, 0)
        reported[action] = (a + (shown ? count : 0), b + count)
    }

    /// Adds another tally's observations and counts to this one.
    public mutating func merge(_ other: DwellTally) {
        for (key, o) in other.observations {
            observations[key, default: ([], [])].completed.append(contentsOf: o.completed)
            observations[key, default: ([], [])].censored.append(contentsOf: o.censored)
        }
        for (action, r) in other.reported {
            let (a, b) = reported[action] ?? (0, 0)
            reported[action] = (a + r.shown, b + r.total)
        }
    }
}
