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

        // 1. The engine and habit known at each re-learning date.
        var snapshots: [(engine: PositionEngine, habit: PaymentHabit)] = []
        var snapshotOf: [Int] = []
        var learnedAt: CivilDate?
        var closedPositions: [String: InvoicePosition] = [:]
        let prior = PositionEngine(graph: graph)
        for (d, _) in points {
            if learnedAt.map({ $0.days(to: d) >= relearnEvery }) ?? true {
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
                let engine = PositionEngine(graph: graph, model: DwellLearner().learn(positions: positions, group: graph.group.id))
                let habit = PaymentHabit.learn(invoices: known, events: events.mapValues { $0.filter { $0.day(in: zone) <= d } },
                                               table: graph.paymentTable(for:), asOf: d)
                snapshots.append((engine, habit))
                learnedAt = d
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
        let settledOrder = invoices.compactMap { i in i.settledOn.map { (i, $0) } }.sorted { ($0.1, $0.0.id) < ($1.1, $1.0.id) }.map(\.0)
        var nextSettled = 0
        let ledger = LedgerModel()
        var history = BaselineHistory()
        var cases: [BacktestCase] = []
        // The route model's own past: where each settled invoice's payment fell in its forecast.
        var routeForecastOf: [String: PaymentForecast] = [:]
        var pits: [PIT] = []
        var calibration = IntervalCalibration.identity
        for (k, (d, inv)) in points.enumerated() {
            var learned = false
            while nextSettled < settledOrder.count, let s = settledOrder[nextSettled].settledOn, s < d {
                let done = settledOrder[nextSettled]
                ledger.learn(LedgerInvoice(done, events: events[done.id] ?? []))
                history.learn(customer: done.group, issue: done.issueDate, due: done.dueDate, settled: s)
                if let f = routeForecastOf.removeValue(forKey: done.id) {
                    pits.append(f.pit(of: s))
                    learned = true
                }
                nextSettled += 1
            }
            if learned { calibration = IntervalCalibration(pits: pits.suffix(IntervalCalibration.window)) }
            let forecast: PaymentForecast
            if let route = routeForecasts[k] {
                routeForecastOf[inv.id] = route
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
