import ArgumentParser
import Foundation
import RelanceCore
import RelancePlan
import RelanceForecast
import RelanceRender
import RelanceStore

struct ForecastCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forecast",
        abstract: "Forecast when open invoices will be paid: P10, P50, P90, the chance of payment by the due date.",
        discussion: """
            From the invoice's position in the customer's route (the departments' dwell laws, the payment runs, \
            the customer's habit of paying at the due date, open disputes, a run or a promise announced), or, \
            where no route or events are known, from the customer's own payment history. docs/forecasting.md \
            explains the method.

            Examples:
              relance forecast FA-2026-10398 --as-of 2026-11-27
              relance forecast --customer metalux --as-of 2026-11-27 --format csv
            """)

    @OptionGroup var db: DatabaseOptions
    @OptionGroup var asOf: AsOfOption
    @Argument(help: "One invoice (all open invoices when omitted).") var invoice: String?
    @Option(help: "Only this customer.") var customer: String?
    @Option(help: "text, json or csv.") var format: OutputFormat = .text

    func run() throws {
        let store = try db.open()
        let date = try asOf.date()
        var groups = try customer.map { [try store.resolveCustomer($0)] } ?? store.groups().map(\.id)
        if let invoice {
            guard let g = try store.group(ofInvoice: invoice) else { throw UserError("unknown invoice '\(invoice)'") }
            groups = [g]
        }
        // Each row's cells worked out on the core that made its forecast (its median once, not at every
        // comparison of the sort), and the forecast's law released there.
        let columns = ["invoice", "open", "due", "p10", "p50", "p90", "p_by_due", "days_late", "method", "why"]
        var cells = try openInvoiceForecasts(in: store, groups: groups, asOf: date) { row -> (p50: CivilDate, invoice: String, cells: [String]) in
            let f = row.forecast, p50 = f.p50
            return (p50, f.invoice, [f.invoice, row.openAmount.description, f.dueDate.description, f.p10.description, p50.description,
                                     f.p90.description, (f.probabilityByDue * 100).fixed(0) + "%", f.expectedDaysLate.fixed(1),
                                     f.method.rawValue, f.explanation])
        }
        if let invoice {
            cells = cells.filter { $0.invoice == invoice }
            if cells.isEmpty { throw UserError("invoice \(invoice) is not open on \(date)") }
        }
        let table = cells.sorted { ($0.p50, $0.invoice) < ($1.p50, $1.invoice) }.map(\.cells)
        keepUntilExit(cells)
        keepUntilExit(table)
        switch format {
        case .text:
            if invoice == nil { print("\(plural(cells.count, "open invoice")) as of \(date)") }
            print(PositionRenderer.table(columns, table), terminator: "")
        case .csv:
            // The lines' bytes made on every core, a block of rows each, written at once.
            let blocks = stride(from: 0, to: table.count, by: 4_096).map { $0..<min($0 + 4_096, table.count) }
            let bytes = blocks.concurrentMap(minimumChunk: 1) { rows -> [UInt8] in
                var out: [UInt8] = []
                out.reserveCapacity(rows.count * 160)
                for row in table[rows] { CSVWriters.appendLine(row, to: &out) }
                return out
            }
            // Each block written as it is (gathered into one value first, the 152 MB of a million open
            // invoices were copied on one core for half a second before the first byte went out).
            try emitStreaming(to: nil) { write in
                try Array((columns.joined(separator: ",") + "\n").utf8).withUnsafeBytes { try write($0) }
                for block in bytes { try block.withUnsafeBytes { try write($0) } }
            }
            keepUntilExit(bytes)
        case .json:
            let objects = table.map { Dictionary(uniqueKeysWithValues: zip(columns, $0)) }
            print(String(decoding: try JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self))
        default: throw ValidationError("relance forecast writes text, json or csv")
        }
    }
}

