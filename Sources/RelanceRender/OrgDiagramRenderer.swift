import RelanceCore

/// Draws an organisation as a diagram: sites as boxes grouped by legal entity, departments inside them,
/// and the hand-offs of every route as arrows between departments. Invoice hand-offs are blue, approval
/// hand-offs orange and dashed, joined ones black. A step found by role at the delivery site is drawn for
/// each site it serves, so the picture shows the real circuit of each site.
public enum OrgDiagramRenderer {
    /// An arrow between two departments: from the department of a step to the department of the next.
    public struct Edge: Hashable, Sendable {
        public var from: String
        public var to: String
        public var carried: Carried
        public var routes: [String]
    }

    /// Every department-to-department hand-off, merged across sites and routes.
    public static func edges(_ g: OrgGraph) -> [Edge] {
        var merged: [String: Edge] = [:]
        var order: [String] = []
        for r in g.routes {
            let carried = r.carriedByStep()
            for site in g.sites(servedBy: r) {
                for step in r.steps {
                    guard let to = g.department(for: step, deliveredAt: site.id) else { continue }
                    for p in step.after {
                        guard let ps = r.step(p), let from = g.department(for: ps, deliveredAt: site.id), from.id != to.id else { continue }
                        let c = carried[p] ?? .invoice
                        let key = "\(from.id)|\(to.id)|\(c.rawValue)"
                        if var e = merged[key] {
                            if !e.routes.contains(r.id) { e.routes.append(r.id) }
                            merged[key] = e
                        } else {
                            merged[key] = Edge(from: from.id, to: to.id, carried: c, routes: [r.id])
                            order.append(key)
                        }
                    }
                }
            }
        }
        return order.compactMap { merged[$0] }
    }

    /// Graphviz DOT.
    public static func dot(_ g: OrgGraph) -> String {
        var out = ["digraph \(quote(g.group.id)) {"]
        out.append("  graph [rankdir=LR, fontname=\"Helvetica\", label=\(quote(g.group.name)), labelloc=t, fontsize=18, compound=true];")
        out.append("  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", fontname=\"Helvetica\", fontsize=10];")
        out.append("  edge [fontname=\"Helvetica\", fontsize=8];")
        for (i, e) in g.entities.enumerated() {
            out.append("  subgraph \(quote("cluster_e\(i)")) {")
            out.append("    label=\(quote(e.name + (e.agreedTerms.map { "\n\($0.summary)" } ?? ""))); style=\"rounded\"; color=\"#555555\";")
            for (j, s) in g.sites(of: e.id).enumerated() {
                out.append("    subgraph \(quote("cluster_e\(i)_s\(j)")) {")
                out.append("      label=\(quote("\(s.name)\n\(s.kind.rawValue)" + (s.address.map { " · \($0.city)" } ?? ""))); style=\"filled,rounded\"; fillcolor=\"#f2f2f2\"; color=\"#999999\";")
                let depts = g.departments(at: s.id)
                if depts.isEmpty {
                    out.append("      \(quote("site:\(s.id)")) [label=\(quote(s.name)), shape=plaintext, style=\"\"];")
                }
                for d in depts {
                    let people = g.contacts(in: d.id).map(\.name)
                    let label = "\(d.name)\n\(d.role.label)" + (people.isEmpty ? "\n(no contact)" : "\n" + people.joined(separator: ", "))
                    let fill = d.role.pays ? "#e3f2e1" : (people.isEmpty ? "#fde2e1" : "#ffffff")
                    out.append("      \(quote(d.id)) [label=\(quote(label)), fillcolor=\(quote(fill))];")
                }
                out.append("    }")
            }
            out.append("  }")
        }
        for e in edges(g) {
            let style: String
            switch e.carried {
            case .invoice: style = "color=\"#1f5fbf\", fontcolor=\"#1f5fbf\""
            case .approval: style = "color=\"#d9822b\", fontcolor=\"#d9822b\", style=dashed"
            case .both: style = "color=\"#222222\", penwidth=1.6"
            }
            out.append("  \(quote(e.from)) -> \(quote(e.to)) [label=\(quote("\(e.carried.rawValue): \(e.routes.joined(separator: ", "))")), \(style)];")
        }
        out.append("}")
        return out.joined(separator: "\n") + "\n"
    }

    /// Mermaid flowchart.
    public static func mermaid(_ g: OrgGraph) -> String {
        var ids: [String: String] = [:]
        func node(_ id: String) -> String {
            if let n = ids[id] { return n }
            let n = "n\(ids.count)_" + String(id.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
            ids[id] = n
            return n
        }
        func text(_ s: String) -> String {
            "\"" + s.replacing("\"", with: "#quot;").replacing("\n", with: "<br/>") + "\""
        }
        var out = ["flowchart LR"]
        for e in g.entities {
            out.append("  subgraph \(node("entity:\(e.id)"))[\(text(e.name))]")
            for s in g.sites(of: e.id) {
                out.append("    subgraph \(node("site:\(s.id)"))[\(text("\(s.name) · \(s.kind.rawValue)"))]")
                let depts = g.departments(at: s.id)
                if depts.isEmpty { out.append("      \(node("empty:\(s.id)"))[\(text("no department"))]") }
                for d in depts {
                    let people = g.contacts(in: d.id).map(\.name)
                    out.append("      \(node(d.id))[\(text("\(d.name)\n\(d.role.label)" + (people.isEmpty ? "" : "\n" + people.joined(separator: ", "))))]")
                }
                out.append("    end")
            }
            out.append("  end")
        }
        var linkStyles: [String] = []
        for (i, e) in edges(g).enumerated() {
            let arrow = e.carried == .approval ? "-.->" : (e.carried == .both ? "==>" : "-->")
            out.append("  \(node(e.from)) \(arrow)|\(text("\(e.carried.rawValue): \(e.routes.joined(separator: ", "))"))| \(node(e.to))")
            let color = e.carried == .invoice ? "#1f5fbf" : (e.carried == .approval ? "#d9822b" : "#222222")
            linkStyles.append("  linkStyle \(i) stroke:\(color)")
        }
        return (out + linkStyles).joined(separator: "\n") + "\n"
    }

    /// A DOT string literal.
    static func quote(_ s: String) -> String {
        "\"" + s.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"").replacing("\n", with: "\\n") + "\""
    }
}
