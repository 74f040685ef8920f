import Foundation
import RelanceCore
import RelanceForecast

/// The share of the expected lateness an action brings forward (see `docs/agenda.md`): rough, documented
/// weights that only order the day's work.
enum ActionEffect {
    static let letter = 0.1
    static let callAfterLetter = 0.3
    static let callBlocked = 0.5
    static let callStalledStep = 0.5
    static let callPreDue = 0.4
    static let callBill = 0.8
    static let alsoOpen = 0.1
    static let salesRep = 0.3
    static let requestMinutes = 5
}

/// The follow-up work one customer needs on one day, under its policy and given its log.
struct AgendaPlanner {
    var customer: AgendaCustomer
    var date: CivilDate

    struct Part: Sendable {
        var calls: [AgendaCall] = []
        var letters: [AgendaLetter] = []
        var salesRequests: [AgendaSalesRequest] = []
        var bills: [AgendaBillDeadline] = []
        var disputes: [AgendaDispute] = []
        var deferred: [Agenda.Deferred] = []
    }

    /// What the log says so far, by invoice and by contact.
    struct History {
        var lastLetter: [String: CivilDate] = [:]
        var highestLevel: [String: LetterLevel] = [:]
        var lastCallOnInvoice: [String: CivilDate] = [:]
        var lastCallToContact: [String: CivilDate] = [:]
        var lastSalesRequest: [String: CivilDate] = [:]

        init(_ log: [FollowUpRecord], through date: CivilDate) {
            for r in log where r.day <= date {
                switch r.kind {
                case .letter:
                    for i in r.invoices {
                        lastLetter[i] = max(lastLetter[i] ?? r.day, r.day)
                        if let l = r.level { highestLevel[i] = max(highestLevel[i] ?? l, l) }
                    }
                case .call, .visit:
                    for i in r.invoices { lastCallOnInvoice[i] = max(lastCallOnInvoice[i] ?? r.day, r.day) }
                    if r.kind == .call, let c = r.contact { lastCallToContact[c] = max(lastCallToContact[c] ?? r.day, r.day) }
                case .salesRep:
                    for i in r.invoices { lastSalesRequest[i] = max(lastSalesRequest[i] ?? r.day, r.day) }
                }
            }
        }
    }

    /// Whom a call goes to.
    struct Callee {
        var key: String
        var name: String
        var role: String
        var phone: String?
        var email: String?
        var timeZone: String
        var hours: WorkingHours
    }

    var policy: FollowUpPolicy { customer.policy }
    var graph: OrgGraph { customer.graph }

    /// The indices in `customer.positions` of the invoices open as of the day, by invoice number (indices:
    /// a position is a large value, and a filtered and sorted copy of a portfolio's positions cost 1–2%).
    var openPositionIndices: [Int] {
        let all = customer.positions
        // Each field read in place (a position copied out retained a dozen arrays and texts).
        return all.indices.filter { i in
            !all[i].closed && all[i].invoice.kind == .invoice && all[i].invoice.issueDate <= date
                && all[i].invoice.openAmount(credited: customer.credited[all[i].invoice.id]).minorUnits > 0
        }.sorted { all[$0].invoice.id < all[$1].invoice.id }
    }

