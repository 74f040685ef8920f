import Foundation

/// Whom to call about a step, what to ask, and who comes next if that person cannot help.
public struct CallPlan: Sendable {
    public struct Person: Sendable {
        public var name: String
        public var title: String?
        public var phone: String?
        public var email: String?
        public var department: Department?
        public var channel: Channel
        /// Why this person: "responsible for the goods receipt", "escalation: management at the site".
        public var role: String
        /// The next moment they can be reached, in their time zone, from the as-of moment.
        public var reachable: Date?
        public var hours: WorkingHours?
        public var timeZone: String
    }

    public var stepID: String?
    public var question: String
    /// First the people of the responsible department, then who to ask next.
    public var people: [Person]
}

/// Builds call plans from the organisation.
public struct CallPlanner: Sendable {
    public var graph: OrgGraph
    /// People learned from messages (a Peppol buyer contact), by name, with their department when known.
    public var learned: [(name: String, phone: String?, email: String?, department: String?)]
    /// When each contact can next be reached from a moment: the same few contacts are asked about every
    /// open invoice of a customer, from the same moment.
    private let reachable = Memo<Reachable, Date?>()

    /// The people to call about a step, by what they depend on: the same for every open invoice of the
    /// customer at that step of that route delivered at that site (a portfolio's agenda plans a call for each
    /// of a million open invoices, on a few dozen such steps per customer). Only when no two routes share an
    /// id, as validation asks: the key names the route by its id.
    private let callees = Memo<PeopleKey, [CallPlan.Person]>()
    private let routeIDsAreUnique: Bool
    /// The organisation's contacts by department and its departments by site, in the file's order (what
    /// `contacts(in:)` and `departments(at:)` give), indexed once: each set of people looked them up by
    /// going through every contact and department.
    private let contactsByDepartment: [String: [Contact]]
    private let departmentsBySite: [String: [Department]]

    private struct Reachable: Hashable, Sendable {
        var hours: WorkingHours
        var timeZone: String
        var from: Date
    }

    private struct PeopleKey: Hashable, Sendable {
        var route: String?
        var step: String
        var department: String
        var site: String
        var moment: Date
    }

    public init(graph: OrgGraph, learned: [(name: String, phone: String?, email: String?, department: String?)] = []) {
        self.graph = graph
        self.learned = learned
        routeIDsAreUnique = graph.routeIDsAreUnique
        contactsByDepartment = Dictionary(grouping: graph.contacts, by: \.department)
        departmentsBySite = Dictionary(grouping: graph.departments, by: \.site)
    }

    /// The plan for the most pressing step of a position: a blocked step first, else the pending step the
    /// item most likely sits at.
    public func plan(for p: InvoicePosition, stuck: StuckInvoice? = nil, at moment: Date) -> CallPlan {
        let step = stuck?.stepID.flatMap { p.step($0) } ?? CallPlanner.likeliestPending(p.steps)
        let question = CallPlanner.question(for: step, invoice: p.invoice, stuck: stuck)
        guard let s = step, let d = s.department else { return CallPlan(stepID: step?.step.id, question: question, people: []) }
        let key = PeopleKey(route: p.route?.id, step: s.step.id, department: d.id, site: p.invoice.site, moment: moment)
        let found = routeIDsAreUnique
            ? callees.value(for: key) { people(about: s, at: d, route: p.route, site: p.invoice.site, moment: moment) }
            : people(about: s, at: d, route: p.route, site: p.invoice.site, moment: moment)
        return CallPlan(stepID: s.step.id, question: question, people: found)
    }

    /// The pending step the invoice most likely sits at (the first of the most likely, as `max(by:)` gives),
    /// found by index, the steps read in place: a filter over the steps copied each pending step out.
    static func likeliestPending(_ steps: [StepPosition]) -> StepPosition? {
        steps.withUnsafeBufferPointer { s in
            var best: Int?
            for i in s.indices where s[i].status == .pending {
                if let b = best, !(s[b].probabilityHere < s[i].probabilityHere) { continue }
                best = i
            }
            return best.map { s[$0] }
        }
    }

    /// The people to call about step `s` at department `d` of `route`, for an invoice delivered at `site`.
    private func people(about s: StepPosition, at d: Department, route: Route?, site: String, moment: Date) -> [CallPlan.Person] {
        var people: [CallPlan.Person] = []
        let role = "responsible for \(s.step.label) (\(d.role.label))"
        people += (contactsByDepartment[d.id] ?? []).map { person($0, d, role, moment) }
        if people.isEmpty, d.phone != nil || d.email != nil {
            people.append(CallPlan.Person(name: d.name, title: "department line", phone: d.phone, email: d.email, department: d,
                                          channel: d.phone != nil ? .phone : .email, role: role, reachable: nil, hours: nil, timeZone: "Europe/Paris"))
        }
        for l in learned where l.department == d.id || (l.department == nil && people.isEmpty) {
            people.append(CallPlan.Person(name: l.name, title: "learned from a status message", phone: l.phone, email: l.email, department: d,
                                          channel: l.phone != nil ? .phone : .email, role: role, reachable: nil, hours: nil, timeZone: "Europe/Paris"))
        }
        // People with a phone first, then the soonest reachable; the file's order otherwise.
        people = people.enumerated().sorted { a, b in
            let ka = (a.element.phone == nil ? 1 : 0, a.element.reachable ?? .distantFuture, a.offset)
            let kb = (b.element.phone == nil ? 1 : 0, b.element.reachable ?? .distantFuture, b.offset)
            return ka < kb
        }.map(\.element)
        // Who comes next: the next step's department (it is waiting for this one), then management at the site.
        if let route {
            for next in route.successors(of: s.step.id) {
                guard let nd = graph.department(for: next, deliveredAt: site), nd.id != d.id else { continue }
                people += (contactsByDepartment[nd.id] ?? []).prefix(1).map { person($0, nd, "next: \(nd.name) is waiting for this step", moment) }
            }
        }
        for m in departmentsBySite[d.site] ?? [] where m.role == .management && m.id != d.id {
            people += (contactsByDepartment[m.id] ?? []).prefix(1).map { person($0, m, "escalation: management at \(graph.site(d.site)?.name ?? d.site)", moment) }
        }
        return people
    }

