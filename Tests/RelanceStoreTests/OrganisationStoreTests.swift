import Foundation
import RelanceCore
import RelanceImport
import RelanceSamples
import RelanceStore
import Testing

/// Reads a bundled sample by name (`metalux`).
func sample(_ name: String) throws -> OrgGraph {
    let url = try #require(Samples.organisationFiles.first { $0.lastPathComponent == "\(name).yaml" })
    return try OrganisationReader.read(contentsOf: url)
}

@Suite struct OrganisationStoreTests {
    @Test func migrationsCreateTheSchemaOnce() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("relance-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("r.sqlite").path
        #expect(throws: StoreError.self) { try Store.open(at: path) }
        let store = try Store.create(at: path)
        #expect(try store.appliedMigrations().first == "v1-organisation")
        try store.save([try sample("metalux")])
        // Reopening applies nothing twice and keeps the data.
        let again = try Store.open(at: path)
        #expect(try again.appliedMigrations() == store.appliedMigrations())
        #expect(try again.count(.customerGroup) == 1)
    }

    @Test func aSavedGraphLoadsBackEqual() throws {
        let store = try Store.inMemory()
        for name in ["metalux", "maisonvert", "chu-armor"] {
            let g = try sample(name)
            try store.save([g])
            let loaded = try #require(try store.graph(g.group.id))
            #expect(loaded == g, "\(name) does not round-trip")
        }
        #expect(try store.groups().map(\.id) == ["chu-armor", "metalux", "maisonvert"])  // by name: CHU, Groupe Métalux, Maison Vert
    }

    @Test func reimportingTheSameFileChangesNothing() throws {
        let store = try Store.inMemory()
        let g = try sample("metalux")
        let first = try store.save([g])[0]
        #expect(first.isNew && first.added == g.entities.count + g.sites.count + g.departments.count + g.contacts.count + g.routes.count)
        let counts = try StoredTable.allCases.map { try store.count($0) }
        let second = try store.save([g])[0]
        #expect(!second.isNew && second.added == 0 && second.updated == 0 && second.removed == 0)
        #expect(second.unchanged == first.added)
        #expect(try StoredTable.allCases.map { try store.count($0) } == counts)
    }

    @Test func anEditedFileUpdatesInPlace() throws {
        let store = try Store.inMemory()
        var g = try sample("metalux")
        try store.save([g])
        g.contacts[0].phone = "+33465719999"
        g.contacts.removeAll { $0.id == "mtx-ven-petit" }
        g.departments[0].name = "Achats Groupe et Investissements"
        let report = try store.save([g])[0]
        #expect(report.updated == 2 && report.removed == 1 && report.added == 0)
        let loaded = try #require(try store.graph("metalux"))
        #expect(loaded == g)
        #expect(try store.count(.contact) == g.contacts.count)
    }

    @Test func idsBelongToOneGroup() throws {
        let store = try Store.inMemory()
        try store.save([try sample("metalux")])
        var other = OrgGraph(group: CustomerGroup(id: "other", name: "Other"))
        other.entities = [LegalEntity(id: "mtx-industrie", name: "Clash")]
        #expect {
            try store.save([other], sources: ["other.yaml"])
        } throws: { error in
            String(describing: error).contains("entity id 'mtx-industrie' already belongs to customer group 'metalux'")
                && String(describing: error).hasPrefix("other.yaml")
        }
        #expect(try store.groups().map(\.id) == ["metalux"])
    }

    @Test func aFailedSaveWritesNothing() throws {
        let store = try Store.inMemory()
        try store.save([try sample("chu-armor")])
        let before = try StoredTable.allCases.map { try store.count($0) }
        var clash = OrgGraph(group: CustomerGroup(id: "zz", name: "Clash"))
        clash.entities = [LegalEntity(id: "chu", name: "Clash")]
        // The first graph is valid and new; the second clashes: neither is saved.
        #expect(throws: StoreError.self) { try store.save([try sample("metalux"), clash]) }
        #expect(try StoredTable.allCases.map { try store.count($0) } == before)
    }

    @Test func customersAreFoundByIdNameEntityOrSiren() throws {
        let store = try Store.inMemory()
        try store.save([try sample("metalux"), try sample("maisonvert")])
        #expect(try store.resolveCustomer("metalux") == "metalux")
        #expect(try store.resolveCustomer("groupe métalux") == "metalux")
        #expect(try store.resolveCustomer("MTX-INDUSTRIE") == "metalux")
        #expect(try store.resolveCustomer("412 330 011") == "metalux")
        #expect {
            try store.resolveCustomer("nobody")
        } throws: { error in
            String(describing: error).contains("known customers: maisonvert, metalux")
        }
    }

    @Test func theDocumentedExampleIsValid() throws {
        let doc = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/formats.md")
        let text = try String(contentsOf: doc, encoding: .utf8)
        let start = try #require(text.range(of: "```yaml\n"))
        let end = try #require(text.range(of: "```", range: start.upperBound..<text.endIndex))
        let graph = try OrganisationReader.read(yaml: String(text[start.upperBound..<end.lowerBound]), file: "formats.md")
        #expect(graph.group.id == "acme")
        #expect(graph.route(forSite: "acme-lyon")?.id == "acme-plants")
        #expect(graph.nextPaymentRun(forSite: "acme-lyon", onOrAfter: CivilDate(year: 2026, month: 8, day: 11)!) == CivilDate(year: 2026, month: 8, day: 24))
        let store = try Store.inMemory()
        try store.save([graph])
        #expect(try store.graph("acme") == graph)
    }
}
