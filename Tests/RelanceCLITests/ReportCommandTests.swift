import Foundation
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

/// `relance report kpi|bottlenecks|invoicing` on a simulated database (Métalux and CHU d'Armor, seed 7,
/// March to November 2026), built once for the suite.
@Suite struct ReportCommandTests {
    /// The folder holding `r.sqlite` and the simulation's files (a temporary folder, left for the system to
    /// clean: the suite shares it), or why it could not be built.
    static let fixture: Result<Folder, any Error> = Result {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("relance-report-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let r = try run(["simulate", "--org", Repo.sample("metalux"), "--org", Repo.sample("chu-armor"), "--from", "2026-03-02",
                         "--as-of", "2026-11-27", "--seed", "7", "--out", "sim", "--db", "r.sqlite"], cwd: url, timeout: 300)
        guard r.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "simulate failed: \(r)"]) }
        return Folder(url: url)
    }

    struct Folder: Sendable {
        let url: URL
        func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    }

    func report(_ args: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> RunResult {
        let folder = try Self.fixture.get()
        return try run(["report"] + args + ["--db", "r.sqlite", "--as-of", "2026-11-27"], cwd: folder.url, sourceLocation: sourceLocation)
    }

    func json(_ r: RunResult) throws -> Any { try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) }

    // MARK: kpi

    @Test func kpiTextHasOneLinePerCustomerAndTheAgeing() throws {
        let r = try report("kpi")
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.hasPrefix("KPIs by customer, 2025-11-28 to 2026-11-27 (365 days), as of 2026-11-27\n"), "\(r)")
        #expect(r.stdout.contains("CHU d'Armor (chu-armor)") && r.stdout.contains("Groupe Métalux (metalux)"), "\(r)")
        #expect(r.stdout.contains("Open at 2026-11-27 by days past due (EUR)"), "\(r)")
    }

    @Test func kpiJSONAddsUpAndAgreesWithThePortfolio() throws {
        let byCustomer = try #require(try json(try report("kpi", "--format", "json", "--from", "2026-09-01")) as? [[String: Any]])
        #expect(byCustomer.map { $0["key"] as? String } == ["chu-armor", "metalux"])
        let portfolio = try #require(try json(try report("kpi", "--by", "portfolio", "--format", "json", "--from", "2026-09-01")) as? [[String: Any]])
        #expect(portfolio.count == 1)
        func cents(_ row: [String: Any], _ key: String) -> Int64 {
            // JSON numbers come back as doubles: round to the cent.
            (row[key] as? NSNumber).map { Int64(($0.doubleValue * 100).rounded()) } ?? -1
        }
        for row in byCustomer + portfolio {
            let buckets = ["not_due", "days_1_30", "days_31_60", "days_61_90", "days_over_90"].map { cents(row, $0) }
            #expect(buckets.allSatisfy { $0 >= 0 })
            #expect(buckets.reduce(0, +) == cents(row, "open"))
            #expect(buckets.dropFirst().reduce(0, +) == cents(row, "overdue"))
        }
        let p = try #require(portfolio.first)
        for key in ["open", "overdue", "net_sales"] {
            #expect(byCustomer.reduce(0) { $0 + cents($1, key) } == cents(p, key), "\(key)")
        }
        #expect(byCustomer.reduce(0) { $0 + ($1["due"] as? Int ?? 0) } == p["due"] as? Int)
        #expect((p["dso_count_back"] as? NSNumber).map { $0.doubleValue > 0 } == true)
    }

    @Test func kpiCSVHasTheDocumentedColumns() throws {
        let r = try report("kpi", "--format", "csv", "--by", "entity")
        #expect(r.status == 0, "\(r)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let header = "key,name,currency,invoices,net_sales,open,overdue,not_due,days_1_30,days_31_60,days_61_90,days_over_90,"
            + "dso_count_back,dso_standard,settled,avg_days_late,weighted_days_late,cei_percent,due,paid_by_due,paid_by_due_percent"
        #expect(lines.first == header)
        // One line per entity invoiced: the two customers' paying entities.
        let keys = Set(lines.dropFirst().compactMap { $0.split(separator: ",").first.map(String.init) })
        #expect(keys == ["chu", "mtx-industrie"] && lines.count == 3, "\(r)")
    }

    @Test func kpiWritesTheAgeingChart() throws {
        let folder = try Self.fixture.get()
        let r = try report("kpi", "--svg", "charts-kpi")
        #expect(r.status == 0, "\(r)")
        #expect(r.stderr.contains("chart written to"), "\(r)")
        let svg = try String(contentsOfFile: folder.path("charts-kpi/ageing.svg"), encoding: .utf8)
        #expect(XMLParser(data: Data(svg.utf8)).parse())
        #expect(svg.components(separatedBy: "<rect class=\"bar").count - 1 == 5)
    }

    // MARK: bottlenecks

    @Test func bottlenecksTextRanksDepartmentsAndExplainsStructures() throws {
        let r = try report("bottlenecks", "--limit", "5")
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.hasPrefix("Bottlenecks, steps started 2025-11-28 to 2026-11-27, as of 2026-11-27: "), "\(r)")
        #expect(r.stdout.contains("Customer structures, the costliest first"), "\(r)")
        #expect(r.stdout.contains("payment runs of "), "\(r)")
        let ranks = r.stdout.split(separator: "\n").filter { $0.first?.isNumber == true }
        #expect(ranks.count == 5, "\(r)")
    }

    @Test func bottlenecksJSONIsSortedByTheDaysAdded() throws {
        let r = try report("bottlenecks", "--format", "json", "--limit", "0", "--svg", "charts-b")
        #expect(r.status == 0, "\(r)")
        let object = try #require(try json(r) as? [String: Any])
        let departments = try #require(object["departments"] as? [[String: Any]])
        let structures = try #require(object["structures"] as? [[String: Any]])
        #expect(Set(structures.compactMap { $0["customer"] as? String }) == ["chu-armor", "metalux"])
        let ranked = departments.compactMap { ($0["days_added"] as? NSNumber)?.intValue }
        #expect(!ranked.isEmpty)
        #expect(ranked == ranked.sorted(by: >))
        let folder = try Self.fixture.get()
        let svg = try String(contentsOfFile: folder.path("charts-b/bottlenecks.svg"), encoding: .utf8)
        #expect(XMLParser(data: Data(svg.utf8)).parse())
        #expect(svg.components(separatedBy: "<rect class=\"bar").count - 1 == min(15, ranked.count))
    }

    // MARK: invoicing

    @Test func invoicingNamesTheSitesTheSimulatorMadeSlow() throws {
        let folder = try Self.fixture.get()
        let truth = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.url.appendingPathComponent("sim/truth.json"))) as? [String: Any])
        let slow = Set(((truth["invoicing"] as? [[String: Any]]) ?? []).filter { $0["slow"] as? Bool == true }.compactMap { $0["site"] as? String })
        let r = try report("invoicing", "--format", "csv")
        #expect(r.status == 0, "\(r)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.first == "site,name,invoices,median_days,p90_days,mean_days,excess_days,currency,late_amount,cost")
        let firstSites = lines.dropFirst().prefix(slow.count).map { String($0.split(separator: ",")[0]) }
        #expect(Set(firstSites) == slow, "\(r)")
    }

    @Test func invoicingTextListsTheIssuesAndItsJSONHasThem() throws {
        let text = try report("invoicing", "--by", "sales-rep")
        #expect(text.status == 0, "\(text)")
        #expect(text.stdout.contains("Sent to an address that does not process invoices: "), "\(text)")
        #expect(text.stdout.contains("Missing the purchase-order number the customer requires: "), "\(text)")
        let object = try #require(try json(try report("invoicing", "--format", "json")) as? [String: Any])
        #expect(object["issues"] is [Any] && object["delays"] is [Any])
    }

    // MARK: errors

    @Test(arguments: [
        (["kpi", "--to", "2026-12-31"], "is after the as-of day"),
        (["kpi", "--from", "2026-11-28"], "is after --to"),
        (["bottlenecks", "--format", "dot"], "The value 'dot' is invalid for '--format <format>'"),
        (["invoicing", "--from", "2026-13-01"], "--from '2026-13-01' is not a date"),
        (["kpi", "--customer", "nobody"], "no customer matches 'nobody'"),
        (["invoicing", "--rate", "-1"], "--rate"),
    ])
    func badOptionsAreRefusedClearly(_ args: [String], _ message: String) throws {
        let folder = try Self.fixture.get()
        let r = try run(["report"] + args + ["--db", "r.sqlite", "--as-of", "2026-11-27"], cwd: folder.url)
        #expect(r.status != 0, "\(r)")
        #expect(r.stderr.contains(message), "\(r)")
        #expect(r.stdout.isEmpty, "\(r)")
    }
}
