import RelanceCore
import Testing

@Suite struct PaymentTermsTests {
    @Test func net30And60() {
        #expect(PaymentTerms.net30.dueDate(from: date("2026-01-15")) == date("2026-02-14"))
        // 16 days to 31 Jan, 28 in February, 16 in March.
        #expect(PaymentTerms.net60.dueDate(from: date("2026-01-15")) == date("2026-03-16"))
        #expect(PaymentTerms.net60.dueDate(from: date("2024-01-15")) == date("2024-03-15"))  // leap February
        #expect(PaymentTerms(days: 0).dueDate(from: date("2026-06-30")) == date("2026-06-30"))
        #expect(PaymentTerms.net30.dueDate(from: date("2026-12-15")) == date("2027-01-14"))
    }

    @Test func fortyFiveDaysEndOfMonthReadingA() {
        let terms = PaymentTerms(days: 45, endOfMonth: .endOfMonthThenDays)
        // 31 Jan + 45 days: 28 days to 28 Feb, 17 more in March.
        #expect(terms.dueDate(from: date("2026-01-15")) == date("2026-03-17"))
        #expect(terms.dueDate(from: date("2026-01-31")) == date("2026-03-17"))
        #expect(terms.dueDate(from: date("2026-01-01")) == date("2026-03-17"))
        // 29 Feb 2024 + 45: 31 in March, 14 in April.
        #expect(terms.dueDate(from: date("2024-02-10")) == date("2024-04-14"))
    }

    @Test func fortyFiveDaysEndOfMonthReadingB() {
        let terms = PaymentTerms(days: 45, endOfMonth: .daysThenEndOfMonth)
        // 15 Jan + 45 days = 1 March, then the end of March.
        #expect(terms.dueDate(from: date("2026-01-15")) == date("2026-03-31"))
        // 14 Jan + 45 = 28 Feb: end of February.
        #expect(terms.dueDate(from: date("2026-01-14")) == date("2026-02-28"))
        // 20 Dec + 45 = 3 Feb 2027: end of February 2027.
        #expect(terms.dueDate(from: date("2026-12-20")) == date("2027-02-28"))
    }

    @Test func theTwoReadingsDiffer() {
        let a = PaymentTerms(days: 45, endOfMonth: .endOfMonthThenDays)
        let b = PaymentTerms(days: 45, endOfMonth: .daysThenEndOfMonth)
        #expect(a.dueDate(from: date("2026-01-15")) != b.dueDate(from: date("2026-01-15")))
    }

    @Test func payDayOfTheFollowingMonth() {
        let terms = PaymentTerms(days: 30, payDay: 10)
        // 15 Jan + 30 = 14 Feb, after the 10th: paid 10 March.
        #expect(terms.dueDate(from: date("2026-01-15")) == date("2026-03-10"))
        // 11 Jan + 30 = 10 Feb, exactly the pay day: paid that day.
        #expect(terms.dueDate(from: date("2026-01-11")) == date("2026-02-10"))
        // 5 Jan + 30 = 4 Feb, before the 10th: paid 10 Feb.
        #expect(terms.dueDate(from: date("2026-01-05")) == date("2026-02-10"))
        // 15 Dec + 30 = 14 Jan 2027: 10 Feb 2027.
        #expect(terms.dueDate(from: date("2026-12-15")) == date("2027-02-10"))
    }

    @Test func payDayClampsToShortMonths() {
        let terms = PaymentTerms(days: 30, payDay: 31)
        // 20 Jan + 30 = 19 Feb: the "31st" of February 2026 is the 28th.
        #expect(terms.dueDate(from: date("2026-01-20")) == date("2026-02-28"))
        // 1 Mar + 30 = 31 Mar.
        #expect(terms.dueDate(from: date("2026-03-01")) == date("2026-03-31"))
        // 2 Mar + 30 = 1 Apr: 30 April.
        #expect(terms.dueDate(from: date("2026-03-02")) == date("2026-04-30"))
    }

    @Test func payDayAfterEndOfMonth() {
        let terms = PaymentTerms(days: 45, endOfMonth: .endOfMonthThenDays, payDay: 15)
        // 31 Jan + 45 = 17 Mar, after the 15th: 15 April.
        #expect(terms.dueDate(from: date("2026-01-15")) == date("2026-04-15"))
    }

    @Test func legalCap() {
        let invoice = date("2026-01-15")
        #expect(PaymentTerms.net30.legalCap(invoiceDate: invoice) == date("2026-03-16"))  // 60 days
        #expect(PaymentTerms(days: 45, endOfMonth: .endOfMonthThenDays).legalCap(invoiceDate: invoice) == date("2026-03-17"))
        #expect(PaymentTerms(days: 45, endOfMonth: .daysThenEndOfMonth).legalCap(invoiceDate: invoice) == date("2026-03-31"))
    }

