import Foundation
import RelanceCore
import RelanceImport
import Testing

/// Where a diagnostic must point, in the broken text.
enum Place: Sendable {
    /// The line where the replaced text was.
    case replaced
    /// The `occurrence`-th line whose trimmed text is exactly this (an element's first line: `- id: x`).
    case element(String, occurrence: Int = 1)
    /// The `occurrence`-th line containing this text.
    case containing(String, occurrence: Int = 1)
}

/// One thing broken in the valid Ferly text, and the diagnostic that must report it.
struct Malformation: Sendable, CustomTestStringConvertible {
    var name: String
    var old: String
    var new: String
    /// Phrases the message must contain.
    var says: [String]
    /// The expected field path.
    var field: String
    /// The expected line.
    var at: Place = .replaced
    /// When the reader is known to report this problem elsewhere: the bug, for `withKnownIssue`.
    var knownLocationBug: String? = nil

    var testDescription: String { name }
}

@Suite struct OrganisationReaderErrorTests {
    static let malformations: [Malformation] = [
        // Unknown references.
        Malformation(name: "site paid by an unknown entity",
                     old: "paid-by: ferly-services", new: "paid-by: ferly-servics",
                     says: ["unknown entity 'ferly-servics'"], field: "entities[0].sites[1].paid-by"),
        Malformation(name: "step at an unknown department",
                     old: "department: ferly-ssc-treasury", new: "department: ferly-ssc-tresury",
                     says: ["unknown department 'ferly-ssc-tresury'"], field: "routes[0].steps[4].department"),
        Malformation(name: "step after an unknown step",
                     old: "after: [receipt]", new: "after: [reciept]",
                     says: ["unknown step 'reciept'", "ferly-plants"], field: "routes[0].steps[2].after"),
        Malformation(name: "route applying to an unknown site",
                     old: "sites: [ferly-lyon]", new: "sites: [ferly-lyom]",
                     says: ["unknown site 'ferly-lyom'"], field: "routes[1].applies-to.sites"),
        Malformation(name: "invoice address at an unknown site",
                     old: "invoice-address: ferly-ssc", new: "invoice-address: ferly-scc",
                     says: ["unknown site 'ferly-scc'"], field: "entities[0].invoice-address"),

        // Duplicate ids.
        Malformation(name: "two departments with the same id",
                     old: "- id: ferly-lyon-purchasing", new: "- id: ferly-lyon-reception",
                     says: ["duplicate id 'ferly-lyon-reception'", "department"],
                     field: "entities[0].sites[1].departments[1].id"),
        Malformation(name: "a contact with a site's id",
                     old: "- id: ferly-ssc-girard", new: "- id: ferly-hq",
                     says: ["duplicate id 'ferly-hq'", "already used by a site"],
                     field: "entities[1].sites[0].departments[2].contacts[0].id"),

        // Routes.
        Malformation(name: "cycle in a route",
                     old: "after: [receipt]", new: "after: [match]",
                     says: ["cycle", "ferly-plants", "bap → match", "match → bap"], field: "routes[0].steps",
                     // A cycle has no single broken value: it is reported on the route's list of steps.
                     at: .element("- id: scan", occurrence: 1)),
        Malformation(name: "delivery site no route serves",
                     old: "kind: shared-service-centre", new: "kind: plant",
                     says: ["delivery site ferly-ssc has no route"], field: "entities[1].sites[0]",
                     // The site lacks a route: it is reported on the site.
                     at: .element("- id: ferly-ssc")),
        Malformation(name: "route ending at a department that does not pay",
                     old: "department: ferly-ssc-treasury", new: "department: ferly-ssc-mailroom",
                     says: ["route ferly-plants ends at ferly-ssc-mailroom", "does not pay"],
                     field: "routes[0].steps[4].department"),
        Malformation(name: "step with neither department nor site-role",
                     old: "        department: ferly-ssc-treasury\n", new: "",
                     says: ["step 'run' has no responsible department"], field: "routes[0].steps[4]",
                     at: .element("- id: run")),
        Malformation(name: "step with both department and site-role",
                     old: "site-role: purchasing\n", new: "site-role: purchasing\n        department: ferly-lyon-purchasing\n",
                     says: ["step 'bap' gives both department and site-role"], field: "routes[0].steps[2]",
                     // Two fields conflict: the step is reported.
                     at: .element("- id: bap")),
        Malformation(name: "site-role missing at a served site",
                     old: "site-role: purchasing", new: "site-role: requester",
                     says: ["site ferly-lyon has no requester department", "step bap"],
                     field: "routes[0].steps[2].site-role"),

        // Contact details and identifiers.
        Malformation(name: "malformed phone",
                     old: "phone: 04 65 71 20 11", new: "phone: 04 65 71 20 1",
                     says: ["phone '04 65 71 20 1'", "is not a French number"],
                     field: "entities[0].sites[1].departments[0].contacts[0].phone"),
        Malformation(name: "malformed department phone",
                     old: "phone: 02 61 91 50 00", new: "phone: +33 0 61 91 50 00",
                     says: ["phone '+33 0 61 91 50 00'", "9 digits after +33"],
                     field: "entities[1].sites[0].departments[1].phone"),
        Malformation(name: "malformed e-mail",
                     old: "email: marc.durand@ferly.example", new: "email: marc.durand@ferly",
                     says: ["e-mail 'marc.durand@ferly'", "no valid domain"],
                     field: "entities[1].sites[0].departments[1].contacts[0].email"),
        Malformation(name: "e-mail without @",
                     old: "email: factures@SSC.Ferly.Example", new: "email: factures.ssc.ferly.example",
                     says: ["e-mail 'factures.ssc.ferly.example' must be name@domain"],
                     field: "entities[1].sites[0].departments[0].email"),
        Malformation(name: "SIREN with a bad check digit",
                     old: #"siren: "412330029""#, new: #"siren: "412330028""#,
                     says: ["SIREN '412330028' fails its check digit"], field: "entities[1].siren"),
        Malformation(name: "SIRET with a bad check digit",
                     old: #"siret: "41233001100047""#, new: #"siret: "41233001100048""#,
                     says: ["SIRET '41233001100048' fails its check digit"], field: "entities[0].sites[1].siret"),
        Malformation(name: "SIRET of another entity's SIREN",
                     old: #"siret: "41233001100047""#, new: #"siret: "41233002900015""#,
                     says: ["SIRET '41233002900015' does not start with the entity's SIREN 412330011"],
                     field: "entities[0].sites[1].siret"),
        Malformation(name: "French VAT number with a wrong key",
                     old: "vat: FR24412330029", new: "vat: FR25412330029",
                     says: ["French VAT number 'FR25412330029' has key 25; its SIREN gives 24"], field: "entities[1].vat"),

        // Calendars and hours.
        Malformation(name: "payment-run day 32",
                     old: "days-of-month: [15, last]", new: "days-of-month: [15, 32]",
                     says: ["impossible calendar", "payment-run day 32 is not a day of the month"],
                     field: "entities[1].payables-calendar.payment-runs.days-of-month",
                     knownLocationBug: "day 32 is reported on the whole payables-calendar (line of its first key), not on days-of-month"),
        Malformation(name: "closed on 02-30",
                     old: #"from: "12-24""#, new: #"from: "02-30""#,
                     says: ["'02-30' is not a day of the year"], field: "entities[1].payables-calendar.closed[1].from"),
        Malformation(name: "closed on 13-01",
                     old: #"to: "08-15""#, new: #"to: "13-01""#,
                     says: ["'13-01' is not a day of the year"], field: "entities[1].payables-calendar.closed[0].to"),
        Malformation(name: "no working day",
                     old: "working-days: mon-thu", new: "working-days: []",
                     says: ["impossible calendar", "no working day in the week"],
                     field: "entities[1].payables-calendar.working-days",
                     knownLocationBug: "empty working-days is reported on the whole payables-calendar (line of its first key)"),
        Malformation(name: "payment runs on a day not worked",
                     old: "weekdays: [tue]", new: "weekdays: [fri]",
                     says: ["impossible calendar", "payment runs on friday, which is not a working day"],
                     field: "entities[1].payables-calendar.payment-runs.weekdays",
                     knownLocationBug: "a run weekday not worked is reported on the whole payables-calendar (line of its first key)"),
        Malformation(name: "working day that is not a weekday",
                     old: "working-days: mon-thu", new: "working-days: mon-jeudy",
                     says: ["'mon-jeudy' is not a weekday"], field: "entities[1].payables-calendar.working-days"),
        Malformation(name: "working hours with overlapping ranges",
                     old: "hours: mon-fri 08:00-12:00 13:30-17:00", new: "hours: mon-fri 08:00-12:00 11:30-17:00",
                     says: ["'mon-fri 08:00-12:00 11:30-17:00' is not working hours"],
                     field: "entities[0].sites[1].departments[0].contacts[0].hours"),
        Malformation(name: "working hours written 8h-12h",
                     old: "hours: mon-thu 09:00-12:30", new: "hours: mon-thu 9h-12h30",
                     says: ["'mon-thu 9h-12h30' is not working hours"],
                     field: "entities[0].sites[0].departments[0].contacts[0].hours"),
        Malformation(name: "working hours without time ranges",
                     old: "hours: mon-thu 09:00-12:30", new: "hours: mon-thu",
                     says: ["'mon-thu' is not working hours"],
                     field: "entities[0].sites[0].departments[0].contacts[0].hours"),
        Malformation(name: "working hours past midnight",
                     old: "hours: mon-fri 08:00-12:00 13:30-17:00", new: "hours: mon-fri 08:00-12:00 13:30-25:00",
                     says: ["is not working hours"],
                     field: "entities[0].sites[1].departments[0].contacts[0].hours"),
        Malformation(name: "unknown time zone of a calendar",
                     old: "time-zone: Europe/Paris", new: "time-zone: Europe/Nantes",
                     says: ["unknown time zone 'Europe/Nantes'"], field: "entities[1].payables-calendar.time-zone",
                     knownLocationBug: "the calendar's time zone is reported at the entity's first line (- id: ferly-services)"),
        Malformation(name: "unknown time zone of a contact",
                     old: "time-zone: Europe/Brussels", new: "time-zone: Europe/Bruxelles",
                     says: ["unknown time zone 'Europe/Bruxelles'"],
                     field: "entities[1].sites[0].departments[1].contacts[0].time-zone"),
        Malformation(name: "language that is not an ISO code",
                     old: "language: en", new: "language: english",
                     says: ["language 'english'"], field: "entities[1].sites[0].departments[1].contacts[0].language"),

        // Structure of the file.
        Malformation(name: "misspelt field",
                     old: #"siret: "41233001100047""#, new: #"sirett: "41233001100047""#,
                     says: ["unknown field 'sirett'", "did you mean 'siret'?"], field: "entities[0].sites[1].sirett"),
        Malformation(name: "misspelt step field",
                     old: "after: [scan, bap]", new: "afer: [scan, bap]",
                     says: ["unknown field 'afer'", "did you mean 'after'?"], field: "routes[0].steps[3].afer"),
        Malformation(name: "list where a value is expected",
                     old: "name: Usine de Lyon", new: "name: [Usine de Lyon, Vénissieux]",
                     says: ["expected a single value"], field: "entities[0].sites[1].name"),
        Malformation(name: "mapping where a list is expected",
                     old: "entities: [ferly-industrie]", new: "entities: {id: ferly-industrie}",
                     says: ["expected a list"], field: "routes[0].applies-to.entities"),
        Malformation(name: "text where a number is expected",
                     old: "days: 45", new: "days: forty-five",
                     says: ["'forty-five' is not a whole number"], field: "entities[0].terms.days"),
        Malformation(name: "text where true or false is expected",
                     old: "requires-purchase-order: true", new: "requires-purchase-order: always",
                     says: ["'always' is not true or false"], field: "entities[0].requires-purchase-order"),
        Malformation(name: "empty value",
                     old: "name: Usine de Lyon", new: "name: ~",
                     says: ["value is empty"], field: "entities[0].sites[1].name"),
        Malformation(name: "missing site name",
                     old: "        name: Usine de Lyon\n", new: "",
                     says: ["missing field 'name'"], field: "entities[0].sites[1].name", at: .element("- id: ferly-lyon")),
        Malformation(name: "missing site kind",
                     old: "        kind: plant\n", new: "",
                     says: ["missing field 'kind'"], field: "entities[0].sites[1].kind", at: .element("- id: ferly-lyon")),
        Malformation(name: "missing step action",
                     old: "        action: payment-run\n", new: "",
                     says: ["missing field 'action'"], field: "routes[0].steps[4].action", at: .element("- id: run")),
        Malformation(name: "missing terms days",
                     old: "      days: 45\n", new: "",
                     says: ["missing field 'days'"], field: "entities[0].terms.days",
                     at: .containing("end-of-month: end-of-month-then-days")),
        Malformation(name: "invalid role",
                     old: " role: reception", new: " role: accounting",
                     says: ["'accounting' is not one of: "] + DepartmentRole.allCases.map(\.rawValue),
                     field: "entities[0].sites[1].departments[0].role"),
        Malformation(name: "invalid site kind",
                     old: "kind: head-office", new: "kind: headquarters",
                     says: ["'headquarters' is not one of: "] + SiteKind.allCases.map(\.rawValue),
                     field: "entities[0].sites[0].kind"),
        Malformation(name: "invalid step action",
                     old: "action: matching", new: "action: reconciliation",
                     says: ["'reconciliation' is not one of: "] + StepAction.allCases.map(\.rawValue),
                     field: "routes[0].steps[3].action"),
        Malformation(name: "invalid end-of-month rule",
                     old: "end-of-month: end-of-month-then-days", new: "end-of-month: yes",
                     says: ["'yes' is not one of: none, end-of-month-then-days, days-then-end-of-month"],
                     field: "entities[0].terms.end-of-month"),
        Malformation(name: "invalid holidays",
                     old: "holidays: fr-alsace-moselle", new: "holidays: de",
                     says: ["'de' is not one of: none, fr, fr-alsace-moselle"],
                     field: "entities[1].payables-calendar.holidays"),
        Malformation(name: "invalid channel",
                     old: "channel: email\n\n", new: "channel: fax\n\n",
                     says: ["'fax' is not one of: phone, email, letter, portal"],
                     field: "entities[0].sites[1].departments[1].contacts[0].channel"),
    ]

