import Foundation
import RelanceCore
import RelanceForecast
import Testing

/// The public receivables sample (shared/data/ibm-ar), when it is beside the repository.
enum IBMSample {
    static let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../shared/data/ibm-ar/accounts-receivable.csv").standardized
    static var available: Bool { FileManager.default.fileExists(atPath: url.path) }

    /// The ledger as LedgerInvoices, parsed directly (the CLI recipe goes through `relance import ledger`).
    static func invoices() throws -> [LedgerInvoice] {
        let text = try String(contentsOf: url, encoding: .utf8)
        var result: [LedgerInvoice] = []
        for line in text.split(whereSeparator: \.isNewline).dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            func day(_ s: String) throws -> CivilDate {
                let p = s.split(separator: "/").compactMap { Int($0) }
                return try #require(p.count == 3 ? CivilDate(year: p[2], month: p[0], day: p[1]) : nil)
            }
            let issue = try day(f[4])
            result.append(LedgerInvoice(id: f[3], customer: f[1], issueDate: issue, dueDate: try day(f[5]), channel: f[9].lowercased(),
                                        settledOn: try day(f[8]), disputedFrom: f[7] == "Yes" ? issue : nil))
        }
        return result
    }
}

@Suite struct LedgerModelTests {
    @Test(.enabled(if: IBMSample.available, "shared/data/ibm-ar is not beside the repository"))
    func ibmProtocolAtInvoiceDate() throws {
        let invoices = try IBMSample.invoices()
        #expect(invoices.count == 2466)
        let from = try #require(CivilDate(year: 2013, month: 7, day: 12))
        let report = LedgerBacktest.run(invoices, point: { $0.issueDate }, evaluate: { $0.issueDate >= from })
        #expect(report.cases.count == 500)
        let scores = Dictionary(uniqueKeysWithValues: report.scores.map { ($0.method, $0) })
        let relance = try #require(scores["relance"])
        print("IBM at invoice date: relance MAE \(relance.meanAbsoluteError), coverage \(relance.coverage80 ?? -1); "
              + report.scores.map { "\($0.method) \($0.meanAbsoluteError)" }.joined(separator: ", "))
        #expect(relance.meanAbsoluteError < (scores["median-days"]?.meanAbsoluteError ?? 0))
    }
}
