/// The date the payment period starts from.
public enum TermsBasis: String, Sendable, Codable, CaseIterable {
    case invoiceDate = "invoice-date"
    case deliveryDate = "delivery-date"
    /// Receipt of the invoice by the customer (common with public bodies and some shared-service centres).
    case receiptDate = "receipt-date"
}

/// How "end of month" combines with the number of days, in the two French readings of "45 jours fin de mois".
public enum EndOfMonthRule: String, Sendable, Codable, CaseIterable {
    /// Net: basis date + N days.
    case none
    /// Reading (a): end of the basis month, then N days (15 Jan, 45 d → 31 Jan + 45 = 17 Mar).
    case endOfMonthThenDays = "end-of-month-then-days"
    /// Reading (b): basis date + N days, then the end of that month (15 Jan, 45 d → 1 Mar → 31 Mar).
    case daysThenEndOfMonth = "days-then-end-of-month"
}

/// Contractual payment terms: N days net, N days end of month (either reading), optionally paid on a
/// fixed day of the following month ("le 10").
public struct PaymentTerms: Hashable, Sendable {
    public var days: Int
    public var endOfMonth: EndOfMonthRule
    public var basis: TermsBasis
    /// When set, the due date moves to the next occurrence of this day of the month (on or after).
    public var payDay: Int?

    public init(days: Int, endOfMonth: EndOfMonthRule = .none, basis: TermsBasis = .invoiceDate, payDay: Int? = nil) {
        self.days = days
        self.endOfMonth = endOfMonth
        self.basis = basis
        self.payDay = payDay
    }

    public static let net30 = PaymentTerms(days: 30)
    public static let net60 = PaymentTerms(days: 60)
    /// What French law applies when nothing was agreed: 30 days after delivery (C. com. L441-10).
    public static let legalDefault = PaymentTerms(days: 30, basis: .deliveryDate)

    /// The contractual due date, counted from the basis date.
    public func dueDate(from basisDate: CivilDate) -> CivilDate {
        var due: CivilDate
        switch endOfMonth {
        case .none: due = basisDate.adding(days: days)
        case .endOfMonthThenDays: due = basisDate.endOfMonth.adding(days: days)
        case .daysThenEndOfMonth: due = basisDate.adding(days: days).endOfMonth
        }
        if let payDay {
            let (y, m, _) = due.civil
            let sameMonth = RunDay.day(payDay).date(year: y, month: m)
            if sameMonth >= due {
                due = sameMonth
            } else {
                let next = sameMonth.adding(months: 1).civil
                due = RunDay.day(payDay).date(year: next.year, month: next.month)
            }
        }
        return due
    }

    /// The latest due date French law allows for an invoice dated `invoiceDate` (C. com. L441-10):
    /// 60 days after the invoice date, or 45 days end of month when the terms say "end of month".
    public func legalCap(invoiceDate: CivilDate) -> CivilDate {
        switch endOfMonth {
        case .none: return invoiceDate.adding(days: 60)
        case .endOfMonthThenDays: return invoiceDate.endOfMonth.adding(days: 45)
        case .daysThenEndOfMonth: return invoiceDate.adding(days: 45).endOfMonth
        }
    }

    /// Why these terms exceed the legal cap, or `nil` when they do not.
    public var legalProblem: String? {
        switch endOfMonth {
        case .none where days > 60:
            return "\(days) days net exceeds the 60-day cap of C. com. L441-10"
        case .endOfMonthThenDays where days > 45, .daysThenEndOfMonth where days > 45:
            return "\(days) days end of month exceeds the 45-day end-of-month cap of C. com. L441-10"
        default:
            guard let payDay else { return nil }
            if !(1...31).contains(payDay) { return "pay day \(payDay) is not a day of the month" }
            // Waiting for the pay day can push the due date past the cap ("60 days net, paid on the 10th").
            // Two years from a leap year meet every month length and every day of the month.
            let start = CivilDate(dayNumber: CivilDate.daysFromCivil(year: 2028, month: 1, day: 1))
            for offset in 0..<731 {
                let invoice = start.adding(days: offset)
                let due = dueDate(from: invoice), cap = legalCap(invoiceDate: invoice)
                if due > cap {
                    let terms = endOfMonth == .none ? "\(days) days net" : "\(days) days end of month"
                    return "\(terms), paid on the \(payDay), can fall due after the cap of C. com. L441-10 "
                        + "(an invoice of \(invoice) is due \(due), after \(cap))"
                }
            }
            return nil
        }
    }

    /// "45 days end of month (end of month, then 45 days) from the invoice date".
    public var summary: String {
        var text: String
        switch endOfMonth {
        case .none: text = "\(days) days net"
        case .endOfMonthThenDays: text = "\(days) days end of month (end of month, then \(days) days)"
        case .daysThenEndOfMonth: text = "\(days) days end of month (\(days) days, then end of month)"
        }
        text += " from the \(basis.rawValue.split(separator: "-").joined(separator: " "))"
        if let payDay { text += ", paid on the \(payDay)" }
        return text
    }
}
