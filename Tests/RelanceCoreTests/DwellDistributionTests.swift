import Foundation
import RelanceCore
import Testing

private func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-9) -> Bool { abs(a - b) <= tolerance }

@Suite struct DwellDistributionTests {
    // MARK: Construction

    @Test func massIsNormalisedAndTheNegligibleTailTrimmed() {
        let d = DwellDistribution(mass: [1, 1, 2, 0, 0, 1e-12])
        #expect(d.mass.count == 3)
        #expect(close(d.mass.reduce(0, +), 1))
        #expect(close(d.mass[2], 0.5) && close(d.mass[0], 0.25))
        #expect(DwellDistribution(mass: []).mass == [1])
        #expect(DwellDistribution(mass: [0, 0]).mass == [1])
        // Beyond the horizon, everything sits in the last bin.
        var long = Array(repeating: 0.0, count: DwellDistribution.horizon + 11)
        long[DwellDistribution.horizon + 5] = 1
        #expect(DwellDistribution(mass: long).mass.count == DwellDistribution.horizon + 1)
        #expect(close(DwellDistribution(mass: long).cdf(DwellDistribution.horizon - 1), 0))
    }

    @Test func aPointIsExactlyThatManyDays() {
        let p = DwellDistribution.point(4)
        #expect(p.cdf(3) == 0 && p.cdf(4) == 1)
        #expect(p.median == 4 && p.mean == 4 && p.quantile(0.01) == 4 && p.quantile(1) == 4)
        #expect(DwellDistribution.point(-3) == .point(0))
        #expect(DwellDistribution.point(10_000) == .point(DwellDistribution.horizon))
    }

    // MARK: Log-normal

    @Test(arguments: [1.0, 2, 3, 5, 8, 10, 20, 40])
    func theLogNormalMedianMatches(median: Double) {
        let d = DwellDistribution.logNormal(median: median)
        #expect(d.median == Int(median), "median \(median) gives \(d.median)")
        #expect(close(d.mass.reduce(0, +), 1))
        // P90 ≈ median × e^(1.2816 × 0.6) ≈ 2.16 × median (within the rounding to whole days).
        let p90 = Double(d.quantile(0.9))
        #expect(abs(p90 - median * 2.157) <= 1.0, "P90 \(p90) for median \(median)")
    }

    @Test func aWiderSpreadHasALongerTail() {
        let narrow = DwellDistribution.logNormal(median: 5, sigma: 0.3), wide = DwellDistribution.logNormal(median: 5, sigma: 1.0)
        #expect(narrow.median == 5 && wide.median == 5)
        #expect(wide.quantile(0.9) > narrow.quantile(0.9))
        #expect(wide.quantile(0.1) < narrow.quantile(0.1))
        #expect(DwellDistribution.logNormal(median: 0) == .point(0))
    }

    @Test(arguments: [0.5, 2.0, 7.0, 30.0])
    func theCDFIsMonotoneFromZeroToOne(median: Double) {
        let d = DwellDistribution.logNormal(median: median)
        #expect(d.cdf(-1) == 0)
        var previous = 0.0
        for day in 0...(DwellDistribution.horizon + 5) {
            let c = d.cdf(day)
            #expect(c >= previous - 1e-12 && c <= 1 + 1e-12, "day \(day)")
            previous = c
        }
        #expect(close(previous, 1))
    }

    @Test(arguments: [0.05, 0.25, 0.5, 0.75, 0.9, 0.99])
    func theQuantileIsTheSmallestDayReachingTheProbability(p: Double) {
        let d = DwellDistribution.logNormal(median: 6, sigma: 0.8)
        let q = d.quantile(p)
        #expect(d.cdf(q) >= p - 1e-12)
        #expect(q == 0 || d.cdf(q - 1) < p)
    }

    @Test func quantilesOfAHandMadeLaw() {
        // P(0) = 0.1, P(1) = 0.4, P(2) = 0.3, P(3) = 0.2.
        let d = DwellDistribution(mass: [0.1, 0.4, 0.3, 0.2])
        #expect(d.quantile(0.05) == 0 && d.quantile(0.1) == 0 && d.quantile(0.11) == 1 && d.quantile(0.5) == 1)
        #expect(d.quantile(0.51) == 2 && d.quantile(0.8) == 2 && d.quantile(0.81) == 3 && d.quantile(1) == 3)
        #expect(close(d.mean, 0.4 + 0.6 + 0.6))
        #expect(close(d.cdf(1), 0.5) && close(d.cdf(2), 0.8) && d.cdf(50) == d.cdf(3))
    }

