import Foundation
import RelanceCore

/// What a customer's payments show, learned from its settled invoices: whether it waits for the due date,
/// how long before the due date it releases payments then, how long disputes last, the bank's delay.
public struct PaymentHabit: Sendable, Codable, Equatable {
    /// Waits for the due date (most payments within a few days of it, long after the route is done).
    public var paysAtDueDate: Bool
    /// When it does: payments go in the first run on or after `due − leadDays`.
    public var leadDays: Int
    /// Working days between the payment run and the money on our account.
    public var bankLagDays: Int
    /// Median calendar days a dispute lasts.
    public var disputeDays: Int
    public var settledCount: Int
    /// Payments whose run is known (a `payment-sent` event), from which the bank's delay was measured.
    public var bankLagObservations: Int

    public init(paysAtDueDate: Bool = false, leadDays: Int = 0, bankLagDays: Int = 1, disputeDays: Int = 15, settledCount: Int = 0,
                bankLagObservations: Int = PaymentHabit.minimumBankLags) {
        self.paysAtDueDate = paysAtDueDate
        self.leadDays = leadDays
        self.bankLagDays = bankLagDays
        self.disputeDays = disputeDays
        self.settledCount = settledCount
        self.bankLagObservations = bankLagObservations
    }

    /// Bank delays measured before the median alone is trusted; with fewer, the delay is spread evenly
    /// over 1, 2 and 3 working days (SEPA credits the day after the run at the latest, and the day the
    /// money shows on our statement varies with the banks' cut-off times).
    public static let minimumBankLags = 5

    /// The bank's delay in working days, with its probability.
    public var bankLags: [(days: Int, weight: Double)] {
        bankLagObservations >= PaymentHabit.minimumBankLags ? [(bankLagDays, 1)] : [(1, 1.0 / 3), (2, 1.0 / 3), (3, 1.0 / 3)]
    }

    private enum CodingKeys: String, CodingKey {
        case paysAtDueDate, leadDays, bankLagDays, disputeDays, settledCount, bankLagObservations
    }

    /// Habits stored before `bankLagObservations` existed read as fully measured (their lag was used alone).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(paysAtDueDate: try c.decode(Bool.self, forKey: .paysAtDueDate), leadDays: try c.decode(Int.self, forKey: .leadDays),
                  bankLagDays: try c.decode(Int.self, forKey: .bankLagDays), disputeDays: try c.decode(Int.self, forKey: .disputeDays),
                  settledCount: try c.decode(Int.self, forKey: .settledCount),
                  bankLagObservations: try c.decodeIfPresent(Int.self, forKey: .bankLagObservations) ?? PaymentHabit.minimumBankLags)
    }

    /// Days between re-learning the habit in a backtest (the dwell model is re-learned less often).
    public static let relearnEvery = 7

    /// Settled invoices needed before the customer's own payments say whether it waits for the due date.
    public static let minimumSettled = 10

    /// What one settled invoice says of the habit.
    public struct Evidence: Sendable {
        /// Paid between 5 days before and 10 days after its due date.
        var nearDue: Bool
        /// Working days from its payment run to the money, when the run is known.
        var bankLag: Int?
        /// The leads (0…10 days) whose run is the one that paid it.
        var leads: [Int]
        /// Days its dispute lasted, when it had one that was settled.
        var disputeDays: Int?

        /// From an invoice settled on `paid` and its events known then.
        public init<Events: BidirectionalCollection<InvoiceEvent>>(invoice i: Invoice, paid: CivilDate, events evs: Events, table: WorkingDayTable?) {
            let zone = TimeZone(identifier: "Europe/Paris") ?? .gmt
            nearDue = (-5...10).contains(i.dueDate.days(to: paid))
            bankLag = nil
            leads = []
            if let sent = evs.last(where: { $0.state == .paymentSent })?.day(in: zone), let t = table {
                bankLag = max(0, t.count(before: paid) - t.count(before: sent))
                // Every lead consistent with this payment: the run on or after `due − lead` is the one that paid.
                leads = (0...10).filter { t.nextPaymentRun(onOrAfter: i.dueDate.adding(days: -$0)) == sent }
            }
            disputeDays = nil
            if let opened = evs.first(where: { $0.state == .inDispute })?.day(in: zone),
               let closed = evs.lazy.filter({ $0.state == .resolved || $0.state == .approved }).map({ $0.day(in: zone) }).first(where: { $0 >= opened }) {
                disputeDays = opened.days(to: closed)
            }
        }
    }

    /// Learns the habit from invoices settled before `asOf`, their events known by then (on or before
    /// `asOf`) and the paying calendar.
    public static func learn<Invoices: Sequence<Invoice>>(invoices: Invoices, events: [String: [InvoiceEvent]], table: (Invoice) -> WorkingDayTable?,
                                                          asOf: CivilDate) -> PaymentHabit {
        let cutoff = asOf.adding(days: 1).start(in: TimeZone(identifier: "Europe/Paris") ?? .gmt)
        var evidence: [Evidence] = []
        for i in invoices {
            guard let paid = i.settledOn, paid < asOf else { continue }
            evidence.append(Evidence(invoice: i, paid: paid, events: (events[i.id] ?? []).lazy.filter { $0.at < cutoff }, table: table(i)))
        }
        return PaymentHabit(evidence: evidence)
    }

    /// The habit the settled invoices' evidence shows.
    public init<All: Collection<Evidence>>(evidence: All) {
        var nearDue = 0, leadVotes = Array(repeating: 0, count: 11), lags: [Int] = [], disputes: [Int] = []
        var habit = PaymentHabit()
        for e in evidence {
            habit.settledCount += 1
            if e.nearDue { nearDue += 1 }
            if let lag = e.bankLag { lags.append(lag) }
            for lead in e.leads { leadVotes[lead] += 1 }
            if let d = e.disputeDays { disputes.append(d) }
        }
        // Too few payments to tell: assume the due date is awaited. French firms rarely pay before it (about
        // half pay on time, the others late: shared/domain.md, Altares 2024), so "as soon as the route is
        // done" would be the exception, not the rule. The customer's own payments decide from the tenth.
        habit.paysAtDueDate = habit.settledCount < PaymentHabit.minimumSettled || Double(nearDue) / Double(habit.settledCount) >= 0.6
        // The lead consistent with the most payments (the largest on a tie: runs are weekly or monthly, so
        // several leads explain one payment, and the true one explains them all).
        habit.leadDays = leadVotes.enumerated().max { ($0.element, $0.offset) < ($1.element, $1.offset) }.map(\.offset) ?? 0
        habit.bankLagDays = Int((median(lags) ?? 1).rounded())
        habit.bankLagObservations = lags.count
        habit.disputeDays = Int((median(disputes) ?? 15).rounded())
        self = habit
    }
}

