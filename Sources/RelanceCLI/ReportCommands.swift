import ArgumentParser
import Foundation
import RelanceCore
import RelanceInsights
import RelanceRender
import RelanceStore

/// `relance report kpi|bottlenecks|invoicing`: where cash is stuck, and why.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Portfolio reports: KPIs, bottlenecks inside customers, our own invoicing, the cost of follow-up.",
        discussion: """
            Every report covers a period (--from, --to; by default the 365 days up to the as-of day) and can be \
            written as text, JSON or CSV; --svg DIR also draws its chart. Formulas: docs/kpis.md.

            Examples:
              relance report kpi --as-of 2026-11-27 --by customer
              relance report bottlenecks --as-of 2026-11-27 --svg charts
              relance report invoicing --as-of 2026-11-27 --by sales-rep --format csv
            """,
        // One entry per report; keep it a plain list so that new reports are one line each.
        subcommands: [
            KPIReportCommand.self,
            BottlenecksReportCommand.self,
            InvoicingReportCommand.self,
            CostReportCommand.self,
        ]
    )
}

/// What every report takes: the database, the as-of day, the period, one customer, the format, the charts folder.
struct ReportOptions: ParsableArguments {
    @OptionGroup var db: DatabaseOptions
    @OptionGroup var asOf: AsOfOption
    @Option(help: ArgumentHelp("First day of the period (YYYY-MM-DD); default 364 days before --to.", valueName: "date"))
    var from: String?
    @Option(help: ArgumentHelp("Last day of the period (YYYY-MM-DD), not after --as-of; default the as-of day.", valueName: "date"))
    var to: String?
    @Option(help: "Only this customer (group id or name, entity id or SIREN).") var customer: String?
    @Option(help: "text, json or csv.") var format: ReportFormat = .text
    @Option(help: ArgumentHelp("Also write the report's chart as SVG into this folder (created if needed).", valueName: "dir"))
    var svg: String?

    func day(_ text: String, _ option: String) throws -> CivilDate {
        guard let d = CivilDate(iso: text), (2000...2100).contains(d.year) else {
            throw ValidationError("--\(option) '\(text)' is not a date YYYY-MM-DD between 2000 and 2100")
        }
        return d
    }

    /// The as-of day and the period.
    func dates() throws -> (asOf: CivilDate, period: ReportPeriod) {
        let asOf = try asOf.date()
        let to = try to.map { try day($0, "to") } ?? asOf
        guard to <= asOf else { throw ValidationError("--to \(to) is after the as-of day \(asOf): the future is not known yet") }
        let from = try from.map { try day($0, "from") } ?? to.adding(days: -364)
        guard let period = ReportPeriod(from: from, to: to) else { throw ValidationError("--from \(from) is after --to \(to)") }
        return (asOf, period)
    }

    /// The customers' histories as of the day: organisations, invoices and credit notes issued by then with
    /// the payments known then, and (when `positions`) each invoice's position, with the learned dwell model.
    func histories(_ store: Store, asOf: CivilDate, positions: Bool) throws -> [CustomerHistory] {
        let groups = try customer.map { [try store.resolveCustomer($0)] } ?? store.groups().map(\.id)
        return try groups.compactMap { g in
            if positions {
                return try store.book(group: g, asOf: asOf).map { CustomerHistory(graph: $0.graph, invoices: $0.invoices, positions: $0.positions) }
            }
            guard let graph = try store.graph(g) else { return nil }
            let invoices = try store.invoices(group: g).filter { $0.issueDate <= asOf }.map { $0.known(on: asOf) }
            return CustomerHistory(graph: graph, invoices: invoices)
        }
    }

    /// Writes a chart into the --svg folder, if one was given, and says so on standard error.
    func chart(_ chart: BarChart, named name: String) throws {
        guard let svg else { return }
        try FileManager.default.createDirectory(atPath: svg, withIntermediateDirectories: true)
        let path = URL(fileURLWithPath: svg).appendingPathComponent(name).path
        try Charts.svg(chart).write(toFile: path, atomically: true, encoding: .utf8)
        FileHandle.standardError.write(Data("chart written to \(path)\n".utf8))
    }
}

/// What reports are written as.
enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, csv
}