    // MARK: Sums and maxima

    @Test func addingTwoPointsGivesThePointOfTheSum() {
        #expect(DwellDistribution.point(3).adding(.point(4)) == .point(7))
        #expect(DwellDistribution.point(0).adding(.point(9)) == .point(9))
        // Capped at the horizon.
        #expect(DwellDistribution.point(100).adding(.point(100)) == .point(DwellDistribution.horizon))
    }

    @Test func addingConvolves() {
        // {0: ½, 1: ½} + {0: ½, 2: ½} = {0: ¼, 1: ¼, 2: ¼, 3: ¼}.
        let a = DwellDistribution(mass: [0.5, 0.5]), b = DwellDistribution(mass: [0.5, 0, 0.5])
        let sum = a.adding(b)
        #expect(sum.mass.count == 4)
        for x in sum.mass { #expect(close(x, 0.25)) }
        #expect(sum == b.adding(a))
    }

    @Test func meansAdd() {
        let a = DwellDistribution.logNormal(median: 3), b = DwellDistribution.logNormal(median: 5, sigma: 0.4)
        let sum = a.adding(b)
        #expect(abs(sum.mean - (a.mean + b.mean)) < 1e-6, "\(sum.mean) vs \(a.mean) + \(b.mean)")
        #expect(close(sum.mass.reduce(0, +), 1))
        #expect(sum.median >= max(a.median, b.median))
    }

    @Test func theMaximumOfTwoPointsIsTheLaterPoint() {
        #expect(DwellDistribution.point(3).maximum(.point(5)) == .point(5))
        #expect(DwellDistribution.point(5).maximum(.point(3)) == .point(5))
        #expect(DwellDistribution.point(2).maximum(.point(2)) == .point(2))
    }

    @Test func theMaximumMultipliesTheCDFs() {
        let a = DwellDistribution.logNormal(median: 3), b = DwellDistribution.logNormal(median: 4, sigma: 0.9)
        let m = a.maximum(b)
        for day in [0, 1, 2, 4, 8, 16, 40] {
            #expect(abs(m.cdf(day) - a.cdf(day) * b.cdf(day)) < 1e-9, "day \(day)")
        }
        #expect(m.median >= max(a.median, b.median))
    }

    // MARK: What remains

    @Test func whatRemainsOfAPointAfterSomeDays() {
        #expect(DwellDistribution.point(5).remaining(after: 2) == .point(3))
        #expect(DwellDistribution.point(5).remaining(after: 0) == .point(5))
        // Longer than the law allows: one more day.
        #expect(DwellDistribution.point(2).remaining(after: 5) == .point(1))
        #expect(DwellDistribution.point(2).remaining(after: 2) == .point(1))
    }

    @Test func whatRemainsIsConditionalOnLastingThatLong() {
        // P(D = 0…4) = 0.1, 0.2, 0.3, 0.25, 0.15. After 1 day without completion (D > 1, probability 0.7),
        // the rest is D − 1 given D > 1: P(1) = 0.3/0.7, P(2) = 0.25/0.7, P(3) = 0.15/0.7.
        let d = DwellDistribution(mass: [0.1, 0.2, 0.3, 0.25, 0.15])
        let r = d.remaining(after: 1)
        #expect(r.mass.count == 4)
        #expect(close(r.mass[0], 0) && close(r.mass[1], 0.3 / 0.7) && close(r.mass[2], 0.25 / 0.7) && close(r.mass[3], 0.15 / 0.7))
    }

    // MARK: Kaplan–Meier

    @Test func kaplanMeierMatchesAHandComputation() throws {
        // Completed after 1, 2, 2 and 4 days; still running after 2 and 3 days (censored). Six at risk.
        //
        //   day  at risk  completed  censored  S(day)                       mass at day
        //   0    6        0          0         1                            0
        //   1    6        1          0         1 × (1 − 1/6) = 5/6          1 − 5/6   = 1/6
        //   2    5        2          1         5/6 × (1 − 2/5) = 1/2        5/6 − 1/2 = 1/3
        //        (the one censored at 2 is known to last beyond 2: it leaves the risk set after the completions)
        //   3    2        0          1         1/2                          0
        //   4    1        1          0         1/2 × (1 − 1/1) = 0          1/2
        let km = try #require(DwellDistribution.kaplanMeier(completed: [2, 4, 1, 2], censored: [3, 2]))
        let expected = [0, 1.0 / 6, 1.0 / 3, 0, 0.5]
        #expect(km.mass.count == expected.count)
        for (d, (got, want)) in zip(km.mass, expected).enumerated() {
            #expect(close(got, want), "day \(d): \(got) vs \(want)")
        }
        #expect(km.median == 2 && km.quantile(0.6) == 4)
    }

    @Test func kaplanMeierCountsSomeSilentStepsAsEndedUnreported() throws {
        // n completions on day 1 and k steps still silent on day 1, each completion reported with
        // probability r. The EM's fixed point: S = k·w / (n + k) with w = S / (S + (1 − r)(1 − S)), so
        // S = (k / (n + k) − (1 − r)) / r when that is positive, else 0.
        let n = 4, k = 4
        let completed = Array(repeating: 1, count: n), silent = Array(repeating: 1, count: k)
        // r = 0.8: S = (0.5 − 0.2) / 0.8 = 0.375 (plain Kaplan–Meier: 0.5).
        let law = try #require(DwellDistribution.kaplanMeier(completed: completed, censored: silent, reportingRate: 0.8))
        #expect(close(law.cdf(1), 0.625, 1e-8))
        // Beyond day 1 the survivors continue at the daily hazard of the weighted observations: completions
        // n + k(1 − w) = 5 (w = 0.75), days at risk (n + k) × 1 = 8, hazard 5 / (5 + 8).
        #expect(close(law.mass[2], 0.375 * 5 / 13, 1e-8))
        #expect(close(law.mass[3], 0.375 * (8.0 / 13) * (5.0 / 13), 1e-8))
        #expect(close(try #require(DwellDistribution.kaplanMeier(completed: completed, censored: silent)).cdf(1), 0.5))
        // r = 0.4: 60% of completions go unreported, more than the silences (half the steps) need: nothing is
        // left running.
        let most = try #require(DwellDistribution.kaplanMeier(completed: completed, censored: silent, reportingRate: 0.4))
        #expect(close(most.cdf(1), 1, 1e-8))
        // r = 1: the plain estimate.
        #expect(DwellDistribution.kaplanMeier(completed: completed, censored: silent, reportingRate: 1)
            == DwellDistribution.kaplanMeier(completed: completed, censored: silent))
        // A silent step that ended unreported ended when the law says: here on day 2 or day 6, never on day 8.
        let spread = try #require(DwellDistribution.kaplanMeier(completed: [2, 2, 2, 6], censored: [7, 7], reportingRate: 0.5))
        #expect(close(spread.cdf(6), 1, 1e-8))
        #expect(spread.mass[2] > 0.7 && spread.mass[6] > 0.2 && spread.mass[3] == 0)
    }

