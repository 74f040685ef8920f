import Foundation

/// Why an invoice is called stuck.
public enum StuckReason: Sendable, Hashable {
    /// A blocking event not lifted (dispute, suspension, payment block, refusal, technical rejection).
    case blocked(CanonicalState, reason: String?)
    /// Longer at a step than the department usually needs (beyond the 90th percentile of its dwell law),
    /// and probably still there despite the chance that the step was done unreported.
    case slow(dwell: Int, usual: Int, probabilityStillThere: Double)
}

/// A stuck invoice: where, why, since when, and what is at stake.
public struct StuckInvoice: Sendable {
    public var position: InvoicePosition
    public var stepID: String?
    public var department: Department?
    public var reason: StuckReason
    public var since: CivilDate
    /// Days left before the due date (negative when overdue).
    public var daysToDue: Int
    /// For a bill of exchange: days left before it must be at the bank.
    public var daysToRemittance: Int?
    public var openAmount: Money
    /// The ranking score: open amount weighted by urgency (see ``StuckFinder/urgency(daysLeft:)``).
    public var stake: Double

    public var invoice: Invoice { position.invoice }
}

/// Finds stuck steps and ranks them by what is at stake.
public struct StuckFinder: Sendable {
    /// How sure we must be that an item is still at a step before calling it stuck.
    public var minimumProbability: Double
    /// Days before its due date that a bill of exchange must reach the bank.
    public var remittanceLeadDays: Int

    public init(minimumProbability: Double = 0.3, remittanceLeadDays: Int = 10) {
        self.minimumProbability = minimumProbability
        self.remittanceLeadDays = remittanceLeadDays
    }

    /// The stuck steps of one position (empty when nothing is stuck or the invoice is closed).
    public func stuck(_ p: InvoicePosition, credited: Money? = nil) -> [StuckInvoice] {
        guard !p.closed, p.invoice.kind == .invoice else { return [] }
        let open = p.invoice.openAmount(credited: credited)
        guard open.minorUnits > 0 else { return [] }
        let daysToDue = p.asOf.days(to: p.invoice.dueDate)
        let remit = p.invoice.remittanceDeadline(leadDays: remittanceLeadDays).map { p.asOf.days(to: $0) }
        let stake = open.approximateMajorUnits * StuckFinder.urgency(daysLeft: min(daysToDue, remit ?? daysToDue))
        var result: [StuckInvoice] = []
        for b in p.blocks {
            let step = b.stepID.flatMap { p.step($0) } ?? p.steps.first { $0.status == .pending }
            result.append(StuckInvoice(position: p, stepID: step?.step.id, department: step?.department, reason: .blocked(b.state, reason: b.event.reason),
                                       since: b.since, daysToDue: daysToDue, daysToRemittance: remit, openAmount: open, stake: stake * 1.5))
        }
        guard result.isEmpty else { return result }
        // Each step read in place through the array's buffer (iterating copied every step out, its law, place
        // and evidence retained and released: 1.2% of the agenda's samples).
        p.steps.withUnsafeBufferPointer { steps in
            for i in steps.indices where steps[i].status == .pending {
                guard let dwell = steps[i].dwellDays, let since = steps[i].since else { continue }
                let usual = steps[i].law.quantile(0.9)
                let still = 1 - steps[i].probabilityDone
                if dwell > usual && still >= minimumProbability {
                    result.append(StuckInvoice(position: p, stepID: steps[i].step.id, department: steps[i].department,
                                               reason: .slow(dwell: dwell, usual: usual, probabilityStillThere: still), since: since,
                                               daysToDue: daysToDue, daysToRemittance: remit, openAmount: open, stake: stake * still))
                }
            }
        }
        return result
    }

    /// Ranks stuck invoices, most at stake first (ties: older first, then by invoice number).
    public func rank(_ items: [StuckInvoice]) -> [StuckInvoice] {
        items.sorted { a, b in
            if a.stake != b.stake { return a.stake > b.stake }
            if a.since != b.since { return a.since < b.since }
            return a.invoice.id < b.invoice.id
        }
    }

    /// How urgent an invoice is by the days left before its deadline (due date, or the bill's remittance
    /// deadline): 1 a month or more ahead, rising linearly to 3 at the deadline, then 3 plus a tenth per
    /// day late (capped at 6). Acting before the due date is the point, so the weight rises before it.
    public static func urgency(daysLeft: Int) -> Double {
        if daysLeft >= 30 { return 1 }
        if daysLeft >= 0 { return 1 + 2 * Double(30 - daysLeft) / 30 }
        return min(6, 3 + Double(-daysLeft) / 10)
    }
}
