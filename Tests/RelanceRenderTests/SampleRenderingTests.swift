import Foundation
import RelanceCore
import RelanceImport
import RelanceRender
import RelanceSamples
import Testing

/// Every renderer on every bundled sample.
@Suite struct SampleRenderingTests {
    @Test func theThreeSamplesAreBundled() {
        let names = Samples.organisationFiles.map(\.lastPathComponent)
        #expect(names.count >= 3, "the parameterised tests below would be vacuous without samples")
        for expected in ["chu-armor.yaml", "maisonvert.yaml", "metalux.yaml"] {
            #expect(names.contains(expected), "\(expected) is not among the bundled samples: \(names)")
        }
    }

    // MARK: Text

    @Test(arguments: Samples.organisationFiles)
    func textNamesEveryElementAndEveryPath(_ url: URL) throws {
        let g = try sampleGraph(url)
        let text = OrgTextRenderer.render(g)
        #expect(text.hasPrefix("\(g.group.name) (\(g.group.id))"))
        #expect(text.hasSuffix("\n"))
        for e in g.entities { #expect(text.contains("\(e.name) (\(e.id))"), "entity \(e.id) missing") }
        for s in g.sites { #expect(text.contains("\(s.name) (\(s.id))"), "site \(s.id) missing") }
        for d in g.departments { #expect(text.contains("(\(d.id))"), "department \(d.id) missing") }
        for c in g.contacts { #expect(text.contains(c.name), "contact \(c.id) missing") }
        #expect(!g.routes.isEmpty)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for r in g.routes {
            #expect(lines.contains { $0.contains("─ \(r.id)") }, "route \(r.id) has no heading")
            let paths = r.paths()
            #expect(!paths.isEmpty, "route \(r.id) has no path")
            for p in paths {
                let expected = "path: " + p.joined(separator: " → ")
                #expect(lines.contains { $0.hasSuffix(expected) }, "route \(r.id): no line '\(expected)'")
            }
            // Each route prints as many path lines as it has paths (no more, no less) in its own block.
            let pathLines = routeBlock(r.id, in: lines).filter { $0.contains("path: ") }
            #expect(pathLines.count == paths.count, "route \(r.id)")
        }
        // The tree has one root: exactly one line for routes, and it is the last top-level branch.
        #expect(lines.filter { $0 == "└─ Routes" }.count == 1)
    }

    private func routeBlock(_ id: String, in lines: [Substring]) -> [Substring] {
        guard let start = lines.firstIndex(where: { $0.hasPrefix("   ├─ \(id)") || $0.hasPrefix("   └─ \(id)") }) else { return [] }
        let rest = lines[(start + 1)...]
        let end = rest.firstIndex { $0.hasPrefix("   ├─ ") || $0.hasPrefix("   └─ ") } ?? lines.endIndex
        return Array(lines[start..<end])
    }

    // MARK: DOT

    @Test(arguments: Samples.organisationFiles)
    func dotIsWellFormed(_ url: URL) throws {
        let g = try sampleGraph(url)
        let dot = OrgDiagramRenderer.dot(g)
        #expect(dot.hasPrefix("digraph \"\(g.group.id)\" {\n"))
        #expect(dot.hasSuffix("}\n"))
        for (n, line) in dot.split(separator: "\n").enumerated() {
            #expect(unescapedQuotes(in: line) % 2 == 0, "line \(n + 1) has an unterminated string: \(line)")
        }
        let braces = dot.split(separator: "\n").reduce(0) { $0 + ($1.hasSuffix("{") ? 1 : 0) - ($1.drop { $0 == " " } == "}" ? 1 : 0) }
        #expect(braces == 0, "unbalanced braces")
        let structure = DOTStructure(dot)
        #expect(Set(structure.declared) == Set(g.departments.map { "\"\($0.id)\"" }).union(
            g.sites.filter { g.departments(at: $0.id).isEmpty }.map { "\"site:\($0.id)\"" }))
        let declared = Set(structure.declared)
        #expect(structure.edges.count == OrgDiagramRenderer.edges(g).count)
        for e in structure.edges {
            #expect(declared.contains(e.from) && declared.contains(e.to), "edge \(e.from) -> \(e.to) to an undeclared node")
        }
    }

    @Test(.enabled(if: graphvizInstalled, "Graphviz's dot is not on the PATH"), arguments: Samples.organisationFiles)
    func dotIsAcceptedByGraphviz(_ url: URL) throws {
        let g = try sampleGraph(url)
        let svg = try Graphviz.svg(fromDOT: OrgDiagramRenderer.dot(g))
        #expect(svg.hasPrefix("<?xml") || svg.contains("<svg"))
        #expect(svg.contains("</svg>"))
        let emptySites = g.sites.filter { g.departments(at: $0.id).isEmpty }.count
        #expect(svgCount(svg, kind: "node") == g.departments.count + emptySites, "dot laid out another set of nodes")
        #expect(svgCount(svg, kind: "edge") == OrgDiagramRenderer.edges(g).count)
        #expect(svgCount(svg, kind: "cluster") == g.entities.count + g.sites.count)
    }

    // MARK: Mermaid

    @Test(arguments: Samples.organisationFiles)
    func mermaidIsWellFormed(_ url: URL) throws {
        let g = try sampleGraph(url)
        let m = OrgDiagramRenderer.mermaid(g)
        try checkMermaid(m, edgeCount: OrgDiagramRenderer.edges(g).count)
        // One node per department, whose label starts with the department's name.
        for d in g.departments {
            #expect(m.contains("[\"\(d.name.replacing("\"", with: "#quot;"))<br/>"), "department \(d.id) is not drawn")
        }
    }

    // MARK: JSON

    /// Counts the samples are known to have (entities, sites, departments, contacts, routes).
    static let expectedCounts: [String: [Int]] = [
        "chu-armor": [2, 5, 8, 12, 1],
        "maisonvert": [1, 41, 47, 54, 3],
        "metalux": [2, 5, 9, 11, 3],
    ]

    @Test(arguments: Samples.organisationFiles)
    func jsonParsesWithTheExpectedCounts(_ url: URL) throws {
        let g = try sampleGraph(url)
        let text = try OrgJSONRenderer.render(g)
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        let doc = try #require(object as? [String: Any])
        let group = try #require(doc["group"] as? [String: Any])
        #expect(group["id"] as? String == g.group.id)
        #expect(group["name"] as? String == g.group.name)
        let keys = ["entities", "sites", "departments", "contacts", "routes"]
        var counts: [Int] = []
        for key in keys {
            let array = try #require(doc[key] as? [[String: Any]], "\(key) is not an array of objects")
            counts.append(array.count)
            let ids = array.compactMap { $0["id"] as? String }
            #expect(ids.count == array.count && Set(ids).count == ids.count, "\(key): every element has a distinct id")
        }
        #expect(counts == [g.entities.count, g.sites.count, g.departments.count, g.contacts.count, g.routes.count])
        if let expected = Self.expectedCounts[g.group.id] {
            #expect(counts == expected, "\(g.group.id): entities, sites, departments, contacts, routes")
        }
        let stepIDs = { (r: [String: Any]) in ((r["steps"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String } }
        let siteIDs = Set(g.sites.map(\.id))
        for r in try #require(doc["routes"] as? [[String: Any]]) {
            let id = r["id"] as? String ?? "?"
            let serves = try #require(r["serves"] as? [String], "route \(id): serves")
            #expect(!serves.isEmpty, "route \(id) serves no site")
            #expect(serves.allSatisfy(siteIDs.contains), "route \(id) serves unknown sites: \(serves)")
            let paths = try #require(r["paths"] as? [[String]], "route \(id): paths")
            #expect(!paths.isEmpty, "route \(id) has no path")
            let steps = Set(stepIDs(r))
            for p in paths {
                #expect(!p.isEmpty && p.allSatisfy(steps.contains), "route \(id): path \(p) names unknown steps")
            }
        }
        #expect(text == (try OrgJSONRenderer.render(g)), "the JSON is stable from one rendering to the next")
    }

    @Test func jsonDerivesPayersAndServedSitesForMetalux() throws {
        let g = try sampleGraph(named: "metalux")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(try OrgJSONRenderer.render(g).utf8)) as? [String: Any])
        let routes = try #require(doc["routes"] as? [[String: Any]])
        let serves = Dictionary(uniqueKeysWithValues: routes.map { ($0["id"] as? String ?? "", $0["serves"] as? [String] ?? []) })
        #expect(serves["mtx-plants"] == ["mtx-ven", "mtx-dun"])
        #expect(serves["mtx-saint-etienne"] == ["mtx-ste"])
        #expect(serves["mtx-capex"] == ["mtx-ven", "mtx-dun", "mtx-ste"])
        let plants = try #require(routes.first { $0["id"] as? String == "mtx-plants" })
        #expect(plants["paths"] as? [[String]] == [["scan", "match", "run"], ["receipt", "bap", "match", "run"]])
        let sites = try #require(doc["sites"] as? [[String: Any]])
        let ven = try #require(sites.first { $0["id"] as? String == "mtx-ven" })
        #expect(ven["payer"] as? String == "mtx-industrie")
        #expect(ven["routes"] as? [String] == ["mtx-plants", "mtx-capex"])
        let hq = try #require(sites.first { $0["id"] as? String == "mtx-hq" })
        #expect(hq["receivesDeliveries"] as? Bool == false)
        #expect(hq["routes"] as? [String] == [])
    }
}

