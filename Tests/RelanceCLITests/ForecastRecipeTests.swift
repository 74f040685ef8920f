import Foundation
import Testing

/// The documented recipe (docs/forecasting.md): the public receivables sample imported as a new user
/// imports a ledger, then backtested at the invoice date from 2013-07-12.
@Suite struct ForecastRecipeTests {
    static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../shared/data/ibm-ar/accounts-receivable.csv").standardized

    @Test(.enabled(if: FileManager.default.fileExists(atPath: sample.path), "shared/data/ibm-ar is not beside the repository"))
    func ibmLedgerRecipe() throws {
        let tmp = try TemporaryFolder()
        let run = { (args: [String]) throws -> RunResult in try RelanceCLITests.run(args, cwd: tmp.url, timeout: 600) }
        #expect(try run(["init", "--db", "ibm.sqlite"]).status == 0)
        let imported = try run(["import", "ledger", Self.sample.path, "--db", "ibm.sqlite", "--date-format", "mdy", "--currency", "USD",
                                "--map", "customer=customerID", "--map", "invoice=invoiceNumber", "--map", "issue_date=InvoiceDate",
                                "--map", "due_date=DueDate", "--map", "amount=InvoiceAmount", "--map", "paid_date=SettledDate",
                                "--map", "channel=PaperlessBill", "--map", "disputed=Disputed"])
        #expect(imported.status == 0, "\(imported)")
        #expect(imported.stdout.contains("100 new customers, invoices 2466 added"))
        let bt = try run(["backtest", "--db", "ibm.sqlite", "--at", "issue", "--from", "2013-07-12", "--format", "json"])
        #expect(bt.status == 0, "\(bt)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(bt.stdout.utf8)) as? [String: Any])
        #expect(json["cases"] as? Int == 500)
        let scores = try #require(json["scores"] as? [[String: Any]])
        let by = Dictionary(uniqueKeysWithValues: scores.compactMap { s in (s["method"] as? String).map { ($0, s) } })
        let relance = try #require(by["relance"])
        let mae = try #require(relance["meanAbsoluteError"] as? Double)
        let coverage = try #require(relance["coverage80"] as? Double)
        // The target (at most 4.0 days); measured 3.992 days and 81% (docs/forecasting.md); the
        // reference per-customer mean gives 6.7.
        #expect(mae <= 4.0, "MAE \(mae)")
        #expect((0.75...0.85).contains(coverage), "coverage \(coverage)")
        for baseline in ["due", "due+lateness", "median-days"] {
            let b = try #require(by[baseline]?["meanAbsoluteError"] as? Double)
            #expect(mae < b, "\(baseline) \(b)")
        }
    }

    /// The simulated multi-site history of the demo (three sample customers, seed 7), forecast 10 days before
    /// each due date from 2026-03-01 (docs/forecasting.md): the targets are an error at most half
    /// that of the due date plus the customer's average lateness, and an 80% interval holding 75–85% of the
    /// payments. Whole-day forecasts are counted by their band of levels (`band_80%`, docs/forecasting.md §3).
    @Test func simulatedHistoryBeforeTheDueDate() throws {
        let tmp = try TemporaryFolder()
        let run = { (args: [String]) throws -> RunResult in try RelanceCLITests.run(args, cwd: tmp.url, timeout: 600) }
        #expect(try run(["demo"]).status == 0)
        let bt = try run(["backtest", "--db", "relance-demo.sqlite", "--at", "before-due", "--days", "10", "--from", "2026-03-01", "--format", "json"])
        #expect(bt.status == 0, "\(bt)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(bt.stdout.utf8)) as? [String: Any])
        let scores = try #require(json["scores"] as? [[String: Any]])
        let by = Dictionary(uniqueKeysWithValues: scores.compactMap { s in (s["method"] as? String).map { ($0, s) } })
        let mae = try #require(by["relance"]?["meanAbsoluteError"] as? Double)
        let band = try #require(by["relance"]?["bandCoverage80"] as? Double)
        let lateness = try #require(by["due+lateness"]?["meanAbsoluteError"] as? Double)
        #expect(mae <= 0.5 * lateness, "MAE \(mae) against \(lateness)")
        #expect((0.75...0.85).contains(band), "band coverage \(band)")
    }
}
