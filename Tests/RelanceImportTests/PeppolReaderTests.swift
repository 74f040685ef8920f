import Foundation
import RelanceCore
import RelanceImport
import Testing

/// An Invoice Response in a fixed layout: line 5 = IssueDate, 6 = IssueTime, 7 = SenderParty (contact),
/// 10 = ResponseCode, 11 = EffectiveDate, 12 = statuses, 14 = DocumentReference/ID.
private func response(code: String = "AP", invoice: String? = "FA-2026-10999", issueDate: String = "2026-11-16",
                      issueTime: String? = "11:20:00", contact: String = "", effective: String? = nil,
                      statuses: String = "", customization: String = "urn:fdc:peppol.eu:poacc:trns:invoice_response:3") -> Data {
    let text = """
    <?xml version="1.0" encoding="UTF-8"?>
    <ApplicationResponse xmlns="urn:oasis:names:specification:ubl:schema:xsd:ApplicationResponse-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
      <cbc:CustomizationID>\(customization)</cbc:CustomizationID>
      <cbc:ID>IR-1</cbc:ID>
      <cbc:IssueDate>\(issueDate)</cbc:IssueDate>
      \(issueTime.map { "<cbc:IssueTime>\($0)</cbc:IssueTime>" } ?? "<!-- no time -->")
      <cac:SenderParty><cac:PartyLegalEntity><cbc:RegistrationName>Acheteur SAS</cbc:RegistrationName></cac:PartyLegalEntity>\(contact)</cac:SenderParty>
      <cac:DocumentResponse>
        <cac:Response>
          <cbc:ResponseCode listID="UNCL4343OpSubset">\(code)</cbc:ResponseCode>
          \(effective.map { "<cbc:EffectiveDate>\($0)</cbc:EffectiveDate>" } ?? "<!-- no effective date -->")
          \(statuses)
        </cac:Response>
        <cac:DocumentReference>\(invoice.map { "<cbc:ID>\($0)</cbc:ID>" } ?? "")</cac:DocumentReference>
      </cac:DocumentResponse>
    </ApplicationResponse>
    """
    return Data(text.utf8)
}

private func reason(_ code: String, list: String = "OPStatusReason", text: String? = nil) -> String {
    #"<cac:Status><cbc:StatusReasonCode listID="\#(list)">\#(code)</cbc:StatusReasonCode>\#(text.map { "<cbc:StatusReason>\($0)</cbc:StatusReason>" } ?? "")</cac:Status>"#
}

@Suite struct PeppolReaderTests {
    // MARK: The sample

    @Test func underQuerySampleIsSuspendedWithTheBuyerContact() throws {
        let file = "maisonvert-FA-2026-10503.peppol.xml"
        let records = try PeppolReader.read(try LifecycleSamples.data(file), file: file)
        let r = try #require(records.first)
        #expect(records.count == 1)
        #expect(r.event.invoice == "FA-2026-10503")
        #expect(r.event.state == .suspended)
        #expect(r.event.rawCode == "UQ")
        #expect(r.event.reason == "REF")
        #expect(r.event.action == "PIN")
        #expect(r.event.note == "Numéro de commande absent de la facture. Merci de nous communiquer le numéro de commande (format CA-2026-nnnnn) ; la facture reste en attente.")
        #expect(r.event.at == (try LifecycleSamples.instant("2026-11-16T10:20:00Z")))
        #expect(r.event.timeZone == "Europe/Paris")
        #expect(r.event.source == .peppol)
        #expect(r.event.department == nil)
        #expect(r.event.date == nil)
        #expect(r.learnedContact == LearnedContact(name: "Julie Marchand", phone: "+33 2 61 91 77 40", email: "julie.marchand@maisonvert.example"))
        #expect(r.file == file)
        #expect(r.line == 41)
    }

    // MARK: The mapping

    static let table: [(String, CanonicalState)] = [
        ("AB", .received), ("IP", .inProcessing), ("UQ", .suspended), ("CA", .partiallyApproved),
        ("RE", .refused), ("AP", .approved), ("PD", .paymentSent),
    ]

    @Test func everyCodeHasItsState() {
        for (code, state) in Self.table {
            #expect(PeppolReader.state(forCode: code) == state, "code \(code)")
        }
        for code in ["", "AA", "BV", "ab", "205"] {
            #expect(PeppolReader.state(forCode: code) == nil, "code \(code)")
        }
    }

