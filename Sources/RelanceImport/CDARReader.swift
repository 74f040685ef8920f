import Foundation
import RelanceCore

/// Reads French e-invoicing lifecycle messages ("compte-rendu de vie", CDV): UN/CEFACT
/// CrossDomainAcknowledgementAndResponse D22B as profiled by the 2026 reform (AFNOR XP Z12-012).
///
/// One event per referenced invoice of each acknowledgement:
///
/// ```text
/// CrossDomainAcknowledgementAndResponse
///   ExchangedDocument/IssueDateTime/DateTimeString         when the message was issued (fallback time)
///   AcknowledgementDocument                                 (one or more)
///     IssueDateTime/DateTimeString                          when the status was reached
///     ReferenceReferencedDocument                           (one or more; one event each)
///       IssuerAssignedID                                    the invoice number
///       ProcessConditionCode                                the status, 200–213
///       SpecifiedDocumentStatus                             (zero or more)
///         ReasonCode, Reason, RequestedActionCode, IncludedNote/Content
///         SpecifiedDocumentCharacteristic                   TypeCode MEN/MPA/RAP/MAP… + ValueAmount
/// ```
///
/// A file holds one message, or a wrapper element around several (as saved from a platform). Times are
/// format 102 (`CCYYMMDD`, taken at noon), 203 (`CCYYMMDDHHMM`), 204 (`CCYYMMDDHHMMSS`), in Europe/Paris
/// (the profile has no zone), or 205 (`CCYYMMDDHHMM±HHMM`) with its offset.
public enum CDARReader: EventReader {
    /// The canonical state of a lifecycle status code (`ProcessConditionCode`), or `nil` for a code Relance
    /// does not map (unknown, or a vendor extension such as 214 Visée).
    public static func state(forCode code: String) -> CanonicalState? {
        switch code.trimmingCharacters(in: .whitespaces) {
        // Transmission phase (platforms).
        case "200": return .deposited        // Déposée: accepted by the supplier's platform (PA-E).
        case "201": return .deposited        // Émise par la plateforme: still on the supplier's side of the exchange.
        case "202": return .madeAvailable    // Reçue: the buyer's platform (PA-R) has it; no one at the buyer has seen it yet.
        case "203": return .madeAvailable    // Mise à disposition: offered to the buyer by its platform.
        case "213": return .rejected         // Rejetée: technical/semantic rejection by a platform; the supplier must re-issue.
        // Treatment phase (buyer, or supplier for 209 and 212).
        case "204": return .inProcessing     // Prise en charge: the buyer has taken it into its circuit.
        case "205": return .approved         // Approuvée: the "bon à payer".
        case "206": return .partiallyApproved // Approuvée partiellement: approved for part of the amount (MAP/MNA).
        case "207": return .inDispute        // En litige: the buyer contests it (reason required).
        case "208": return .suspended        // Suspendue: waiting for information or a document from the supplier.
        case "209": return .completed        // Complétée: the supplier answered a 208; processing can resume.
        case "210": return .refused          // Refusée: business refusal (reason required); only a credit note closes it.
        case "211": return .paymentSent      // Paiement transmis: the payer reports the payment as sent (MPA).
        case "212": return .paid             // Encaissée: the supplier reports the money received (MEN); partial with RAP > 0.
        // Vendor extension with an obvious meaning.
        case "220": return .cancelled        // Annulée.
        default: return nil
        }
    }

    /// Codes 214–225 appear in vendor lists (the reform's extended list); only 220 has an obvious state.
    /// The others are reported as unsupported rather than unknown, with their label when known.
    static let extensionLabels = ["214": "Visée", "221": "Erreur de routage", "224": "Demande de paiement direct", "225": "Affacturée"]

    static func isVendorExtension(_ code: String) -> Bool {
        code.count == 3 && Int(code).map { (214...225).contains($0) } == true
    }

    public static func read(_ data: Data, file: String) throws(ImportError) -> [EventRecord] {
        let tree = try XMLTree.parse(data, file: file)
        let messages = try tree.messages(named: "CrossDomainAcknowledgementAndResponse", what: "CDAR lifecycle message", file: file)
        var records: [EventRecord] = []
        var problems: [Diagnostic] = []
        for message in messages {
            readMessage(message, file: file, into: &records, problems: &problems)
        }
        guard problems.isEmpty else { throw ImportError(problems) }
        return records
    }

