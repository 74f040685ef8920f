import Foundation
import RelanceCore

/// How a portfolio is followed up: the rhythm of letters and calls, when the sales rep is brought in,
/// the bill-of-exchange deadlines, disputes, escalation, and the figures of the legal mentions and the
/// cost report. Stored as key/value pairs (``PolicyKey``): the portfolio's values, then a customer's
/// overrides; what neither sets keeps the default below. `docs/agenda.md` explains each rule.
public struct FollowUpPolicy: Sendable, Hashable {
    /// A written reminder every this many days, counted from the invoice date, while the invoice is open.
    public var letterEveryDays = 14
    /// A call this many days after each letter.
    public var callDaysAfterLetter = 3
    /// A contact is never called twice within this many days.
    public var minDaysBetweenCalls = 7
    /// Slack, in days, added to a route step's expected duration before it is checked by phone.
    public var stepSlackDays = 1
    /// Before the due date, a last check that payables prepare the payment this many days ahead.
    public var preDueCheckDays = 10
    /// The person responsible for following the customer up (default: the organisation file's `responsible`).
    public var responsible: String?
    /// The sales rep is brought in from this open amount…
    public var salesRepAmount = Money(minorUnits: 20_000_00, currency: "EUR")
    /// … or from this many days late.
    public var salesRepDaysLate = 30
    /// A bill of exchange must be at the bank this many days before its due date.
    public var remittanceLeadDays = 10
    /// Chasing the accepted bill starts this many days before the remittance deadline.
    public var billChaseDays = 7
    /// Who owns disputes (default: the person responsible).
    public var disputeOwner: String?
    /// A dispute should be settled within this many days.
    public var disputeTargetDays = 10
    /// Escalation after the due date: a reminder with the legal mentions, a formal notice, the injunction file.
    public var overdueReminderDays = 3
    public var formalNoticeDays = 45
    public var injunctionDays = 75
    /// The ECB main refinancing rate, in percent, of the current half-year (see `docs/agenda.md`).
    public var ecbRatePercent = Decimal(string: "2.15") ?? 2
    /// Points added to the ECB rate for late-payment interest (Code de commerce L441-10: 10).
    public var penaltyPoints = Decimal(10)
    /// The fixed recovery indemnity per invoice paid late (D441-5: €40).
    public var recoveryIndemnity = Money(minorUnits: 40_00, currency: "EUR")
    /// Language of letters (`fr` or `en`).
    public var language = "fr"
    /// Unit costs of follow-up, for `report cost`.
    public var callCost = Money(minorUnits: 8_00, currency: "EUR")
    public var letterCost = Money(minorUnits: 3_00, currency: "EUR")
    public var visitCost = Money(minorUnits: 60_00, currency: "EUR")
    /// Minutes of effort, for the agenda's ordering.
    public var callMinutes = 6
    public var letterMinutes = 3
    public var visitMinutes = 90
    /// Our financing rate (percent a year): what a day of earlier payment saves.
    public var financingRatePercent = Decimal(5)

    public init() {}

    /// The late-payment interest rate in percent: ECB rate + penalty points.
    public var lateInterestPercent: Decimal { ecbRatePercent + penaltyPoints }
}

/// One setting of the policy, by the name `relance policy --set NAME=VALUE` takes.
public enum PolicyKey: String, Sendable, CaseIterable {
    case letterEveryDays = "letter-every-days"
    case callDaysAfterLetter = "call-days-after-letter"
    case minDaysBetweenCalls = "min-days-between-calls"
    case stepSlackDays = "step-slack-days"
    case preDueCheckDays = "pre-due-check-days"
    case responsible
    case salesRepAmount = "sales-rep-amount"
    case salesRepDaysLate = "sales-rep-days-late"
    case remittanceLeadDays = "remittance-lead-days"
    case billChaseDays = "bill-chase-days"
    case disputeOwner = "dispute-owner"
    case disputeTargetDays = "dispute-target-days"
    case overdueReminderDays = "overdue-reminder-days"
    case formalNoticeDays = "formal-notice-days"
    case injunctionDays = "injunction-days"
    case ecbRatePercent = "ecb-rate"
    case penaltyPoints = "penalty-points"
    case recoveryIndemnity = "recovery-indemnity"
    case language
    case callCost = "call-cost"
    case letterCost = "letter-cost"
    case visitCost = "visit-cost"
    case callMinutes = "call-minutes"
    case letterMinutes = "letter-minutes"
    case visitMinutes = "visit-minutes"
    case financingRatePercent = "financing-rate"

    private var intPath: WritableKeyPath<FollowUpPolicy, Int>? {
        switch self {
        case .letterEveryDays: return \.letterEveryDays
        case .callDaysAfterLetter: return \.callDaysAfterLetter
        case .minDaysBetweenCalls: return \.minDaysBetweenCalls
        case .stepSlackDays: return \.stepSlackDays
        case .preDueCheckDays: return \.preDueCheckDays
        case .salesRepDaysLate: return \.salesRepDaysLate
        case .remittanceLeadDays: return \.remittanceLeadDays
        case .billChaseDays: return \.billChaseDays
        case .disputeTargetDays: return \.disputeTargetDays
        case .overdueReminderDays: return \.overdueReminderDays
        case .formalNoticeDays: return \.formalNoticeDays
        case .injunctionDays: return \.injunctionDays
        case .callMinutes: return \.callMinutes
        case .letterMinutes: return \.letterMinutes
        case .visitMinutes: return \.visitMinutes
        default: return nil
        }
    }