    @Test(arguments: malformations)
    func eachMalformationIsReportedWhereItIs(_ m: Malformation) throws {
        let broken = breaking(m.old, m.new)
        #expect(broken.text != Ferly.yaml)
        let found = try #require(diagnostics(reading: broken.text))
        let d = try #require(diagnostic(in: found, saying: m.says))
        #expect(d.file == Ferly.file)
        let expectedLine: Int
        switch m.at {
        case .replaced: expectedLine = broken.line
        case .element(let text, let n): expectedLine = lineNumber(of: text, in: broken.text, occurrence: n, exact: true)
        case .containing(let text, let n): expectedLine = lineNumber(of: text, in: broken.text, occurrence: n)
        }
        #expect(d.line == expectedLine, "reported at: \(textOfLine(d.line ?? 0, in: broken.text))")
        #expect(d.field == m.field)
        #expect(d.column != nil)
    }

    // MARK: Columns and descriptions

    @Test func unknownFieldPointsAtTheKeyColumn() throws {
        let broken = breaking(#"siret: "41233001100047""#, #"sirett: "41233001100047""#)
        let d = try #require(diagnostics(reading: broken.text)?.first)
        let text = textOfLine(broken.line, in: broken.text)
        let column = try #require(text.firstIndex(of: "s")).utf16Offset(in: text) + 1
        #expect(d.line == broken.line)
        #expect(d.column == column)
        #expect(d.description == "ferly.yaml:\(broken.line):\(column): entities[0].sites[1].sirett: unknown field 'sirett' "
            + "(did you mean 'siret'?); expected one of: id, name, kind, siret, address, paid-by, receives-deliveries, departments")
    }

