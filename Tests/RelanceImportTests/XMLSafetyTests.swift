import Foundation
import RelanceCore
import RelanceImport
import Testing

/// The XML reader refuses DTDs and entities (XXE, entity expansion), reports malformed XML with its line,
/// and builds the tree the message readers rely on.
@Suite struct XMLSafetyTests {
    static let xxe = """
    <?xml version="1.0" encoding="UTF-8"?>
    <!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
    <rsm:CrossDomainAcknowledgementAndResponse xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100" xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100">
      <rsm:AcknowledgementDocument>
        <ram:IssueDateTime><ram:DateTimeString format="102">20261105</ram:DateTimeString></ram:IssueDateTime>
        <ram:ReferenceReferencedDocument>
          <ram:IssuerAssignedID>&e;</ram:IssuerAssignedID>
          <ram:ProcessConditionCode>205</ram:ProcessConditionCode>
          <ram:SpecifiedDocumentStatus><ram:IncludedNote><ram:Content>&e;</ram:Content></ram:IncludedNote></ram:SpecifiedDocumentStatus>
        </ram:ReferenceReferencedDocument>
      </rsm:AcknowledgementDocument>
    </rsm:CrossDomainAcknowledgementAndResponse>
    """

    /// Everything a refused read tells the caller.
    private func everything(_ problems: [Diagnostic]) -> String {
        problems.map { "\($0) \($0.field ?? "")" }.joined(separator: "\n")
    }

    @Test func anXXEAttemptIsRefusedAndNothingIsRead() {
        for reader in ["CDAR", "Peppol"] {
            var records: [EventRecord] = []
            var problems: [Diagnostic] = []
            do {
                records = reader == "CDAR" ? try CDARReader.read(Data(Self.xxe.utf8), file: "xxe.xml")
                                           : try PeppolReader.read(Data(Self.xxe.utf8), file: "xxe.xml")
            } catch {
                problems = error.diagnostics
            }
            #expect(records.isEmpty)
            #expect(problems.count == 1)
            #expect(problems.first?.line == 2)
            #expect(problems.first?.message.contains("DTDs and entities are not accepted") == true)
            // Not a word of /etc/passwd anywhere in what the reader returns.
            #expect(!everything(problems).contains("root:"))
        }
    }