    private static func readMessage(_ message: XMLTree.Element, file: String, into records: inout [EventRecord], problems: inout [Diagnostic]) {
        func problem(_ element: XMLTree.Element, _ field: String, _ text: String) {
            problems.append(Diagnostic(file: file, line: element.line, column: element.column, field: field, message: text))
        }
        // The message's own issue time, used when an acknowledgement has none.
        var messageTime: (Date, String)?
        if let stamp = message.first("ExchangedDocument/IssueDateTime/DateTimeString") {
            switch LifecycleMessage.cdarTime(stamp) {
            case .success(let t): messageTime = t
            case .failure(let why): problem(stamp, "ExchangedDocument/IssueDateTime", why.message)
            }
        }
        let acknowledgements = message.children("AcknowledgementDocument")
        if acknowledgements.isEmpty {
            problem(message, "AcknowledgementDocument", "no AcknowledgementDocument: the message carries no status")
        }
        for ack in acknowledgements {
            var ackTime = messageTime
            if let stamp = ack.first("IssueDateTime/DateTimeString") {
                switch LifecycleMessage.cdarTime(stamp) {
                case .success(let t): ackTime = t
                case .failure(let why): problem(stamp, "AcknowledgementDocument/IssueDateTime", why.message); continue
                }
            }
            let references = ack.children("ReferenceReferencedDocument")
            if references.isEmpty {
                problem(ack, "AcknowledgementDocument/ReferenceReferencedDocument", "no ReferenceReferencedDocument: the acknowledgement names no invoice")
            }
            for ref in references {
                let base = "AcknowledgementDocument/ReferenceReferencedDocument"
                let count = problems.count
                let invoice = ref.text("IssuerAssignedID")
                if invoice == nil {
                    problem(ref.child("IssuerAssignedID") ?? ref, base + "/IssuerAssignedID", "missing invoice number (IssuerAssignedID)")
                }
                var reached: CanonicalState?
                let codeElement = ref.child("ProcessConditionCode")
                let code = codeElement?.text ?? ""
                if code.isEmpty {
                    problem(codeElement ?? ref, base + "/ProcessConditionCode", "missing status code (ProcessConditionCode)")
                } else if let s = state(forCode: code) {
                    reached = s
                } else if isVendorExtension(code) {
                    let label = extensionLabels[code].map { " (\($0))" } ?? ""
                    problem(codeElement ?? ref, base + "/ProcessConditionCode",
                            "status \(code)\(label) is an extended code Relance does not map; supported: 200–213 and 220")
                } else {
                    problem(codeElement ?? ref, base + "/ProcessConditionCode",
                            "unknown status code '\(code)'; expected a lifecycle code 200–213 (or 220)")
                }
                if ackTime == nil {
                    problem(ack, "AcknowledgementDocument/IssueDateTime",
                            "no status date-time (AcknowledgementDocument/IssueDateTime) and no message date-time (ExchangedDocument/IssueDateTime)")
                }

                // Reasons, actions and notes from every SpecifiedDocumentStatus, in order, without repeats.
                var reasons: [String] = [], actions: [String] = [], notes: [String] = []
                func add(_ value: String?, to list: inout [String]) {
                    guard let v = value?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty, !list.contains(v) else { return }
                    list.append(v)
                }
                let statuses = ref.children("SpecifiedDocumentStatus")
                for status in statuses {
                    add(status.text("ReasonCode"), to: &reasons)
                    add(status.text("RequestedActionCode"), to: &actions)
                }
                // The note: the included notes (the comment PPF requires on 208 and 210); the reason
                // labels only when there is no note.
                for status in statuses {
                    for note in status.all("IncludedNote/Content") { add(note.text, to: &notes) }
                }
                if notes.isEmpty {
                    for status in statuses {
                        for reason in status.children("Reason") { add(reason.text, to: &notes) }
                    }
                }

                // Amounts: MPA (paid) for 211, MEN (cashed) for 212, summed over VAT rates; for 206 the
                // approved amount (MAPTTC, else MAP). RAP > 0 on a 212 means a partial encaissement.
                let characteristics = statuses.flatMap { $0.children("SpecifiedDocumentCharacteristic") }
                func total(_ type: String) -> Money? {
                    var sum: Money?
                    for c in characteristics where c.text("TypeCode") == type {
                        guard let amountElement = c.child("ValueAmount") else { continue }
                        let currency = amountElement.attributes["currencyID"].flatMap { $0.isEmpty ? nil : $0 } ?? "EUR"
                        guard let m = Money(parsing: amountElement.text, currency: currency) else {
                            problem(amountElement, base + "/SpecifiedDocumentStatus/SpecifiedDocumentCharacteristic/ValueAmount",
                                    "amount '\(amountElement.text)' is not a number with at most \(Money.exponent(of: currency)) decimals")
                            continue
                        }
                        if let s = sum, s.currency != m.currency {
                            problem(amountElement, base + "/SpecifiedDocumentStatus/SpecifiedDocumentCharacteristic/ValueAmount",
                                    "\(type) amounts in two currencies (\(s.currency), \(m.currency))")
                            continue
                        }
                        sum = sum.map { $0 + m } ?? m
                    }
                    return sum
                }
                var amount: Money?
                switch code {
                case "211": amount = total("MPA") ?? total("MEN")
                case "212":
                    amount = total("MEN") ?? total("MPA")
                    if let remaining = total("RAP"), remaining.minorUnits > 0 { reached = .partiallyPaid }
                case "206": amount = total("MAPTTC") ?? total("MAP")
                default: break
                }

                guard problems.count == count, let invoice, let reached, let time = ackTime else { continue }
                let event = InvoiceEvent(
                    invoice: invoice, state: reached, at: time.0, timeZone: time.1, source: .cdar, rawCode: code,
                    reason: reasons.isEmpty ? nil : reasons.joined(separator: ","),
                    action: actions.isEmpty ? nil : actions.joined(separator: ","),
                    note: notes.isEmpty ? nil : notes.joined(separator: "\n"), amount: amount)
                records.append(EventRecord(event: event, file: file, line: ref.line))
            }
        }
    }
}