    @Test func underQueryIsADisputeOnlyForACommercialReason() {
        for r in ["QUA", "DEL", "PRI", "QTY", "ITM", "PAY", "UNR"] {
            #expect(PeppolReader.state(forCode: "UQ", reasons: [r]) == .inDispute, "reason \(r)")
        }
        for r in ["NON", "REF", "LEG", "REC", "FIN", "OTH", "PPD"] {
            #expect(PeppolReader.state(forCode: "UQ", reasons: [r]) == .suspended, "reason \(r)")
        }
        #expect(PeppolReader.state(forCode: "UQ", reasons: ["REF", "QTY"]) == .inDispute)
        // Only UQ is refined by a dispute reason.
        #expect(PeppolReader.state(forCode: "CA", reasons: ["PRI"]) == .partiallyApproved)
        #expect(PeppolReader.state(forCode: "RE", reasons: ["QTY"]) == .refused)
    }

    @Test func paidWithPartiallyPaidReasonIsPartiallyPaid() {
        #expect(PeppolReader.state(forCode: "PD", reasons: ["PPD"]) == .partiallyPaid)
        #expect(PeppolReader.state(forCode: "PD", reasons: ["NON"]) == .paymentSent)
    }

    @Test(arguments: PeppolReaderTests.table.map(\.0))
    func everyCodeIsReadFromAResponse(code: String) throws {
        let records = try PeppolReader.read(response(code: code), file: "t.xml")
        #expect(records.count == 1)
        #expect(records.first?.event.state == PeppolReader.state(forCode: code))
        #expect(records.first?.event.rawCode == code)
        #expect(records.first?.line == 10)
    }

    @Test func aDisputeReasonInTheFileMakesUnderQueryADispute() throws {
        let statuses = reason("QTY", text: "Quantité livrée : 40, facturée : 48") + reason("CNP", list: "OPStatusAction")
        let r = try #require(try PeppolReader.read(response(code: "UQ", statuses: statuses), file: "t.xml").first)
        #expect(r.event.state == .inDispute)
        #expect(r.event.reason == "QTY")
        #expect(r.event.action == "CNP")
        #expect(r.event.note == "Quantité livrée : 40, facturée : 48")
    }

    @Test func anActionWithoutListIDIsRecognised() throws {
        let statuses = #"<cac:Status><cbc:StatusReasonCode>NIN</cbc:StatusReasonCode></cac:Status><cac:Status><cbc:StatusReasonCode>LEG</cbc:StatusReasonCode></cac:Status>"#
        let r = try #require(try PeppolReader.read(response(code: "RE", statuses: statuses), file: "t.xml").first)
        #expect(r.event.action == "NIN")
        #expect(r.event.reason == "LEG")
    }

    // MARK: Times

    @Test func anExplicitOffsetIsKept() throws {
        let r = try #require(try PeppolReader.read(response(issueTime: "09:05:00+02:00"), file: "t.xml").first)
        #expect(r.event.at == (try LifecycleSamples.instant("2026-11-16T07:05:00Z")))
        #expect(r.event.timeZone == "GMT+0200")
        let utc = try #require(try PeppolReader.read(response(issueTime: "09:05:00Z"), file: "t.xml").first)
        #expect(utc.event.at == (try LifecycleSamples.instant("2026-11-16T09:05:00Z")))
        #expect(utc.event.timeZone != "Europe/Paris")
    }

    @Test func withoutATimeTheIssueDateIsTakenAtNoon() throws {
        let r = try #require(try PeppolReader.read(response(issueTime: nil), file: "t.xml").first)
        #expect(r.event.at == (try LifecycleSamples.instant("2026-11-16T11:00:00Z")))
    }

    @Test func anEarlierEffectiveDateIsWhenTheStatusHappened() throws {
        let r = try #require(try PeppolReader.read(response(effective: "2026-11-13"), file: "t.xml").first)
        #expect(r.event.at == (try LifecycleSamples.instant("2026-11-13T11:00:00Z")))
        #expect(r.event.date == nil)
    }

    @Test func aLaterEffectiveDateIsAnnounced() throws {
        let r = try #require(try PeppolReader.read(response(code: "PD", effective: "2026-11-25"), file: "t.xml").first)
        #expect(r.event.state == .paymentSent)
        #expect(r.event.at == (try LifecycleSamples.instant("2026-11-16T10:20:00Z")))
        #expect(r.event.date == CivilDate(year: 2026, month: 11, day: 25))
    }

    // MARK: Contacts

    @Test func noContactNoLearnedContact() throws {
        let r = try #require(try PeppolReader.read(response(), file: "t.xml").first)
        #expect(r.learnedContact == nil)
    }

