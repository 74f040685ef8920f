import Foundation
import RelanceCore
import RelanceImport
import Testing

/// A small but complete organisation, written out in full so that each test can see (and break) the
/// exact text the reader gets. Groupe Ferly is fictional: the identifiers have valid check digits and
/// the phone numbers are in ARCEP's ranges reserved for fiction (04 65 71 xx xx, 02 61 91 xx xx).
///
/// Index map, for the field paths the diagnostics use:
/// - `entities[0]` ferly-industrie: `sites[0]` ferly-hq (`departments[0]` ferly-hq-purchasing,
///   `contacts[0]` ferly-hq-lefebvre), `sites[1]` ferly-lyon (`departments[0]` ferly-lyon-reception with
///   `contacts[0]` ferly-lyon-garcia, `departments[1]` ferly-lyon-purchasing with `contacts[0]` ferly-lyon-moreau)
/// - `entities[1]` ferly-services: `sites[0]` ferly-ssc (`departments[0]` ferly-ssc-mailroom with
///   `contacts[0]` ferly-ssc-bernard, `departments[1]` ferly-ssc-ap with `contacts[0]` ferly-ssc-durand,
///   `departments[2]` ferly-ssc-treasury with `contacts[0]` ferly-ssc-girard)
/// - `routes[0]` ferly-plants: `steps[0]` scan, `[1]` receipt, `[2]` bap, `[3]` match, `[4]` run
/// - `routes[1]` ferly-capex: `steps[0]` scan, `[1]` approve, `[2]` pay
enum Ferly {
    static let file = "ferly.yaml"

    static let yaml = """
        # Groupe Ferly: a plant and a head office invoiced through the group's shared-service centre.
        group:
          id: ferly
          name: Groupe Ferly
          responsible: Claire Dubois
          notes: Invoices by PDF to the shared-service centre only.

        entities:
          - id: ferly-industrie
            name: Ferly Industrie SAS
            siren: "412330011"
            vat: fr67 412 330 011
            requires-purchase-order: true
            invoice-address: ferly-ssc
            terms:
              days: 45
              end-of-month: end-of-month-then-days
              basis: invoice-date
              pay-day: 10
            sites:
              - id: ferly-hq
                name: Siège Ferly
                kind: head-office
                siret: "412 330 011 00013"
                address:
                  lines: [Tour Horizon, 52 quai de Dion-Bouton]
                  postcode: "92800"
                  city: Puteaux
                departments:
                  - id: ferly-hq-purchasing
                    name: Achats groupe
                    role: purchasing
                    contacts:
                      - id: ferly-hq-lefebvre
                        name: Sophie Lefebvre
                        title: Acheteuse investissements
                        phone: 04 65 71 12 40
                        email: Sophie.Lefebvre@Ferly.EXAMPLE
                        hours: mon-thu 09:00-12:30
              - id: ferly-lyon
                name: Usine de Lyon
                kind: plant
                siret: "41233001100047"
                paid-by: ferly-services
                address:
                  lines: [ZI des Grandes Terres, 12 rue des Forges]
                  postcode: "69200"
                  city: Vénissieux
                departments:
                  - id: ferly-lyon-reception
                    name: Réception magasin
                    role: reception
                    phone: 04.65.71.20.10
                    contacts:
                      - id: ferly-lyon-garcia
                        name: Karim Garcia
                        title: Chef magasinier
                        phone: 04 65 71 20 11
                        hours: mon-fri 08:00-12:00 13:30-17:00
                  - id: ferly-lyon-purchasing
                    name: Achats usine
                    role: purchasing
                    contacts:
                      - id: ferly-lyon-moreau
                        name: Isabelle Moreau
                        phone: +33 4 65 71 20 30
                        email: isabelle.moreau@ferly.example
                        channel: email

          - id: ferly-services
            name: Ferly Services Partagés SAS
            siren: "412330029"
            vat: FR24412330029
            payables-calendar:
              time-zone: Europe/Paris
              working-days: mon-thu
              holidays: fr-alsace-moselle
              payment-runs:
                weekdays: [tue]
                days-of-month: [15, last]
              closed:
                - from: "08-01"
                  to: "08-15"
                - from: "12-24"
                  to: "01-02"
            sites:
              - id: ferly-ssc
                name: Centre de services partagés
                kind: shared-service-centre
                siret: "41233002900015"
                address:
                  lines: [8 rue de la Lumière]
                  postcode: "67000"
                  city: Strasbourg
                departments:
                  - id: ferly-ssc-mailroom
                    name: Numérisation factures
                    role: mailroom
                    email: factures@SSC.Ferly.Example
                    contacts:
                      - id: ferly-ssc-bernard
                        name: Élodie Bernard
                        email: elodie.bernard@ferly.example
                        channel: email
                  - id: ferly-ssc-ap
                    name: Comptabilité fournisseurs
                    role: accounts-payable
                    phone: 02 61 91 50 00
                    contacts:
                      - id: ferly-ssc-durand
                        name: Marc Durand
                        title: Comptable fournisseurs
                        phone: 02 61 91 50 12
                        email: marc.durand@ferly.example
                        time-zone: Europe/Brussels
                        language: en
                  - id: ferly-ssc-treasury
                    name: Trésorerie
                    role: treasury
                    contacts:
                      - id: ferly-ssc-girard
                        name: Hélène Girard
                        phone: 02 61 91 50 30

        routes:
          # The invoice goes to the shared-service centre while the approval is built at the plant
          # (goods receipt, then the bon à payer); both meet at accounts payable.
          - id: ferly-plants
            name: Circuit usines
            applies-to:
              entities: [ferly-industrie]
            steps:
              - id: scan
                name: Numérisation
                action: invoice-receipt
                department: ferly-ssc-mailroom
                carries: invoice
                expected-days: 1
              - id: receipt
                action: goods-receipt
                site-role: reception
                carries: approval
                expected-days: 2
              - id: bap
                name: Bon à payer
                action: approval
                site-role: purchasing
                after: [receipt]
                expected-days: 3.5
              - id: match
                action: matching
                department: ferly-ssc-ap
                after: [scan, bap]
                expected-days: 2
              - id: run
                action: payment-run
                department: ferly-ssc-treasury
                after: [match]
                expected-days: 1

          # Capital expenditure delivered at Lyon: group purchasing approves.
          - id: ferly-capex
            name: Circuit investissements
            applies-to:
              sites: [ferly-lyon]
              order-types: [capex]
            steps:
              - id: scan
                action: invoice-receipt
                department: ferly-ssc-mailroom
                carries: invoice
              - id: approve
                action: approval
                department: ferly-hq-purchasing
                carries: approval
                expected-days: 8
              - id: pay
                action: payment
                department: ferly-ssc-ap
                after: [scan, approve]

        """
}

