/// How an invoice is paid.
public enum PaymentMethod: String, Sendable, Codable, CaseIterable {
    case transfer, cheque
    /// Lettre de change relevé: a bill of exchange we draw on the customer.
    case lcr
    /// Billet à ordre relevé: a promissory note the customer issues.
    case bor
    case directDebit = "direct-debit"

    /// Bills of exchange have their own deadlines (acceptance, remittance to the bank).
    public var isBillOfExchange: Bool { self == .lcr || self == .bor }
}

/// A payment received for an invoice.
public struct Payment: Hashable, Sendable {
    public var date: CivilDate
    public var amount: Money
    public var reference: String?

    public init(date: CivilDate, amount: Money, reference: String? = nil) {
        self.date = date
        self.amount = amount
        self.reference = reference
    }
}

/// An invoice (or a credit note) we issued to a customer.
public struct Invoice: Hashable, Sendable, Identifiable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case invoice
        case creditNote = "credit-note"
    }

    /// The invoice number, unique in the database.
    public var id: String
    public var kind: Kind
    public var group: String
    /// The legal entity invoiced (the debtor).
    public var entity: String
    /// Where the goods or services were delivered.
    public var site: String
    /// The site the invoice was sent to, when known.
    public var sentTo: String?
    public var orderNumber: String?
    public var orderType: String?
    public var deliveryNote: String?
    public var issueDate: CivilDate
    public var deliveryDate: CivilDate?
    public var dueDate: CivilDate
    /// `true` when the due date came from the file, `false` when it was computed from the terms.
    public var dueDateGiven: Bool
    /// Amount including tax; negative for a credit note.
    public var amount: Money
    public var method: PaymentMethod
    public var salesRep: String?
    /// For a credit note: the invoice it credits.
    public var credits: String?
    /// For a bill of exchange: whether it is to be discounted (remitted early to the bank).
    public var discounted: Bool
    public var payments: [Payment]
    /// How the invoice was sent (`paper`, `electronic`, `e-invoicing`, `portal`…), when known: it changes how
    /// fast some customers pay.
    public var channel: String?

    public init(
        id: String, kind: Kind = .invoice, group: String, entity: String, site: String, sentTo: String? = nil,
        orderNumber: String? = nil, orderType: String? = nil, deliveryNote: String? = nil, issueDate: CivilDate,
        deliveryDate: CivilDate? = nil, dueDate: CivilDate, dueDateGiven: Bool = true, amount: Money,
        method: PaymentMethod = .transfer, salesRep: String? = nil, credits: String? = nil, discounted: Bool = false,
        payments: [Payment] = [], channel: String? = nil
    ) {
        self.channel = channel
        self.id = id
        self.kind = kind
        self.group = group
        self.entity = entity
        self.site = site
        self.sentTo = sentTo
        self.orderNumber = orderNumber
        self.orderType = orderType
        self.deliveryNote = deliveryNote
        self.issueDate = issueDate
        self.deliveryDate = deliveryDate
        self.dueDate = dueDate
        self.dueDateGiven = dueDateGiven
        self.amount = amount
        self.method = method
        self.salesRep = salesRep
        self.credits = credits
        self.discounted = discounted
        self.payments = payments
    }

    /// What has been paid.
    public var paid: Money { payments.reduce(.zero(amount.currency)) { $0 + $1.amount } }

    /// The day the invoice was settled: the last payment that brought the balance to zero or below.
    public var settledOn: CivilDate? {
        guard kind == .invoice, balance.minorUnits <= 0 else { return nil }
        return payments.map(\.date).max()
    }

    /// What remains to be paid, before credit notes (see ``openAmount(credited:)``).
    public var balance: Money { amount - paid }

    /// What remains after payments and the credit notes applied to this invoice.
    public func openAmount(credited: Money?) -> Money {
        balance + (credited ?? .zero(amount.currency))
    }

    /// The date the bill of exchange must reach our bank, `leadDays` before the due date (10 by default).
    public func remittanceDeadline(leadDays: Int = 10) -> CivilDate? {
        method.isBillOfExchange ? dueDate.adding(days: -leadDays) : nil
    }
}

extension Invoice {
    /// The invoice as known at the end of `day`: later payments are not known yet.
    public func known(on day: CivilDate) -> Invoice {
        // Most invoices have no payment after the day: they are returned as they are, with no new array.
        guard payments.contains(where: { $0.date > day }) else { return self }
        var v = self
        v.payments = payments.filter { $0.date <= day }
        return v
    }
}