    func plan() -> Part {
        var part = Part()
        let history = History(customer.log, through: date)
        let planner = CallPlanner(graph: graph, learned: customer.learned)
        let finder = StuckFinder(remittanceLeadDays: policy.remittanceLeadDays)
        let moment = date.start(in: Agenda.paris).addingTimeInterval(8 * 3600)
        var callDue: [String: [AgendaInvoice]] = [:]
        var alsoOpen: [String: [AgendaInvoice]] = [:]
        var people: [String: Callee] = [:]
        var letters: [String: [AgendaInvoice]] = [:]
        var requests: [String: (visit: Bool, items: [AgendaInvoice])] = [:]
        // Worked out once for the customer rather than for each open invoice.
        let contactIDs = self.contactIDs
        let fallback = fallbackPerson

        // Each open position handed over in place from the array's buffer (taken out by subscript, every
        // position was copied, its dozen arrays and texts retained, then released).
        func visit(_ p: InvoicePosition) {
            let inv = p.invoice
            let id = inv.id
            let open = inv.openAmount(credited: customer.credited[id])
            let daysLate = inv.dueDate.days(to: date)
            let forecast = customer.forecasts[id]
            let stuck = finder.stuck(p, credited: customer.credited[id]).first
            let plan = planner.plan(for: p, stuck: stuck, at: moment)
            let euros = open.approximateMajorUnits
            let lateness = Double(forecast.map { max(1, max(date, inv.dueDate).days(to: $0.p50)) } ?? max(1, daysLate))
            func item(_ reason: String, _ question: String, effect: Double, days: Double? = nil) -> AgendaInvoice {
                AgendaInvoice(invoice: id, group: inv.group, issueDate: inv.issueDate, dueDate: inv.dueDate, openAmount: open, daysLate: daysLate,
                              reason: reason, question: question, forecastP50: forecast?.p50, probabilityByDue: forecast?.probabilityByDue,
                              euroDays: effect * euros * (days ?? lateness))
            }

            // Letters: every N days from the invoice date; escalation steps as soon as they are reached.
            let disputed = p.blocks.contains { $0.state == .inDispute }
            let reached: LetterLevel = daysLate >= policy.injunctionDays ? .injunction : daysLate >= policy.formalNoticeDays ? .formalNotice
                : daysLate >= policy.overdueReminderDays ? .overdue : .reminder
            // A dispute stops the escalation: it is settled on its own track.
            let level = disputed ? min(reached, .overdue) : reached
            let k = inv.issueDate.days(to: date) / policy.letterEveryDays
            let anchor = inv.issueDate.adding(days: k * policy.letterEveryDays)
            if level >= .overdue, history.highestLevel[id].map({ $0 < level }) ?? true {
                letters["\(inv.entity)|\(level.rawValue)", default: []]
                    .append(item("escalation: \(level.rawValue), \(daysLate) days late", plan.question, effect: ActionEffect.letter * 2))
            } else if k >= 1, history.lastLetter[id].map({ $0 < anchor }) ?? true {
                let l = min(level, .overdue)
                letters["\(inv.entity)|\(l.rawValue)", default: []]
                    .append(item("written reminder \(k) (every \(policy.letterEveryDays) days from \(inv.issueDate))", plan.question, effect: ActionEffect.letter))
            }

            // Bills of exchange: the accepted bill must be back before the remittance deadline.
            let accepted = p.events.contains(where: AgendaPlanner.showsBillAccepted)
            var billChase = false
            if let deadline = inv.remittanceDeadline(leadDays: policy.remittanceLeadDays), !accepted,
               date >= deadline.adding(days: -policy.billChaseDays) {
                billChase = true
                let chase = item("accepted bill not back; at the bank by \(deadline)", "Has the \(inv.method.rawValue.uppercased()) for invoice \(id) been accepted and sent back? It must be at our bank by \(deadline).",
                                 effect: ActionEffect.callBill, days: Double(max(1, date.days(to: inv.dueDate))))
                part.bills.append(AgendaBillDeadline(group: inv.group, invoice: chase, method: inv.method.rawValue, discounted: inv.discounted,
                                                     deadline: deadline, daysLeft: date.days(to: deadline)))
            }

            // Disputes: fast track, with an owner and a target date.
            for b in p.blocks where b.state == .inDispute {
                let target = b.since.adding(days: policy.disputeTargetDays)
                part.disputes.append(AgendaDispute(group: inv.group, invoice: item("in dispute since \(b.since)", plan.question, effect: ActionEffect.callBlocked),
                                                   owner: policy.disputeOwner ?? policy.responsible, since: b.since, reason: b.event.reason,
                                                   target: target, due: date >= target.adding(days: -2)))
            }

            // Calls: a few days after each letter; before the due date, when a step of the circuit stalls or
            // the payment run should be prepared; while blocked; while a bill is not back.
            let person = (plan.people.first { $0.phone != nil } ?? plan.people.first).map { callee($0, contactIDs: contactIDs) } ?? fallback
            let key = person?.key ?? graph.group.id
            if let person { people[key] = person }
            let lastCall = history.lastCallOnInvoice[id]
            let calledRecently = lastCall.map { $0.days(to: date) < policy.minDaysBetweenCalls } ?? false
            // (Without an array of the two dates made for each invoice.)
            let committed = (p.promisedDate.map { $0 >= date } ?? false) || (p.scheduledRun.map { $0 >= date } ?? false)
            var reason: AgendaInvoice?
            if let l = history.lastLetter[id], date >= l.adding(days: policy.callDaysAfterLetter), lastCall.map({ $0 < l }) ?? true, !committed {
                reason = item("letter sent \(l)", plan.question, effect: ActionEffect.callAfterLetter)
            } else if !calledRecently {
                if let b = p.blocks.first {
                    reason = item("\(b.state.label) since \(b.since)", plan.question, effect: ActionEffect.callBlocked)
                } else if billChase {
                    reason = part.bills.last?.invoice
                } else if daysLate < 0, let s = stalledStep(p, at: plan.stepID) {
                    reason = item("\(s.step.label) stalled: \(s.dwell) days there, \(s.expected) expected", plan.question, effect: ActionEffect.callStalledStep,
                                  days: lateness + Double(s.dwell - s.expected))
                } else if daysLate <= 0, date >= inv.dueDate.adding(days: -policy.preDueCheckDays), !committed,
                          lastCall.map({ $0 < inv.dueDate.adding(days: -policy.preDueCheckDays) }) ?? true {
                    reason = item("due \(inv.dueDate): is the payment prepared?",
                                  "Is invoice \(id) of \(inv.issueDate), \(open), in the payment run before its due date \(inv.dueDate)?", effect: ActionEffect.callPreDue)
                }
            }
            if let reason, person != nil {
                callDue[key, default: []].append(reason)
            } else {
                alsoOpen[key, default: []].append(item("also open", plan.question, effect: ActionEffect.alsoOpen))
            }

            // The sales rep: past a threshold, or to collect a cheque or an accepted bill.
            if let rep = inv.salesRep, !rep.isEmpty, history.lastSalesRequest[id].map({ $0.days(to: date) >= policy.letterEveryDays }) ?? true {
                let pastThreshold = daysLate > 0 && (daysLate >= policy.salesRepDaysLate || open >= policy.salesRepAmount)
                if pastThreshold || billChase {
                    let visit = inv.method == .cheque || (inv.method.isBillOfExchange && !accepted)
                    let why = billChase ? "collect the accepted bill" : daysLate >= policy.salesRepDaysLate ? "\(daysLate) days late" : "\(open) open, late"
                    var r = requests[rep] ?? (visit, [])
                    r.visit = r.visit || visit
                    r.items.append(item(why, plan.question, effect: ActionEffect.salesRep))
                    requests[rep] = r
                }
            }
        }
        customer.positions.withUnsafeBufferPointer { all in
            for index in openPositionIndices { visit(all[index]) }
        }

        // One call per contact, covering every open invoice they can act on, within the per-contact limit.
        for (key, due) in callDue.sorted(by: { $0.key < $1.key }) {
            let name = people[key]?.name ?? key
            if let last = history.lastCallToContact[key], last.days(to: date) < policy.minDaysBetweenCalls {
                part.deferred.append(Agenda.Deferred(group: graph.group.id, contactKey: key, name: name, lastCall: last, invoices: due.map(\.invoice)))
                continue
            }
            let items = due + (alsoOpen[key] ?? [])
            let minutes = policy.callMinutes + (items.count - 1)
            let person = people[key]
            part.calls.append(AgendaCall(group: graph.group.id, customer: graph.group.name, contactKey: key, name: name,
                                         role: person?.role ?? "accounts payable", phone: person?.phone, email: person?.email,
                                         timeZone: person?.timeZone ?? "Europe/Paris", workingHours: (person?.hours ?? WorkingHours.office).description,
                                         slot: nil, minutes: minutes, invoices: items, score: items.map(\.euroDays).reduce(0, +) / Double(minutes)))
        }
        for (key, items) in letters.sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: "|").map(String.init)
            guard parts.count == 2, let level = LetterLevel(rawValue: parts[1]) else { continue }
            let entity = graph.entity(parts[0])
            // The invoicing address: a site of the customer (its name and postal address), else the text as given.
            let address = entity?.invoiceAddress.map { a in
                graph.site(a).map { s in ([s.name] + (s.address.map { $0.lines + ["\($0.postcode) \($0.city)"] } ?? [])).joined(separator: "\n") } ?? a
            }
            part.letters.append(AgendaLetter(group: graph.group.id, customer: graph.group.name, entity: parts[0], entityName: entity?.name ?? parts[0],
                                             address: address, level: level, language: policy.language, invoices: items,
                                             score: items.map(\.euroDays).reduce(0, +) / Double(policy.letterMinutes)))
        }
        for (rep, r) in requests.sorted(by: { $0.key < $1.key }) {
            let minutes = r.visit ? policy.visitMinutes : ActionEffect.requestMinutes
            part.salesRequests.append(AgendaSalesRequest(group: graph.group.id, customer: graph.group.name, salesRep: rep, visit: r.visit,
                                                         reason: r.items.map(\.reason).joined(separator: "; "), invoices: r.items,
                                                         score: r.items.map(\.euroDays).reduce(0, +) / Double(minutes)))
        }
        return part
    }

    /// Whether an event shows the bill of exchange accepted: a mandate, a run, a payment, or the log's own mark.
    static func showsBillAccepted(_ e: InvoiceEvent) -> Bool {
        switch e.state {
        case .mandated?, .scheduled?, .paymentSent?, .paid?, .partiallyPaid?: true
        default: e.rawCode == "follow-up:bill-accepted"
        }
    }

    /// The step the call is about (the one the invoice most likely sits at), when it is past its expected
    /// duration (the route's, else the learned median) plus the slack and the invoice is probably still there.
    func stalledStep(_ p: InvoicePosition, at stepID: String?) -> (step: RouteStep, dwell: Int, expected: Int)? {
        // By index, the ids read in place: the loop copied each step out, and each test copied its step and department.
        for i in p.steps.indices where p.steps[i].status == .pending && p.steps[i].departmentID != nil && p.steps[i].stepID == stepID {
            let s = p.steps[i]
            guard let dwell = s.dwellDays else { continue }
            let expected = Int((s.step.expectedDays ?? Double(s.law.quantile(0.5))).rounded(.up))
            if dwell > expected + policy.stepSlackDays && 1 - s.probabilityDone >= 0.3 { return (s.step, dwell, expected) }
        }
        return nil
    }

    /// The callee for a planned person. The key (what the per-contact limit counts) is the contact's id,
    /// else the department's, else the name.
    func callee(_ person: CallPlan.Person, contactIDs: [ContactName: String]) -> Callee {
        let key = contactIDs[ContactName(name: person.name, department: person.department?.id)] ?? person.department?.id ?? person.name
        return Callee(key: key, name: person.name, role: person.role, phone: person.phone, email: person.email, timeZone: person.timeZone,
                      hours: person.hours ?? .office)
    }

    /// A contact's name and department: what ``callee(_:contactIDs:)`` looks a planned person up by.
    struct ContactName: Hashable {
        var name: String
        var department: String?
    }

    /// The id of the first contact of each name and department, in the file's order: what ``callee(_:contactIDs:)``
    /// finds, without going through every contact for each open invoice.
    var contactIDs: [ContactName: String] {
        var ids: [ContactName: String] = [:]
        for c in graph.contacts where ids[ContactName(name: c.name, department: c.department)] == nil {
            ids[ContactName(name: c.name, department: c.department)] = c.id
        }
        return ids
    }

    /// Whom to call when the route names no one: the first accounts-payable contact of the customer.
    var fallbackPerson: Callee? {
        let ap = graph.departments.filter { $0.role == .accountsPayable }
        guard let c = graph.contacts.first(where: { c in ap.contains { $0.id == c.department } }) ?? graph.contacts.first else { return nil }
        return Callee(key: c.id, name: c.name, role: "accounts payable (no route step names anyone)", phone: c.phone ?? graph.department(c.department)?.phone,
                      email: c.email, timeZone: c.timeZone, hours: c.hours)
    }
}
