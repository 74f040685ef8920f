import Foundation
import RelanceCore
import RelanceImport
import RelancePlan
import RelanceSimulator
import RelanceStore
import Testing

@Suite struct PolicyTests {
    @Test func theCustomerOverridesThePortfolioWhichOverridesTheDefault() throws {
        let p = try FollowUpPolicy.effective(portfolio: ["letter-every-days": "10", "language": "en", "ecb-rate": "3.5"],
                                             customer: ["letter-every-days": "7", "responsible": "Ana Ruiz"], fileResponsible: "Claire Dubois")
        #expect(p.letterEveryDays == 7)
        #expect(p.language == "en")
        #expect(p.ecbRatePercent == Decimal(string: "3.5"))
        #expect(p.lateInterestPercent == Decimal(string: "13.5"))
        #expect(p.responsible == "Ana Ruiz")
        #expect(p.minDaysBetweenCalls == FollowUpPolicy().minDaysBetweenCalls)
        let fromFile = try FollowUpPolicy.effective(portfolio: [:], customer: [:], fileResponsible: "Claire Dubois")
        #expect(fromFile.responsible == "Claire Dubois")
    }

    @Test func badValuesAndUnknownSettingsAreRefused() {
        #expect(throws: PolicyError.self) { try FollowUpPolicy.effective(portfolio: ["letter-every-days": "often"], customer: [:]) }
        #expect(throws: PolicyError.self) { try FollowUpPolicy.effective(portfolio: ["letter-every-days": "0"], customer: [:]) }
        #expect(throws: PolicyError.self) { try FollowUpPolicy.effective(portfolio: [:], customer: ["ecb-rate": "-1"]) }
        #expect(throws: PolicyError.self) { try FollowUpPolicy.effective(portfolio: [:], customer: ["language": "de"]) }
        #expect(throws: PolicyError.self) { try FollowUpPolicy.effective(portfolio: [:], customer: ["call-often": "1"]) }
    }

    @Test func everySettingReadsBackWhatItWasSetTo() throws {
        var p = FollowUpPolicy()
        for key in PolicyKey.allCases {
            let text = key.value(in: p).isEmpty ? "Someone" : key.value(in: p)
            try key.set(text, in: &p)
            #expect(key.value(in: p) == text, "\(key.rawValue)")
        }
    }

    @Test func theStoreKeepsPortfolioAndCustomerSettingsApart() throws {
        let store = try Store.inMemory()
        try store.save([try Fixture.graph("metalux"), try Fixture.graph("maisonvert")])
        try store.updatePolicy(scope: Store.portfolioScope, set: ["min-days-between-calls": "5"], unset: []) { _ in }
        try store.updatePolicy(scope: "metalux", set: ["min-days-between-calls": "9", "language": "en"], unset: []) { _ in }
        var policies = try followUpPolicies(in: store)
        #expect(policies["metalux"]?.minDaysBetweenCalls == 9)
        #expect(policies["metalux"]?.language == "en")
        #expect(policies["maisonvert"]?.minDaysBetweenCalls == 5)
        #expect(policies["maisonvert"]?.responsible == "Julie Marchal")
        try store.updatePolicy(scope: "metalux", set: [:], unset: ["min-days-between-calls"]) { _ in }
        policies = try followUpPolicies(in: store)
        #expect(policies["metalux"]?.minDaysBetweenCalls == 5)
        #expect(throws: StoreError.self) { try store.updatePolicy(scope: "nobody", set: ["language": "en"], unset: []) { _ in } }
    }
}

@Suite struct LateChargesTests {
    /// 12,000.00 EUR, 30 days late at 2.15 + 10 = 12.15 %: 12,000 × 0.1215 × 30 / 365 = 119.8356… → 119.84.
    @Test func interestAtTheECBRatePlusTenPointsAndTheFixedIndemnity() throws {
        let c = LateCharges.compute(open: Money(minorUnits: 12_000_00, currency: "EUR"), due: try Fixture.day("2026-10-28"),
                                    asOf: try Fixture.day("2026-11-27"), policy: FollowUpPolicy())
        #expect(c.daysLate == 30)
        #expect(c.interest == Money(minorUnits: 119_84, currency: "EUR"))
        #expect(c.indemnity == Money(minorUnits: 40_00, currency: "EUR"))
        #expect(c.total == Money(minorUnits: 159_84, currency: "EUR"))
    }

    /// 1,234.56 EUR, one day late: 1,234.56 × 0.1215 / 365 = 0.41095… → 0.41; at 4.5 + 10 = 14.5 %, 12,000 × 30 days → 143.01.
    @Test func otherRatesAndDays() throws {
        let one = LateCharges.compute(open: Money(minorUnits: 1_234_56, currency: "EUR"), due: try Fixture.day("2026-11-26"),
                                      asOf: try Fixture.day("2026-11-27"), policy: FollowUpPolicy())
        #expect(one.interest == Money(minorUnits: 41, currency: "EUR"))
        var p = FollowUpPolicy()
        p.ecbRatePercent = Decimal(string: "4.5") ?? 0
        let higher = LateCharges.compute(open: Money(minorUnits: 12_000_00, currency: "EUR"), due: try Fixture.day("2026-10-28"),
                                         asOf: try Fixture.day("2026-11-27"), policy: p)
        #expect(higher.interest == Money(minorUnits: 143_01, currency: "EUR"))
    }