    @Test func valueProblemsPointAtTheValueColumn() throws {
        let broken = breaking("phone: 04 65 71 20 11", "phone: 04 65 71 20 1")
        let d = try #require(diagnostics(reading: broken.text).flatMap { diagnostic(in: $0, saying: ["phone"]) })
        let text = textOfLine(broken.line, in: broken.text)
        let column = try #require(text.firstIndex(of: "0")).utf16Offset(in: text) + 1
        #expect(d.column == column)
    }

    @Test func anUnknownFieldWithNothingCloseGetsNoHint() throws {
        let broken = breaking("  notes: Invoices", "  colour: Invoices")
        let d = try #require(diagnostics(reading: broken.text).flatMap { diagnostic(in: $0, saying: ["unknown field 'colour'"]) })
        #expect(!d.message.contains("did you mean"))
        #expect(d.message.contains("expected one of: id, name, responsible, notes"))
        #expect(d.field == "group.colour")
        #expect(d.line == broken.line)
    }

    // MARK: Problems the table cannot express

    /// The most common copy-and-paste slip: a field written twice. Yams refuses duplicate keys itself, so
    /// A repeated field is reported by the reader with its line and full path.
    @Test func fieldGivenTwice() throws {
        let broken = breaking("phone: 04 65 71 20 11\n", "phone: 04 65 71 20 11\n                phone: 04 65 71 20 12\n")
        let repeated = broken.line + 1
        #expect(textOfLine(repeated, in: broken.text).contains("phone: 04 65 71 20 12"))
        let found = try #require(diagnostics(reading: broken.text))
        #expect(found.count == 1)
        let d = try #require(diagnostic(in: found, saying: ["field 'phone' is given twice"]))
        #expect(d.line == repeated)
        #expect(d.field == "entities[0].sites[1].departments[0].contacts[0].phone")
    }

