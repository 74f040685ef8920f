import Foundation
import RelanceCore
import RelanceImport
import RelanceSamples
import Testing

/// Helpers for the invoice-file tests: a header with every column, rows built from a few fields, and the
/// diagnostics of a refused read.
private enum InvoiceCSV {
    static let header = "invoice,kind,credits,entity,site,order_number,delivery_note,issue_date,delivery_date,due_date,amount,currency,method,discounted,payments"

    /// A valid row (line content only) with some fields replaced.
    static func row(_ number: String = "FA-2026-00001", kind: String = "invoice", credits: String = "", entity: String = "mtx-industrie",
                    site: String = "mtx-ven", order: String = "PO-1", note: String = "BL-1", issue: String = "2026-10-19",
                    delivery: String = "2026-10-16", due: String = "", amount: String = "1200.00", currency: String = "EUR",
                    method: String = "transfer", discounted: String = "no", payments: String = "") -> String {
        [number, kind, credits, entity, site, order, note, issue, delivery, due, amount, currency, method, discounted, payments].joined(separator: ",")
    }

    static func file(_ rows: String...) -> String { ([header] + rows).joined(separator: "\n") + "\n" }

    static func problems(_ text: String, file: String = "invoices.csv") -> [Diagnostic] {
        do {
            let records = try InvoiceCSVReader.read(text: text, file: file)
            Issue.record("the read succeeded with \(records.count) records; a refusal was expected")
            return []
        } catch {
            return error.diagnostics
        }
    }
}

/// Expects one diagnostic at `line` about `field` whose message contains `phrase`.
private func expectProblem(_ found: [Diagnostic], line: Int, field: String, saying phrase: String,
                           sourceLocation: SourceLocation = #_sourceLocation) {
    let match = found.contains { $0.line == line && $0.field == field && $0.message.contains(phrase) && $0.file == "invoices.csv" }
    #expect(match, "no diagnostic at line \(line), field \(field), saying '\(phrase)'; found: \(found.map(\.description))",
            sourceLocation: sourceLocation)
}

