import ArgumentParser
import Foundation
import RelanceCore
import RelancePlan
import RelanceRender
import RelanceStore

/// `relance report`: reports over the portfolio (this branch adds `cost`).
struct CostReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cost",
        abstract: "The cost of follow-up against its gain, per customer.",
        discussion: """
            Effort: the calls, letters and visits of the follow-up log at the policy's unit costs. Gain: for each \
            invoice followed up and paid, the days it was paid before the median date forecast at its first \
            follow-up × its amount × the financing rate / 365. docs/agenda.md has a worked example.

            Example: relance report cost --from 2026-11-01 --to 2026-11-30
            """)

    @OptionGroup var db: DatabaseOptions
    @Option(help: ArgumentHelp("First day (default: 90 days before --to).", valueName: "date")) var from: CivilDate?
    @Option(help: ArgumentHelp("Last day (default: today).", valueName: "date")) var to: CivilDate?
    @Option(help: "Only this customer.") var customer: String?

    func run() throws {
        let store = try db.open()
        let end = to ?? .today(), start = from ?? end.adding(days: -90)
        guard start <= end else { throw ValidationError("--from \(start) is after --to \(end)") }
        let group = try customer.map { try store.resolveCustomer($0) }
        let log = try store.followUps(group: group, through: end)
        let ids = Set(log.flatMap(\.invoices))
        var invoices: [String: Invoice] = [:]
        for i in try store.invoices(group: group) where ids.contains(i.id) { invoices[i.id] = i }
        let names = Dictionary(try store.groups().map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        let lines = CostReport.compute(log: log, invoices: invoices, policies: try followUpPolicies(in: store), names: names, from: start, to: end)
        print("Follow-up cost against its gain, \(start) to \(end)")
        guard !lines.isEmpty else {
            print("  nothing in the follow-up log for this period: log calls with 'relance log', letters with 'relance letters'")
            return
        }
        let rows = lines.map { l in
            [l.customer, String(l.calls), String(l.letters), String(l.visits), l.effort.description, String(l.invoicesPaid), String(l.daysGained),
             l.saved.description, l.net.description]
        }
        print(PositionRenderer.table(["customer", "calls", "letters", "visits", "effort", "paid", "days_gained", "saved", "net"], rows), terminator: "")
    }
}
