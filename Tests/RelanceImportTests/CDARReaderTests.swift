import Foundation
import RelanceCore
import RelanceImport
import Testing

/// Shared by the lifecycle-message tests: the sample files, instants, and the diagnostics of a refused read.
enum LifecycleSamples {
    /// `samples/messages`, found from this file's path.
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("samples/messages")

    static func data(_ name: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(name))
    }

    /// An instant written in UTC (`2026-10-19T12:32:05Z`).
    static func instant(_ iso: String) throws -> Date {
        try #require(ISO8601DateFormatter().date(from: iso), "bad instant in the test: \(iso)")
    }

    /// The diagnostics of a read that must fail (empty when it succeeded, which the caller then reports).
    static func problems(_ read: () throws(ImportError) -> [EventRecord]) -> [Diagnostic] {
        do {
            _ = try read()
            return []
        } catch {
            return error.diagnostics
        }
    }
}

/// A one-status CDAR in a fixed layout, so that tests can name lines:
/// line 5 = message date-time, 9 = status date-time, 10 = ReferenceReferencedDocument, 11 = invoice number,
/// 12 = status code, 13 = `extra` (SpecifiedDocumentStatus…).
private func cdar(code: String = "205", invoice: String? = "FA-2026-10999",
                  ackTime: String? = #"<udt:DateTimeString format="204">20261105101500</udt:DateTimeString>"#,
                  messageTime: String? = #"<udt:DateTimeString format="204">20261105101600</udt:DateTimeString>"#,
                  extra: String = "") -> Data {
    let text = """
    <?xml version="1.0" encoding="UTF-8"?>
    <rsm:CrossDomainAcknowledgementAndResponse xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100" xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100" xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
      <rsm:ExchangedDocument>
        <ram:ID>T-1</ram:ID>
        \(messageTime.map { "<ram:IssueDateTime>\($0)</ram:IssueDateTime>" } ?? "<!-- no message time -->")
      </rsm:ExchangedDocument>
      <rsm:AcknowledgementDocument>
        <ram:TypeCode>23</ram:TypeCode>
        \(ackTime.map { "<ram:IssueDateTime>\($0)</ram:IssueDateTime>" } ?? "<!-- no status time -->")
        <ram:ReferenceReferencedDocument>
          \(invoice.map { "<ram:IssuerAssignedID>\($0)</ram:IssuerAssignedID>" } ?? "<!-- no invoice number -->")
          <ram:ProcessConditionCode>\(code)</ram:ProcessConditionCode>
          \(extra)
        </ram:ReferenceReferencedDocument>
      </rsm:AcknowledgementDocument>
    </rsm:CrossDomainAcknowledgementAndResponse>
    """
    return Data(text.utf8)
}

private func characteristic(_ type: String, _ amount: String, currency: String = "EUR") -> String {
    #"<ram:SpecifiedDocumentCharacteristic><ram:TypeCode>\#(type)</ram:TypeCode><ram:ValueAmount currencyID="\#(currency)">\#(amount)</ram:ValueAmount></ram:SpecifiedDocumentCharacteristic>"#
}

@Suite struct CDARReaderTests {
    // MARK: The samples