    func person(_ c: Contact, _ d: Department, _ role: String, _ moment: Date) -> CallPlan.Person {
        CallPlan.Person(name: c.name, title: c.title, phone: c.phone ?? d.phone, email: c.email, department: d, channel: c.channel, role: role,
                        reachable: reachable.value(for: Reachable(hours: c.hours, timeZone: c.timeZone, from: moment)) {
                            CallPlanner.nextReachable(c.hours, timeZone: c.timeZone, from: moment)
                        }, hours: c.hours, timeZone: c.timeZone)
    }

    /// The question to ask, with the invoice's references.
    public static func question(for step: StepPosition?, invoice: Invoice, stuck: StuckInvoice?) -> String {
        // One text, its bytes appended piece by piece: the agenda asks a question for every open invoice, and the
        // reference interpolated, then interpolated again into the question, made four or five texts each (then
        // appended to a `String`, each piece cost about 300 instructions, twice the text's own bytes).
        var q = TextBytes()
        let amount = invoice.amount.amountText
        // The text handed back has exactly its length: the agenda keeps a question for each of up to a million
        // open invoices until it is written, and the room reserved here would be kept with each.
        func done() -> String { q.text }
        /// "invoice FA-1 of 2026-11-02, 1,234.00 EUR"
        func ref() {
            q += "invoice "
            q += invoice.id
            q += " of "
            q += invoice.issueDate.description
            q += ", "
            q += amount
            q += " "
            q += invoice.amount.currency
        }
        func why(_ reason: String?) {
            if let reason {
                q += " (reason "
                q += reason
                q += ")"
            }
        }
        if let stuck, case .blocked(let state, let reason) = stuck.reason {
            switch state {
            case .inDispute:
                q += "What is disputed on "; ref(); why(reason); q += ", and what do you need from us to settle it?"
                return done()
            case .suspended:
                q += "Which document or information is missing to release "; ref(); why(reason); q += "?"
                return done()
            case .blocked:
                q += "Why is "; ref(); q += " blocked for payment"; why(reason); q += ", and who can release the block?"
                return done()
            case .refused:
                q += "Why was "; ref(); q += " refused"; why(reason); q += "? Should we issue a credit note and a new invoice?"
                return done()
            case .rejected:
                q += "The platform rejected "; ref(); why(reason); q += ": which address or identifier should we use?"
                return done()
            default: break
            }
        }
        guard let s = step else {
            q += "Where is "; ref(); q += ", and when will it be paid?"
            return done()
        }
        switch s.step.action {
        case .goodsReceipt:
            q += "Has the goods receipt for "
            if let note = invoice.deliveryNote { q += "delivery note "; q += note } else { q += "the delivery" }
            if let order = invoice.orderNumber { q += " (order "; q += order; q += ")" }
            q += " been posted? It is needed to approve "; ref(); q += "."
        case .approval:
            q += "Has the payment approval (bon à payer)"
            if let order = invoice.orderNumber { q += " for order "; q += order }
            q += " been given for "; ref(); q += "?"
        case .serviceFait:
            q += "Has the service fait been certified for "; ref()
            if let order = invoice.orderNumber { q += " (engagement "; q += order; q += ")" }
            q += "?"
        case .paymentRun:
            q += "Is "; ref(); q += " in the next payment run, and on which date?"
        default:
            // The action's own question without its question mark (removed from the end: `dropLast()` counted
            // the whole text first), then the reference.
            q.append(s.step.action.question.dropLast())
            q += " — "; ref(); q += "?"
        }
        return done()
    }

    /// The first moment at or after `from` within the working hours, in the contact's time zone.
    public static func nextReachable(_ hours: WorkingHours, timeZone: String, from: Date) -> Date? {
        guard let zone = TimeZone(identifier: timeZone) else { return nil }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        for offset in 0..<14 {
            let day = CivilDate(from, in: zone).adding(days: offset)
            guard hours.days.contains(day.weekday) else { continue }
            let start = day.start(in: zone)
            for r in hours.ranges {
                let open = start.addingTimeInterval(Double(r.start) * 60), close = start.addingTimeInterval(Double(r.end) * 60)
                if from < close { return max(open, from) }
            }
        }
        return nil
    }
}

/// A text made of pieces appended as bytes (UTF-8), made into a `String` of exactly its length at the end.
struct TextBytes {
    private var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(256) }

    static func += (text: inout TextBytes, piece: String) {
        var piece = piece
        piece.withUTF8 { text.bytes.append(contentsOf: $0) }
    }

    mutating func append(_ piece: Substring) {
        var piece = piece
        piece.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// The text (its pieces were whole texts, so the bytes are valid UTF-8).
    var text: String {
        bytes.withUnsafeBufferPointer { b in
            String(unsafeUninitializedCapacity: b.count) { out in
                _ = out.initialize(fromContentsOf: b)
                return b.count
            }
        }
    }
}
