/// The one set of states every source maps onto: our ERP, calls, letters, the French e-invoicing
/// lifecycle (CDAR 200–213), Peppol Invoice Response (UNCL4343) and Chorus Pro. `docs/states.md` lists
/// them with the mapping of each standard code.
public enum CanonicalState: String, Sendable, Codable, CaseIterable {
    case issued
    case deposited
    case rejected
    case madeAvailable = "made-available"
    case received
    case inProcessing = "in-processing"
    case goodsReceived = "goods-received"
    case serviceDone = "service-done"
    case approved
    case partiallyApproved = "partially-approved"
    case suspended
    case completed
    case blocked
    case inDispute = "in-dispute"
    case resolved
    case refused
    case posted
    case mandated
    case scheduled
    case promised
    case paymentSent = "payment-sent"
    case paid
    case partiallyPaid = "partially-paid"
    case credited
    case cancelled

    /// The state's place in the list above (what `allCases` holds at that index): a state without a payload
    /// is stored as that number.
    var ordinal: Int { Int(unsafeBitCast(self, to: UInt8.self)) }

    /// Hashed by its place in the list, not by its text: each event of each position is looked up by its state.
    public func hash(into hasher: inout Hasher) { hasher.combine(ordinal) }

    /// Whether the state concerns the approval ("bon à payer") rather than the invoice document.
    public var concernsApproval: Bool {
        switch self {
        case .goodsReceived, .serviceDone, .approved, .partiallyApproved: return true
        default: return false
        }
    }

    /// States that stop the invoice where it is until someone acts.
    public var isBlocking: Bool {
        switch self {
        case .rejected, .suspended, .blocked, .inDispute, .refused: return true
        default: return false
        }
    }

    /// States after which nothing more is expected.
    public var closesInvoice: Bool { self == .paid || self == .credited || self == .cancelled }

    /// Whether a later event in this state lifts an earlier block, wherever it was raised: the explicit
    /// answers (`completed` after a suspension, `resolved` after a dispute or a block, a new deposit after a
    /// technical rejection) and the states that show the whole circuit has moved past the approval
    /// (posting, payment order, payment run, payment, closing). Progress on one branch only (the goods
    /// receipt, the invoice received) does not lift a block raised elsewhere: see
    /// ``PositionEngine`` for progress past the blocked step itself. A refusal is only lifted by a
    /// credit note or a cancellation, which close the invoice.
    public func lifts(_ block: CanonicalState) -> Bool {
        guard block.isBlocking, !isBlocking else { return false }
        if block == .refused { return closesInvoice }
        switch self {
        case .completed: return block == .suspended || block == .blocked
        case .resolved: return block == .inDispute || block == .blocked || block == .suspended
        case .deposited, .madeAvailable: return block == .rejected
        case .posted, .mandated, .scheduled, .paymentSent, .paid, .partiallyPaid, .credited, .cancelled: return true
        default: return false
        }
    }

    /// What the state proves about the route: the step actions it shows are done, and whether it shows
    /// that everything before the payment run is done (`beforePaymentRun`) or everything (`all`).
    public var completes: (actions: [StepAction], beforePaymentRun: Bool, all: Bool) {
        switch self {
        case .madeAvailable: return ([.platformRouting], false, false)
        // A buyer that disputes, suspends, blocks or refuses an invoice has received it.
        case .received, .inProcessing, .inDispute, .suspended, .blocked, .refused, .completed:
            return ([.platformRouting, .invoiceReceipt], false, false)
        case .goodsReceived: return ([.goodsReceipt], false, false)
        case .serviceDone: return ([.goodsReceipt, .serviceFait], false, false)
        case .approved, .partiallyApproved: return ([.goodsReceipt, .serviceFait, .approval], false, false)
        case .posted: return ([.platformRouting, .invoiceReceipt, .goodsReceipt, .serviceFait, .approval, .matching, .posting], false, false)
        case .mandated: return ([.mandate], false, false)
        case .scheduled: return ([], true, false)
        case .paymentSent, .paid, .partiallyPaid, .credited, .cancelled: return ([], true, true)
        default: return ([], false, false)
        }
    }

    /// A label in English.
    public var label: String { rawValue.split(separator: "-").joined(separator: " ") }
}

/// Where an observation came from.
public enum EventSource: String, Sendable, Codable, CaseIterable {
    case erp, call, letter, email
    case einvoicing = "e-invoicing"
    case portal, chorus, peppol, cdar, simulator
}

/// One observation about an invoice or its approval: what state was reached, when, where, told by whom.
/// Events are never changed once recorded; a correction is a new event.
public struct InvoiceEvent: Hashable, Sendable {
    /// Store-assigned id (`nil` before it is stored).
    public var id: Int64?
    public var invoice: String
    /// The state reached, or `nil` for a note that moves nothing (a call with no answer).
    public var state: CanonicalState?
    /// When it happened, as an instant.
    public var at: Date
    /// The time zone the time was given in (kept to show it as received).
    public var timeZone: String
    public var department: String?
    public var contact: String?
    public var source: EventSource
    /// The code as received (`205`, `AP`, `MISE_EN_PAIEMENT`, a SAP block key).
    public var rawCode: String?
    /// Reason code (CDAR `ReasonCode`, Peppol `OPStatusReason`): `CMD_ERR`, `NON_CONFORME`, …
    public var reason: String?
    /// Requested action (CDAR/Peppol `OPStatusAction`): `NIN`, `CNF`, `PIN`, …
    public var action: String?
    public var note: String?
    /// An amount the event carries (a partial payment, an approved amount).
    public var amount: Money?
    /// A date the event announces: the payment run it is in, the promised payment date.
    public var date: CivilDate?

    public init(
        id: Int64? = nil, invoice: String, state: CanonicalState?, at: Date, timeZone: String = "Europe/Paris",
        department: String? = nil, contact: String? = nil, source: EventSource, rawCode: String? = nil, reason: String? = nil,
        action: String? = nil, note: String? = nil, amount: Money? = nil, date: CivilDate? = nil
    ) {
        self.id = id
        self.invoice = invoice
        self.state = state
        self.at = at
        self.timeZone = timeZone
        self.department = department
        self.contact = contact
        self.source = source
        self.rawCode = rawCode
        self.reason = reason
        self.action = action
        self.note = note
        self.amount = amount
        self.date = date
    }

    /// What makes two events the same observation: the invoice, the state, the instant (to the second),
    /// the department, the source, the raw code, the contact and the start of the note. A duplicate (the
    /// same file imported twice, the same status relayed twice) has the same key and is ignored.
    public var identityKey: String {
        [invoice, state?.rawValue ?? "-", String(Int64(at.timeIntervalSince1970.rounded(.down))), department ?? "-",
         source.rawValue, rawCode ?? "-", contact ?? "-", note.map { String($0.prefix(40)) } ?? "-"].joined(separator: "|")
    }

    /// The civil date of the event in a time zone.
    public func day(in timeZone: TimeZone) -> CivilDate { CivilDate(at, in: timeZone) }
}

import Foundation