    @Test func kaplanMeierWithoutCensoringIsTheEmpiricalLaw() throws {
        let km = try #require(DwellDistribution.kaplanMeier(completed: [1, 1, 3, 5], censored: []))
        #expect(close(km.mass[1], 0.5) && close(km.mass[3], 0.25) && close(km.mass[5], 0.25))
        #expect(close(km.mean, (1 + 1 + 3 + 5) / 4.0))
    }

    @Test func kaplanMeierContinuesBeyondTheLongestCompletionAtTheObservedPace() throws {
        // Completed after 1 day; two still running after 5: S(1) = 2/3 remains beyond every completion. It
        // continues geometrically at the observations' daily hazard: 1 completion over 1 + 5 + 5 days at
        // risk, h = 1 / (1 + 11) (P(ending on a day | still running) for a geometric law on 0, 1, 2, …).
        let km = try #require(DwellDistribution.kaplanMeier(completed: [1], censored: [5, 5]))
        let h = 1.0 / 12
        #expect(close(km.mass[1], 1.0 / 3))
        #expect(close(km.mass[2], 2.0 / 3 * h))
        #expect(close(km.mass[10], 2.0 / 3 * pow(1 - h, 8) * h))
        // What outlasts the horizon stays in the last bin.
        #expect(close(km.mass[DwellDistribution.horizon], 2.0 / 3 * pow(1 - h, Double(DwellDistribution.horizon - 2))))
        // A report's estimate does not extrapolate: the rest stays in the last bin (a median "not reached").
        let plain = try #require(DwellDistribution.kaplanMeier(completed: [1], censored: [5, 5], extrapolating: false))
        #expect(close(plain.mass[DwellDistribution.horizon], 2.0 / 3) && plain.median == DwellDistribution.horizon)
        // Nothing left beyond the longest completion: nothing to continue.
        #expect(try #require(DwellDistribution.kaplanMeier(completed: [1, 3], censored: [2])).mass.count == 4)
        #expect(DwellDistribution.kaplanMeier(completed: [], censored: [1, 2]) == nil)
    }

