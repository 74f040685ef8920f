import RelanceCore

/// Customer groups made from template organisation files (the bundled samples): the same structure under
/// new identifiers, new SIREN, SIRET and VAT numbers (with valid check digits), a numbered name, and,
/// for private-sector templates, other payment terms and payment-run days. Variant `k` of a template is
/// the file's text with every identifier `x` of the group, its entities, sites, departments, contacts and
/// routes renamed `x-k`, so that it reads back exactly as the template does, comments included.
public struct OrganisationVariants: Sendable {
    /// A template: an organisation file's text and the graph read from it.
    public struct Template: Sendable {
        public var text: String
        public var graph: OrgGraph

        public init(text: String, graph: OrgGraph) {
            self.text = text
            self.graph = graph
        }
    }

    public var templates: [Template]

    public init(templates: [Template]) { self.templates = templates }

    /// Group `k` (from 1): variant `k` of template `(k - 1) % templates.count`. Its id is the template's
    /// group id followed by `-k`; the same `k` and seed always give the same text.
    public func variant(_ k: Int, seed: UInt64) -> (id: String, template: Template, yaml: String) {
        let template = templates[(k - 1) % templates.count]
        var rng = SeededGenerator(seed: seed ^ (UInt64(k) &* 0xD1B5_4A32_D192_ED03))
        let g = template.graph
        var renamed: [Substring: String] = [:]
        for id in [g.group.id] + g.entities.map(\.id) + g.sites.map(\.id) + g.departments.map(\.id) + g.contacts.map(\.id) + g.routes.map(\.id) {
            renamed[Substring(id)] = "\(id)-\(k)"
        }
        for (e, entity) in g.entities.enumerated() {
            guard let siren = entity.siren, siren.count == 9 else { continue }
            let newSiren = OrganisationVariants.siren(base: 10_000_000 + (k * 16 + e) % 89_000_000)
            renamed[Substring(siren)] = newSiren
            if let vat = entity.vatNumber, let newVAT = Identifiers.frenchVATNumber(siren: newSiren) { renamed[Substring(vat)] = newVAT }
            for site in g.sites where site.entity == entity.id {
                guard let siret = site.siret, siret.count == 14 else { continue }
                let nic = String(siret.dropFirst(9).prefix(4))
                renamed[Substring(siret)] = OrganisationVariants.withCheckDigit(newSiren + nic)
            }
        }
        let publicSector = g.routes.contains { $0.steps.contains { $0.action == .publicAccounting } }
        var lines: [String] = []
        var inGroup = false, namedGroup = false, inTerms = false, previous = ""
        var templateLines = template.text.split(separator: "\n", omittingEmptySubsequences: false)
        templateLines = OrganisationVariants.droppingSites(templateLines, of: g, rng: &rng)
        for line in templateLines {
            var out = OrganisationVariants.renaming(line, renamed)
            let trimmed = out.drop { $0 == " " }
            if line.hasPrefix("group:") { inGroup = true } else if !line.hasPrefix(" ") && !line.isEmpty { inGroup = false }
            if inGroup && !namedGroup && trimmed.hasPrefix("name:") {
                out += " \(k)"
                namedGroup = true
            }
            if !publicSector {
                if trimmed.hasPrefix("terms:") { inTerms = true } else if inTerms && trimmed.hasPrefix("days:") {
                    out = String(out.prefix { $0 == " " }) + "days: \(rng.pick([30, 45]) ?? 45)"
                    inTerms = false
                }
                let after = previous.drop { $0 == " " }
                if after.hasPrefix("payment-runs:") && trimmed.hasPrefix("days-of-month:") {
                    out = String(out.prefix { $0 == " " }) + "days-of-month: " + (rng.pick(["[10, 25]", "[5, 20]", "[15, last]", "[last]"]) ?? "[10, 25]")
                } else if after.hasPrefix("payment-runs:") && trimmed.hasPrefix("weekdays:") {
                    out = String(out.prefix { $0 == " " }) + "weekdays: " + (rng.pick(["[tue]", "[wed]", "[thu]", "[mon, thu]"]) ?? "[tue]")
                }
            }
            previous = out
            lines.append(out)
        }
        return ("\(g.group.id)-\(k)", template, lines.joined(separator: "\n"))
    }

