import Foundation
import RelanceCore
import Testing

@Suite struct StuckTests {
    typealias F = PositionFixture

    /// A model where nine completions in ten are reported: silence past the usual time is strong evidence.
    let reported = ReportingRateModel(rate: 0.95)

    /// FA-B: nothing heard since it was issued on Thursday 1 October; as of Thursday 8th it has spent five
    /// working days at the scan (usual: 2, P90: 4).
    func slowPosition(amount: Int64 = 1_000_000, due: String = "2026-11-20") -> InvoicePosition {
        F.position(F.invoice("FA-B", due: due, amount: amount), [], asOf: "2026-10-08", model: reported)
    }

    /// FA-A: disputed at purchasing on the 7th.
    func blockedPosition(amount: Int64 = 1_000_000, due: String = "2026-11-20", method: PaymentMethod = .transfer) -> InvoicePosition {
        F.position(F.invoice("FA-A", due: due, amount: amount, method: method),
                   [F.event(.inDispute, "2026-10-07", department: "ven-purchasing", invoice: "FA-A", reason: "QTE_ERR")],
                   asOf: "2026-10-08", model: reported)
    }

    @Test func aStepPastItsUsualTimeIsSlowWhenItIsProbablyStillThere() throws {
        let finder = StuckFinder()
        let items = finder.stuck(slowPosition())
        let scan = try #require(items.first { $0.stepID == "scan" })
        guard case .slow(let dwell, let usual, let still) = scan.reason else {
            Issue.record("expected a slow step, got \(scan.reason)")
            return
        }
        #expect(dwell == 5 && usual == 4)
        #expect(still >= finder.minimumProbability && still < 1)
        #expect(scan.since == date("2026-10-01"))
        #expect(scan.department?.id == "ssc-mailroom")
        #expect(scan.daysToDue == date("2026-10-08").days(to: date("2026-11-20")))
        #expect(scan.openAmount.minorUnits == 1_000_000)
        // The stake is the open amount, weighted by urgency and by the chance it is still there.
        #expect(abs(scan.stake - 10_000 * StuckFinder.urgency(daysLeft: scan.daysToDue) * still) < 1e-6)
        // Asking for more certainty than that flags nothing.
        #expect(StuckFinder(minimumProbability: min(1, still + 0.01)).stuck(slowPosition()).allSatisfy { $0.stepID != "scan" })
        // Within the usual time, nothing is slow.
        #expect(finder.stuck(F.position(F.invoice("FA-B"), [], asOf: "2026-10-02", model: reported)).isEmpty)
    }

    @Test func aDisputeIsStuckAtItsStepWithItsReason() throws {
        let items = StuckFinder().stuck(blockedPosition())
        #expect(items.count == 1)
        let item = try #require(items.first)
        #expect(item.reason == .blocked(.inDispute, reason: "QTE_ERR"))
        #expect(item.stepID == "bap" && item.department?.id == "ven-purchasing" && item.since == date("2026-10-07"))
        #expect(abs(item.stake - 10_000 * StuckFinder.urgency(daysLeft: item.daysToDue) * 1.5) < 1e-6)
    }

    @Test func blockedItemsRankAboveEquallyLargeSlowOnes() throws {
        let finder = StuckFinder()
        let slow = finder.stuck(slowPosition())
        let blocked = finder.stuck(blockedPosition())
        #expect(!slow.isEmpty && !blocked.isEmpty)
        for order in [slow + blocked, blocked + slow, (slow + blocked).reversed()] {
            let ranked = finder.rank(Array(order))
            #expect(ranked.first?.invoice.id == "FA-A")
            #expect(ranked.map(\.stake) == ranked.map(\.stake).sorted(by: >))
        }
        // Ten times the amount outweighs the block.
        let big = finder.stuck(slowPosition(amount: 10_000_000))
        #expect(finder.rank(big + blocked).first?.invoice.id == "FA-B")
    }

