import Foundation

/// What the person following up did: the follow-up log's kinds of entries.
public enum FollowUpKind: String, Sendable, Codable, CaseIterable {
    /// A phone call (answered or not).
    case call
    /// A written reminder, formal notice or injunction file (letter or e-mail).
    case letter
    /// A sales rep's visit to collect a cheque or an accepted bill of exchange.
    case visit
    /// A request sent to the sales rep (to call their contact, or to visit).
    case salesRep = "sales-rep"
}

/// The level of a written step, from the courtesy reminder to the injunction to pay.
public enum LetterLevel: String, Sendable, Codable, CaseIterable, Comparable {
    /// Before the due date: a statement of the invoice and a reminder of its due date.
    case reminder
    /// After the due date: a reminder with the late-payment mentions the law requires.
    case overdue
    /// Mise en demeure (Code civil art. 1344), by registered letter.
    case formalNotice = "formal-notice"
    /// The file for an injonction de payer (Code de procédure civile art. 1405 and following).
    case injunction

    public static func < (a: LetterLevel, b: LetterLevel) -> Bool {
        allCases.firstIndex(of: a) ?? 0 < allCases.firstIndex(of: b) ?? 0
    }
}

/// The outcome of a call (or of a visit), as `relance log` records it.
public enum FollowUpOutcome: Sendable, Hashable, Codable {
    /// The payment approval (bon à payer) was given.
    case approvalGiven
    /// The goods receipt is not posted: the approval waits for it.
    case goodsReceiptMissing
    /// The invoice is in the payment run of that date.
    case inPaymentRun(CivilDate)
    /// The customer promised to pay on that date.
    case promiseToPay(CivilDate)
    /// The invoice is disputed, for that reason.
    case dispute(reason: String)
    /// The person called cannot act on it; `right` is who can.
    case wrongContact(right: String)
    /// Nobody answered.
    case noAnswer
    /// The accepted bill of exchange came back (or the promissory note was received).
    case billAccepted

    /// The names `relance log --outcome` takes.
    public static let names = ["approval-given", "goods-receipt-missing", "payment-run", "promise", "dispute", "wrong-contact", "no-answer",
                               "bill-accepted"]

    /// The outcome's name (one of ``names``).
    public var name: String {
        switch self {
        case .approvalGiven: return "approval-given"
        case .goodsReceiptMissing: return "goods-receipt-missing"
        case .inPaymentRun: return "payment-run"
        case .promiseToPay: return "promise"
        case .dispute: return "dispute"
        case .wrongContact: return "wrong-contact"
        case .noAnswer: return "no-answer"
        case .billAccepted: return "bill-accepted"
        }
    }

    /// Builds an outcome from its name and its one argument (a date, a reason, a person), or says what is wrong.
    public static func parse(_ name: String, argument: String?) -> Result<FollowUpOutcome, FollowUpOutcomeError> {
        func date() -> Result<FollowUpOutcome, FollowUpOutcomeError>? {
            guard let a = argument, let d = CivilDate(iso: a) else {
                return .failure(FollowUpOutcomeError("outcome '\(name)' needs a date YYYY-MM-DD (--on)"))
            }
            return name == "payment-run" ? .success(.inPaymentRun(d)) : .success(.promiseToPay(d))
        }
        func text(_ what: String, _ make: (String) -> FollowUpOutcome) -> Result<FollowUpOutcome, FollowUpOutcomeError> {
            guard let a = argument?.trimmingCharacters(in: .whitespaces), !a.isEmpty else {
                return .failure(FollowUpOutcomeError("outcome '\(name)' needs \(what)"))
            }
            return .success(make(a))
        }
        switch name {
        case "approval-given": return .success(.approvalGiven)
        case "goods-receipt-missing": return .success(.goodsReceiptMissing)
        case "payment-run", "promise": return date() ?? .failure(FollowUpOutcomeError("outcome '\(name)' needs a date"))
        case "dispute": return text("the dispute's reason (--reason)") { .dispute(reason: $0) }
        case "wrong-contact": return text("who is the right person (--right)") { .wrongContact(right: $0) }
        case "no-answer": return .success(.noAnswer)
        case "bill-accepted": return .success(.billAccepted)
        default: return .failure(FollowUpOutcomeError("unknown outcome '\(name)': use one of \(names.joined(separator: ", "))"))
        }
    }

    /// A short text for tables and the log: `promise 2026-12-04`, `dispute: price`.
    public var summary: String {
        switch self {
        case .inPaymentRun(let d): return "payment-run \(d)"
        case .promiseToPay(let d): return "promise \(d)"
        case .dispute(let r): return "dispute: \(r)"
        case .wrongContact(let r): return "wrong-contact, right: \(r)"
        default: return name
        }
    }

    /// The event an outcome becomes for one invoice, at `at`: the state it reaches (none for a call with no
    /// answer or a wrong contact, which move nothing but are kept as notes), the date it announces, the
    /// reason. `department` is where the answer came from.
    public func event(invoice: String, at: Date, department: String?, contact: String?, source: EventSource, note: String?) -> InvoiceEvent {
        var e = InvoiceEvent(invoice: invoice, state: nil, at: at, department: department, contact: contact, source: source,
                             rawCode: "follow-up:\(name)", note: note)
        switch self {
        case .approvalGiven: e.state = .approved
        case .goodsReceiptMissing:
            e.state = .suspended
            e.reason = "goods-receipt-missing"
        case .inPaymentRun(let d):
            e.state = .scheduled
            e.date = d
        case .promiseToPay(let d):
            e.state = .promised
            e.date = d
        case .dispute(let r):
            e.state = .inDispute
            e.reason = r
        case .wrongContact(let r): e.note = ["wrong contact; the right person is \(r)", note].compactMap { $0 }.joined(separator: "; ")
        case .noAnswer: e.note = ["no answer", note].compactMap { $0 }.joined(separator: "; ")
        case .billAccepted: e.state = .mandated
        }
        return e
    }
}

/// An outcome that cannot be built as given.
public struct FollowUpOutcomeError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// One entry of the follow-up log: a call, a letter, a visit or a request to a sales rep, with the
/// invoices it covered.
public struct FollowUpRecord: Sendable, Hashable, Codable {
    /// Store-assigned id (`nil` before it is stored).
    public var id: Int64?
    public var kind: FollowUpKind
    public var day: CivilDate
    public var group: String
    /// Whom it went to: a contact id, a department id, or a name (a sales rep, a learned contact).
    public var contact: String?
    /// Who did it (the person responsible, a sales rep).
    public var person: String?
    public var invoices: [String]
    /// For a letter: its level.
    public var level: LetterLevel?
    public var outcome: FollowUpOutcome?
    public var note: String?
    /// For each invoice, the median payment date forecast when the action was taken (what `report cost`
    /// compares the actual payment with).
    public var forecastP50: [String: CivilDate]

    public init(id: Int64? = nil, kind: FollowUpKind, day: CivilDate, group: String, contact: String? = nil, person: String? = nil,
                invoices: [String], level: LetterLevel? = nil, outcome: FollowUpOutcome? = nil, note: String? = nil,
                forecastP50: [String: CivilDate] = [:]) {
        self.id = id
        self.kind = kind
        self.day = day
        self.group = group
        self.contact = contact
        self.person = person
        self.invoices = invoices
        self.level = level
        self.outcome = outcome
        self.note = note
        self.forecastP50 = forecastP50
    }
}