    /// The template's lines without some of its delivery sites, when it has many that nothing else names
    /// (Maison Vert's shops): between 30 % and all of them are kept, at least three. A site goes with its
    /// departments and contacts (its block of lines).
    static func droppingSites(_ lines: [Substring], of g: OrgGraph, rng: inout SeededGenerator) -> [Substring] {
        var tokenLines: [Substring: Set<Int>] = [:]
        for (n, line) in lines.enumerated() {
            for token in tokens(line) { tokenLines[token, default: []].insert(n) }
        }
        let siteIDs = Set(g.sites.filter(\.receivesDeliveries).map(\.id))
        var droppable: [Range<Int>] = []
        func indentation(_ line: Substring) -> Int { line.utf8.prefix { $0 == UInt8(ascii: " ") }.count }
        for (n, line) in lines.enumerated() {
            let indent = indentation(line)
            let rest = line.dropFirst(indent)
            guard rest.hasPrefix("- id: "), siteIDs.contains(String(rest.dropFirst(6))) else { continue }
            var end = n + 1
            while end < lines.count {
                let next = lines[end]
                let nextIndent = indentation(next)
                if nextIndent < next.utf8.count && nextIndent <= indent { break }
                end += 1
            }
            let block = n..<end
            let site = String(rest.dropFirst(6))
            let departments = g.departments.filter { $0.site == site }.map(\.id)
            let ids = [site] + departments + g.contacts.filter { departments.contains($0.department) }.map(\.id)
            let namedElsewhere = ids.contains { id in tokenLines[Substring(id)]?.contains { !block.contains($0) } ?? false }
            if !namedElsewhere { droppable.append(block) }
        }
        guard droppable.count >= 5 else { return lines }
        let keep = max(3, Int((Double(droppable.count) * (0.3 + 0.7 * rng.unit())).rounded()))
        var dropped = Set<Int>()
        // Fisher–Yates with our own generator (the standard library's shuffle may change between versions).
        for i in stride(from: droppable.count - 1, to: 0, by: -1) { droppable.swapAt(i, rng.int(0...i)) }
        for block in droppable.dropFirst(keep) { dropped.formUnion(block) }
        return lines.enumerated().filter { !dropped.contains($0.offset) }.map(\.element)
    }

    /// The line with every token (a run of ASCII letters, digits, `-` and `_`) found in `renamed` replaced.
    static func renaming(_ line: Substring, _ renamed: [Substring: String]) -> String {
        let utf8 = line.utf8
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count + 16)
        var i = utf8.startIndex
        while i != utf8.endIndex {
            guard isTokenByte(utf8[i]) else {
                out.append(utf8[i])
                i = utf8.index(after: i)
                continue
            }
            var j = i
            while j != utf8.endIndex && isTokenByte(utf8[j]) { j = utf8.index(after: j) }
            if let replacement = renamed[Substring(utf8[i..<j])] {
                out.append(contentsOf: replacement.utf8)
            } else {
                out.append(contentsOf: utf8[i..<j])
            }
            i = j
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The tokens of a line (split on bytes: identifiers are ASCII, and Character properties are slow).
    static func tokens(_ line: Substring) -> [Substring] {
        line.utf8.split(whereSeparator: { !isTokenByte($0) }).map { Substring($0) }
    }

    static func isTokenByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x5F
    }

    /// A SIREN: the 8 digits of `base` and a Luhn check digit.
    static func siren(base: Int) -> String { withCheckDigit(String(base)) }

    /// `digits` followed by the digit that makes the whole pass the Luhn check.
    static func withCheckDigit(_ digits: String) -> String {
        for c in 0...9 where Identifiers.luhnValid(digits + String(c)) { return digits + String(c) }
        return digits + "0"
    }
}
