import Foundation
import RelanceCore

/// Replays a customer's history with its organisation and events: at each forecast point (some days before
/// the due date, or the issue date), positions are computed from the events known that day, the dwell
/// model and the payment habit are learned from what was known then (relearned every `relearnEvery`
/// days), and the forecast is compared with the actual payment. Invoices without a route fall back on
/// the ledger model.
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
        let settledOrder = invoices.compactMap { i in i.settledOn.map { (i, $0) } }.sorted { ($0.1, $0.0.id) < ($1.1, $1.0.id) }.map(\.0)
        var nextSettled = 0
        let ledger = LedgerModel()
        var history = BaselineHistory()
        var engine = PositionEngine(graph: graph)
        var habit = PaymentHabit()
        var learnedAt: CivilDate?
        var cases: [BacktestCase] = []
        let forecaster = RouteForecaster()
        func asOfView(_ i: Invoice, _ d: CivilDate) -> Invoice {
            var v = i
            v.payments = i.payments.filter { $0.date <= d }
            return v
        }
        for (d, inv) in points {
            // What was settled before the forecast day.
            while nextSettled < settledOrder.count, let s = settledOrder[nextSettled].settledOn, s < d {
                let done = settledOrder[nextSettled]
                ledger.learn(LedgerInvoice(done, events: events[done.id] ?? []))
                history.learn(customer: done.group, issue: done.issueDate, due: done.dueDate, settled: s)
                nextSettled += 1
            }
            if learnedAt.map({ $0.days(to: d) >= relearnEvery }) ?? true {
                let known = invoices.filter { $0.issueDate <= d }.map { asOfView($0, d) }
                let prior = PositionEngine(graph: graph)
                let positions = known.map { prior.position(of: $0, events: events[$0.id] ?? [], asOf: d) }
                engine = PositionEngine(graph: graph, model: DwellLearner().learn(positions: positions, group: graph.group.id))
                habit = PaymentHabit.learn(invoices: known, events: events.mapValues { $0.filter { $0.day(in: zone) <= d } },
                                           table: graph.paymentTable(for:),
                                           asOf: d)
                learnedAt = d
            }
            let view = asOfView(inv, d)
            let position = engine.position(of: view, events: events[inv.id] ?? [], asOf: d)
            let forecast = forecaster.forecast(position, habit: habit)
                ?? ledger.forecast(LedgerInvoice(view, events: events[inv.id] ?? []), asOf: d)
            guard evaluate(inv), let actual = inv.settledOn else { continue }
            cases.append(BacktestCase(
                invoice: inv.id, customer: inv.group, forecastDate: d, actual: actual, forecast: forecast,
                baselines: history.baselines(customer: inv.group, issue: inv.issueDate, due: inv.dueDate, on: d)))
        }
        return BacktestReport(cases: cases)
    }
}