    @Test func tiesGoToTheOlderThenToTheInvoiceNumber() {
        let finder = StuckFinder()
        let a = finder.stuck(F.position(F.invoice("FA-2"), [F.event(.blocked, "2026-10-06", department: "ssc-ap", invoice: "FA-2")], asOf: "2026-10-08"))
        let b = finder.stuck(F.position(F.invoice("FA-1"), [F.event(.blocked, "2026-10-06", department: "ssc-ap", invoice: "FA-1")], asOf: "2026-10-08"))
        let c = finder.stuck(F.position(F.invoice("FA-0"), [F.event(.blocked, "2026-10-07", department: "ssc-ap", invoice: "FA-0")], asOf: "2026-10-08"))
        #expect(finder.rank(c + a + b).map(\.invoice.id) == ["FA-1", "FA-2", "FA-0"])
    }

    @Test func urgencyRisesTowardsTheDeadlineAndBeyond() {
        #expect(StuckFinder.urgency(daysLeft: 90) == 1)
        #expect(StuckFinder.urgency(daysLeft: 30) == 1)
        #expect(abs(StuckFinder.urgency(daysLeft: 29) - (1 + 2.0 / 30)) < 1e-12)
        #expect(StuckFinder.urgency(daysLeft: 15) == 2)
        #expect(StuckFinder.urgency(daysLeft: 0) == 3)
        #expect(abs(StuckFinder.urgency(daysLeft: -1) - 3.1) < 1e-12)
        #expect(StuckFinder.urgency(daysLeft: -10) == 4)
        #expect(StuckFinder.urgency(daysLeft: -30) == 6)
        #expect(StuckFinder.urgency(daysLeft: -31) == 6)
        #expect(StuckFinder.urgency(daysLeft: -365) == 6)
        var previous = 0.0
        for days in stride(from: 60, through: -60, by: -1) {
            let u = StuckFinder.urgency(daysLeft: days)
            #expect(u >= previous, "urgency falls at \(days) days")
            previous = u
        }
    }

    @Test func billsOfExchangeUseTheRemittanceDeadline() throws {
        // Due on 23 October, as of the 8th: 15 days left. A bill of exchange must be at the bank 10 days
        // earlier, on the 13th: 5 days left. With an 18-day lead, the bill was due at the bank on the 5th.
        let finder = StuckFinder()
        let transfer = try #require(finder.stuck(blockedPosition(due: "2026-10-23")).first)
        let lcr = try #require(finder.stuck(blockedPosition(due: "2026-10-23", method: .lcr)).first)
        #expect(transfer.daysToDue == 15 && transfer.daysToRemittance == nil)
        #expect(lcr.daysToDue == 15 && lcr.daysToRemittance == 5)
        #expect(abs(transfer.stake - 10_000 * 2 * 1.5) < 1e-6)
        #expect(abs(lcr.stake - 10_000 * StuckFinder.urgency(daysLeft: 5) * 1.5) < 1e-6)
        #expect(finder.rank([transfer, lcr]).first?.invoice.method == .lcr)
        let late = try #require(StuckFinder(remittanceLeadDays: 18).stuck(blockedPosition(due: "2026-10-23", method: .bor)).first)
        #expect(late.daysToRemittance == -3)
        #expect(abs(late.stake - 10_000 * 3.3 * 1.5) < 1e-6)
        #expect(F.invoice(method: .lcr).remittanceDeadline() == date("2026-12-05"))
        #expect(F.invoice(method: .directDebit).remittanceDeadline() == nil)
    }

    @Test func closedCreditedAndCreditNotesAreNeverStuck() {
        let finder = StuckFinder()
        let dispute = F.event(.inDispute, "2026-10-07", department: "ven-purchasing")
        #expect(finder.stuck(F.position([dispute, F.event(.paid, "2026-10-08")], asOf: "2026-10-08")).isEmpty)
        let open = F.position([dispute], asOf: "2026-10-08")
        #expect(!finder.stuck(open).isEmpty)
        #expect(finder.stuck(open, credited: Money(minorUnits: -1_000_000, currency: "EUR")).isEmpty)
        // Partly credited: the stake is on what remains.
        let partly = finder.stuck(open, credited: Money(minorUnits: -250_000, currency: "EUR"))
        #expect(partly.first?.openAmount.minorUnits == 750_000)
        var credit = F.invoice("AV-1")
        credit.kind = .creditNote
        credit.amount = Money(minorUnits: -100_000, currency: "EUR")
        #expect(finder.stuck(F.position(credit, [dispute], asOf: "2026-10-08")).isEmpty)
    }
}