private func civil(_ iso: String) throws -> CivilDate { try #require(CivilDate(iso: iso), "bad date literal \(iso)") }

@Suite struct InvoiceCSVReaderTests {
    // MARK: Valid files

    @Test func theSampleFileReadsEveryInvoiceAndTheCreditNote() throws {
        let url = try #require(Samples.invoices)
        let records = try InvoiceCSVReader.read(contentsOf: url)
        #expect(records.count == 7)
        #expect(records.map(\.line) == Array(2...8))
        #expect(records.allSatisfy { $0.file == "invoices.csv" })
        let paid = try #require(records.first { $0.number == "FA-2026-10290" })
        #expect(paid.payments == [Payment(date: try civil("2026-11-10"), amount: Money(minorUnits: 987_000, currency: "EUR"))])
        #expect(paid.dueDate == nil)
        let lcr = try #require(records.first { $0.number == "FA-2026-10455" })
        #expect(lcr.method == .lcr && lcr.discounted)
        #expect(lcr.amount == Money(minorUnits: 782_040, currency: "EUR"))
        let credit = try #require(records.first { $0.number == "AV-2026-00051" })
        #expect(credit.kind == .creditNote && credit.credits == "FA-2026-10455")
        #expect(credit.amount.minorUnits == -78_204)
        #expect(credit.dueDate == (try civil("2026-11-20")))
        let capex = try #require(records.first { $0.number == "FA-2026-10398" })
        #expect(capex.orderType == "capex" && capex.sentTo == "mtx-ssc" && capex.deliveryNote == "BL-2026-7598")
    }

    @Test func commaSeparatedWithQuotedCommasAndNewlines() throws {
        let text = [
            "invoice,entity,site,issue_date,amount,currency,delivery_note,sales_rep",
            #"FA-1,mtx-industrie,mtx-ven,2026-10-19,"1,234.56",EUR,"BL-1, BL-2","Perrin, Julien""#,
            #"FA-2,mtx-industrie,mtx-ven,2026-10-20,500,EUR,"first line"#,
            #"second line","#,
            #"FA-3,mtx-industrie,mtx-dun,2026-10-21,"say ""hello""",EUR,,"#,
            "",
        ].joined(separator: "\n")
        // FA-3's amount is not an amount: check the rest separately.
        let good = text.replacingOccurrences(of: "\"say \"\"hello\"\"\"", with: "99.90")
        let records = try InvoiceCSVReader.read(text: good, file: "invoices.csv")
        #expect(records.map(\.number) == ["FA-1", "FA-2", "FA-3"])
        #expect(records[0].amount.minorUnits == 123_456)
        #expect(records[0].deliveryNote == "BL-1, BL-2")
        #expect(records[0].salesRep == "Perrin, Julien")
        #expect(records[1].deliveryNote == "first line\nsecond line")
        #expect(records[1].salesRep == nil)
        // A quoted field spanning two lines: the next record starts on line 5.
        #expect(records.map(\.line) == [2, 3, 5])
        #expect(records[2].amount.minorUnits == 9_990)
        // The doubled quote inside a quoted field is one quote, and the amount is named with its line.
        let found = InvoiceCSV.problems(text)
        expectProblem(found, line: 5, field: "amount", saying: "'say \"hello\"' is not an amount")
    }

    @Test func semicolonSeparatedWithFrenchAmountsAndPayments() throws {
        let text = """
            invoice;entity;site;issue_date;amount;currency;payments;due_date
            FA-1;mtx-industrie;mtx-ven;19/10/2026;1 234,56;EUR;"2026-03-10=1 200,00;2026-04-10=34,56";2026-12-15
            FA-2;mtx-industrie;mtx-ven;2026-10-20;2000;eur;"2026-03-10=1200.00;2026-04-10=800.00";

            """
        let records = try InvoiceCSVReader.read(text: text, file: "invoices.csv")
        #expect(records.count == 2)
        #expect(records[0].amount == Money(minorUnits: 123_456, currency: "EUR"))
        #expect(records[0].issueDate == (try civil("2026-10-19")))
        #expect(records[0].dueDate == (try civil("2026-12-15")))
        #expect(records[0].payments.map(\.amount.minorUnits) == [120_000, 3_456])
        #expect(records[1].amount.currency == "EUR")
        #expect(records[1].payments == [
            Payment(date: try civil("2026-03-10"), amount: Money(minorUnits: 120_000, currency: "EUR")),
            Payment(date: try civil("2026-04-10"), amount: Money(minorUnits: 80_000, currency: "EUR")),
        ])
        #expect(records[1].dueDate == nil)
        // A comma file does not need the payments quoted.
        let comma = InvoiceCSV.file(InvoiceCSV.row(amount: "2000.00", payments: "2026-11-10=1200.00;2026-11-25=800.00"))
        let paid = try InvoiceCSVReader.read(text: comma, file: "invoices.csv")
        #expect(paid[0].payments.map(\.amount.minorUnits) == [120_000, 80_000])
        #expect(paid[0].payments.map(\.date) == [try civil("2026-11-10"), try civil("2026-11-25")])
    }

    @Test func aByteOrderMarkAndCRLFLineEndingsAreAccepted() throws {
        let text = "\u{FEFF}" + InvoiceCSV.file(InvoiceCSV.row("FA-1"), InvoiceCSV.row("FA-2")).replacingOccurrences(of: "\n", with: "\r\n")
        let records = try InvoiceCSVReader.read(text: text, file: "invoices.csv")
        #expect(records.map(\.number) == ["FA-1", "FA-2"])
        #expect(records.map(\.line) == [2, 3])
        #expect(records[1].payments.isEmpty)
    }

    @Test func headerNamesIgnoreCaseDashesAndSpaces() throws {
        let text = "Invoice,Entity,SITE,Issue-Date,Amount,Currency,Due Date\nFA-1,mtx-industrie,mtx-ven,2026-10-19,10,EUR,2026-11-30\n"
        let r = try InvoiceCSVReader.read(text: text, file: "invoices.csv")
        #expect(r.first?.dueDate == (try civil("2026-11-30")))
    }

    @Test func aCreditNoteIsNegativeAndNamesItsInvoice() throws {
        let text = InvoiceCSV.file(InvoiceCSV.row("AV-1", kind: "credit-note", credits: "FA-2026-00001", amount: "-120.00"))
        let r = try InvoiceCSVReader.read(text: text, file: "invoices.csv")
        #expect(r.first?.kind == .creditNote)
        #expect(r.first?.credits == "FA-2026-00001")
        #expect(r.first?.amount.minorUnits == -12_000)
    }

    @Test func aDiscountedBillOfExchangeIsRead() throws {
        let text = InvoiceCSV.file(InvoiceCSV.row(method: "LCR", discounted: "oui"), InvoiceCSV.row("FA-2", method: "bor", discounted: "yes"))
        let r = try InvoiceCSVReader.read(text: text, file: "invoices.csv")
        #expect(r.map(\.method) == [.lcr, .bor])
        #expect(r.allSatisfy { $0.discounted })
    }

    // MARK: Malformations, each named with its line and field

    @Test func aMissingColumnIsNamed() {
        let text = "invoice,entity,site,issue_date,amount\nFA-1,mtx-industrie,mtx-ven,2026-10-19,10\n"
        expectProblem(InvoiceCSV.problems(text), line: 1, field: "currency", saying: "missing column 'currency'")
    }

    @Test func anUnknownColumnIsNamed() {
        let text = InvoiceCSV.header + ",colour\n" + InvoiceCSV.row() + ",blue\n"
        let found = InvoiceCSV.problems(text)
        expectProblem(found, line: 1, field: "colour", saying: "unknown column 'colour'")
        #expect(found.count == 1)
    }

    @Test func aDuplicateColumnIsNamed() {
        let text = InvoiceCSV.header + ",amount\n" + InvoiceCSV.row() + ",12\n"
        expectProblem(InvoiceCSV.problems(text), line: 1, field: "amount", saying: "column 'amount' appears twice")
    }

    @Test func aRowWithTheWrongNumberOfFieldsIsNamed() {
        let text = InvoiceCSV.file(InvoiceCSV.row("FA-1"), InvoiceCSV.row("FA-2") + ",extra", InvoiceCSV.row("FA-3"))
        let found = InvoiceCSV.problems(text)
        #expect(found.count == 1)
        #expect(found.first?.line == 3)
        #expect(found.first?.message.contains("16 fields where the header has 15") == true, "\(found)")
    }

    @Test func aDuplicateInvoiceNumberNamesBothLines() {
        let text = InvoiceCSV.file(InvoiceCSV.row("FA-1"), InvoiceCSV.row("FA-2"), InvoiceCSV.row("FA-1"))
        expectProblem(InvoiceCSV.problems(text), line: 4, field: "invoice", saying: "invoice FA-1 appears twice in the file (first on line 2)")
    }

    @Test(arguments: ["2026-13-01", "2026-02-30", "19.10.2026", "next monday", "2026/10/19"])
    func aBadDateIsNamed(_ text: String) {
        expectProblem(InvoiceCSV.problems(InvoiceCSV.file(InvoiceCSV.row(), InvoiceCSV.row("FA-2", issue: text))),
                      line: 3, field: "issue_date", saying: "'\(text)' is not a date")
    }

    @Test func aDateOutOfRangeIsNamed() {
        let found = InvoiceCSV.problems(InvoiceCSV.file(InvoiceCSV.row(due: "2206-12-15"), InvoiceCSV.row("FA-2", delivery: "1999-12-31")))
        expectProblem(found, line: 2, field: "due_date", saying: "'2206-12-15' is not a date YYYY-MM-DD between 2000 and 2100")
        expectProblem(found, line: 3, field: "delivery_date", saying: "'1999-12-31' is not a date")
    }

    @Test func anEmptyIssueDateIsNamed() {
        expectProblem(InvoiceCSV.problems(InvoiceCSV.file(InvoiceCSV.row(issue: ""))), line: 2, field: "issue_date", saying: "the issue date is empty")
    }

    @Test(arguments: ["abc", "12.3456", "1.2e3", "", "€12"])
    func aBadAmountIsNamed(_ amount: String) {
        expectProblem(InvoiceCSV.problems(InvoiceCSV.file(InvoiceCSV.row(amount: amount))), line: 2, field: "amount", saying: "is not an amount")
    }

    @Test func aNegativeOrZeroInvoiceIsRefused() {
        let found = InvoiceCSV.problems(InvoiceCSV.file(InvoiceCSV.row(amount: "-10.00"), InvoiceCSV.row("FA-2", amount: "0")))
        expectProblem(found, line: 2, field: "amount", saying: "an invoice amount must be positive")
        expectProblem(found, line: 3, field: "amount", saying: "an invoice amount must be positive")
    }

    @Test func aPositiveCreditNoteIsRefused() {
        let found = InvoiceCSV.problems(InvoiceCSV.file(InvoiceCSV.row("AV-1", kind: "credit-note", credits: "FA-9", amount: "10.00")))
        expectProblem(found, line: 2, field: "amount", saying: "a credit note amount must be negative")
    }

    @Test func aCreditNoteWithoutTheInvoiceItCreditsIsRefused() {
        let found = InvoiceCSV.problems(InvoiceCSV.file(InvoiceCSV.row("AV-1", kind: "credit-note", amount: "-10.00")))
        expectProblem(found, line: 2, field: "credits", saying: "a credit note must name the invoice it credits")
    }

    @Test func anUnknownKindIsRefused() {
        expectProblem(InvoiceCSV.problems(InvoiceCSV.file(InvoiceCSV.row(kind: "proforma"))), line: 2, field: "kind",
                      saying: "'proforma' is not invoice or credit-note")
    }

    @Test func anUnknownMethodIsRefused() {
        let found = InvoiceCSV.problems(InvoiceCSV.file(InvoiceCSV.row(), InvoiceCSV.row("FA-2", method: "bitcoin")))
        expectProblem(found, line: 3, field: "method", saying: "'bitcoin' is not one of: transfer, cheque, lcr, bor, direct-debit")
    }

    @Test func aDiscountedTransferIsRefused() {
        let found = InvoiceCSV.problems(InvoiceCSV.file(InvoiceCSV.row(method: "transfer", discounted: "yes")))
        expectProblem(found, line: 2, field: "discounted", saying: "only a bill of exchange (lcr, bor) can be discounted")
    }

    @Test func anUnreadableDiscountedFlagIsRefused() {
        expectProblem(InvoiceCSV.problems(InvoiceCSV.file(InvoiceCSV.row(method: "lcr", discounted: "maybe"))), line: 2, field: "discounted",
                      saying: "'maybe' is not yes or no")
    }

    @Test func paymentsExceedingTheAmountAreRefused() {
        let found = InvoiceCSV.problems(InvoiceCSV.file(InvoiceCSV.row(amount: "1000.00", payments: "2026-11-10=600.00;2026-11-25=400.01")))
        expectProblem(found, line: 2, field: "payments", saying: "payments exceed the invoice amount")
        // Exactly the amount is fine.
        #expect((try? InvoiceCSVReader.read(text: InvoiceCSV.file(InvoiceCSV.row(amount: "1000.00", payments: "2026-11-10=600.00;2026-11-25=400.00")),
                                             file: "invoices.csv"))?.count == 1)
    }

    @Test(arguments: ["2026-11-10", "2026-11-10=", "=12.00", "2026-11-10=-5.00", "2026-13-10=5.00", "10/11/2026=abc"])
    func aMalformedPaymentIsRefused(_ payment: String) {
        expectProblem(InvoiceCSV.problems(InvoiceCSV.file(InvoiceCSV.row(payments: payment))), line: 2, field: "payments", saying: "is not DATE=AMOUNT")
    }

    @Test func aDueDateBeforeTheIssueDateIsRefused() {
        let found = InvoiceCSV.problems(InvoiceCSV.file(InvoiceCSV.row(issue: "2026-10-19", due: "2026-10-18")))
        expectProblem(found, line: 2, field: "due_date", saying: "due date 2026-10-18 is before the issue date 2026-10-19")
    }

    @Test func aBadCurrencyIsRefused() {
        expectProblem(InvoiceCSV.problems(InvoiceCSV.file(InvoiceCSV.row(currency: "EURO"))), line: 2, field: "currency", saying: "is not an ISO 4217 code")
    }

    @Test func everyProblemOfTheFileIsReportedAtOnce() {
        let found = InvoiceCSV.problems(InvoiceCSV.file(
            InvoiceCSV.row("FA-1", method: "bitcoin"),
            InvoiceCSV.row("FA-2", issue: "2026-10-19", due: "2026-01-01"),
            InvoiceCSV.row("AV-3", kind: "credit-note", amount: "5.00")))
        #expect(Set(found.compactMap(\.line)) == [2, 3, 4])
        #expect(found.count == 4, "\(found.map(\.description))")  // AV-3: positive and no credits
    }

    @Test func anUnclosedQuoteIsNamedWithTheLineItStartsOn() {
        let text = InvoiceCSV.file(InvoiceCSV.row("FA-1"), InvoiceCSV.row("FA-2", note: "\"BL-2"), InvoiceCSV.row("FA-3"))
        let found = InvoiceCSV.problems(text)
        #expect(found.first?.line == 3)
        #expect(found.first?.message.contains("quoted field is not closed") == true)
    }

    @Test func anEmptyFileIsRefused() {
        #expect(InvoiceCSV.problems("").first?.message.contains("the file is empty") == true)
        #expect(InvoiceCSV.problems("\u{FEFF}\n\n").first?.message.contains("the file is empty") == true)
    }

    // MARK: Money

    /// (text, currency, expected minor units, or nil when refused).
    static let amounts: [(String, String, Int64?)] = [
        ("1234.56", "EUR", 123_456),
        ("1 234,56", "EUR", 123_456),
        ("1\u{00A0}234,56", "EUR", 123_456),
        ("1\u{202F}234,56", "EUR", 123_456),
        ("1,234.56", "EUR", 123_456),
        ("1.234,56", "EUR", 123_456),
        ("1'234.56", "CHF", 123_456),
        ("-12,5", "EUR", -1_250),
        ("+12", "EUR", 1_200),
        ("1234", "EUR", 123_400),
        ("0,05", "EUR", 5),
        // A lone separator followed by three digits after at most three others is ambiguous (thousands, or a
        // typo for decimals): refused. With more digits, or more groups, they are thousands.
        ("12.345", "EUR", nil),
        ("980,123", "EUR", nil),
        ("12.345.678", "EUR", 1_234_567_800),
        ("1.234.567,89", "EUR", 123_456_789),
        ("1 234 567,8", "EUR", 123_456_780),
        ("12.3456", "EUR", nil),
        ("12.", "EUR", nil),
        ("abc", "EUR", nil),
        ("", "EUR", nil),
        ("-", "EUR", nil),
        ("12-3", "EUR", nil),
        ("1234", "JPY", 1_234),
        ("1 234", "JPY", 1_234),
        ("1,234", "JPY", nil),
        ("12,345,678", "JPY", 12_345_678),
        ("12.5", "JPY", nil),
        ("12.345", "TND", 12_345),  // three decimals for the dinar
        ("12.3456", "TND", nil),
        ("1234567890123456", "EUR", nil),  // more than 15 digits
    ]

    @Test(arguments: InvoiceCSVReaderTests.amounts)
    func moneyIsParsed(_ text: String, _ currency: String, _ expected: Int64?) {
        let parsed = Money(parsing: text, currency: currency)
        #expect(parsed?.minorUnits == expected, "'\(text)' \(currency)")
        if let parsed { #expect(parsed.currency == currency) }
    }

    /// Separators that are neither a decimal point nor groups of three digits are taken as thousands
    /// separators whatever the group sizes: `12.34.56` reads as 1234.56 instead of being refused.
    @Test(arguments: ["1.2.3", "12.34.56", "1,2,3,4.56", "1234.567"])
    func misgroupedAmountsAreRefused(_ text: String) {
        #expect(Money(parsing: text, currency: "EUR") == nil, "'\(text)' read as \(String(describing: Money(parsing: text, currency: "EUR")))")
    }

    @Test func moneyIsShownGroupedWithTheCurrencyDecimals() {
        #expect(Money(minorUnits: 123_456_789, currency: "EUR").description == "1,234,567.89 EUR")
        #expect(Money(minorUnits: -1_250, currency: "EUR").amountText == "-12.50")
        #expect(Money(minorUnits: 1_234, currency: "JPY").amountText == "1,234")
        #expect(Money(minorUnits: 12_345, currency: "TND").amountText == "12.345")
        #expect(Money(minorUnits: 5, currency: "EUR").amountText == "0.05")
    }

    @Test func moneyAddsAndSubtractsInMinorUnits() {
        let a = Money(minorUnits: 1_000, currency: "EUR"), b = Money(minorUnits: 250, currency: "EUR")
        #expect((a + b).minorUnits == 1_250)
        #expect((a - b).minorUnits == 750)
        #expect((-a).minorUnits == -1_000)
        #expect(b < a)
        #expect(a.decimalValue == Decimal(10))
    }
}
