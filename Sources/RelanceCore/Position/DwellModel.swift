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
    public struct Key: Hashable, Sendable, Comparable {
        public var department: String
        public var action: StepAction

        public init(department: String, action: StepAction) {
            self.department = department
            self.action = action
        }

        public static func < (a: Key, b: Key) -> Bool {
            (a.department, a.action.rawValue) < (b.department, b.action.rawValue)
        }
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

/// Two models are equal when they give the same law, counts and reporting rates everywhere (the laws
/// compared mass by mass, exactly).
extension LearnedDwellModel: Equatable {
    public static func == (a: LearnedDwellModel, b: LearnedDwellModel) -> Bool {
        a.laws == b.laws && a.reporting == b.reporting && a.minimumObservations == b.minimumObservations
            && a.counts.count == b.counts.count
            && a.counts.allSatisfy { key, c in b.counts[key].map { $0.completed == c.completed && $0.censored == c.censored } ?? false }
    }
}

/// The stored form (JSON, keys sorted by the encoder when asked):
///
/// ```json
/// {"minimumObservations": 15,
///  "reporting": {"metalux|approval": 0.83},
///  "steps": [{"department": "mtx-hq-purchasing", "action": "approval", "completed": 212, "censored": 9, "law": [0.01, 0.04, …]}]}
/// ```
///
/// One entry per department and action, sorted by department then action; `law` is present only where
/// history replaced the prior, `completed` and `censored` where observations were counted.
extension LearnedDwellModel: Codable {
    private enum CodingKeys: String, CodingKey {
        case minimumObservations, reporting, steps
    }

    private struct Step: Codable {
        var department: String
        var action: StepAction
        var completed: Int?
        var censored: Int?
        var law: DwellDistribution?
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(reporting: try c.decode([String: Double].self, forKey: .reporting),
                  minimumObservations: try c.decode(Int.self, forKey: .minimumObservations))
        for step in try c.decode([Step].self, forKey: .steps) {
            let key = Key(department: step.department, action: step.action)
            guard laws[key] == nil, counts[key] == nil else {
                throw DecodingError.dataCorruptedError(forKey: .steps, in: c, debugDescription: "\(step.department) \(step.action.rawValue) given twice")
            }
            if let law = step.law { laws[key] = law }
            if step.completed != nil || step.censored != nil { counts[key] = (step.completed ?? 0, step.censored ?? 0) }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(minimumObservations, forKey: .minimumObservations)
        try c.encode(reporting, forKey: .reporting)
        let keys = Set(laws.keys).union(counts.keys).sorted()
        try c.encode(keys.map { k in
            Step(department: k.department, action: k.action, completed: counts[k]?.completed, censored: counts[k]?.censored, law: laws[k])
        }, forKey: .steps)
    }
}
