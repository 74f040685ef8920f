import Foundation
import Mustache
import RelanceCore

/// What French law adds to an invoice paid late (Code de commerce L441-10, D441-5): interest at the ECB
/// rate plus 10 points from the day after the due date, and a fixed €40 recovery indemnity.
public struct LateCharges: Sendable, Hashable {
    /// Days from the due date to the as-of day (0 when not late).
    public var daysLate: Int
    /// Yearly rate in percent (ECB rate + penalty points).
    public var ratePercent: Decimal
    /// open × rate × days / 365, rounded half-up to the cent.
    public var interest: Money
    /// The fixed indemnity when late, else zero.
    public var indemnity: Money

    public var total: Money { interest + indemnity }

    /// The charges on `open` due on `due`, as of `asOf`, under a policy.
    public static func compute(open: Money, due: CivilDate, asOf: CivilDate, policy: FollowUpPolicy) -> LateCharges {
        let days = max(0, due.days(to: asOf))
        let rate = policy.lateInterestPercent
        guard days > 0, open.minorUnits > 0 else {
            return LateCharges(daysLate: 0, ratePercent: rate, interest: .zero(open.currency), indemnity: .zero(open.currency))
        }
        return LateCharges(daysLate: days, ratePercent: rate, interest: simpleInterest(open, ratePercent: rate, days: days),
                           indemnity: policy.recoveryIndemnity)
    }
}

/// amount × rate/100 × days/365 on an exact-days basis, rounded half away from zero to the minor unit.
public func simpleInterest(_ amount: Money, ratePercent: Decimal, days: Int) -> Money {
    var exact = Decimal(amount.minorUnits) * ratePercent * Decimal(days) / Decimal(100 * 365)
    var rounded = Decimal()
    NSDecimalRound(&rounded, &exact, 0, .plain)
    return Money(minorUnits: NSDecimalNumber(decimal: rounded).int64Value, currency: amount.currency)
}

/// A rendered letter (or e-mail: the subject and the same body).
public struct RenderedLetter: Sendable, Hashable {
    public var fileName: String
    public var subject: String
    public var body: String
    public var letter: AgendaLetter
}

/// Renders agenda letters from the bundled Mustache templates (`Templates/letter-fr.mustache`, `letter-en`).
public enum LetterRenderer {
    /// The languages there are templates for.
    public static let languages = ["fr", "en"]

    static func template(_ language: String) throws -> MustacheTemplate {
        guard let url = Bundle.module.url(forResource: "letter-\(language)", withExtension: "mustache", subdirectory: "Templates")
                ?? Bundle.module.url(forResource: "letter-\(language)", withExtension: "mustache") else {
            throw PlanError("no letter template for language '\(language)' (known: \(languages.joined(separator: ", ")))")
        }
        return try MustacheTemplate(string: try String(contentsOf: url, encoding: .utf8))
    }

    /// `12 000,00 €` in French, `EUR 12,000.00` in English.
    public static func amount(_ m: Money, language: String) -> String {
        guard language == "fr" else { return "\(m.currency) \(m.amountText)" }
        let text = m.amountText.replacingOccurrences(of: ",", with: "\u{202F}").replacingOccurrences(of: ".", with: ",")
        return text + (m.currency == "EUR" ? " €" : " \(m.currency)")
    }

    /// `27/11/2026` in French, `2026-11-27` in English.
    public static func day(_ d: CivilDate, language: String) -> String {
        language == "fr" ? String(format: "%02d/%02d/%04d", d.day, d.month, d.year) : d.description
    }

    static func subject(_ l: AgendaLetter, language: String) -> String {
        let fr = language == "fr"
        switch l.level {
        case .reminder: return fr ? "Relevé de factures à échoir" : "Invoices falling due"
        case .overdue: return fr ? "Relance : factures échues impayées" : "Reminder: overdue invoices"
        case .formalNotice: return fr ? "Mise en demeure de payer" : "Formal notice to pay"
        case .injunction: return fr ? "Requête en injonction de payer" : "Application for an order for payment"
        }
    }

    /// Renders one letter as of `date` under a policy; `sender` heads it and signs it.
    public static func render(_ l: AgendaLetter, date: CivilDate, policy: FollowUpPolicy, sender: String, signature: String? = nil) throws -> RenderedLetter {
        let lang = languages.contains(l.language) ? l.language : "fr"
        var rows: [[String: Any]] = []
        var totalOpen: Money?, totalCharges: Money?
        for i in l.invoices {
            let c = LateCharges.compute(open: i.openAmount, due: i.dueDate, asOf: date, policy: policy)
            totalOpen = (totalOpen ?? .zero(i.openAmount.currency)) + i.openAmount
            totalCharges = (totalCharges ?? .zero(i.openAmount.currency)) + c.total
            rows.append(["id": i.invoice, "issueDate": day(i.issueDate, language: lang), "dueDate": day(i.dueDate, language: lang),
                         "open": amount(i.openAmount, language: lang), "late": c.daysLate > 0, "daysLate": c.daysLate,
                         "interest": amount(c.interest, language: lang), "indemnity": amount(c.indemnity, language: lang)])
        }
        let zero = Money.zero(l.invoices.first?.openAmount.currency ?? "EUR")
        let open = totalOpen ?? zero, charges = totalCharges ?? zero
        let subject = subject(l, language: lang)
        func percent(_ d: Decimal) -> String { lang == "fr" ? d.description.replacingOccurrences(of: ".", with: ",") : d.description }
        let context: [String: Any] = [
            "sender": sender, "signature": signature ?? sender, "date": day(date, language: lang), "entityName": l.entityName,
            "address": l.address ?? false, "subject": subject, "invoices": rows,
            "reminder": l.level == .reminder, "overdue": l.level == .overdue, "formalNotice": l.level == .formalNotice, "injunction": l.level == .injunction,
            "totalOpen": amount(open, language: lang), "totalCharges": amount(charges, language: lang), "totalDue": amount(open + charges, language: lang),
            "anyLate": rows.contains { $0["late"] as? Bool == true },
            "rate": percent(policy.lateInterestPercent), "ecbRate": percent(policy.ecbRatePercent), "points": percent(policy.penaltyPoints),
            "indemnityUnit": amount(policy.recoveryIndemnity, language: lang),
        ]
        let body = try template(lang).render(context)
            .replacingOccurrences(of: "\n\n\n", with: "\n\n")
        let name = "\(date)-\(l.group)-\(l.entity)-\(l.level.rawValue)-\(lang).txt"
        return RenderedLetter(fileName: name, subject: subject, body: body.trimmingCharacters(in: .newlines) + "\n", letter: l)
    }
}
