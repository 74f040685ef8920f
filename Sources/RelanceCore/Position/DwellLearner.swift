/// Learns a ``LearnedDwellModel`` from the event log: for every step whose start and end are both shown
/// by events, a completed dwell time; for every step still pending with a known start, a right-censored
/// one (it has lasted at least that long). Departments with enough completed observations get their
/// Kaplan–Meier law; the others keep the prior.
public struct DwellLearner: Sendable {
    public var minimumObservations: Int

    public init(minimumObservations: Int = 15) { self.minimumObservations = minimumObservations }

    /// Observed dwell times per department and action: (completed, censored) in working days.
    public func observations(positions: [InvoicePosition]) -> [LearnedDwellModel.Key: (completed: [Int], censored: [Int])] {
        var obs: [LearnedDwellModel.Key: (completed: [Int], censored: [Int])] = [:]
        for o in datedObservations(positions: positions) {
            let key = LearnedDwellModel.Key(department: o.department, action: o.action)
            if o.completed {
                obs[key, default: ([], [])].completed.append(o.days)
            } else {
                obs[key, default: ([], [])].censored.append(o.days)
            }
        }
        return obs
    }

    /// The same observations one by one, with their dates, the invoice and the group: what reports need to
    /// compare periods. A completed observation has its `end`; a censored one (still pending) has none.
    public func datedObservations(positions: [InvoicePosition]) -> [DwellObservation] {
        var obs: [DwellObservation] = []
        for p in positions {
            // Payment runs are set by the calendar and the customer's habits, not by a department's pace.
            for s in p.steps where s.step.action != .paymentRun && s.step.action != .payment {
                guard let d = s.department, let since = s.since else { continue }
                if s.status == .done, !s.implied, let end = s.doneAt, s.evidence != nil, !p.closed || s.evidence?.state?.closesInvoice == false {
                    let days = max(0, p.axis.index(of: end) - p.axis.index(of: since))
                    obs.append(DwellObservation(invoice: p.invoice.id, group: p.invoice.group, department: d.id, action: s.step.action,
                                                since: since, end: end, days: days))
                } else if s.status == .pending, let dwell = s.dwellDays, !p.closed {
                    obs.append(DwellObservation(invoice: p.invoice.id, group: p.invoice.group, department: d.id, action: s.step.action,
                                                since: since, end: nil, days: dwell))
                }
            }
        }
        return obs
    }

    /// The model: the share of step completions that events report (per customer group and action) among
    /// closed invoices, then learned laws where history suffices, read with that share
    /// (``DwellDistribution/kaplanMeier(completed:censored:reportingRate:tolerance:maximumIterations:)``).
    public func learn(positions: [InvoicePosition], group: String) -> LearnedDwellModel {
        var model = LearnedDwellModel(minimumObservations: minimumObservations)
        var reported: [StepAction: (Int, Int)] = [:]
        for p in positions where p.closed {
            for s in p.steps where s.step.action != .paymentRun && s.step.action != .payment {
                let shown = s.evidence != nil && !s.implied && s.evidence?.state?.closesInvoice == false
                let (a, b) = reported[s.step.action] ?? (0, 0)
                reported[s.step.action] = (a + (shown ? 1 : 0), b + 1)
            }
        }
        for (action, (shown, total)) in reported {
            // Beta(1, 1) smoothing: a few invoices do not swing the rate to 0 or 1.
            model.reporting["\(group)|\(action.rawValue)"] = (Double(shown) + 1) / (Double(total) + 2)
        }
        // Laws last: a step still silent on an open invoice may have ended unreported, as often as this
        // customer leaves that kind of step unreported (the rate the forecasts use too).
        for (key, o) in observations(positions: positions) {
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
