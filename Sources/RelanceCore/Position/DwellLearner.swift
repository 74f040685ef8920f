/// Learns a ``LearnedDwellModel`` from the event log: for every step whose start and end are both shown
/// by events, a completed dwell time; for every step still pending with a known start, a right-censored
/// one (it has lasted at least that long). Departments with enough completed observations get their
/// Kaplan–Meier law; the others keep the prior.
public struct DwellLearner: Sendable {
    public var minimumObservations: Int

    public init(minimumObservations: Int = 15) { self.minimumObservations = minimumObservations }

    /// Observed dwell times per department and action: (completed, censored) in working days.
    public func observations(positions: [InvoicePosition]) -> [LearnedDwellModel.Key: (completed: [Int], censored: [Int])] {
        DwellTally(positions: positions).observations
    }

    /// The same observations one by one, with their dates, the invoice and the group: what reports need to
    /// compare periods. A completed observation has its `end`; a censored one (still pending) has none.
    public func datedObservations(positions: [InvoicePosition]) -> [DwellObservation] {
        var obs: [DwellObservation] = []
        for p in positions {
            DwellLearner.forEachObservation(in: p) { s, department, since, end, days in
                obs.append(DwellObservation(invoice: p.invoice.id, group: p.invoice.group, department: department.id, action: s.step.action,
                                            since: since, end: end, days: days))
            }
        }
        return obs
    }

    /// The observations a position shows, step by step: a completed one (with its `end`) for every step an
    /// event shows done (not implied, and not by the event that closed the invoice), a censored one for every
    /// step still pending on an open invoice with a known start. Payment runs are left out: they are set by
    /// the calendar and the customer's habits, not by a department's pace.
    static func forEachObservation(in p: InvoicePosition, _ body: (StepPosition, Department, CivilDate, CivilDate?, Int) -> Void) {
        for s in p.steps where DwellTally.counts(s.step.action) {
            guard let d = s.department, let since = s.since else { continue }
            if s.status == .done, !s.implied, let end = s.doneAt, s.evidence != nil, !p.closed || s.evidence?.state?.closesInvoice == false {
                body(s, d, since, end, max(0, p.axis.index(of: end) - p.axis.index(of: since)))
            } else if s.status == .pending, let dwell = s.dwellDays, !p.closed {
                body(s, d, since, nil, dwell)
            }
        }
    }

    /// The model: the share of step completions that events report (per customer group and action) among
    /// closed invoices, then learned laws where history suffices, read with that share
    /// (``DwellDistribution/kaplanMeier(completed:censored:reportingRate:tolerance:maximumIterations:)``).
    public func learn(positions: [InvoicePosition], group: String) -> LearnedDwellModel {
        learn(tally: DwellTally(positions: positions), group: group)
    }

    /// The model learned from a tally (``DwellTally``): the same as from the positions it was filled from.
    public func learn(tally: DwellTally, group: String) -> LearnedDwellModel {
        var model = LearnedDwellModel(minimumObservations: minimumObservations)
        for (action, (shown, total)) in tally.reported {
            // Beta(1, 1) smoothing: a few invoices do not swing the rate to 0 or 1.
            model.reporting["\(group)|\(action.rawValue)"] = (Double(shown) + 1) / (Double(total) + 2)
        }
        // Laws last: a step still silent on an open invoice may have ended unreported, as often as this
        // customer leaves that kind of step unreported (the rate the forecasts use too).
        for (key, o) in tally.observations {
            model.counts[key] = (o.completed.count, o.censored.count)
            let rate = model.reporting["\(group)|\(key.action.rawValue)"] ?? 0.5
            if o.completed.count >= minimumObservations,
               let law = DwellDistribution.kaplanMeier(completed: o.completed, censored: o.censored, reportingRate: rate) {
                model.laws[key] = law
            }
        }
        return model
    }
}

/// One step's dwell time at a department, in working days of the paying calendar: completed (both ends
/// dated by events) or right-censored (still pending on an open invoice: it has lasted at least `days`).
public struct DwellObservation: Hashable, Sendable {
    public var invoice: String
    public var group: String
    public var department: String
    public var action: StepAction
    /// The day the step could start.
    public var since: CivilDate
    /// The day an event showed it done; `nil` while it is still pending (censored).
    public var end: CivilDate?
    public var days: Int

    public var completed: Bool { end != nil }

    public init(invoice: String, group: String, department: String, action: StepAction, since: CivilDate, end: CivilDate?, days: Int) {
        self.invoice = invoice
        self.group = group
        self.department = department
        self.action = action
        self.since = since
        self.end = end
        self.days = days
    }
}