    @Test func nothingIsDueOnOrBeforeTheDueDate() throws {
        let c = LateCharges.compute(open: Money(minorUnits: 5_000_00, currency: "EUR"), due: try Fixture.day("2026-11-27"),
                                    asOf: try Fixture.day("2026-11-27"), policy: FollowUpPolicy())
        #expect(c.daysLate == 0)
        #expect(c.total.minorUnits == 0)
    }

    /// 10,000.00 EUR paid 20 days before its forecast at 5 %: 10,000 × 0.05 × 20 / 365 = 27.397… → 27.40; minus
    /// 2 calls at 8.00 and 1 letter at 3.00 = 19.00 of effort.
    @Test func theCostReportWeighsEffortAgainstDaysGained() throws {
        let inv = Invoice(id: "FA-1", group: "g", entity: "e", site: "s", issueDate: try Fixture.day("2026-09-01"), dueDate: try Fixture.day("2026-10-31"),
                          amount: Money(minorUnits: 10_000_00, currency: "EUR"),
                          payments: [Payment(date: try Fixture.day("2026-11-10"), amount: Money(minorUnits: 10_000_00, currency: "EUR"))])
        let log = [
            FollowUpRecord(kind: .letter, day: try Fixture.day("2026-10-20"), group: "g", invoices: ["FA-1"], level: .reminder,
                           forecastP50: ["FA-1": try Fixture.day("2026-11-30")]),
            FollowUpRecord(kind: .call, day: try Fixture.day("2026-10-25"), group: "g", contact: "c", invoices: ["FA-1"], outcome: .noAnswer,
                           forecastP50: ["FA-1": try Fixture.day("2026-12-15")]),
            FollowUpRecord(kind: .call, day: try Fixture.day("2026-11-02"), group: "g", contact: "c", invoices: ["FA-1"], outcome: .approvalGiven),
        ]
        let lines = CostReport.compute(log: log, invoices: ["FA-1": inv], policies: [:], names: ["g": "Group"],
                                       from: try Fixture.day("2026-10-01"), to: try Fixture.day("2026-11-30"))
        let l = try #require(lines.first)
        #expect(l.calls == 2 && l.letters == 1 && l.visits == 0)
        #expect(l.effort == Money(minorUnits: 19_00, currency: "EUR"))
        #expect(l.daysGained == 20)
        #expect(l.saved == Money(minorUnits: 27_40, currency: "EUR"))
        #expect(l.net == Money(minorUnits: 8_40, currency: "EUR"))
    }
}

@Suite struct LetterTests {
    /// A letter from a real agenda of a simulated portfolio, its first invoice forced 30 days late at 12,000.00.
    static func letter(level: LetterLevel, language: String) throws -> (AgendaLetter, CivilDate) {
        let (store, _, day) = try AgendaStoreICSTests.store()
        let agenda = try agenda(in: store, date: day)
        var l = try #require(agenda.letters.first)
        l.level = level
        l.language = language
        l.invoices[0].openAmount = Money(minorUnits: 12_000_00, currency: "EUR")
        l.invoices[0].dueDate = day.adding(days: -30)
        l.invoices[0].invoice = "FA-TEST-1"
        return (l, day)
    }

    @Test func frenchOverdueReminderCarriesTheLegalMentionsPerInvoice() throws {
        let (l, day) = try LetterTests.letter(level: .overdue, language: "fr")
        let r = try LetterRenderer.render(l, date: day, policy: FollowUpPolicy(), sender: "Acier Services")
        #expect(r.body.contains("Objet : Relance : factures échues impayées"))
        #expect(r.body.contains("Facture FA-TEST-1"))
        #expect(r.body.contains("12\u{202F}000,00 € restant dû (30 jours de retard ; pénalités 119,84 € ; indemnité forfaitaire 40,00 €)"))
        #expect(r.body.contains("12,15 % l'an"))
        #expect(r.body.contains("L441-10"))
        #expect(r.body.contains("D441-5"))
        #expect(!r.body.contains("{{"))
        #expect(!r.body.contains("&#"), "text templates must not HTML-escape")
    }

    @Test func englishLettersAndTheFormalNotice() throws {
        let (l, day) = try LetterTests.letter(level: .formalNotice, language: "en")
        let r = try LetterRenderer.render(l, date: day, policy: FollowUpPolicy(), sender: "Acier Services")
        #expect(r.subject == "Formal notice to pay")
        #expect(r.body.contains("article 1344"))
        #expect(r.body.contains("Invoice FA-TEST-1"))
        #expect(r.body.contains("EUR 12,000.00 outstanding (30 days late; interest EUR 119.84; fixed indemnity EUR 40.00)"))
        #expect(r.body.contains("12.15%"))
        #expect(r.fileName.hasSuffix("-formal-notice-en.txt"))
    }

    @Test func aReminderBeforeTheDueDateHasNoPenalties() throws {
        var (l, day) = try LetterTests.letter(level: .reminder, language: "fr")
        for i in l.invoices.indices { l.invoices[i].dueDate = day.adding(days: 10) }
        let r = try LetterRenderer.render(l, date: day, policy: FollowUpPolicy(), sender: "Acier Services")
        #expect(r.body.contains("Relevé de factures à échoir"))
        #expect(!r.body.contains("pénalités"))
        #expect(!r.body.contains("L441-10"))
    }
}
