/// What travels through a step: the invoice document, the payment approval ("bon à payer"), or both
/// once they have joined (usually at accounts payable).
public enum Carried: String, Sendable, Codable, CaseIterable {
    case invoice, approval, both

    func union(_ other: Carried) -> Carried { self == other ? self : .both }
}

/// What happens at a step.
public enum StepAction: String, Sendable, Codable, CaseIterable {
    case invoiceReceipt = "invoice-receipt"
    case platformRouting = "platform-routing"
    case goodsReceipt = "goods-receipt"
    case serviceFait = "service-fait"
    case approval
    case matching
    case posting
    case mandate
    case publicAccounting = "public-accounting"
    case paymentRun = "payment-run"
    case payment

    /// The question to ask the department holding an invoice at this step.
    public var question: String {
        switch self {
        case .invoiceReceipt: return "Has the invoice been received and registered?"
        case .platformRouting: return "Has the platform delivered the invoice to the buyer?"
        case .goodsReceipt: return "Has the goods receipt been posted for the delivery note?"
        case .serviceFait: return "Has the service fait been certified?"
        case .approval: return "Has the payment approval (bon à payer) been given?"
        case .matching: return "Does the invoice match the order and the receipt, or is it blocked?"
        case .posting: return "Has the invoice been posted, and with which due date?"
        case .mandate: return "Has the payment order (mandat) been issued?"
        case .publicAccounting: return "Has the public accountant booked the payment order?"
        case .paymentRun: return "Is the invoice in the next payment run, and on which date?"
        case .payment: return "Has the payment been released, and on which value date?"
        }
    }
}

/// Where a step's responsible department is: a fixed department, or the department with a given role at
/// the delivery site (one route then serves many sites: "the reception of the store that was delivered").
public enum DepartmentRef: Hashable, Sendable, CustomStringConvertible {
    case fixed(String)
    case atDeliverySite(DepartmentRole)

    public var description: String {
        switch self {
        case .fixed(let id): return id
        case .atDeliverySite(let role): return "<\(role.rawValue) at the delivery site>"
        }
    }
}

/// One step of a route: a department's action on the invoice, the approval, or both.
public struct RouteStep: Hashable, Sendable, Identifiable {
    public var id: String
    public var name: String?
    public var action: StepAction
    public var department: DepartmentRef
    /// Steps that must be done before this one. A step with no predecessor starts a branch.
    public var after: [String]
    /// What a starting step carries; later steps carry what their predecessors bring.
    public var carries: Carried?
    /// Expected time at this step in working days of the payer's calendar (a prior, before history exists).
    public var expectedDays: Double?

    public init(
        id: String, name: String? = nil, action: StepAction, department: DepartmentRef, after: [String] = [],
        carries: Carried? = nil, expectedDays: Double? = nil
    ) {
        self.id = id
        self.name = name
        self.action = action
        self.department = department
        self.after = after
        self.carries = carries
        self.expectedDays = expectedDays
    }

    /// The name, or the action's name.
    public var label: String { name ?? action.rawValue }
}

/// Which invoices a route applies to. Empty lists mean "any". A route with only `orderTypes` or nothing
/// at all applies to the whole group.
public struct RouteRule: Hashable, Sendable {
    public var entities: [String]
    public var sites: [String]
    public var orderTypes: [String]

    public init(entities: [String] = [], sites: [String] = [], orderTypes: [String] = []) {
        self.entities = entities
        self.sites = sites
        self.orderTypes = orderTypes
    }

    /// Higher is more specific. A matching order type beats none (capital expenditure follows its own
    /// circuit wherever it is delivered); then a site beats an entity, which beats the whole group.
    public var specificity: Int {
        (orderTypes.isEmpty ? 0 : 8) + (sites.isEmpty ? (entities.isEmpty ? 0 : 2) : 4)
    }

    public func matches(site: Site, orderType: String?) -> Bool {
        if !sites.isEmpty && !sites.contains(site.id) { return false }
        if sites.isEmpty && !entities.isEmpty && !entities.contains(site.entity) { return false }
        if !orderTypes.isEmpty {
            guard let orderType, orderTypes.contains(orderType) else { return false }
        }
        return true
    }
}