/// Mermaid checks shared with the escaping tests: header, balanced subgraphs, edges between declared nodes,
/// one link style per edge.
func checkMermaid(_ m: String, edgeCount: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let lines = m.split(separator: "\n")
    #expect(m.hasPrefix("flowchart LR\n"), sourceLocation: sourceLocation)
    var depth = 0
    var subgraphs = 0, ends = 0
    var nodes = Set<String>()
    var edges: [(String, String)] = []
    var styles: [Int] = []
    for line in lines.dropFirst() {
        let t = line.drop { $0 == " " }
        if t.hasPrefix("subgraph ") {
            subgraphs += 1
            depth += 1
            #expect(t.dropFirst("subgraph ".count).contains("[\""), "subgraph without a label: \(t)", sourceLocation: sourceLocation)
        } else if t == "end" {
            ends += 1
            depth -= 1
            #expect(depth >= 0, "'end' closes no subgraph", sourceLocation: sourceLocation)
        } else if t.hasPrefix("linkStyle ") {
            styles.append(Int(t.split(separator: " ")[1]) ?? -1)
        } else if let arrow = ["-.->", "==>", "-->"].first(where: { t.contains(" \($0)|") }) {
            let from = String(t.prefix { $0 != " " })
            let to = String(t.split(separator: "| ").last ?? "")
            #expect(t.contains(" \(arrow)|\""), "edge label is not quoted: \(t)", sourceLocation: sourceLocation)
            edges.append((from, to))
        } else if let bracket = t.firstIndex(of: "[") {
            let id = String(t[..<bracket])
            #expect(!id.isEmpty && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") },
                    "node id '\(id)' is not a plain Mermaid id", sourceLocation: sourceLocation)
            #expect(t.hasSuffix("\"]"), "node label is not a quoted string: \(t)", sourceLocation: sourceLocation)
            #expect(nodes.insert(id).inserted, "node \(id) declared twice", sourceLocation: sourceLocation)
        } else {
            Issue.record("unexpected Mermaid line: \(line)", sourceLocation: sourceLocation)
        }
    }
    #expect(subgraphs == ends, "\(subgraphs) subgraph(s) but \(ends) end(s)", sourceLocation: sourceLocation)
    #expect(subgraphs > 0, sourceLocation: sourceLocation)
    #expect(edges.count == edgeCount, sourceLocation: sourceLocation)
    for (from, to) in edges {
        #expect(nodes.contains(from), "edge from undeclared node \(from)", sourceLocation: sourceLocation)
        #expect(nodes.contains(to), "edge to undeclared node \(to)", sourceLocation: sourceLocation)
    }
    #expect(styles == Array(0..<edgeCount), "one linkStyle per edge, in order", sourceLocation: sourceLocation)
}
