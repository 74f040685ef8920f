import Foundation
import RelanceCore
import RelanceImport
import RelanceSamples
import RelanceSimulator
import Testing

/// Scale mode at a small scale: customer groups made from the samples, streamed to CSV files (also used by
/// `LearnedModelTests`).
enum Scale {
    static func templates() throws -> [OrganisationVariants.Template] {
        var templates: [OrganisationVariants.Template] = []
        for url in Samples.organisationFiles {
            let text = try String(contentsOf: url, encoding: .utf8)
            templates.append(.init(text: text, graph: try read(text, file: url.lastPathComponent)))
        }
        return templates
    }

    /// The reader, with its typed throw kept apart (mixing it with untyped throws in one closure crashes
    /// the optimiser of Swift 6.3).
    static func read(_ yaml: String, file: String) throws -> OrgGraph { try OrganisationReader.read(yaml: yaml, file: file) }

    static func day(_ iso: String) throws -> CivilDate { try #require(CivilDate(iso: iso), "bad date literal \(iso)") }

    struct Run {
        var folder: URL
        var summary: Simulator.ScaleSummary
        var yaml: [String]
        var graphs: [OrgGraph]
        var invoices: Data { (try? Data(contentsOf: folder.appendingPathComponent("invoices.csv"))) ?? Data() }
        var events: Data { (try? Data(contentsOf: folder.appendingPathComponent("events.csv"))) ?? Data() }
    }

    /// `groups` groups, about `invoices` invoices from 2026-01-05 to 2026-06-30, written to a fresh folder.
    static func run(groups: Int, invoices: Int, seed: UInt64 = 3) throws -> Run {
        let variants = OrganisationVariants(templates: try templates())
        let made = (1...groups).map { variants.variant($0, seed: seed) }
        let graphs = try made.map { try read($0.yaml, file: "\($0.id).yaml") }
        var settings = SimulationSettings(start: try day("2026-01-05"), asOf: try day("2026-06-30"), seed: seed)
        settings.followUpEvents = true
        settings.payAtDueDate = Set(graphs.map(\.group.id).filter { $0.hasPrefix("maisonvert-") })
        settings.invoicesPerSiteMonth = Simulator.rate(forInvoices: invoices, graphs: graphs, settings: settings)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("relance-scale-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let invoiceFile = try BufferedFile(creating: folder.appendingPathComponent("invoices.csv"))
        let eventFile = try BufferedFile(creating: folder.appendingPathComponent("events.csv"))
        let summary = try Simulator(settings: settings).runAtScale(graphs, invoicesTo: invoiceFile, eventsTo: eventFile)
        try invoiceFile.close()
        try eventFile.close()
        return Run(folder: folder, summary: summary, yaml: made.map(\.yaml), graphs: graphs)
    }

    static func json(_ truth: GroundTruth) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(truth)
    }
}

@Suite struct ScaleTests {
    @Test func theSameSeedAndFlagsGiveByteIdenticalFiles() throws {
        let a = try Scale.run(groups: 20, invoices: 2_000), b = try Scale.run(groups: 20, invoices: 2_000)
        defer { try? FileManager.default.removeItem(at: a.folder); try? FileManager.default.removeItem(at: b.folder) }
        #expect(a.yaml == b.yaml)
        #expect(!a.invoices.isEmpty && a.invoices == b.invoices)
        #expect(!a.events.isEmpty && a.events == b.events)
        #expect(try Scale.json(a.summary.truth) == Scale.json(b.summary.truth))
        let c = try Scale.run(groups: 20, invoices: 2_000, seed: 4)
        defer { try? FileManager.default.removeItem(at: c.folder) }
        #expect(a.events != c.events)
    }

    @Test(arguments: [(20, 2_000), (60, 6_000)])
    func theInvoiceCountIsWithinFivePercentOfTheRequest(groups: Int, invoices: Int) throws {
        let run = try Scale.run(groups: groups, invoices: invoices)
        defer { try? FileManager.default.removeItem(at: run.folder) }
        #expect(abs(run.summary.invoices - invoices) <= invoices / 20, "\(run.summary.invoices) invoices for \(invoices) asked")
        let records = try InvoiceCSVReader.read(contentsOf: run.folder.appendingPathComponent("invoices.csv"))
        #expect(records.filter { $0.kind == .invoice }.count == run.summary.invoices)
        #expect(records.filter { $0.kind == .creditNote }.count == run.summary.creditNotes)
    }