extension KPIGrouping: ExpressibleByArgument {}
extension InvoicingGrouping: ExpressibleByArgument {}

func days(_ x: Double?) -> ReportCell { .number(x, decimals: 1) }

struct KPIReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kpi",
        abstract: "DSO, ageing, days late, collection effectiveness and on-time share per customer, entity, sales rep or portfolio.")

    @OptionGroup var options: ReportOptions
    @Option(help: "customer, entity, sales-rep or portfolio.") var by: KPIGrouping = .customer

    func run() throws {
        let (asOf, period) = try options.dates()
        let histories = try options.histories(try options.db.open(), asOf: asOf, positions: false)
        let rows = KPIReport(period: period, grouping: by).rows(histories)
        let columns = ["key", "name", "currency", "invoices", "net_sales", "open", "overdue"]
            + ["not_due", "days_1_30", "days_31_60", "days_61_90", "days_over_90"]
            + ["dso_count_back", "dso_standard", "settled", "avg_days_late", "weighted_days_late", "cei_percent", "due", "paid_by_due", "paid_by_due_percent"]
        let table = ReportTable(columns: columns, rows: rows.map { r in
            [.text(r.key), .text(r.label), .text(r.currency), .int(r.invoicesIssued), .money(r.netSales), .money(r.open), .money(r.overdue)]
                + r.ageing.amounts.map { ReportCell.money($0) }
                + [days(r.dsoCountBack), days(r.dsoStandard), .int(r.settled), days(r.averageDaysLate), days(r.weightedDaysLate),
                   days(r.collectionEffectiveness), .int(r.due), .int(r.paidByDue), days(r.shareOnTime.map { $0 * 100 })]
        })
        if options.format == .text {
            let kpis = ReportTable(columns: [by.rawValue, "open", "overdue", "DSO count-back", "DSO standard", "days late (avg/wtd)", "CEI", "paid by due"], rows: rows.map { r in
                [.text("\(r.label) (\(r.key))"), .text(r.open.description), .text(r.overdue.description), days(r.dsoCountBack), days(r.dsoStandard),
                 .text(days(r.averageDaysLate).text + " / " + days(r.weightedDaysLate).text + " (\(r.settled) paid)"),
                 .text(days(r.collectionEffectiveness).text + " %"),
                 .text(days(r.shareOnTime.map { $0 * 100 }).text + " % of \(r.due)")]
            })
            let ageing = ReportTable(columns: [by.rawValue] + AgeingBuckets.labels, rows: rows.map { r in
                [.text("\(r.label) (\(r.key))")] + r.ageing.amounts.map { ReportCell.money($0) }
            })
            print("KPIs by \(by.rawValue), \(period) (\(period.days) days), as of \(asOf)\n")
            print(kpis.text())
            print("Open at \(period.to) by days past due (\(rows.first?.currency ?? "EUR"))")
            print(ageing.text(), terminator: "")
        } else {
            print(options.format == .csv ? table.csv() : try jsonText(table.objects()), terminator: "")
        }
        // The chart: the rows of the first currency, added up.
        if let currency = rows.first?.currency {
            var total = AgeingBuckets(currency: currency)
            for r in rows where r.currency == currency {
                total.amounts = zip(total.amounts, r.ageing.amounts).map { $0 + $1 }
            }
            try options.chart(Charts.ageing(title: "Receivables by age at \(period.to)", labels: AgeingBuckets.labels.map { $0 == "not due" ? $0 : "\($0) days" },
                                            amounts: total.amounts), named: "ageing.svg")
        }
    }
}