    @Test func approvedInvoiceSampleGivesThreeStatusesInOrder() throws {
        let file = "metalux-FA-2026-10412.cdar.xml"
        let records = try CDARReader.read(try LifecycleSamples.data(file), file: file)
        #expect(records.count == 3)
        #expect(records.map(\.event.invoice) == ["FA-2026-10412", "FA-2026-10412", "FA-2026-10412"])
        #expect(records.map(\.event.state) == [.madeAvailable, .inProcessing, .approved])
        #expect(records.map(\.event.rawCode) == ["202", "204", "205"])
        // Europe/Paris: summer time until 25 October 2026, winter time after.
        #expect(records.map(\.event.at) == [
            try LifecycleSamples.instant("2026-10-19T12:32:05Z"),
            try LifecycleSamples.instant("2026-10-21T07:12:40Z"),
            try LifecycleSamples.instant("2026-11-04T15:05:00Z"),
        ])
        #expect(records.allSatisfy { $0.event.timeZone == "Europe/Paris" })
        #expect(records.allSatisfy { $0.event.source == .cdar && $0.event.department == nil && $0.event.contact == nil })
        #expect(records.allSatisfy { $0.event.reason == nil && $0.event.action == nil && $0.event.amount == nil })
        #expect(records.map(\.event.note) == [nil, nil, "Bon à payer Usine de Vénissieux, réception conforme."])
        #expect(records.map(\.line) == [49, 106, 163])
        #expect(records.allSatisfy { $0.file == file && $0.learnedContact == nil })
    }

    @Test func disputeSampleCarriesReasonActionAndNote() throws {
        let file = "metalux-FA-2026-10455.cdar.xml"
        let records = try CDARReader.read(try LifecycleSamples.data(file), file: file)
        let r = try #require(records.first)
        #expect(records.count == 1)
        #expect(r.event.invoice == "FA-2026-10455")
        #expect(r.event.state == .inDispute)
        #expect(r.event.rawCode == "207")
        #expect(r.event.reason == "QTE_ERR")
        #expect(r.event.action == "CNP")
        #expect(r.event.note == "Ligne 2 : 1 200 pièces facturées, 1 150 réceptionnées (BL 2026-BL-08817). Merci d'émettre un avoir partiel pour les 50 pièces manquantes.")
        #expect(r.event.at == (try LifecycleSamples.instant("2026-11-12T09:47:00Z")))
        #expect(r.event.timeZone == "Europe/Paris")
        #expect(r.event.amount == nil)
        #expect(r.line == 50)
    }

    // MARK: The mapping

    static let table: [(String, CanonicalState)] = [
        ("200", .deposited), ("201", .deposited), ("202", .madeAvailable), ("203", .madeAvailable),
        ("204", .inProcessing), ("205", .approved), ("206", .partiallyApproved), ("207", .inDispute),
        ("208", .suspended), ("209", .completed), ("210", .refused), ("211", .paymentSent), ("212", .paid),
        ("213", .rejected), ("220", .cancelled),
    ]

    @Test func everyCodeHasItsState() {
        for (code, state) in Self.table {
            #expect(CDARReader.state(forCode: code) == state, "code \(code)")
        }
        for code in ["199", "214", "221", "224", "225", "299", "", "2O5", "AP"] {
            #expect(CDARReader.state(forCode: code) == nil, "code \(code)")
        }
    }

    @Test(arguments: CDARReaderTests.table.map(\.0))
    func everyCodeIsReadFromAMessage(code: String) throws {
        let records = try CDARReader.read(cdar(code: code), file: "t.xml")
        #expect(records.count == 1)
        #expect(records.first?.event.state == CDARReader.state(forCode: code))
        #expect(records.first?.event.rawCode == code)
        #expect(records.first?.line == 10)
    }

    // MARK: Amounts

    @Test func paymentTransmittedCarriesTheAmountPaid() throws {
        let records = try CDARReader.read(cdar(code: "211", extra: "<ram:SpecifiedDocumentStatus>\(characteristic("MPA", "14 280,00"))</ram:SpecifiedDocumentStatus>"), file: "t.xml")
        #expect(records.first?.event.state == .paymentSent)
        #expect(records.first?.event.amount == Money(minorUnits: 1_428_000, currency: "EUR"))
    }

    @Test func cashedAmountsAreSummedOverVATRates() throws {
        let status = "<ram:SpecifiedDocumentStatus>\(characteristic("MEN", "1000.00"))\(characteristic("MEN", "55.10"))</ram:SpecifiedDocumentStatus>"
        let records = try CDARReader.read(cdar(code: "212", extra: status), file: "t.xml")
        #expect(records.first?.event.state == .paid)
        #expect(records.first?.event.amount == Money(minorUnits: 105_510, currency: "EUR"))
    }

    @Test func cashedWithARemainderIsPartiallyPaid() throws {
        let status = "<ram:SpecifiedDocumentStatus>\(characteristic("MEN", "600.00"))\(characteristic("RAP", "400.00"))</ram:SpecifiedDocumentStatus>"
        let records = try CDARReader.read(cdar(code: "212", extra: status), file: "t.xml")
        #expect(records.first?.event.state == .partiallyPaid)
        #expect(records.first?.event.rawCode == "212")
        #expect(records.first?.event.amount == Money(minorUnits: 60_000, currency: "EUR"))
    }

    @Test func partialApprovalCarriesTheApprovedAmount() throws {
        let status = "<ram:SpecifiedDocumentStatus><ram:ReasonCode>PU_ERR</ram:ReasonCode>\(characteristic("MAP", "800.00"))\(characteristic("MAPTTC", "960.00"))</ram:SpecifiedDocumentStatus>"
        let records = try CDARReader.read(cdar(code: "206", extra: status), file: "t.xml")
        #expect(records.first?.event.state == .partiallyApproved)
        #expect(records.first?.event.reason == "PU_ERR")
        #expect(records.first?.event.amount == Money(minorUnits: 96_000, currency: "EUR"))
    }

    @Test func aReasonLabelIsTheNoteWhenThereIsNoIncludedNote() throws {
        let status = "<ram:SpecifiedDocumentStatus><ram:ReasonCode>JUSTIF_ABS</ram:ReasonCode><ram:Reason>Justificatif absent</ram:Reason><ram:RequestedActionCode>PIN</ram:RequestedActionCode></ram:SpecifiedDocumentStatus>"
        let r = try #require(try CDARReader.read(cdar(code: "208", extra: status), file: "t.xml").first)
        #expect(r.event.state == .suspended)
        #expect(r.event.reason == "JUSTIF_ABS")
        #expect(r.event.action == "PIN")
        #expect(r.event.note == "Justificatif absent")
    }

    // MARK: Times

    @Test func aDateAloneIsNoonInParis() throws {
        let r = try #require(try CDARReader.read(cdar(ackTime: #"<udt:DateTimeString format="102">20261105</udt:DateTimeString>"#), file: "t.xml").first)
        #expect(r.event.at == (try LifecycleSamples.instant("2026-11-05T11:00:00Z")))
        #expect(r.event.timeZone == "Europe/Paris")
    }

    @Test func anExplicitOffsetIsKept() throws {
        let r = try #require(try CDARReader.read(cdar(ackTime: #"<udt:DateTimeString format="205">202611051015+0000</udt:DateTimeString>"#), file: "t.xml").first)
        #expect(r.event.at == (try LifecycleSamples.instant("2026-11-05T10:15:00Z")))
        #expect(r.event.timeZone != "Europe/Paris")
    }

    @Test func theMessageTimeIsUsedWhenTheStatusHasNone() throws {
        let r = try #require(try CDARReader.read(cdar(ackTime: nil), file: "t.xml").first)
        #expect(r.event.at == (try LifecycleSamples.instant("2026-11-05T09:16:00Z")))
    }

    // MARK: Malformed input

    @Test func aMissingInvoiceNumberIsNamed() {
        let problems = LifecycleSamples.problems { () throws(ImportError) in try CDARReader.read(cdar(invoice: nil), file: "t.xml") }
        #expect(problems.count == 1)
        #expect(problems.first?.file == "t.xml")
        #expect(problems.first?.line == 10)
        #expect(problems.first?.field == "AcknowledgementDocument/ReferenceReferencedDocument/IssuerAssignedID")
        #expect(problems.first?.message.contains("invoice number") == true)
    }

    @Test func anEmptyInvoiceNumberIsNamedOnItsLine() {
        let problems = LifecycleSamples.problems { () throws(ImportError) in try CDARReader.read(cdar(invoice: " "), file: "t.xml") }
        #expect(problems.map(\.line) == [11])
        #expect(problems.first?.field == "AcknowledgementDocument/ReferenceReferencedDocument/IssuerAssignedID")
    }

    @Test func anUnknownCodeIsAnError() {
        let problems = LifecycleSamples.problems { () throws(ImportError) in try CDARReader.read(cdar(code: "299"), file: "t.xml") }
        #expect(problems.count == 1)
        #expect(problems.first?.line == 12)
        #expect(problems.first?.field == "AcknowledgementDocument/ReferenceReferencedDocument/ProcessConditionCode")
        #expect(problems.first?.message.contains("unknown status code '299'") == true)
        #expect(problems.first?.description.hasPrefix("t.xml:12:") == true)
    }

    @Test func aVendorExtensionIsReportedAsUnsupported() {
        let problems = LifecycleSamples.problems { () throws(ImportError) in try CDARReader.read(cdar(code: "214"), file: "t.xml") }
        #expect(problems.count == 1)
        #expect(problems.first?.line == 12)
        #expect(problems.first?.message.contains("214 (Visée)") == true)
        #expect(problems.first?.message.contains("does not map") == true)
        let unlabelled = LifecycleSamples.problems { () throws(ImportError) in try CDARReader.read(cdar(code: "217"), file: "t.xml") }
        #expect(unlabelled.first?.message.hasPrefix("status 217 is an extended code") == true)
    }

    @Test func aMissingCodeIsAnError() {
        let problems = LifecycleSamples.problems { () throws(ImportError) in try CDARReader.read(cdar(code: ""), file: "t.xml") }
        #expect(problems.map(\.line) == [12])
        #expect(problems.first?.message.contains("missing status code") == true)
    }

    @Test func aBadDateIsNamed() {
        let bad = LifecycleSamples.problems { () throws(ImportError) in
            try CDARReader.read(cdar(ackTime: #"<udt:DateTimeString format="204">20261332101500</udt:DateTimeString>"#), file: "t.xml")
        }
        #expect(bad.count == 1)
        #expect(bad.first?.line == 9)
        #expect(bad.first?.field == "AcknowledgementDocument/IssueDateTime")
        #expect(bad.first?.message.contains("20261332101500") == true)

        let wrongFormat = LifecycleSamples.problems { () throws(ImportError) in
            try CDARReader.read(cdar(ackTime: #"<udt:DateTimeString format="204">2026-11-05</udt:DateTimeString>"#), file: "t.xml")
        }
        #expect(wrongFormat.map(\.line) == [9])
        #expect(wrongFormat.first?.message.contains("format 204") == true)

        let unknownFormat = LifecycleSamples.problems { () throws(ImportError) in
            try CDARReader.read(cdar(ackTime: #"<udt:DateTimeString format="999">20261105</udt:DateTimeString>"#), file: "t.xml")
        }
        #expect(unknownFormat.map(\.line) == [9])
    }

    @Test func noTimeAtAllIsAnError() {
        let problems = LifecycleSamples.problems { () throws(ImportError) in try CDARReader.read(cdar(ackTime: nil, messageTime: nil), file: "t.xml") }
        #expect(problems.count == 1)
        #expect(problems.first?.line == 7)
        #expect(problems.first?.field == "AcknowledgementDocument/IssueDateTime")
    }

    @Test func aBadAmountIsNamed() {
        let problems = LifecycleSamples.problems { () throws(ImportError) in
            try CDARReader.read(cdar(code: "212", extra: "<ram:SpecifiedDocumentStatus>\(characteristic("MEN", "douze euros"))</ram:SpecifiedDocumentStatus>"), file: "t.xml")
        }
        #expect(problems.map(\.line) == [13])
        #expect(problems.first?.field?.hasSuffix("ValueAmount") == true)
    }

    @Test func notXMLIsRefusedWithItsLine() {
        let problems = LifecycleSamples.problems { () throws(ImportError) in
            try CDARReader.read(Data("numero_facture;statut\nFA-1;205\n".utf8), file: "t.xml")
        }
        #expect(problems.count == 1)
        #expect(problems.first?.line == 1)
        #expect(problems.first?.message.contains("not well-formed XML") == true)
    }

    @Test func aWrongRootElementIsNamed() {
        let xml = "<?xml version=\"1.0\"?>\n<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\">\n  <ID>FA-1</ID>\n</Invoice>\n"
        let problems = LifecycleSamples.problems { () throws(ImportError) in try CDARReader.read(Data(xml.utf8), file: "t.xml") }
        #expect(problems.count == 1)
        #expect(problems.first?.line == 2)
        #expect(problems.first?.field == "Invoice")
        #expect(problems.first?.message.contains("CrossDomainAcknowledgementAndResponse") == true)
    }

    @Test func aStrayElementInAWrapperIsNamed() throws {
        let message = String(decoding: cdar(), as: UTF8.self).replacingOccurrences(of: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", with: "")
        let xml = "<Export>\n\(message)\n<Other/>\n</Export>\n"
        let problems = LifecycleSamples.problems { () throws(ImportError) in try CDARReader.read(Data(xml.utf8), file: "t.xml") }
        #expect(problems.count == 1)
        #expect(problems.first?.field == "Other")
        #expect(problems.first?.line == 17)
        let good = try CDARReader.read(Data("<Export>\n\(message)\n\(message)\n</Export>".utf8), file: "t.xml")
        #expect(good.count == 2)
    }

    @Test func everyProblemOfAFileIsReportedAtOnce() {
        let two = String(decoding: cdar(code: "299", invoice: nil), as: UTF8.self)
        let problems = LifecycleSamples.problems { () throws(ImportError) in try CDARReader.read(Data(two.utf8), file: "t.xml") }
        #expect(problems.map(\.field) == [
            "AcknowledgementDocument/ReferenceReferencedDocument/IssuerAssignedID",
            "AcknowledgementDocument/ReferenceReferencedDocument/ProcessConditionCode",
        ])
    }
}
