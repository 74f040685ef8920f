import Foundation
import RelanceCore

/// Replays a customer's history with its organisation and events: at each forecast point (some days before
/// the due date, or the issue date), positions are computed from the events known that day, the dwell
/// model and the payment habit are learned from what was known then (relearned every `relearnEvery`
/// days), and the forecast is compared with the actual payment. Invoices without a route fall back on
/// the ledger model.
///
/// Three passes, with the same result as one chronological replay: the models of each re-learning date
/// (sequential: each needs the day's history); every route forecast (independent of each other, spread
/// over the cores); then the ledger model and the baselines, replayed in order of settlement.
public enum RouteBacktest {
    public static func run(graph: OrgGraph, invoices allInvoices: [Invoice], events: [String: [InvoiceEvent]],
                           point: (Invoice) -> CivilDate?, evaluate: (Invoice) -> Bool, relearnEvery: Int = 30) -> BacktestReport {
        let invoices = allInvoices.filter { $0.kind == .invoice }
        var points: [(CivilDate, Invoice)] = []
        for i in invoices {
            guard let p = point(i) else { continue }
            if let s = i.settledOn, s < p { continue }
            points.append((p, i))
        }
        points.sort { ($0.0, $0.1.id) < ($1.0, $1.1.id) }
        let zone = TimeZone(identifier: "Europe/Paris") ?? .gmt

        // 1. The engine and habit known at each re-learning date: the dwell model every `relearnEvery` days,
        // the payment habit (cheap, and what a new customer's first payments teach most) every week.
        var snapshots: [(engine: PositionEngine, habit: PaymentHabit)] = []
        var snapshotOf: [Int] = []
        var learnedAt: CivilDate?, habitLearnedAt: CivilDate?
        var engine: PositionEngine?
        var habit = PaymentHabit()
        var closedPositions: [String: InvoicePosition] = [:]
        let prior = PositionEngine(graph: graph)
        let settledOrder = invoices.compactMap { i in i.settledOn.map { (i, $0) } }.sorted { ($0.1, $0.0.id) < ($1.1, $1.0.id) }.map(\.0)
        var habitSettled = 0
        var finalEvidence: [String: PaymentHabit.Evidence] = [:]
        let paymentTable = graph.paymentTableLookup()
        for (d, _) in points {
            let relearnModel = learnedAt.map { $0.days(to: d) >= relearnEvery } ?? true
            let relearnHabit = relearnModel || (habitLearnedAt.map { $0.days(to: d) >= PaymentHabit.relearnEvery } ?? true)
            if relearnModel || relearnHabit {
                if relearnModel {
                    let known = invoices.filter { $0.issueDate <= d }.map { $0.known(on: d) }
                    let cutoff = d.adding(days: 1).start(in: zone)
                    // A position closed with all its events known stays as it is: only the others are recomputed.
                    let fresh = known.filter { closedPositions[$0.id] == nil }.concurrentMap { i in
                        prior.position(of: i, events: events[i.id] ?? [], asOf: d)
                    }
                    for p in fresh where p.closed && p.invoice.settledOn != nil && (events[p.invoice.id] ?? []).allSatisfy({ $0.at < cutoff }) {
                        closedPositions[p.invoice.id] = p
                    }
                    let positions = known.compactMap { closedPositions[$0.id] } + fresh.filter { closedPositions[$0.invoice.id] == nil }
                    engine = PositionEngine(graph: graph, model: DwellLearner().learn(positions: positions, group: graph.group.id))
                    learnedAt = d
                }
                // Only invoices settled before the day teach the habit (settled, they are as known that day), with
                // their events known by then; what an invoice with no event left to come says is kept.
                while habitSettled < settledOrder.count, let s = settledOrder[habitSettled].settledOn, s < d { habitSettled += 1 }
                let cutoff = d.adding(days: 1).start(in: zone)
                var evidence: [PaymentHabit.Evidence] = []
                evidence.reserveCapacity(habitSettled)
                for i in settledOrder[..<habitSettled] {
                    if let known = finalEvidence[i.id] { evidence.append(known); continue }
                    guard let paid = i.settledOn else { continue }
                    let all = events[i.id] ?? []
                    let e = PaymentHabit.Evidence(invoice: i, paid: paid, events: all.lazy.filter { $0.at < cutoff }, table: paymentTable(i))
                    if all.allSatisfy({ $0.at < cutoff }) { finalEvidence[i.id] = e }
                    evidence.append(e)
                }
                habit = PaymentHabit(evidence: evidence)
                habitLearnedAt = d
                if let engine { snapshots.append((engine, habit)) }
            }
            snapshotOf.append(snapshots.count - 1)
        }

        // 2. Every route forecast, from the position known that day.
        let jobs = points.indices.map { (point: points[$0], snapshot: snapshots[snapshotOf[$0]]) }
        let routeForecasts = jobs.concurrentMap(minimumChunk: 32) { job -> PaymentForecast? in
            let (d, inv) = job.point
            let position = job.snapshot.engine.position(of: inv.known(on: d), events: events[inv.id] ?? [], asOf: d)
            return RouteForecaster().forecast(position, habit: job.snapshot.habit)
        }

        // 3. The ledger model (for invoices without a route) and the baselines, in order of settlement.
        var nextSettled = 0
        let ledger = LedgerModel()
        var history = BaselineHistory()
        var cases: [BacktestCase] = []
        // The route model's own past: its earlier forecasts, in the order they were made. On each forecast day
        // the latest of them give the interval's levels: where the payments known by then fell in their
        // forecasts, and for those still open, the level their payment is known to exceed.
        var made: [(day: CivilDate, invoice: Invoice, forecast: PaymentForecast)] = []
        var calibration = IntervalCalibration.identity
        var calibratedOn: CivilDate?
        for (k, (d, inv)) in points.enumerated() {
            while nextSettled < settledOrder.count, let s = settledOrder[nextSettled].settledOn, s < d {
                let done = settledOrder[nextSettled]
                ledger.learn(LedgerInvoice(done, events: events[done.id] ?? []))
                history.learn(customer: done.group, issue: done.issueDate, due: done.dueDate, settled: s)
                nextSettled += 1
            }
            if calibratedOn != d {
                // The first forecast of the day: every forecast made so far was made on an earlier day. The
                // latest stretch of them that holds `window` known payments and spans `minimumDays`, with the
                // ones still open in it.
                var pits: [PIT] = [], open: [Double] = []
                let since = d.adding(days: -IntervalCalibration.minimumDays)
                for m in made.reversed() {
                    if pits.count >= IntervalCalibration.window && m.day < since { break }
                    if let s = m.invoice.settledOn, s < d {
                        pits.append(m.forecast.pit(of: s))
                    } else {
                        open.append(m.forecast.distribution.cdf(d.adding(days: -1)))
                    }
                }
                calibration = IntervalCalibration(pits: pits, stillOpenAbove: open)
                calibratedOn = d
            }
            let forecast: PaymentForecast
            if let route = routeForecasts[k] {
                made.append((d, inv, route))
                forecast = calibration.apply(to: route)
            } else {
                forecast = ledger.forecast(LedgerInvoice(inv.known(on: d), events: events[inv.id] ?? []), asOf: d)
            }
            guard evaluate(inv), let actual = inv.settledOn else { continue }
            cases.append(BacktestCase(
                invoice: inv.id, customer: inv.group, forecastDate: d, actual: actual, forecast: forecast,
                baselines: history.baselines(customer: inv.group, issue: inv.issueDate, due: inv.dueDate, on: d)))
        }
        return BacktestReport(cases: cases)
    }
}