struct BottlenecksReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bottlenecks",
        abstract: "Where invoices wait inside customers: departments ranked by the working days they add, and the costliest structures.",
        discussion: """
            For each department and kind of step: the dwell-time median and 90th percentile (Kaplan–Meier, in \
            working days, unfinished steps included), the trend (last 13 weeks against the 13 before), the open \
            invoices sitting there now, and the working days it adds against the portfolio's median for that \
            kind of step. Then each customer's structure: route length, hand-offs, slow departments, payment runs.
            """)

    @OptionGroup var options: ReportOptions
    @Option(help: "At most this many department rows (0: all).") var limit = 20
    @Option(help: "Working days added from which a department is called a bottleneck.") var minDays = 2

    func run() throws {
        let (asOf, period) = try options.dates()
        let histories = try options.histories(try options.db.open(), asOf: asOf, positions: true)
        let report = BottleneckReport(period: period)
        let all = report.rows(histories)
        let rows = limit > 0 ? Array(all.prefix(limit)) : all
        let structures = report.structures(histories, rows: all)
        let columns = ["rank", "department", "name", "site", "customer", "step", "observed", "unfinished", "median", "p90", "typical", "days_added",
                       "bottleneck", "previous_median", "recent_median", "trend", "sitting_now", "currency", "sitting_amount"]
        let currency = histories.mainCurrency
        let table = ReportTable(columns: columns, rows: rows.enumerated().map { i, r in
            [.int(i + 1), .text(r.department), .text(r.departmentName), .text(r.site), .text(r.group), .text(r.action.rawValue),
             .int(r.completed), .int(r.censored), .number(r.median.map(Double.init), decimals: 0), .number(r.p90.map(Double.init), decimals: 0),
             .number(r.typical.map(Double.init), decimals: 0), .number(r.daysAdded.map(Double.init), decimals: 0),
             .text((r.daysAdded ?? 0) >= minDays ? "yes" : "no"),
             .number(r.previousMedian.map(Double.init), decimals: 0), .number(r.recentMedian.map(Double.init), decimals: 0), .text(r.trend.rawValue),
             .int(r.sittingNow), .text(currency), .amounts(r.sittingAmount, currency: currency)]
        })
        switch options.format {
        case .text:
            let flagged = all.filter { ($0.daysAdded ?? 0) >= minDays }.count
            print("Bottlenecks, steps started \(period), as of \(asOf): \(plural(flagged, "department step")) adding \(minDays) working days or more\n")
            let short = ReportTable(columns: ["#", "department", "step", "median", "P90", "typical", "adds", "trend (prev → recent)", "now"],
                                    rows: rows.enumerated().map { i, r in
                [.int(i + 1), .text("\(r.departmentName) (\(r.department))"), .text(r.action.rawValue),
                 .text(r.median.map { "\($0) d" } ?? "-"), .text(r.p90.map { "\($0) d" } ?? "-"), .text(r.typical.map { "\($0) d" } ?? "-"),
                 .text(r.daysAdded.map { ($0 > 0 ? "+" : "") + "\($0) d" } ?? "few data (\(r.completed))"),
                 .text("\(r.trend.rawValue) (\(r.previousMedian.map(String.init) ?? "-") → \(r.recentMedian.map(String.init) ?? "-"))"),
                 .text(r.sittingNow == 0 ? "-" : "\(r.sittingNow) · \(r.sittingAmount)")]
            })
            print(short.text())
            print("Customer structures, the costliest first (working days added to an invoice's critical path)")
            for s in structures {
                print(String(format: "%@ (%@): %+.1f working days · %d invoices · %.1f steps, %.1f hand-offs, %.1f departments, %.1f sites · %.1f payment runs a month",
                             s.name, s.group, s.daysAdded, s.invoices, s.steps, s.handOffs, s.departments, s.sites, s.runsPerMonth))
                for e in s.evidence.prefix(6) { print("  - \(e)") }
            }
        case .csv:
            print(table.csv(), terminator: "")
        case .json:
            let structureObjects: [[String: Any]] = structures.map { s in
                ["customer": s.group, "name": s.name, "invoices": s.invoices, "days_added": days(s.daysAdded).json, "steps": days(s.steps).json,
                 "hand_offs": days(s.handOffs).json, "departments": days(s.departments).json, "sites": days(s.sites).json,
                 "entities": days(s.entities).json, "run_wait": days(s.runWait).json, "runs_per_month": days(s.runsPerMonth).json,
                 "evidence": s.evidence]
            }
            print(try jsonText(["period": ["from": period.from.description, "to": period.to.description], "as_of": asOf.description,
                                "departments": table.objects(), "structures": structureObjects]), terminator: "")
        }
        let charted = rows.filter(\.ranked).prefix(15).compactMap { r in
            r.median.map { (label: "\(r.department) · \(r.action.rawValue)", median: $0, p90: r.p90, slow: (r.daysAdded ?? 0) >= minDays) }
        }
        try options.chart(Charts.dwell(title: "Where invoices wait: the slowest department steps", rows: charted), named: "bottlenecks.svg")
    }
}