    // MARK: Models and learning

    @Test func thePriorUsesTheRoutesExpectedDaysOrTheActionsUsualTime() {
        let step = RouteStep(id: "bap", action: .approval, department: .fixed("x"), expectedDays: 8)
        #expect(PriorDwellModel.prior(for: step).median == 8)
        let bare = RouteStep(id: "bap", action: .approval, department: .fixed("x"))
        #expect(PriorDwellModel.prior(for: bare).median == Int(PriorDwellModel.typicalDays(.approval)))
        let m = PriorDwellModel()
        #expect(m.reportingRate(for: step, department: nil, group: "g") == 0.5)
        #expect(m.dwell(for: step, department: nil, group: "g").source == .prior)
    }

    @Test func theLearnerCountsCompletedAndRunningDwellsPerDepartment() throws {
        // Thirty invoices whose approval took 4 working days (goods received Monday 5th, approved Friday 9th),
        // ten of them paid since; five still waiting for their approval.
        var positions: [InvoicePosition] = []
        let engine = PositionEngine(graph: Fixture.graph)
        let F = PositionFixture.self
        for i in 0..<35 {
            let inv = F.invoice("FA-\(i)")
            var events = [F.event(.goodsReceived, "2026-10-05", department: "ven-reception", invoice: inv.id)]
            if i < 30 { events.append(F.event(.approved, "2026-10-09", department: "ven-purchasing", invoice: inv.id)) }
            if i < 10 { events.append(F.event(.paid, "2026-10-16", invoice: inv.id)) }
            positions.append(engine.position(of: inv, events: events, asOf: date("2026-10-20")))
        }
        #expect(positions.filter(\.closed).count == 10)
        let obs = DwellLearner().observations(positions: positions)
        let key = try #require(obs.keys.first { $0.department == "ven-purchasing" && $0.action == .approval })
        let o = try #require(obs[key])
        #expect(o.completed == Array(repeating: 4, count: 30))
        // Pending since Monday 5th, as of Tuesday 20th: 11 working days.
        #expect(o.censored == Array(repeating: 11, count: 5))

        let model = DwellLearner(minimumObservations: 15).learn(positions: positions, group: "metalux")
        #expect(model.counts[key]?.completed == 30 && model.counts[key]?.censored == 5)
        // Kaplan–Meier: 30 of 35 at risk complete on day 4; the 5 still silent after 11 days outlast every
        // completion. This customer leaves one approval in twelve unreported (below), so some of the five
        // ended unnoticed: the law is the estimate read with that rate (the estimator's own tests check its
        // figures), and more than the plain 30/35 ends on day 4.
        let law = try #require(model.laws[key])
        #expect(law == DwellDistribution.kaplanMeier(completed: o.completed, censored: o.censored, reportingRate: 11.0 / 12))
        #expect(law.cdf(3) == 0 && law.cdf(4) > 30.0 / 35 + 1e-3 && law.cdf(4) < 1)
        // Reporting rates come from the ten closed invoices, smoothed: the approval was reported for all of
        // them ((10 + 1) / (10 + 2)), the scan for none ((0 + 1) / (10 + 2)).
        #expect(close(model.reporting["metalux|approval"] ?? 0, 11.0 / 12))
        #expect(close(model.reporting["metalux|goods-receipt"] ?? 0, 11.0 / 12))
        #expect(close(model.reporting["metalux|invoice-receipt"] ?? 0, 1.0 / 12))
        #expect(model.reporting["metalux|payment-run"] == nil)

        // The model answers with the learned law for that department, the prior elsewhere.
        let graph = Fixture.graph
        let bap = try #require(graph.route("standard")?.step("bap"))
        let purchasing = try #require(graph.department("ven-purchasing")), reception = try #require(graph.department("ven-reception"))
        #expect(model.dwell(for: bap, department: purchasing, group: "metalux").source == .learned)
        #expect(model.dwell(for: bap, department: purchasing, group: "metalux").law == law)
        #expect(model.dwell(for: bap, department: reception, group: "metalux").source == .prior)
        #expect(model.dwell(for: bap, department: nil, group: "metalux").law == PriorDwellModel.prior(for: bap))
        #expect(close(model.reportingRate(for: bap, department: purchasing, group: "metalux"), 11.0 / 12))
        #expect(model.reportingRate(for: bap, department: purchasing, group: "other") == 0.5)
        // Not enough observations: the prior stays.
        #expect(DwellLearner(minimumObservations: 31).learn(positions: positions, group: "metalux").laws[key] == nil)
    }