    @Test func aContactWithoutANameTakesTheCompanyName() throws {
        let contact = "<cac:Contact><cbc:ElectronicMail>factures@acheteur.example</cbc:ElectronicMail></cac:Contact>"
        let r = try #require(try PeppolReader.read(response(contact: contact), file: "t.xml").first)
        #expect(r.learnedContact == LearnedContact(name: "Acheteur SAS", email: "factures@acheteur.example"))
    }

    @Test func severalResponsesInAWrapper() throws {
        let one = String(decoding: response(code: "AB"), as: UTF8.self).replacingOccurrences(of: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", with: "")
        let two = String(decoding: response(code: "AP"), as: UTF8.self).replacingOccurrences(of: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", with: "")
        let records = try PeppolReader.read(Data("<Responses>\(one)\(two)</Responses>".utf8), file: "t.xml")
        #expect(records.map(\.event.state) == [.received, .approved])
    }

    // MARK: Malformed input

    @Test func aMissingInvoiceNumberIsNamed() {
        let problems = LifecycleSamples.problems { () throws(ImportError) in try PeppolReader.read(response(invoice: nil), file: "t.xml") }
        #expect(problems.count == 1)
        #expect(problems.first?.line == 14)
        #expect(problems.first?.field == "DocumentResponse/DocumentReference/ID")
        #expect(problems.first?.message.contains("invoice number") == true)
    }

    @Test func anUnknownCodeIsAnError() {
        let problems = LifecycleSamples.problems { () throws(ImportError) in try PeppolReader.read(response(code: "ZZ"), file: "t.xml") }
        #expect(problems.count == 1)
        #expect(problems.first?.line == 10)
        #expect(problems.first?.field == "DocumentResponse/Response/ResponseCode")
        #expect(problems.first?.message.contains("'ZZ'") == true)
        #expect(problems.first?.description.hasPrefix("t.xml:10:") == true)
    }

    @Test func badDatesAreNamed() {
        let date = LifecycleSamples.problems { () throws(ImportError) in try PeppolReader.read(response(issueDate: "16/11/2026"), file: "t.xml") }
        #expect(date.map(\.line) == [5])
        #expect(date.first?.field == "IssueDate")
        let time = LifecycleSamples.problems { () throws(ImportError) in try PeppolReader.read(response(issueTime: "25:00:00"), file: "t.xml") }
        #expect(time.map(\.line) == [6])
        #expect(time.first?.field == "IssueTime")
        let effective = LifecycleSamples.problems { () throws(ImportError) in try PeppolReader.read(response(effective: "2026-13-01"), file: "t.xml") }
        #expect(effective.map(\.line) == [11])
        #expect(effective.first?.field == "DocumentResponse/Response/EffectiveDate")
    }

    @Test func anUnknownCodeListIsNamed() {
        let problems = LifecycleSamples.problems { () throws(ImportError) in
            try PeppolReader.read(response(code: "UQ", statuses: reason("REF", list: "UNCL4343")), file: "t.xml")
        }
        #expect(problems.map(\.line) == [12])
        #expect(problems.first?.field == "DocumentResponse/Response/Status/StatusReasonCode")
    }

    @Test func aMessageLevelResponseIsRefused() {
        let problems = LifecycleSamples.problems { () throws(ImportError) in
            try PeppolReader.read(response(code: "AP", customization: "urn:fdc:peppol.eu:poacc:trns:mlr:3"), file: "t.xml")
        }
        #expect(problems.map(\.line) == [3])
        #expect(problems.first?.field == "CustomizationID")
        #expect(problems.first?.message.contains("Message Level Response") == true)
    }

    @Test func notXMLIsRefusedWithItsLine() {
        let problems = LifecycleSamples.problems { () throws(ImportError) in
            try PeppolReader.read(Data("<ApplicationResponse xmlns:cbc=\"urn:b\">\n  <cbc:ID>1</cbc:ID>\n</Response>\n".utf8), file: "t.xml")
        }
        #expect(problems.count == 1)
        #expect(problems.first?.line == 3)
        #expect(problems.first?.message.contains("closing tag") == true)
    }

    @Test func aWrongRootElementIsNamed() throws {
        let cdar = try LifecycleSamples.data("metalux-FA-2026-10455.cdar.xml")
        let problems = LifecycleSamples.problems { () throws(ImportError) in try PeppolReader.read(cdar, file: "t.xml") }
        #expect(problems.count == 1)
        #expect(problems.first?.field == "CrossDomainAcknowledgementAndResponse")
        #expect(problems.first?.line == 8)
        #expect(problems.first?.message.contains("ApplicationResponse") == true)
    }
}
