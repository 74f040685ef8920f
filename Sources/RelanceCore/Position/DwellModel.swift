/// Where a step's duration law comes from: the route's prior, or what history has shown.
public enum DwellSource: String, Sendable {
    case prior, learned, shrunk
}

/// The time an invoice or an approval spends at each step, and how often a step's completion is reported
/// by an event (without which silence says little).
public protocol DwellModel: Sendable {
    func dwell(for step: RouteStep, department: Department?, group: String) -> (law: DwellDistribution, source: DwellSource)
    /// The share of completions of this step that an event reports, for this group.
    func reportingRate(for step: RouteStep, department: Department?, group: String) -> Double
}

/// Durations from the routes' `expected-days` (log-normal, median = expected days), or from the action's
/// usual time when the route gives none. Reporting rate 0.5: silence is weak evidence.
public struct PriorDwellModel: DwellModel {
    public init() {}

    public func dwell(for step: RouteStep, department: Department?, group: String) -> (law: DwellDistribution, source: DwellSource) {
        (PriorDwellModel.prior(for: step), .prior)
    }

    public func reportingRate(for step: RouteStep, department: Department?, group: String) -> Double { 0.5 }

    /// The prior law of a step.
    public static func prior(for step: RouteStep) -> DwellDistribution {
        .logNormal(median: max(step.expectedDays ?? typicalDays(step.action), 0.5))
    }

    /// Usual working days at a step when the route does not say (`shared/domain.md` §3.5, §1.8).
    public static func typicalDays(_ action: StepAction) -> Double {
        switch action {
        case .invoiceReceipt, .platformRouting: return 2
        case .goodsReceipt: return 3
        case .serviceFait: return 5
        case .approval: return 5
        case .matching, .posting: return 3
        case .mandate: return 10
        case .publicAccounting: return 8
        case .paymentRun, .payment: return 1
        }
    }
}

/// A model learned from the event log: per department and action, the Kaplan–Meier law of completed and
/// still-running dwell times, used where there are enough completed observations; the prior elsewhere.
public struct LearnedDwellModel: DwellModel {
    public struct Key: Hashable, Sendable {
        public var department: String
        public var action: StepAction
    }

    public var laws: [Key: DwellDistribution]
    public var counts: [Key: (completed: Int, censored: Int)]
    /// Share of completions reported by an event, per group and action.
    public var reporting: [String: Double]
    /// Completed observations needed before history replaces the prior.
    public var minimumObservations: Int

    public init(laws: [Key: DwellDistribution] = [:], counts: [Key: (completed: Int, censored: Int)] = [:],
                reporting: [String: Double] = [:], minimumObservations: Int = 15) {
        self.laws = laws
        self.counts = counts
        self.reporting = reporting
        self.minimumObservations = minimumObservations
    }

    public func dwell(for step: RouteStep, department: Department?, group: String) -> (law: DwellDistribution, source: DwellSource) {
        if let d = department, let law = laws[Key(department: d.id, action: step.action)] { return (law, .learned) }
        return (PriorDwellModel.prior(for: step), .prior)
    }

    public func reportingRate(for step: RouteStep, department: Department?, group: String) -> Double {
        reporting["\(group)|\(step.action.rawValue)"] ?? 0.5
    }
}