    // MARK: Working-day tables

    /// Métalux's shared-service centre: Monday to Friday, French holidays, closed 10–21 August and
    /// 24 December – 1 January, payment runs on the 10th and the 25th.
    static let metalux = PayablesCalendar(
        timeZone: "Europe/Paris",
        closedPeriods: [ClosedPeriod(from: MonthDay(month: 8, day: 10)!, to: MonthDay(month: 8, day: 21)!),
                        ClosedPeriod(from: MonthDay(month: 12, day: 24)!, to: MonthDay(month: 1, day: 1)!)],
        runDays: [.day(10), .day(25)])

    @Test(arguments: [2026, 2027])
    func theTableAgreesWithTheCalendarEveryDayOfTheYear(year: Int) throws {
        let calendar = Self.metalux
        let table = WorkingDayTable.shared(for: calendar)
        let first = date("\(year)-01-01"), days = CivilDate.isLeap(year) ? 366 : 365
        for k in 0..<days {
            let d = first.adding(days: k)
            #expect(table.nextPaymentRun(onOrAfter: d) == calendar.nextPaymentRun(onOrAfter: d), "next run from \(d)")
            for n in [0, 1, 3, 12] {
                #expect(table.workday(table.count(before: d) + n) == calendar.adding(workingDays: n, to: d), "\(n) working days from \(d)")
            }
            for span in [1, 7, 30, 61] {
                let e = d.adding(days: span)
                #expect(table.count(before: e) - table.count(before: d) == calendar.workingDays(from: d, to: e), "working days \(d) ..< \(e)")
            }
        }
    }

    @Test func knownDatesOfTheMetaluxCalendar() {
        let table = WorkingDayTable.shared(for: Self.metalux)
        // The run of 10 August falls in the closure: it moves to Monday 24 August, before the run of the 25th.
        #expect(table.nextPaymentRun(onOrAfter: date("2026-08-01")) == date("2026-08-24"))
        // 25 December is closed; the office reopens on Monday 4 January 2027.
        #expect(table.nextPaymentRun(onOrAfter: date("2026-12-11")) == date("2027-01-04"))
        // 10 January 2027 is a Sunday: Monday the 11th.
        #expect(table.nextPaymentRun(onOrAfter: date("2027-01-05")) == date("2027-01-11"))
        // The axis counts working days from its origin.
        let axis = WorkingDayAxis(origin: date("2026-08-07"), calendar: Self.metalux)
        #expect(axis.index(of: date("2026-08-07")) == 0)
        #expect(axis.index(of: date("2026-08-24")) == 1)  // Friday 7th, then closed until Monday 24th
        #expect(axis.date(at: 1) == date("2026-08-24"))
        #expect(axis.index(of: date("2026-08-06")) == -1)
        #expect(axis.calendar == Self.metalux)
    }

    @Test func aCalendarWithoutRunsPaysOnAnyWorkingDay() {
        let table = WorkingDayTable.shared(for: PayablesCalendar())
        #expect(table.nextPaymentRun(onOrAfter: date("2026-11-14")) == date("2026-11-16"))  // Saturday → Monday
        #expect(table.nextPaymentRun(onOrAfter: date("2026-11-11")) == date("2026-11-12"))  // Armistice → Thursday
    }

    @Test func datesBeyondTheTableFallBackToTheCalendar() {
        let calendar = Self.metalux, table = WorkingDayTable.shared(for: calendar)
        #expect(table.nextPaymentRun(onOrAfter: date("2101-01-04")) == calendar.nextPaymentRun(onOrAfter: date("2101-01-04")))
        #expect(table.count(before: date("2101-01-10")) - table.count(before: date("2101-01-03"))
                == calendar.workingDays(from: date("2101-01-03"), to: date("2101-01-10")))
    }
}