    /// A repeated key is named with its line, in a short message (not Yams's whole-file context).
    @Test func fieldGivenTwiceIsAtLeastRefusedNamingTheField() throws {
        let broken = breaking("kind: plant\n", "kind: plant\n        kind: warehouse\n")
        let found = try #require(diagnostics(reading: broken.text))
        let d = try #require(found.first)
        #expect(d.message.contains("kind"))
        #expect(d.line != nil)
        #expect(!d.message.contains("Groupe Ferly"))
        #expect(d.message.count < 500, "\(d.message.count) characters")
    }

    @Test func unclosedBracketIsReportedWithALine() throws {
        let broken = breaking("lines: [ZI des Grandes Terres, 12 rue des Forges]", "lines: [ZI des Grandes Terres, 12 rue des Forges")
        let found = try #require(diagnostics(reading: broken.text))
        #expect(found.count == 1)
        let d = try #require(found.first)
        #expect(d.message.hasPrefix("not valid YAML"))
        #expect(d.field == nil)
        #expect(d.file == Ferly.file)
        let line = try #require(d.line)
        // libyaml notices the missing bracket where the flow sequence should have ended: on the bracket's
        // line or the next one.
        #expect((broken.line...broken.line + 1).contains(line), "reported at line \(line), bracket at \(broken.line)")
        #expect(d.column != nil)
    }