    @Test func thereAreAboutTenEventsPerInvoice() throws {
        let run = try Scale.run(groups: 20, invoices: 2_000)
        defer { try? FileManager.default.removeItem(at: run.folder) }
        let perInvoice = Double(run.summary.events) / Double(run.summary.invoices)
        #expect((8.5...11.5).contains(perInvoice), "\(perInvoice) events per invoice")
        let t = run.summary.truth
        #expect(run.summary.events == t.eventsGenerated - t.eventsMissing + t.eventsDuplicated)
    }

    @Test func generatedOrganisationsReadBackWithoutDiagnosticsUnderNewIdentifiers() throws {
        let templates = try Scale.templates()
        let variants = OrganisationVariants(templates: templates)
        let templateIDs = Set(templates.flatMap { t in t.graph.departments.map(\.id) + t.graph.sites.map(\.id) + [t.graph.group.id] })
        var groupIDs = Set<String>(), departmentIDs = Set<String>(), sirens = Set<String>()
        var terms = Set<Int>()
        var siteCounts: [String: Set<Int>] = [:]
        for k in 1...12 {
            let v = variants.variant(k, seed: 9)
            // Throws (and fails the test) on any diagnostic.
            let g = try Scale.read(v.yaml, file: "\(v.id).yaml")
            #expect(g.group.id == v.id)
            #expect(g.group.name.hasSuffix(" \(k)"))
            #expect(groupIDs.insert(g.group.id).inserted)
            #expect(g.departments.count <= v.template.graph.departments.count)
            #expect(g.sites.count <= v.template.graph.sites.count)
            #expect(g.sites.count >= min(v.template.graph.sites.count, 3))
            siteCounts[v.template.graph.group.id, default: []].insert(g.sites.count)
            for d in g.departments {
                #expect(!templateIDs.contains(d.id), "\(d.id) kept its template id")
                #expect(departmentIDs.insert(d.id).inserted, "\(d.id) in two groups")
            }
            for e in g.entities {
                let siren = try #require(e.siren)
                #expect(siren != v.template.graph.entity(String(e.id.dropLast("-\(k)".count)))?.siren)
                #expect((try? Identifiers.siren(siren)) != nil, "\(siren)")
                #expect(sirens.insert(siren).inserted)
                terms.insert(e.terms.days)
            }
            for s in g.sites {
                let siret = try #require(s.siret)
                #expect((try? Identifiers.siret(siret)) != nil, "\(siret)")
            }
        }
        #expect(terms.count > 1, "payment terms do not vary: \(terms)")
        #expect((siteCounts["maisonvert"]?.count ?? 0) > 1, "Maison Vert's variants all have the same number of sites: \(siteCounts)")
    }

    @Test func theCSVFilesReadBackWithoutDiagnostics() throws {
        let run = try Scale.run(groups: 6, invoices: 600)
        defer { try? FileManager.default.removeItem(at: run.folder) }
        // Both readers throw on any diagnostic.
        let invoices = try InvoiceCSVReader.read(contentsOf: run.folder.appendingPathComponent("invoices.csv"))
        let events = try EventFileReader.read(contentsOf: run.folder.appendingPathComponent("events.csv"))
        #expect(invoices.count == run.summary.invoices + run.summary.creditNotes)
        #expect(events.count == run.summary.events)
        let numbers = Set(invoices.map(\.number))
        #expect(numbers.count == invoices.count, "invoice numbers are not unique")
        #expect(events.allSatisfy { numbers.contains($0.event.invoice) })
        let sites = Set(run.graphs.flatMap { $0.sites.map(\.id) })
        #expect(invoices.allSatisfy { sites.contains($0.site) })
        // Our follow-up is there: calls, letters, our ERP's records.
        let sources = Set(events.map(\.event.source))
        #expect(sources.isSuperset(of: [.erp, .call, .letter, .email]))
    }

    @Test func instantsAreWrittenAsTheISOFormatterWritesThem() throws {
        let zones = ["Europe/Paris", "Europe/London", "America/Cayenne", "UTC"]
        let offsets = ZoneOffsets(zones: Set(zones), from: try Scale.day("2026-01-01"), to: try Scale.day("2026-12-31"))
        let formatter = ISO8601DateFormatter()
        var rng = SeededGenerator(seed: 1)
        for zone in zones {
            formatter.timeZone = TimeZone(identifier: zone)
            for _ in 0..<200 {
                let instant = Date(timeIntervalSince1970: 1_767_225_600 + Double(rng.int(0...(370 * 86_400))))
                var bytes: [UInt8] = []
                let event = InvoiceEvent(invoice: "FA-1", state: .paid, at: instant, timeZone: zone, source: .erp)
                CSVRows.appendEvent(event, offsets: offsets, to: &bytes)
                let at = String(decoding: bytes, as: UTF8.self).split(separator: ",")[2]
                #expect(String(at) == formatter.string(from: instant), "\(zone)")
            }
        }
    }
}