    private var moneyPath: WritableKeyPath<FollowUpPolicy, Money>? {
        switch self {
        case .salesRepAmount: return \.salesRepAmount
        case .recoveryIndemnity: return \.recoveryIndemnity
        case .callCost: return \.callCost
        case .letterCost: return \.letterCost
        case .visitCost: return \.visitCost
        default: return nil
        }
    }

    private var ratePath: WritableKeyPath<FollowUpPolicy, Decimal>? {
        switch self {
        case .ecbRatePercent: return \.ecbRatePercent
        case .penaltyPoints: return \.penaltyPoints
        case .financingRatePercent: return \.financingRatePercent
        default: return nil
        }
    }

    /// The value of this setting in a policy, as text (what `set` takes back).
    public func value(in policy: FollowUpPolicy) -> String {
        if let p = intPath { return String(policy[keyPath: p]) }
        if let p = moneyPath { return policy[keyPath: p].decimalValue.description }
        if let p = ratePath { return policy[keyPath: p].description }
        switch self {
        case .responsible: return policy.responsible ?? ""
        case .disputeOwner: return policy.disputeOwner ?? ""
        default: return policy.language
        }
    }

    /// Sets this setting from text, or says why the text is not a valid value.
    public func set(_ text: String, in policy: inout FollowUpPolicy) throws(PolicyError) {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let p = intPath {
            guard let n = Int(t), (0...3650).contains(n) else { throw PolicyError("\(rawValue): '\(text)' is not a whole number of days or minutes (0 to 3650)") }
            if self == .letterEveryDays || self == .minDaysBetweenCalls, n == 0 { throw PolicyError("\(rawValue) must be at least 1") }
            policy[keyPath: p] = n
        } else if let p = moneyPath {
            guard let m = Money(parsing: t, currency: "EUR"), m.minorUnits >= 0 else { throw PolicyError("\(rawValue): '\(text)' is not an amount in euros (e.g. 40 or 20000.00)") }
            policy[keyPath: p] = m
        } else if let p = ratePath {
            guard let d = Decimal(string: t, locale: Locale(identifier: "en_US_POSIX")), d >= 0, d < 100,
                  t.allSatisfy({ $0.isNumber || $0 == "." }) else {
                throw PolicyError("\(rawValue): '\(text)' is not a rate in percent (e.g. 2.15)")
            }
            policy[keyPath: p] = d
        } else if self == .language {
            guard ["fr", "en"].contains(t) else { throw PolicyError("language: '\(text)' is not fr or en") }
            policy.language = t
        } else if self == .responsible {
            policy.responsible = t.isEmpty ? nil : t
        } else {
            policy.disputeOwner = t.isEmpty ? nil : t
        }
    }

    /// What the setting means, for `relance policy`.
    public var help: String {
        switch self {
        case .letterEveryDays: return "a written reminder every N days from the invoice date"
        case .callDaysAfterLetter: return "a call N days after each letter"
        case .minDaysBetweenCalls: return "never call the same contact twice within N days"
        case .stepSlackDays: return "days past a route step's expected duration before a circuit check call"
        case .preDueCheckDays: return "last check that payables prepare the payment, N days before due"
        case .responsible: return "the person responsible for the customer's follow-up"
        case .salesRepAmount: return "bring the sales rep in from this open amount (EUR)"
        case .salesRepDaysLate: return "… or from this many days late"
        case .remittanceLeadDays: return "a bill of exchange must be at the bank N days before due"
        case .billChaseDays: return "chase the accepted bill from N days before that deadline"
        case .disputeOwner: return "who owns disputes (default: the person responsible)"
        case .disputeTargetDays: return "settle a dispute within N days"
        case .overdueReminderDays: return "escalation 1: reminder with legal mentions, N days late"
        case .formalNoticeDays: return "escalation 2: formal notice (mise en demeure), N days late"
        case .injunctionDays: return "escalation 3: injunction to pay file, N days late"
        case .ecbRatePercent: return "ECB main refinancing rate of the half-year (%)"
        case .penaltyPoints: return "points added to the ECB rate (L441-10: 10)"
        case .recoveryIndemnity: return "fixed recovery indemnity per late invoice (D441-5: 40 EUR)"
        case .language: return "language of letters: fr or en"
        case .callCost: return "cost of a call (EUR)"
        case .letterCost: return "cost of a letter (EUR)"
        case .visitCost: return "cost of a visit (EUR)"
        case .callMinutes: return "minutes of effort per call"
        case .letterMinutes: return "minutes of effort per letter"
        case .visitMinutes: return "minutes of effort per visit"
        case .financingRatePercent: return "our financing rate (% a year)"
        }
    }
}

/// A policy setting that cannot be applied as given.
public struct PolicyError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension FollowUpPolicy {
    /// The policy of a customer: the defaults, then the portfolio's settings, then the customer's overrides.
    /// `responsible` falls back to the organisation file's person responsible.
    public static func effective(portfolio: [String: String], customer: [String: String], fileResponsible: String? = nil) throws(PolicyError) -> FollowUpPolicy {
        var p = FollowUpPolicy()
        p.responsible = fileResponsible
        for layer in [portfolio, customer] {
            for (name, value) in layer.sorted(by: { $0.key < $1.key }) {
                guard let key = PolicyKey(rawValue: name) else { throw PolicyError("unknown policy setting '\(name)'") }
                try key.set(value, in: &p)
            }
        }
        return p
    }
}
