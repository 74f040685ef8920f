import Foundation
import RelanceCore

/// Reads Peppol Invoice Responses (BIS 3, UBL `ApplicationResponse`,
/// `urn:fdc:peppol.eu:poacc:trns:invoice_response:3`): the buyer's statuses for an invoice.
///
/// ```text
/// ApplicationResponse
///   CustomizationID                                invoice_response (a Message Level Response is refused)
///   IssueDate, IssueTime                           when the response was issued
///   SenderParty/Contact                            Name, Telephone, ElectronicMail → a learned contact
///   DocumentResponse                               (one event each; BIS allows exactly one)
///     Response/ResponseCode  listID UNCL4343OpSubset   AB IP UQ CA RE AP PD
///     Response/EffectiveDate                       when the status took effect
///     Response/Status/StatusReasonCode  listID OPStatusReason | OPStatusAction
///     Response/Status/StatusReason                 free text → the note
///     DocumentReference/ID                         the invoice number
/// ```
///
/// A file holds one response, or a wrapper element around several.
///
/// Time: `IssueDate` + `IssueTime` (Europe/Paris when the time has no offset; noon when there is no
/// time). When `EffectiveDate` is an earlier day, the status took effect then: the event is placed on that
/// day (at noon). A later `EffectiveDate` (a payment date announced by a PD) becomes the event's `date`.
public enum PeppolReader: EventReader {
    /// Reasons (OPStatusReason) that make an under-query response a commercial disagreement rather than
    /// a request for information: quality, delivery, prices, quantity, items, payment terms, unknown
    /// transaction. They are the counterparts of the CDAR 207 reasons QUALITE_ERR, LIVR_INCOMP, PU_ERR,
    /// QTE_ERR, ART_ERR, MODPAI_ERR, TRANSAC_INC. REF, LEG, REC, FIN, NON, OTH (missing references, legal
    /// mentions, bank details…) ask for information, as a CDAR 208 does.
    public static let disputeReasons: Set<String> = ["QUA", "DEL", "PRI", "QTY", "ITM", "PAY", "UNR"]

    /// The canonical state of a response code (UNCL4343 Peppol subset), refined by the status reasons;
    /// `nil` for a code outside the subset.
    public static func state(forCode code: String, reasons: [String] = []) -> CanonicalState? {
        switch code.trimmingCharacters(in: .whitespaces) {
        case "AB": return .received          // Message acknowledgement: the buyer has a readable invoice it can process.
        case "IP": return .inProcessing      // In process: processing has started in the buyer's system.
        case "UQ":                           // Under query: halted until the seller answers.
            return reasons.contains(where: disputeReasons.contains) ? .inDispute : .suspended
        case "CA": return .partiallyApproved // Conditionally accepted: paid as stated in the reason unless disputed.
        case "RE": return .refused           // Rejected: the buyer will not process it (final).
        case "AP": return .approved          // Accepted: final approval, next step is payment.
        case "PD":                           // Paid: the buyer has initiated payment; PPD = partially paid.
            return reasons.contains("PPD") ? .partiallyPaid : .paymentSent
        default: return nil
        }
    }

    static let actionCodes: Set<String> = ["NOA", "PIN", "NIN", "CNF", "CNP", "CNA", "OTH"]

    public static func read(_ data: Data, file: String) throws(ImportError) -> [EventRecord] {
        let tree = try XMLTree.parse(data, file: file)
        let responses = try tree.messages(named: "ApplicationResponse", what: "Peppol Invoice Response", file: file)
        var records: [EventRecord] = []
        var problems: [Diagnostic] = []
        for response in responses {
            readResponse(response, file: file, into: &records, problems: &problems)
        }
        guard problems.isEmpty else { throw ImportError(problems) }
        return records
    }

