import Foundation
import RelanceCore
import RelanceRender
import Testing

/// Names with quotes, backslashes and line breaks must not break the DOT (nor the Mermaid) they are written into.
@Suite struct DOTEscapingTests {
    static let reception = "d\"1\\"
    static let graph = OrgGraph(
        group: CustomerGroup(id: "tricky \"group\"", name: "Name with \"quotes\", a back\\slash\nand a second line"),
        entities: [LegalEntity(id: "e\\1", name: "Entity \"E\" \\ Co\\")],
        sites: [
            Site(id: "s1", entity: "e\\1", name: "Site \"one\"\nsecond line \\", kind: .plant,
                 address: Address(lines: ["1 rue \"X\""], postcode: "75001", city: "Paris \\ \"Centre\"")),
            Site(id: "s\"2", entity: "e\\1", name: "Empty \"site\"\\", kind: .office),
        ],
        departments: [
            Department(id: reception, site: "s1", name: "Dept \"A\" \\n literal", role: .reception),
            Department(id: "d2", site: "s1", name: "Pay\\ables\n\"AP\"", role: .accountsPayable),
        ],
        contacts: [Contact(id: "c1", department: reception, name: "Jean \"Jojo\" Dupont\\")],
        routes: [Route(id: "r \"1\"\n", steps: [
            RouteStep(id: "a", action: .goodsReceipt, department: .fixed(reception), carries: .approval),
            RouteStep(id: "b", action: .matching, department: .fixed("d2"), after: ["a"]),
        ])]
    )

    @Test func theGraphHasOneEdge() {
        let edges = OrgDiagramRenderer.edges(Self.graph)
        #expect(edges.count == 1)
        #expect(edges.first?.from == Self.reception)
        #expect(edges.first?.to == "d2")
    }

    @Test func everyStringLiteralIsClosedOnItsLine() {
        let dot = OrgDiagramRenderer.dot(Self.graph)
        let lines = dot.split(separator: "\n")
        for (n, line) in lines.enumerated() {
            #expect(unescapedQuotes(in: line) % 2 == 0, "line \(n + 1) leaves a string open: \(line)")
        }
        #expect(!dot.contains("\r"))
        #expect(dot.hasPrefix("digraph \"tricky \\\"group\\\"\" {\n"))
        // The node id is escaped the same way where it is declared and where the edge uses it.
        let structure = DOTStructure(dot)
        #expect(structure.declared.contains("\"d\\\"1\\\\\""))
        #expect(structure.edges.count == 1)
        #expect(structure.edges.first?.from == "\"d\\\"1\\\\\"")
        #expect(structure.edges.first.map { structure.declared.contains($0.to) } == true)
        // A literal backslash followed by n stays a backslash and an n; a real line break becomes \n.
        #expect(dot.contains("Dept \\\"A\\\" \\\\n literal\\nreception / goods receipt\\nJean \\\"Jojo\\\" Dupont\\\\\""))
        #expect(dot.contains("label=\"Name with \\\"quotes\\\", a back\\\\slash\\nand a second line\""))
    }

    @Test(.enabled(if: graphvizInstalled, "Graphviz's dot is not on the PATH"))
    func graphvizAcceptsTheDOTAndDrawsTheNamesVerbatim() throws {
        let svg = try Graphviz.svg(fromDOT: OrgDiagramRenderer.dot(Self.graph))
        #expect(svg.hasPrefix("<?xml") || svg.contains("<svg"))
        // Two departments and the placeholder of the empty site; one hand-off; two sites in one entity.
        #expect(svgCount(svg, kind: "node") == 3)
        #expect(svgCount(svg, kind: "edge") == 1)
        #expect(svgCount(svg, kind: "cluster") == 3)
        // dot turns `\\` back into one backslash and `\"` into a quote (escaped again as XML).
        #expect(svg.contains(">Jean &quot;Jojo&quot; Dupont\\</text>"))
        #expect(svg.contains(">Dept &quot;A&quot; \\n literal</text>"))
        #expect(svg.contains(">Empty &quot;site&quot;\\</text>"))
        #expect(svg.contains(">Entity &quot;E&quot; \\ Co\\</text>"))
        #expect(svg.contains(">and a second line</text>"))
    }

    @Test func graphvizFailureIsReportedWithItsMessage() throws {
        // Not DOT at all: dot must fail, and the error must say so (or say that dot is missing).
        do {
            _ = try Graphviz.svg(fromDOT: "digraph { \"unterminated }\n")
            Issue.record("dot accepted an unterminated string")
        } catch let failure as Graphviz.Failure {
            switch failure {
            case .notInstalled:
                #expect(!graphvizInstalled)
                #expect(failure.description.contains("apt-get install graphviz"))
            case .failed(let status, _):
                #expect(graphvizInstalled)
                #expect(status != 0)
                #expect(failure.description.hasPrefix("Graphviz 'dot' failed (exit \(status))"))
            }
        }
    }

    @Test func mermaidStaysWellFormed() throws {
        let m = OrgDiagramRenderer.mermaid(Self.graph)
        try checkMermaid(m, edgeCount: 1)
        // A quote inside a Mermaid label would end it: quotes become #quot;, line breaks <br/>.
        #expect(m.contains("[\"Dept #quot;A#quot; \\n literal<br/>reception / goods receipt<br/>"))
        #expect(!m.contains("Dept \"A\""))
        #expect(m.contains("[\"Site #quot;one#quot;<br/>second line \\ · plant\"]"))
        #expect(m.contains("Jean #quot;Jojo#quot; Dupont\\\"]"))
    }
}