struct CashflowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cashflow",
        abstract: "Expected receipts by week or month, with an 80% band.",
        discussion: """
            Each open invoice contributes its open amount spread over its forecast distribution. The band treats \
            invoices as independent: expected ± 1.28 standard deviations.

            Example: relance cashflow --by week --customer metalux --as-of 2026-11-27
            """)

    enum Period: String, ExpressibleByArgument { case week, month }

    @OptionGroup var db: DatabaseOptions
    @OptionGroup var asOf: AsOfOption
    @Option(help: "week or month.") var by: Period = .week
    @Option(help: "Only this customer.") var customer: String?
    @Option(name: .customLong("sales-rep"), help: "Only this sales rep's invoices.") var salesRep: String?
    @Option(help: "text, json or csv.") var format: OutputFormat = .text

    func run() throws {
        let store = try db.open()
        let date = try asOf.date()
        let groups = try customer.map { [try store.resolveCustomer($0)] } ?? store.groups().map(\.id)
        var all: [PaymentForecast] = []
        var amounts: [String: Money] = [:]
        var currency = "EUR"
        for row in try openInvoiceForecasts(in: store, groups: groups, asOf: date) where salesRep == nil || row.salesRep == salesRep {
            amounts[row.forecast.invoice] = row.openAmount
            currency = row.openAmount.currency
            all.append(row.forecast)
        }
        let rows = cashIn(all, amounts: amounts, by: by == .week ? .week : .month).map { b -> [String] in
            [b.start.description, String(format: "%.2f", b.expected), String(format: "%.2f", b.low), String(format: "%.2f", b.high)]
        }
        let columns = [by == .week ? "week_of" : "month", "expected_\(currency)", "low_80", "high_80"]
        switch format {
        case .text: print(PositionRenderer.table(columns, rows), terminator: "")
        case .csv:
            print(columns.joined(separator: ","))
            for r in rows { print(r.joined(separator: ",")) }
        case .json:
            let objects = rows.map { Dictionary(uniqueKeysWithValues: zip(columns, $0)) }
            print(String(decoding: try JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self))
        default: throw ValidationError("relance cashflow writes text, json or csv")
        }
    }
}

struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Replay history: forecast with only what was known then, and compare with what happened.",
        discussion: """
            Each invoice is forecast at one point: its issue date (--at issue) or some days before its due date \
            (--at before-due, --days N), or at every date from --from to --to, --every DAYS (--at dates). Reports \
            the mean absolute error of the payment date and the share of payments inside the 80% interval, for \
            Relance and for the baselines: the due date; the due date plus the customer's average lateness; the \
            customer's median days-to-pay.

            Examples:
              relance backtest --at issue --from 2013-07-12
              relance backtest --at before-due --days 10 --from 2026-06-01
            """)

    enum Point: String, ExpressibleByArgument { case issue, beforeDue = "before-due", dates }

    @OptionGroup var db: DatabaseOptions
    @Option(help: "issue, before-due or dates.") var at: Point = .beforeDue
    @Option(help: "With --at before-due: days before the due date.") var days = 10
    @Option(help: ArgumentHelp("Only invoices forecast on or after this date.", valueName: "date")) var from: CivilDate?
    @Option(help: ArgumentHelp("Only invoices forecast on or before this date.", valueName: "date")) var to: CivilDate?
    @Option(help: "With --at dates: days between forecast dates.") var every = 7
    @Option(help: "Only this customer.") var customer: String?
    @Option(help: "Days between re-learning the dwell model.") var relearn = 30
    @Option(help: "text, json, or csv (one row per forecast: dates, P10/P50/P90, the interval's levels, where the payment fell in the forecast (PIT), each method's error).") var format: OutputFormat = .text

    func run() throws {
        let store = try db.open()
        let groups = try customer.map { [try store.resolveCustomer($0)] } ?? store.groups().map(\.id)
        var cases: [BacktestCase] = []
        var ledger: [LedgerInvoice] = []
        var ledgerPoint: [String: CivilDate] = [:]
        var ledgerEvaluate = Set<String>()
        let start = Date()
        for g in groups {
            guard let graph = try store.graph(g) else { continue }
            let invoices = try store.invoices(group: g)
            let events = try store.eventsByInvoice(group: g)
            let lo = from ?? CivilDate(dayNumber: Int.min / 4), hi = to ?? CivilDate(dayNumber: Int.max / 4)
            let point: (Invoice) -> CivilDate?
            switch at {
            case .issue: point = { $0.issueDate }
            case .beforeDue: point = { i in let d = i.dueDate.adding(days: -days); return d >= i.issueDate ? d : nil }
            case .dates:
                // The first forecast date on or after the issue date in the --every grid from --from.
                point = { i in
                    let base = from ?? i.issueDate
                    let k = max(0, (base.days(to: i.issueDate) + every - 1) / max(every, 1))
                    return base.adding(days: k * max(every, 1))
                }
            }
            let inRange = { (i: Invoice) -> Bool in point(i).map { lo <= $0 && $0 <= hi } ?? false }
            if graph.routes.isEmpty {
                // Customers known only from a ledger are replayed together: the ledger model learns portfolio
                // effects (channel, disputes) across customers.
                for i in invoices where i.kind == .invoice {
                    ledger.append(LedgerInvoice(i, customer: g, events: events[i.id] ?? []))
                    if let p = point(i) { ledgerPoint[i.id] = p }
                    if inRange(i) { ledgerEvaluate.insert(i.id) }
                }
            } else {
                cases += RouteBacktest.run(graph: graph, invoices: invoices, events: events, point: point, evaluate: inRange, relearnEvery: relearn).cases
            }
        }
        if !ledger.isEmpty {
            cases += LedgerBacktest.run(ledger, point: { ledgerPoint[$0.id] }, evaluate: { ledgerEvaluate.contains($0.id) }).cases
        }
        let report = BacktestReport(cases: cases)
        let seconds = Date().timeIntervalSince(start)
        switch format {
        case .csv:
            // One row per forecast, for looking into where the errors are.
            print("invoice,customer,forecast_date,due_date,actual,p10,p50,p90,level_low,level_high,pit_below,pit_up_to,method,error_days,due_error_days,due_lateness_error_days,median_days_error_days,explanation")
            for c in cases {
                let error = { (d: CivilDate?) in d.map { String($0.days(to: c.actual)) } ?? "" }
                let level = { (x: Double) in String(format: "%.4f", x) }
                let pit = c.forecast.pit(of: c.actual)
                print([c.invoice, c.customer, c.forecastDate.description, c.forecast.dueDate.description, c.actual.description,
                       c.forecast.p10.description, c.forecast.p50.description, c.forecast.p90.description,
                       level(c.forecast.intervalLevels.low), level(c.forecast.intervalLevels.high), level(pit.below), level(pit.upTo),
                       c.forecast.method.rawValue,
                       error(c.forecast.p50), error(c.baselines["due"]), error(c.baselines["due+lateness"]), error(c.baselines["median-days"]),
                       c.forecast.explanation].map(CSVWriters.field).joined(separator: ","))
            }
        case .json:
            struct Output: Encodable { var cases: Int; var seconds: Double; var scores: [MethodScore] }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(Output(cases: cases.count, seconds: (seconds * 10).rounded() / 10, scores: report.scores)), as: UTF8.self))
        default:
            print("\(plural(cases.count, "forecast")) compared with actual payments (\(String(format: "%.1f", seconds)) s)")
            let rows: [[String]] = report.scores.map { s in
                let coverage: String = s.coverage80.map { String(format: "%.0f%%", $0 * 100) } ?? "—"
                let band: String = s.bandCoverage80.map { String(format: "%.0f%%", $0 * 100) } ?? "—"
                return [s.method, String(format: "%.2f", s.meanAbsoluteError), coverage, band, String(s.cases)]
            }
            print(PositionRenderer.table(["method", "MAE_days", "inside_80%", "band_80%", "cases"], rows), terminator: "")
        }
    }
}