/// The circuit an invoice and its approval follow inside the customer: a small directed acyclic graph
/// of steps. Typically the invoice goes mailroom → accounts payable, the approval reception → purchasing
/// → accounts payable, and both join at accounts payable before the payment run.
public struct Route: Hashable, Sendable, Identifiable {
    public var id: String
    public var name: String?
    public var appliesTo: RouteRule
    public var steps: [RouteStep]

    public init(id: String, name: String? = nil, appliesTo: RouteRule = RouteRule(), steps: [RouteStep]) {
        self.id = id
        self.name = name
        self.appliesTo = appliesTo
        self.steps = steps
    }

    public func step(_ id: String) -> RouteStep? { steps.first { $0.id == id } }

    /// Steps no other step waits for: where the route ends (the payment).
    public var finalSteps: [RouteStep] {
        let waitedFor = Set(steps.flatMap(\.after))
        return steps.filter { !waitedFor.contains($0.id) }
    }

    /// Steps with no predecessor: where the invoice and the approval enter the customer.
    public var startSteps: [RouteStep] { steps.filter(\.after.isEmpty) }

    /// The steps that come right after `stepID`.
    public func successors(of stepID: String) -> [RouteStep] { steps.filter { $0.after.contains(stepID) } }

    /// A cycle among the steps, as the list of step ids that form it (first id repeated at the end), or
    /// `nil` when the route is acyclic. Unknown predecessors are ignored here (validation reports them).
    public func cycle() -> [String]? {
        let ids = Set(steps.map(\.id))
        var state: [String: Int] = [:]  // 1 = on the stack, 2 = done
        var stack: [String] = []
        func visit(_ id: String) -> [String]? {
            state[id] = 1
            stack.append(id)
            for pred in step(id)?.after ?? [] where ids.contains(pred) {
                if state[pred] == 1, let start = stack.firstIndex(of: pred) {
                    // stack[k + 1] precedes stack[k]: reversed, the stack reads in the direction of flow.
                    let loop = Array(stack[start...].reversed())
                    return loop + loop.prefix(1)
                }
                if state[pred] == nil, let found = visit(pred) { return found }
            }
            stack.removeLast()
            state[id] = 2
            return nil
        }
        for s in steps where state[s.id] == nil {
            if let found = visit(s.id) { return found }
        }
        return nil
    }

    /// Steps in an order where each comes after all its predecessors (`nil` for a cyclic route).
    public func topologicalOrder() -> [RouteStep]? {
        var remaining = steps
        var placed = Set<String>()
        var order: [RouteStep] = []
        while !remaining.isEmpty {
            guard let i = remaining.firstIndex(where: { $0.after.allSatisfy(placed.contains) }) else { return nil }
            let s = remaining.remove(at: i)
            placed.insert(s.id)
            order.append(s)
        }
        return order
    }

    /// What each step carries: starting steps as declared (the invoice by default), later ones the union
    /// of what their predecessors carry.
    public func carriedByStep() -> [String: Carried] {
        var result: [String: Carried] = [:]
        for s in topologicalOrder() ?? steps {
            if s.after.isEmpty {
                result[s.id] = s.carries ?? .invoice
            } else {
                let incoming = s.after.compactMap { result[$0] }
                result[s.id] = incoming.dropFirst().reduce(incoming.first ?? .invoice) { $0.union($1) }
            }
        }
        return result
    }

    /// Every path from a starting step to a final step, as lists of step ids (at most `limit`).
    public func paths(limit: Int = 1000) -> [[String]] {
        var result: [[String]] = []
        func walk(_ path: [String]) {
            guard result.count < limit, let last = path.last else { return }
            let next = successors(of: last)
            if next.isEmpty { result.append(path); return }
            for n in next where !path.contains(n.id) { walk(path + [n.id]) }
        }
        for s in startSteps { walk([s.id]) }
        return result
    }
}