struct InvoicingReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoicing",
        abstract: "Our own side: days from delivery to invoice and what they cost; invoices sent to the wrong address or without a required PO.")

    @OptionGroup var options: ReportOptions
    @Option(help: "site, sales-rep or customer.") var by: InvoicingGrouping = .site
    @Option(help: "Calendar days from delivery within which invoicing is on time.") var targetDays = 2
    @Option(help: "Annual financing rate, in percent, that prices the days lost.") var rate = 4.0
    @Option(help: "At most this many rows and issues listed (0: all).") var limit = 20

    func run() throws {
        guard targetDays >= 0 else { throw ValidationError("--target-days is 0 or more") }
        guard (0...100).contains(rate) else { throw ValidationError("--rate is a percentage between 0 and 100") }
        let (asOf, period) = try options.dates()
        let histories = try options.histories(try options.db.open(), asOf: asOf, positions: false)
        let report = InvoicingReport(period: period, grouping: by, targetDays: targetDays, rateBasisPoints: Int64((rate * 100).rounded()))
        let all = report.delays(histories)
        let rows = limit > 0 ? Array(all.prefix(limit)) : all
        let issues = report.issues(histories)
        let currency = histories.mainCurrency
        let table = ReportTable(columns: [by.rawValue, "name", "invoices", "median_days", "p90_days", "mean_days", "excess_days", "currency",
                                          "late_amount", "cost"],
                                rows: rows.map { r in
            [.text(r.key), .text(r.label), .int(r.invoices), .int(r.median), .int(r.p90), days(r.mean), .int(r.excessDays), .text(currency),
             .amounts(r.lateAmount, currency: currency), .amounts(r.cost, currency: currency)]
        })
        let issueColumns = ["issue", "invoice", "customer", "entity", "issued", "currency", "amount", "detail"]
        func issueRows(_ list: [InvoicingIssue]) -> [[ReportCell]] {
            list.map { i in
                [.text(i.kind.rawValue), .text(i.invoice.id), .text(i.group), .text(i.invoice.entity), .text(i.invoice.issueDate.description),
                 .text(i.invoice.amount.currency), .money(i.invoice.amount), .text(i.detail)]
            }
        }
        switch options.format {
        case .text:
            var cost = Amounts()
            for r in all { for m in r.cost.values { cost.add(m) } }
            print("Delivery to invoice by \(by.rawValue), invoices issued \(period), as of \(asOf): target \(targetDays) days, "
                  + "money at \(String(format: "%.1f", rate)) % a year; the days beyond the target cost \(cost)\n")
            print(table.text())
            let shown = limit > 0 ? Array(issues.prefix(limit)) : issues
            for kind in [InvoicingIssue.Kind.addressNotProcessing, .notInvoiceAddress, .missingPurchaseOrder] {
                let these = issues.filter { $0.kind == kind }
                var amount = Amounts()
                for i in these { amount.add(i.invoice.amount) }
                let title: String
                switch kind {
                case .addressNotProcessing: title = "Sent to an address that does not process invoices"
                case .notInvoiceAddress: title = "Sent elsewhere than the entity's invoice address"
                case .missingPurchaseOrder: title = "Missing the purchase-order number the customer requires"
                }
                print("\(title): \(plural(these.count, "invoice")), \(amount)")
                let listed = shown.filter { $0.kind == kind }
                if !listed.isEmpty {
                    print(ReportTable(columns: Array(issueColumns.dropFirst()), rows: issueRows(listed).map { Array($0.dropFirst()) }).text())
                }
            }
        case .csv:
            print(table.csv(), terminator: "")
        case .json:
            print(try jsonText(["period": ["from": period.from.description, "to": period.to.description], "as_of": asOf.description,
                                "delays": table.objects(), "issues": ReportTable(columns: issueColumns, rows: issueRows(issues)).objects()]), terminator: "")
        }
        try options.chart(Charts.invoicingDelay(title: "Days from delivery to invoice, by \(by.rawValue)", targetDays: targetDays,
                                                rows: rows.prefix(15).map { ("\($0.label)", $0.median, $0.p90) }), named: "invoicing-delay.svg")
    }
}