    @Test func anXXEAttemptOnAMarkedFileLeaksNothing() throws {
        let secret = "relance-secret-\(UUID().uuidString)"
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("relance-xxe-\(UUID().uuidString).txt")
        try Data(secret.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let xml = Self.xxe.replacingOccurrences(of: "file:///etc/passwd", with: url.absoluteString)
        var problems: [Diagnostic] = []
        do { _ = try CDARReader.read(Data(xml.utf8), file: "xxe.xml") } catch { problems = error.diagnostics }
        #expect(problems.first?.message.contains("DTDs and entities are not accepted") == true)
        #expect(!everything(problems).contains(secret))
        // The same document without its DTD is read, and the entity reference is an error, not a file read.
        let withoutDTD = xml.replacingOccurrences(of: "<!DOCTYPE x [<!ENTITY e SYSTEM \"\(url.absoluteString)\">]>", with: "<!-- no DTD -->")
        var second: [Diagnostic] = []
        do { _ = try CDARReader.read(Data(withoutDTD.utf8), file: "plain.xml") } catch { second = error.diagnostics }
        #expect(second.first?.message.contains("undefined entity") == true)
        #expect(!everything(second).contains(secret))
    }

    @Test func theTreeReaderRefusesTheXXEItself() {
        var problems: [Diagnostic] = []
        do { _ = try XMLTree.parse(Data(Self.xxe.utf8), file: "xxe.xml") } catch { problems = error.diagnostics }
        #expect(problems.map(\.line) == [2])
        #expect(problems.first?.message.contains("DTDs and entities are not accepted") == true)
    }

    @Test func entityExpansionIsRefused() {
        let laughs = """
        <?xml version="1.0"?>
        <!DOCTYPE lolz [
          <!ENTITY lol "lol">
          <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
          <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
        ]>
        <ApplicationResponse>&lol3;</ApplicationResponse>
        """
        let problems = LifecycleSamples.problems { () throws(ImportError) in try PeppolReader.read(Data(laughs.utf8), file: "lol.xml") }
        #expect(problems.map(\.line) == [2])
        #expect(problems.first?.message.contains("DTDs and entities are not accepted") == true)
    }

    @Test func aDoctypeInAnyCaseOrAnEntityAloneIsRefused() {
        for xml in ["<!doctype a>\n<a/>", "<a>\n<!ENTITY e \"x\">\n</a>", "<?xml version=\"1.0\"?><!DocType a SYSTEM \"http://example.com/a.dtd\"><a/>"] {
            var problems: [Diagnostic] = []
            do { _ = try XMLTree.parse(Data(xml.utf8), file: "t.xml") } catch { problems = error.diagnostics }
            #expect(problems.count == 1, "\(xml)")
            #expect(problems.first?.message.contains("DTDs and entities are not accepted") == true, "\(xml)")
        }
    }

    @Test func utf16IsRefusedBecauseItWouldHideADoctype() throws {
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n<a>&e;</a>"
        let data = try #require(xml.data(using: .utf16))
        var problems: [Diagnostic] = []
        do { _ = try XMLTree.parse(data, file: "t.xml") } catch { problems = error.diagnostics }
        #expect(problems.count == 1)
        #expect(problems.first?.message.contains("UTF-16") == true)
    }

    // MARK: Malformed XML

    @Test func malformedXMLIsNamedWithItsLine() {
        let cases: [(String, Int, String)] = [
            ("<a>\n  <b>\n  </c>\n</a>", 3, "closing tag"),
            ("<a>\n  <b>x</b>\n", 3, "the file ends before <a> (opened on line 1) is closed"),
            ("<a>\n  1 < 2\n</a>", 2, "not well-formed"),
            ("<a>x</a>\n<b/>", 2, "content after the root element <a>"),
            ("<a>\n  <cbc:ID>1</cbc:ID>\n</a>", 2, "namespace prefix"),
            ("numero_facture;statut\nFA-1;DEPOSEE", 1, "not well-formed"),
            ("{\"numeroFacture\": \"FA-1\"}", 1, "not well-formed"),
            ("<a>&nope;</a>", 1, "undefined entity"),
        ]
        for (xml, line, text) in cases {
            var problems: [Diagnostic] = []
            do { _ = try XMLTree.parse(Data(xml.utf8), file: "t.xml") } catch { problems = error.diagnostics }
            #expect(problems.count == 1, "\(xml)")
            #expect(problems.first?.line == line, "\(xml): \(problems)")
            #expect(problems.first?.message.contains(text) == true, "\(xml): \(problems)")
        }
    }

    @Test func anEmptyFileIsNamed() {
        for data in [Data(), Data("  \n".utf8)] {
            var problems: [Diagnostic] = []
            do { _ = try XMLTree.parse(data, file: "t.xml") } catch { problems = error.diagnostics }
            #expect(problems.first?.message.contains("empty") == true)
        }
    }

    @Test func deepNestingIsRefusedWithoutCrashing() {
        let xml = String(repeating: "<a>", count: 500) + String(repeating: "</a>", count: 500)
        var problems: [Diagnostic] = []
        do { _ = try XMLTree.parse(Data(xml.utf8), file: "t.xml") } catch { problems = error.diagnostics }
        #expect(problems.first?.message.contains("nested deeper") == true)
    }

    // MARK: The tree

    @Test func theTreeHasLocalNamesAttributesTextAndStartLines() throws {
        let xml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <cac:Response xmlns:cac="urn:a" xmlns:cbc="urn:b">
          <cbc:ResponseCode
              listID="UNCL4343OpSubset">UQ</cbc:ResponseCode>
          <cbc:StatusReason>Prix &amp; quantités <![CDATA[<faux>]]></cbc:StatusReason>
          <cac:Status><cbc:StatusReasonCode listID="OPStatusReason">REF</cbc:StatusReasonCode></cac:Status>
          <cac:Status><cbc:StatusReasonCode listID="OPStatusAction">PIN</cbc:StatusReasonCode></cac:Status>
        </cac:Response>
        """
        let tree = try XMLTree.parse(Data(xml.utf8), file: "t.xml")
        #expect(tree.root.name == "Response")
        #expect(tree.root.line == 2)
        let code = try #require(tree.root.child("ResponseCode"))
        #expect(code.text == "UQ")
        #expect(code.attributes["listID"] == "UNCL4343OpSubset")
        #expect(code.line == 3)   // where the start tag begins, not where it ends
        #expect(tree.root.text("StatusReason") == "Prix & quantités <faux>")
        #expect(tree.root.all("Status/StatusReasonCode").map(\.text) == ["REF", "PIN"])
        #expect(tree.root.first("Status/StatusReasonCode")?.line == 6)
        #expect(tree.root.text("Missing/Path") == nil)
    }
}
