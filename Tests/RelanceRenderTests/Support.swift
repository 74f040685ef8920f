import Foundation
import RelanceCore
import RelanceImport
import RelanceRender
import RelanceSamples
import Testing

/// The bundled samples, read once per use. A sample that does not read is a test failure, not a skip.
func sampleGraph(_ url: URL) throws -> OrgGraph {
    do {
        return try OrganisationReader.read(contentsOf: url)
    } catch {
        Issue.record("\(url.lastPathComponent) does not read: \(error)")
        throw error
    }
}

func sampleGraph(named id: String) throws -> OrgGraph {
    let url = try #require(Samples.organisationFiles.first { $0.deletingPathExtension().lastPathComponent == id },
                           "no bundled sample named \(id).yaml")
    return try sampleGraph(url)
}

/// Whether Graphviz's `dot` is on the PATH; tests that lay out DOT are skipped (and shown as skipped) without it.
let graphvizInstalled = Graphviz.executable() != nil

/// Counts the double quotes of a DOT line that are not escaped by a backslash.
func unescapedQuotes(in line: Substring) -> Int {
    var count = 0
    var escaped = false
    for c in line {
        if escaped { escaped = false; continue }
        if c == "\\" { escaped = true } else if c == "\"" { count += 1 }
    }
    return count
}

/// DOT string literals (with their quotes and escapes kept) in order of appearance on a line.
func dotStrings(in line: Substring) -> [String] {
    var result: [String] = []
    var current: String?
    var escaped = false
    for c in line {
        if var s = current {
            s.append(c)
            if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { result.append(s); s = "" ; current = nil; continue }
            current = s
        } else if c == "\"" {
            current = "\""
        }
    }
    return result
}

/// The node ids a DOT document declares (`"id" [label=…]` lines) and the edges it draws (`"a" -> "b" […]`).
struct DOTStructure {
    var declared: [String] = []
    var edges: [(from: String, to: String)] = []

    init(_ dot: String) {
        for line in dot.split(separator: "\n") {
            let trimmed = line.drop { $0 == " " }
            guard trimmed.hasPrefix("\"") else { continue }
            let strings = dotStrings(in: trimmed)
            if trimmed.contains("\" -> \""), strings.count >= 2 {
                edges.append((strings[0], strings[1]))
            } else if let first = strings.first, trimmed.dropFirst(first.count).hasPrefix(" [") {
                declared.append(first)
            }
        }
    }
}

/// Counts `<g … class="node">` and `<g … class="edge">` groups in an SVG made by dot.
func svgCount(_ svg: String, kind: String) -> Int {
    svg.components(separatedBy: "class=\"\(kind)\"").count - 1
}