    private static func readResponse(_ response: XMLTree.Element, file: String, into records: inout [EventRecord], problems: inout [Diagnostic]) {
        func problem(_ element: XMLTree.Element, _ field: String, _ text: String) {
            problems.append(Diagnostic(file: file, line: element.line, column: element.column, field: field, message: text))
        }
        if let customization = response.child("CustomizationID"), customization.text.contains(":mlr:") {
            problem(customization, "CustomizationID",
                    "this is a Message Level Response (the access point's validation of a message), not an Invoice Response; it says nothing about the buyer's processing")
            return
        }

        // When: IssueDate (+ IssueTime).
        var issued: (Date, String)?
        var issueDay: CivilDate?
        if let dateElement = response.child("IssueDate"), !dateElement.text.isEmpty {
            issueDay = CivilDate(iso: dateElement.text)
            if issueDay == nil {
                problem(dateElement, "IssueDate", "'\(dateElement.text)' is not a date (YYYY-MM-DD)")
            } else if let timeElement = response.child("IssueTime"), !timeElement.text.isEmpty {
                issued = Instants.parse(dateElement.text + "T" + timeElement.text, zone: LifecycleMessage.paris)
                if issued == nil { problem(timeElement, "IssueTime", "'\(timeElement.text)' is not a time (HH:MM:SS, optionally with an offset)") }
            } else {
                issued = Instants.parse(dateElement.text, zone: LifecycleMessage.paris)
                if issued == nil { problem(dateElement, "IssueDate", "'\(dateElement.text)' is not a date within 2000–2100") }
            }
        } else {
            problem(response.child("IssueDate") ?? response, "IssueDate", "missing IssueDate")
        }

        // Who: the sender's contact.
        var contact: LearnedContact?
        if let sender = response.child("SenderParty"), let c = sender.child("Contact") {
            let name = c.text("Name") ?? sender.text("PartyName/Name") ?? sender.text("PartyLegalEntity/RegistrationName")
            if let name, c.text("Name") != nil || c.text("Telephone") != nil || c.text("ElectronicMail") != nil {
                contact = LearnedContact(name: name, phone: c.text("Telephone"), email: c.text("ElectronicMail"))
            }
        }

        let documentResponses = response.children("DocumentResponse")
        if documentResponses.isEmpty {
            problem(response, "DocumentResponse", "no DocumentResponse: the response carries no status")
        }
        for documentResponse in documentResponses {
            let before = problems.count
            let invoiceElement = documentResponse.first("DocumentReference/ID")
            let invoice = invoiceElement.flatMap { $0.text.isEmpty ? nil : $0.text }
            if invoice == nil {
                problem(invoiceElement ?? documentResponse.child("DocumentReference") ?? documentResponse, "DocumentResponse/DocumentReference/ID",
                        "missing invoice number (DocumentReference/ID)")
            }
            guard let r = documentResponse.child("Response") else {
                problem(documentResponse, "DocumentResponse/Response", "missing Response")
                continue
            }
            var reasons: [String] = [], actions: [String] = [], notes: [String] = []
            for status in r.children("Status") {
                for codeElement in status.children("StatusReasonCode") where !codeElement.text.isEmpty {
                    let code = codeElement.text
                    switch codeElement.attributes["listID"] {
                    case "OPStatusAction": if !actions.contains(code) { actions.append(code) }
                    case "OPStatusReason": if !reasons.contains(code) { reasons.append(code) }
                    case nil:
                        // No list named: an action code is recognisable; anything else is a reason.
                        if actionCodes.contains(code) && code != "OTH" { actions.append(code) } else if !reasons.contains(code) { reasons.append(code) }
                    case let other?:
                        problem(codeElement, "DocumentResponse/Response/Status/StatusReasonCode",
                                "unknown code list '\(other)'; expected listID OPStatusReason or OPStatusAction")
                    }
                }
                for reason in status.children("StatusReason") where !reason.text.isEmpty && !notes.contains(reason.text) {
                    notes.append(reason.text)
                }
            }
            let codeElement = r.child("ResponseCode")
            let code = codeElement?.text ?? ""
            var reached: CanonicalState?
            if code.isEmpty {
                problem(codeElement ?? r, "DocumentResponse/Response/ResponseCode", "missing ResponseCode")
            } else if let s = state(forCode: code, reasons: reasons) {
                reached = s
            } else {
                problem(codeElement ?? r, "DocumentResponse/Response/ResponseCode",
                        "unknown response code '\(code)'; expected one of AB, IP, UQ, CA, RE, AP, PD (UNCL4343 Peppol subset)")
            }

            var at = issued
            var announced: CivilDate?
            if let effectiveElement = r.child("EffectiveDate"), !effectiveElement.text.isEmpty {
                if let effective = CivilDate(iso: effectiveElement.text), Instants.years.contains(effective.year) {
                    if let issueDay, effective < issueDay {
                        at = Instants.parse(effectiveElement.text, zone: LifecycleMessage.paris)
                    } else if let issueDay, effective > issueDay {
                        announced = effective
                    }
                } else {
                    problem(effectiveElement, "DocumentResponse/Response/EffectiveDate", "'\(effectiveElement.text)' is not a date (YYYY-MM-DD)")
                }
            }

            guard problems.count == before, let invoice, let reached, let time = at else { continue }
            let event = InvoiceEvent(
                invoice: invoice, state: reached, at: time.0, timeZone: time.1, source: .peppol, rawCode: code,
                reason: reasons.isEmpty ? nil : reasons.joined(separator: ","),
                action: actions.isEmpty ? nil : actions.joined(separator: ","),
                note: notes.isEmpty ? nil : notes.joined(separator: "\n"), date: announced)
            records.append(EventRecord(event: event, file: file, line: codeElement?.line ?? r.line, learnedContact: contact))
        }
    }
}
