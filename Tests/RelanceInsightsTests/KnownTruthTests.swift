import Foundation
import RelanceCore
import RelanceInsights
import RelanceSimulator
import Testing

/// The reports against simulated histories whose truth is known: the simulator makes 15 % of the
/// departments 2.5 times slower and 15 % of the delivery sites slow to invoice (9 to 15 days instead of 1 to 3).
@Suite struct KnownTruthTests {
    static let seeds: [UInt64] = [7, 11, 23]

    /// The three samples over the demo's eleven months, one simulation per seed, built once for the suite.
    static let portfolios: [UInt64: SimulatedPortfolio] = {
        var out: [UInt64: SimulatedPortfolio] = [:]
        for s in seeds { out[s] = try? SimulatedPortfolio(seed: s) }
        return out
    }()

    static func portfolio(_ seed: UInt64) throws -> SimulatedPortfolio { try #require(portfolios[seed], "simulation of seed \(seed) failed") }

    /// Measured on seeds 7, 11 and 23 (commit of this test): 21 of the 28 department steps adding ≥ 2 working
    /// days belong to slow departments (precision 0.75), and 21 of the 23 slow departments are among them
    /// (recall 0.91). The misses are departments alone in the portfolio at their kind of step (CHU's
    /// ordonnateur, the only `mandate`): their median *is* the portfolio's typical time, so they add nothing
    /// by this measure. The false alarms are ordinary departments whose true speed factor (log-normal, σ 0.25)
    /// is 1.4–1.6, i.e. truly slower than the rest by one or two days. Thresholds keep a margin of ~0.05.
    @Test func theBottleneckReportNamesTheDepartmentsTheSimulatorMadeSlow() throws {
        var flagged = 0, truePositives = 0, slowTotal = 0, slowFound = 0
        for seed in Self.seeds {
            let p = try Self.portfolio(seed)
            let slow = Set(p.truth.departments.filter(\.slow).map(\.department))
            let rows = BottleneckReport(period: p.period).rows(p.histories)
            let top = try #require(rows.first)
            #expect(slow.contains(top.department), "seed \(seed): the worst department \(top.department) is not one the simulator made slow")
            let named = Set(rows.filter { ($0.daysAdded ?? 0) >= 2 }.map(\.department))
            flagged += named.count
            truePositives += named.intersection(slow).count
            slowTotal += slow.count
            slowFound += slow.intersection(named).count
        }
        let precision = Double(truePositives) / Double(max(flagged, 1)), recall = Double(slowFound) / Double(max(slowTotal, 1))
        #expect(precision >= 0.7, "precision \(precision): \(truePositives) of \(flagged) named departments are slow")
        #expect(recall >= 0.85, "recall \(recall): \(slowFound) of \(slowTotal) slow departments named")
    }

    /// Measured: on every seed the k slowest sites by median delay are exactly the k sites made slow.
    @Test func theInvoicingReportNamesTheSitesTheSimulatorMadeSlowToInvoice() throws {
        for seed in Self.seeds {
            let p = try Self.portfolio(seed)
            let slow = Set(p.truth.invoicing.filter(\.slow).map(\.site))
            #expect(!slow.isEmpty)
            let rows = InvoicingReport(period: p.period).delays(p.histories)
            #expect(Set(rows.prefix(slow.count).map(\.key)) == slow, "seed \(seed)")
            // And they cost money: each slow site's days beyond the target are priced.
            #expect(rows.prefix(slow.count).allSatisfy { !$0.cost.isZero && $0.median > 2 })
        }
    }

    /// What sits at a department now is what the positions say is pending there.
    @Test func sittingNowCountsTheOpenInvoicesPendingThere() throws {
        let p = try Self.portfolio(7)
        let rows = BottleneckReport(period: p.period).rows(p.histories)
        let pending = p.histories.flatMap(\.positions).filter { !$0.closed }.flatMap { pos in
            pos.steps.filter { $0.status == .pending && $0.probabilityHere >= 0.5 }.compactMap { $0.department?.id }
        }
        #expect(rows.reduce(0) { $0 + $1.sittingNow } <= pending.count)
        #expect(rows.reduce(0) { $0 + $1.sittingNow } > 0)
    }
}