    @Test func badIndentationIsReportedWithALine() throws {
        let broken = breaking("    name: Ferly Industrie SAS\n", "    name: Ferly Industrie SAS\n   siren-typo: x\n")
        let d = try #require(diagnostics(reading: broken.text)?.first)
        #expect(d.message.hasPrefix("not valid YAML"))
        let line = try #require(d.line)
        #expect((broken.line...broken.line + 2).contains(line), "reported at line \(line), break at \(broken.line + 1)")
    }

    @Test(arguments: ["", "\n\n", "   \n", "# only a comment\n"])
    func emptyFile(_ text: String) throws {
        let found = try #require(diagnostics(reading: text, file: "empty.yaml"))
        #expect(found.count == 1)
        #expect(found.first?.message.contains("empty") == true, "\(found)")
        #expect(found.first?.file == "empty.yaml")
    }

    /// An explicit but empty document holds a null, not an organisation.
    @Test func anEmptyDocumentIsRefused() throws {
        let found = try #require(diagnostics(reading: "---\n", file: "empty.yaml"))
        #expect(found.count == 1)
        let d = try #require(found.first)
        #expect(d.message.contains("empty") || d.message.contains("expected a mapping of fields"), "\(d)")
        #expect(d.file == "empty.yaml")
    }

    @Test func aTopLevelListIsRefused() throws {
        let found = try #require(diagnostics(reading: "- id: ferly\n- id: other\n"))
        let d = try #require(diagnostic(in: found, saying: ["expected a mapping of fields", "group, entities, routes"]))
        #expect(d.line == 1)
        #expect(d.column == 1)
        #expect(d.field == nil)
        #expect(!d.description.contains(": : "), "\(d.description)")
    }

    @Test func missingGroupIsRefused() throws {
        let text = breaking("""
            group:
              id: ferly
              name: Groupe Ferly
              responsible: Claire Dubois
              notes: Invoices by PDF to the shared-service centre only.

            """, "").text
        let found = try #require(diagnostics(reading: text))
        let d = try #require(diagnostic(in: found, saying: ["missing field 'group'"]))
        // Reported where the top-level mapping starts: its first key.
        #expect(d.line == lineNumber(of: "entities:", in: text, exact: true))
        #expect(d.field == "group")
    }

    @Test func aRouteWithoutStepsIsRefused() throws {
        let broken = breaking("""
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

            """, "")
        let found = try #require(diagnostics(reading: broken.text))
        let d = try #require(diagnostic(in: found, saying: ["missing field 'steps'"]))
        #expect(d.field == "routes[1].steps")
        #expect(d.line == lineNumber(of: "- id: ferly-capex", in: broken.text, exact: true))
    }
}