/// Forecasts from the invoice's position: when its route will be complete (the departments' dwell laws,
/// what is already done, the payment runs), then the customer's habits (waiting for the due date, the
/// bank's delay), open disputes, and what the customer said (in the run of a date, a promise to pay).
public struct RouteForecaster: Sendable {
    private let receipts: Memo<ReceiptKey, ReceiptDays>?

    /// With `remembersReceipts`, the forecaster is meant for many invoices forecast from the same day (a
    /// customer's open book): it keeps, per paying calendar and bank delays, the day the money arrives after
    /// each working day's payment run for the 322 working days from the day, which every invoice's completion
    /// law is mapped through (four look-ups in the calendar for each day of each law before). The forecasts
    /// are the same either way (tests check it).
    public init(remembersReceipts: Bool = false) {
        receipts = remembersReceipts ? Memo(limit: 256) : nil
    }

    struct ReceiptKey: Hashable, Sendable {
        var table: ObjectIdentifier
        var start: Int
        var lags: [Int]
    }

    /// For the working days `first ..< first + count` of a table (numbered as ``WorkingDayTable/count(before:)``
    /// counts): the date of each, and for each bank delay the day the money of a payment run on it arrives,
    /// counted from `start` (0 when before it).
    final class ReceiptDays: Sendable {
        let first: Int
        let runs: [CivilDate]
        /// `days[(j - first) * lags + l]`.
        let days: [Int]
        let lags: Int

        init(table: WorkingDayTable, start: CivilDate, lags: [Int], first: Int, count: Int) {
            self.first = first
            self.lags = lags.count
            runs = (first..<(first + count)).map { table.workday($0) }
            days = runs.flatMap { run in lags.map { RouteForecaster.receivedDay(run: run, lag: $0, table: table, start: start) } }
        }
    }

    /// The day, counted from `start` (0 when before it), the money of `run`'s payment run arrives after a bank
    /// delay of `lag` working days.
    static func receivedDay(run: CivilDate, lag: Int, table: WorkingDayTable, start: CivilDate) -> Int {
        let received = table.workday(table.count(before: run.adding(days: 1)) + max(lag - 1, 0))
        return start.days(to: max(received, start))
    }