/// The valid text with one piece replaced, and the line (1-based) where the replacement starts.
struct Broken {
    let text: String
    let line: Int
}

/// Replaces the one occurrence of `old` in `base` by `new`. Records an issue (and returns the text
/// unchanged) when `old` is missing or not unique, so that a fixture edit cannot silently void a test.
func breaking(_ old: String, _ new: String, in base: String = Ferly.yaml,
              sourceLocation: SourceLocation = #_sourceLocation) -> Broken {
    let ranges = base.ranges(of: old)
    guard ranges.count == 1, let range = ranges.first else {
        Issue.record("'\(old)' occurs \(ranges.count) times in the fixture, expected once", sourceLocation: sourceLocation)
        return Broken(text: base, line: 0)
    }
    let line = base[..<range.lowerBound].count(where: { $0 == "\n" }) + 1
    var text = base
    text.replaceSubrange(range, with: new)
    return Broken(text: text, line: line)
}

/// Applies several replacements in turn.
func breaking(_ edits: [(String, String)], in base: String = Ferly.yaml,
              sourceLocation: SourceLocation = #_sourceLocation) -> String {
    edits.reduce(base) { breaking($1.0, $1.1, in: $0, sourceLocation: sourceLocation).text }
}

/// The 1-based number of the `occurrence`-th line containing `needle` (or, when `exact`, whose trimmed
/// text is `needle`); 0 (with an issue recorded) when there is none.
func lineNumber(of needle: String, in text: String, occurrence: Int = 1, exact: Bool = false,
                sourceLocation: SourceLocation = #_sourceLocation) -> Int {
    var seen = 0
    for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        let hit = exact ? line.trimmingCharacters(in: .whitespaces) == needle : line.contains(needle)
        if hit {
            seen += 1
            if seen == occurrence { return i + 1 }
        }
    }
    Issue.record("no line #\(occurrence) with '\(needle)'", sourceLocation: sourceLocation)
    return 0
}

/// The text of line `number` (1-based).
func textOfLine(_ number: Int, in text: String) -> String {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    return lines.indices.contains(number - 1) ? String(lines[number - 1]) : ""
}

/// The diagnostics reading `yaml` produces; `nil` (with an issue recorded) when it reads without error.
func diagnostics(reading yaml: String, file: String = Ferly.file,
                 sourceLocation: SourceLocation = #_sourceLocation) -> [Diagnostic]? {
    do throws(ImportError) {
        _ = try OrganisationReader.read(yaml: yaml, file: file)
        Issue.record("the text was read without error", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error.diagnostics
    }
}

/// The first diagnostic whose message contains every phrase; `nil` (with an issue listing every
/// diagnostic) when there is none.
func diagnostic(in found: [Diagnostic], saying phrases: [String],
                sourceLocation: SourceLocation = #_sourceLocation) -> Diagnostic? {
    if let d = found.first(where: { d in phrases.allSatisfy { d.message.contains($0) } }) { return d }
    Issue.record("no diagnostic says \(phrases); got:\n\(found.map { "  \($0)" }.joined(separator: "\n"))",
                 sourceLocation: sourceLocation)
    return nil
}