    @Test func termsWithinTheCapHaveDueDatesWithinIt() {
        let compliant = [
            PaymentTerms.net30, .net60,
            PaymentTerms(days: 45, endOfMonth: .endOfMonthThenDays),
            PaymentTerms(days: 45, endOfMonth: .daysThenEndOfMonth),
            PaymentTerms(days: 30, payDay: 10),
        ]
        var d = date("2027-01-01")
        while d < date("2029-01-01") {
            for t in compliant { #expect(t.dueDate(from: d) <= t.legalCap(invoiceDate: d), "\(t.summary) from \(d)") }
            d = d.adding(days: 1)
        }
    }

    @Test func legalProblem() throws {
        let net75 = try #require(PaymentTerms(days: 75).legalProblem)
        #expect(net75.contains("75 days net") && net75.contains("60-day cap"))
        #expect(PaymentTerms.net60.legalProblem == nil)
        #expect(PaymentTerms(days: 61).legalProblem != nil)
        #expect(PaymentTerms(days: 45, endOfMonth: .endOfMonthThenDays).legalProblem == nil)
        #expect(PaymentTerms(days: 45, endOfMonth: .daysThenEndOfMonth).legalProblem == nil)
        let eom50a = try #require(PaymentTerms(days: 50, endOfMonth: .endOfMonthThenDays).legalProblem)
        #expect(eom50a.contains("50 days end of month") && eom50a.contains("45-day"))
        #expect(PaymentTerms(days: 50, endOfMonth: .daysThenEndOfMonth).legalProblem != nil)
        // 60 days end of month is within the net cap but over the end-of-month one.
        #expect(PaymentTerms(days: 60, endOfMonth: .endOfMonthThenDays).legalProblem != nil)
        let badPayDay = try #require(PaymentTerms(days: 30, payDay: 32).legalProblem)
        #expect(badPayDay.contains("pay day 32"))
        #expect(PaymentTerms(days: 30, payDay: 0).legalProblem != nil)
        #expect(PaymentTerms(days: 30, payDay: 10).legalProblem == nil)
    }

    /// "60 jours nets le 10": 15 Jan + 60 = 16 March, paid 10 April, 25 days after the 60-day cap.
    /// Terms whose pay day pushes the due date beyond the cap exceed it as much as 75 days net do.
    @Test func payDayPushingPastTheCapIsALegalProblem() throws {
        let terms = PaymentTerms(days: 60, payDay: 10)
        let invoice = date("2026-01-15")
        #expect(terms.dueDate(from: invoice) == date("2026-04-10"))
        #expect(terms.dueDate(from: invoice) > terms.legalCap(invoiceDate: invoice))
        let problem = try #require(terms.legalProblem)
        #expect(problem.contains("pay day") || problem.contains("paid on the 10"))
        let eom = PaymentTerms(days: 45, endOfMonth: .endOfMonthThenDays, payDay: 10)
        #expect(eom.dueDate(from: invoice) == date("2026-04-10"))  // 17 Mar → 10 Apr, after the 17 Mar cap
        #expect(eom.legalProblem != nil)
    }

    @Test func legalDefault() {
        #expect(PaymentTerms.legalDefault.days == 30)
        #expect(PaymentTerms.legalDefault.basis == .deliveryDate)
        #expect(PaymentTerms.legalDefault.endOfMonth == .none)
        #expect(PaymentTerms.legalDefault.legalProblem == nil)
        #expect(PaymentTerms.legalDefault.summary == "30 days net from the delivery date")
        let unknown = LegalEntity(id: "e", name: "E")
        #expect(unknown.agreedTerms == nil)
        #expect(unknown.terms == .legalDefault)
        var agreed = unknown
        agreed.terms = .net60
        #expect(agreed.agreedTerms == .net60)
    }

    @Test func summary() {
        #expect(PaymentTerms.net30.summary == "30 days net from the invoice date")
        #expect(PaymentTerms(days: 45, endOfMonth: .endOfMonthThenDays).summary
            == "45 days end of month (end of month, then 45 days) from the invoice date")
        #expect(PaymentTerms(days: 45, endOfMonth: .daysThenEndOfMonth, basis: .receiptDate, payDay: 10).summary
            == "45 days end of month (45 days, then end of month) from the receipt date, paid on the 10")
        #expect(PaymentTerms(days: 60, basis: .deliveryDate).summary == "60 days net from the delivery date")
    }

    @Test func rawValues() {
        #expect(EndOfMonthRule(rawValue: "end-of-month-then-days") == .endOfMonthThenDays)
        #expect(EndOfMonthRule(rawValue: "days-then-end-of-month") == .daysThenEndOfMonth)
        #expect(TermsBasis(rawValue: "receipt-date") == .receiptDate)
        #expect(TermsBasis(rawValue: "invoice") == nil)
    }
}
