import RelanceCore
import Testing

/// How amounts are written in questions, letters and tables: grouped by thousands, with the currency's
/// number of decimals, the sign in front.
@Suite struct MoneyTextTests {
    @Test(arguments: [
        (Int64(0), "EUR", "0.00"), (5, "EUR", "0.05"), (-5, "EUR", "-0.05"), (100, "EUR", "1.00"), (99_999, "EUR", "999.99"),
        (100_000, "EUR", "1,000.00"), (-11_724_669, "EUR", "-117,246.69"), (123_456_789_012, "EUR", "1,234,567,890.12"),
        (Int64.max, "EUR", "92,233,720,368,547,758.07"), (Int64.min, "EUR", "-92,233,720,368,547,758.08"),
        (0, "JPY", "0"), (1_234_567, "JPY", "1,234,567"), (-999, "JPY", "-999"), (1_000, "JPY", "1,000"),
        (1_234_567, "KWD", "1,234.567"), (7, "KWD", "0.007"),
    ])
    func anAmountIsWrittenGroupedWithItsCurrencysDecimals(minor: Int64, currency: String, text: String) {
        let money = Money(minorUnits: minor, currency: currency)
        #expect(money.amountText == text)
        #expect(money.description == "\(text) \(currency)")
    }
}