/// Time handling shared by the lifecycle-message readers.
enum LifecycleMessage {
    /// The zone of French platforms and of Chorus Pro, for times written without an offset.
    static let paris = TimeZone(identifier: "Europe/Paris") ?? TimeZone(secondsFromGMT: 3600) ?? .gmt

    struct Problem: Error { let message: String }

    /// A CDAR `DateTimeString` (UNTDID 2379 formats 102, 203, 204, 205), as an instant and the zone it was
    /// given in. Without a `format` attribute, the length decides (8 → 102, 12 → 203, 14 → 204).
    static func cdarTime(_ element: XMLTree.Element) -> Result<(Date, String), Problem> {
        let s = element.text
        let format = element.attributes["format"] ?? [8: "102", 12: "203", 14: "204"][s.count] ?? "?"
        let expected: [String: Int] = ["102": 8, "203": 12, "204": 14, "205": 17]
        guard let length = expected[format] else {
            return .failure(Problem(message: "date-time '\(s)' in format '\(format)'; expected format 102 (CCYYMMDD), 203, 204 (CCYYMMDDHHMMSS) or 205"))
        }
        let c = Array(s)
        guard c.count == length, c.prefix(format == "205" ? 12 : length).allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return .failure(Problem(message: "date-time '\(s)' does not match format \(format) (\(["102": "CCYYMMDD", "203": "CCYYMMDDHHMM", "204": "CCYYMMDDHHMMSS", "205": "CCYYMMDDHHMM±HHMM"][format] ?? ""))"))
        }
        func part(_ from: Int, _ to: Int) -> String { String(c[from..<to]) }
        var iso = "\(part(0, 4))-\(part(4, 6))-\(part(6, 8))"
        if length > 8 { iso += "T\(part(8, 10)):\(part(10, 12)):" + (length == 14 ? part(12, 14) : "00") }
        if format == "205" {
            guard c[12] == "+" || c[12] == "-", c[13...].allSatisfy({ $0.isASCII && $0.isNumber }) else {
                return .failure(Problem(message: "date-time '\(s)' does not match format 205 (CCYYMMDDHHMM±HHMM)"))
            }
            iso += "\(c[12])\(part(13, 15)):\(part(15, 17))"
        }
        guard let t = Instants.parse(iso, zone: paris) else {
            return .failure(Problem(message: "'\(s)' is not a valid date-time (format \(format))"))
        }
        return .success(t)
    }
}