    /// "route R: step at department, …" for the pending steps, or "route done: waiting for the payment run".
    /// Appended piece by piece into one string: a text per step joined afterwards was 2.6% of an agenda's time.
    static func whereItIs(_ p: InvoicePosition) -> String {
        var why = ""
        for i in p.steps.indices where p.steps[i].status == .pending {
            if why.isEmpty {
                why.reserveCapacity(64)
                why += "route "
                why += p.route?.id ?? "?"
                why += ": "
            } else {
                why += ", "
            }
            why += p.steps[i].stepID
            why += " at "
            why += p.steps[i].departmentID ?? "?"
        }
        return why.isEmpty ? "route done: waiting for the payment run" : why
    }

    public func forecast(_ p: InvoicePosition, habit: PaymentHabit) -> PaymentForecast? {
        guard !p.closed, let completion = p.completion else { return nil }
        let table = p.axis.table
        let start = max(p.asOf.adding(days: 1), p.invoice.issueDate)
        // Mass by day from `start`, in a growing array (the days are dense); each day's sum is made in the same
        // order as a dictionary's would be.
        var mass: [Double] = []
        mass.reserveCapacity(completion.mass.count * 2)
        let lags = habit.bankLags
        let dueRun = habit.paysAtDueDate
            ? table.nextPaymentRun(onOrAfter: p.invoice.dueDate.adding(days: -habit.leadDays)) ?? p.invoice.dueDate : nil
        let lagDays = lags.map(\.days)
        // The runs before the awaited due date all pay in its run.
        let dueDays = dueRun.map { run in lagDays.map { RouteForecaster.receivedDay(run: run, lag: $0, table: table, start: start) } } ?? []
        // Working day i of the invoice's axis is the table's working day `base + i`; the law lies ahead of today.
        let base = table.count(before: p.axis.origin)
        let known = receipts?.value(for: ReceiptKey(table: ObjectIdentifier(table), start: start.dayNumber, lags: lagDays)) {
            // From two working days before today (today is the working day before the day after).
            ReceiptDays(table: table, start: start, lags: lagDays, first: table.count(before: p.asOf.adding(days: 1)) - 3,
                        count: 2 * (DwellDistribution.horizon + 1))
        }
        for (i, w) in completion.mass.enumerated() where w > 0 {
            let j = base + i
            // The row of working day j in the receipts kept, when they cover it.
            let row = known.flatMap { r in (0..<r.runs.count).contains(j - r.first) ? j - r.first : nil }
            let run = row.flatMap { known?.runs[$0] } ?? table.workday(j)
            let awaitsDue = dueRun.map { run <= $0 } ?? false
            for (l, lag) in lags.enumerated() {
                let day: Int
                if awaitsDue {
                    day = dueDays[l]
                } else if let known, let row {
                    day = known.days[row * known.lags + l]
                } else {
                    day = RouteForecaster.receivedDay(run: run, lag: lag.days, table: table, start: start)
                }
                while day >= mass.count { mass.append(0) }
                mass[day] += w * lag.weight
            }
        }
        if mass.isEmpty { mass = [0] }
        var dist = DayDistribution(start: start, mass: mass)
        var why = RouteForecaster.whereItIs(p)
        if habit.paysAtDueDate { why += "; pays at the due date" }
        if let block = p.blocks.first {
            // An open dispute or suspension: the rest waits for it to be settled.
            let left = max(1, habit.disputeDays - block.since.days(to: p.asOf))
            dist = dist.shifted(by: left).given(notBefore: start)
            why += "; \(block.state.rawValue) since \(block.since), about \(left) more days"
        }
        if let run = p.scheduledRun, run >= p.asOf {
            var inRun: [Int: Double] = [:]
            for lag in habit.bankLags {
                inRun[RouteForecaster.receivedDay(run: run, lag: lag.days, table: table, start: start), default: 0] += lag.weight
            }
            let announced = DayDistribution(start: start, mass: (0...(inRun.keys.max() ?? 0)).map { inRun[$0] ?? 0 })
            dist = announced.mixed(with: dist, weight: 0.9)
            why = "in the payment run of \(run)"
        } else if let promised = p.promisedDate, promised >= p.asOf {
            dist = DayDistribution.point(max(promised, start)).mixed(with: dist, weight: 0.7)
            why = "promised for \(promised)"
        }
        return PaymentForecast(invoice: p.invoice.id, asOf: p.asOf, dueDate: p.invoice.dueDate, distribution: dist, method: .route, explanation: why)
    }
}
