import Foundation
import RelanceCore
import RelanceForecast
import Testing

private func day(_ s: String) -> CivilDate { CivilDate(iso: s) ?? CivilDate(dayNumber: 0) }

@Suite struct IntervalCalibrationTests {
    @Test func pitOfAnActualDayIsItsBandOfLevels() {
        // 10%, 40%, 30%, 20% on the 1st to the 4th: paid on the 3rd → levels 0.5…0.8.
        let f = PaymentForecast(invoice: "F1", asOf: day("2026-02-20"), dueDate: day("2026-03-02"),
                                distribution: DayDistribution(start: day("2026-03-01"), mass: [1, 4, 3, 2]), method: .route, explanation: "")
        let pit = f.pit(of: day("2026-03-03"))
        #expect(abs(pit.below - 0.5) < 1e-9 && abs(pit.upTo - 0.8) < 1e-9)
        // Before the law's first day: nothing below; after its last: everything.
        #expect(f.pit(of: day("2026-02-27")).upTo == 0)
        #expect(abs(f.pit(of: day("2026-03-09")).below - 1) < 1e-9)
    }

    @Test func bandShareInsideTheInterval() {
        // A point forecast that was right: its band is every level, 80% of it inside 0.1…0.9.
        #expect(abs(PIT(below: 0, upTo: 1).share(inside: 0.1, 0.9) - 0.8) < 1e-9)
        // Half of 0.5…0.9 lies inside 0.1…0.7.
        #expect(abs(PIT(below: 0.5, upTo: 0.9).share(inside: 0.1, 0.7) - 0.5) < 1e-9)
        // A payment later than the whole law: level 1, outside.
        #expect(PIT(below: 1, upTo: 1).share(inside: 0.1, 0.9) == 0)
        // A zero-width band counts whole when inside.
        #expect(PIT(below: 0.4, upTo: 0.4).share(inside: 0.1, 0.9) == 1)
    }

    @Test func calibratedPastKeepsTheLevels() {
        // 100 payments whose levels are spread evenly: the model is calibrated, levels stay 0.1 and 0.9.
        let pits = (0..<100).map { i in PIT(below: (Double(i) + 0.5) / 100, upTo: (Double(i) + 0.5) / 100) }
        let c = IntervalCalibration(pits: pits)
        #expect(abs(c.low - 0.1) < 0.011)
        #expect(abs(c.high - 0.9) < 0.011)
    }

    @Test func overconfidentPointForecastsWidenTheLevels() {
        // 36 point forecasts that were right (band 0…1) and 4 payments later than the forecast (level 1):
        // G(p) = 0.9·p below 1, so 10% of payments fall below level 0.1/0.9 = 0.111 and 10% above level 1.
        let pits = Array(repeating: PIT(below: 0, upTo: 1), count: 36) + Array(repeating: PIT(below: 1, upTo: 1), count: 4)
        let c = IntervalCalibration(pits: pits)
        // Levels are resolved on a grid of 1/4096: the four payments at level 1 sit in the top cell.
        let cell = 1 / Double(IntervalCalibration.levelGrid)
        #expect(abs(c.low - 0.1 / 0.9) < 1e-6)
        #expect(abs(c.high - 1) <= cell)
        // On that same past, the re-calibrated interval holds 80% of the bands, not 0.9 × 0.8 = 72%.
        let before = pits.map { $0.share(inside: 0.1, 0.9) }.reduce(0, +) / Double(pits.count)
        let after = pits.map { $0.share(inside: c.low, c.high) }.reduce(0, +) / Double(pits.count)
        #expect(abs(before - 0.72) < 1e-9)
        #expect(abs(after - 0.8) <= cell)
    }

    @Test func paymentsStillAwaitedAreCountedAsCensored() {
        // 200 payments whose levels are spread evenly (a calibrated model), except that every other one above
        // level 0.5 is still open today, known only to lie above 0.5. Counting the payments known alone,
        // the late ones are missing and the high level drops to about 0.85; counting the open ones as
        // censored (Kaplan–Meier), it stays near 0.9.
        var pits: [PIT] = [], open: [Double] = []
        for i in 0..<200 {
            let level = (Double(i) + 0.5) / 200
            if level > 0.5 && i % 2 == 1 { open.append(0.5) } else { pits.append(PIT(below: level, upTo: level)) }
        }
        let knownOnly = IntervalCalibration(pits: pits)
        let censored = IntervalCalibration(pits: pits, stillOpenAbove: open)
        #expect(knownOnly.high < 0.87)
        #expect(abs(censored.high - 0.9) < 0.01, "\(censored)")
        #expect(abs(censored.low - 0.1) < 0.01, "\(censored)")
    }

    @Test func tooCautiousForecastsNarrowTheLevels() {
        // Every payment fell in the middle fifth of its forecast's levels (0.4…0.6): the law is too wide.
        let pits = (0..<50).map { i in PIT(below: 0.4 + 0.2 * Double(i) / 50, upTo: 0.4 + 0.2 * Double(i) / 50) }
        let c = IntervalCalibration(pits: pits)
        #expect(c.low > 0.4 && c.low < 0.43)
        #expect(c.high > 0.57 && c.high < 0.6)
    }

    @Test func fewCasesLeaveTheLevelsAlone() {
        let pits = Array(repeating: PIT(below: 0, upTo: 0), count: IntervalCalibration.minimumCases - 1)
        let c = IntervalCalibration(pits: pits)
        #expect(c.low == 0.1 && c.high == 0.9)
    }

    @Test func applyingMovesOnlyTheIntervalEnds() {
        let f = PaymentForecast(invoice: "F1", asOf: day("2026-02-20"), dueDate: day("2026-03-02"),
                                distribution: DayDistribution(start: day("2026-03-01"), mass: [1, 4, 3, 2]), method: .route, explanation: "")
        let g = IntervalCalibration(low: 0.3, high: 0.95).apply(to: f)
        #expect(g.p50 == f.p50)
        #expect(g.p10 == day("2026-03-02"))   // level 0.3 is reached on the 2nd
        #expect(g.p90 == day("2026-03-04"))
        #expect(f.p10 == day("2026-03-01"))
    }
}
