import Foundation
import GRDB
import RelanceCore
import RelanceImport
import RelanceSamples
@testable import RelanceStore
import Testing

/// The sample customers, invoices and events in a store, with models learned from them (at least one
/// completed observation per law, so that there are laws to store).
enum Samples3 {
    /// 2026-11-27 12:00 UTC: "now" for every import, after every sample event.
    static let now = Date(timeIntervalSince1970: 1_795_780_800)
    static let asOf = CivilDate(dayNumber: 20_784)  // 2026-11-27

    static func store(at path: String? = nil) throws -> Store {
        let store = try path.map(Store.create(at:)) ?? Store.inMemory()
        try store.save(try ["metalux", "maisonvert", "chu-armor"].map { name in
            let url = try #require(Samples.organisationFiles.first { $0.lastPathComponent == "\(name).yaml" })
            return try OrganisationReader.read(contentsOf: url)
        })
        let text = try String(contentsOf: try #require(Samples.invoices), encoding: .utf8)
        _ = try store.importInvoices(try InvoiceCSVReader.read(text: text, file: "invoices.csv").map(input), source: "invoices.csv", now: now)
        _ = try store.appendEvents(try EventFileReader.read(contentsOf: try #require(Samples.events)).map { r in
            EventInput(event: r.event, place: "\(r.file):\(r.line ?? 0)")
        }, source: "events.csv", now: now)
        return store
    }

    static func input(_ r: InvoiceRecord) -> InvoiceInput {
        InvoiceInput(invoice: Invoice(
            id: r.number, kind: r.kind, group: "", entity: r.entity, site: r.site, sentTo: r.sentTo, orderNumber: r.orderNumber,
            orderType: r.orderType, deliveryNote: r.deliveryNote, issueDate: r.issueDate, deliveryDate: r.deliveryDate,
            dueDate: r.dueDate ?? r.issueDate, dueDateGiven: r.dueDate != nil, amount: r.amount, method: r.method, salesRep: r.salesRep,
            credits: r.credits, discounted: r.discounted, payments: r.payments),
            givenDueDate: r.dueDate, receiptDate: r.receiptDate, place: "\(r.file):\(r.line)")
    }

    /// Learns and stores every group's model; returns them by group.
    static func learnAndSave(_ store: Store, asOf: CivilDate = asOf) throws -> [String: LearnedDwellModel] {
        let report = try store.learnDwellModels(asOf: asOf, minimumObservations: 1)
        try store.saveDwellModels(report.models, asOf: asOf)
        return Dictionary(uniqueKeysWithValues: report.models.map { ($0.group, $0.model) })
    }
}

@Suite struct DwellModelStoreTests {
    @Test func aStoredModelIsReturnedWhileTheDataIsUnchanged() throws {
        let store = try Samples3.store()
        #expect(try store.appliedMigrations().suffix(6) == ["v6-dwell-models", "v7-forecast-contexts", "v8-event-learning-index", "v9-invoice-paid-so-far",
                                                            "v10-binary-dwell-models", "v11-open-books"])
        let models = try Samples3.learnAndSave(store)
        #expect(Set(models.keys) == ["metalux", "maisonvert", "chu-armor"])
        #expect(models["metalux"]?.laws.isEmpty == false, "the sample events should teach at least one law with one observation")
        for (group, model) in models {
            #expect(try store.dwellModel(group: group, asOf: Samples3.asOf, minimumObservations: 1) == model, "\(group)")
            let book = try #require(try store.book(group: group, asOf: Samples3.asOf, minimumObservations: 1, useStoredModel: false))
            #expect(book.model == model, "\(group): learn and book disagree")
        }
        // Another day, another minimum of observations: no stored model.
        #expect(try store.dwellModel(group: "metalux", asOf: Samples3.asOf.adding(days: 1), minimumObservations: 1) == nil)
        #expect(try store.dwellModel(group: "metalux", asOf: Samples3.asOf, minimumObservations: 15) == nil)
        #expect(try store.storedDwellModels().allSatisfy(\.current))
    }

    @Test func newEventsMakeEveryStoredModelStale() throws {
        let store = try Samples3.store()
        _ = try Samples3.learnAndSave(store)
        let before = try store.dataVersion(group: "metalux")
        let at = try #require(ISO8601DateFormatter().date(from: "2026-11-26T09:00:00Z"))
        try store.appendEvents([EventInput(event: InvoiceEvent(invoice: "FA-2026-10455", state: .approved, at: at, department: "mtx-hq-purchasing",
                                                               source: .call), place: "test")], source: "test", now: Samples3.now)
        #expect(try store.dataVersion(group: "metalux").events > before.events)
        #expect(try store.dwellModel(group: "metalux", asOf: Samples3.asOf, minimumObservations: 1) == nil)
        // Global marks: the other customers' models are stale too (conservative).
        #expect(try store.dwellModel(group: "chu-armor", asOf: Samples3.asOf, minimumObservations: 1) == nil)
        #expect(try store.storedDwellModels().allSatisfy { !$0.current })
        // Learning again makes them current.
        let again = try Samples3.learnAndSave(store)
        #expect(try store.dwellModel(group: "metalux", asOf: Samples3.asOf, minimumObservations: 1) == again["metalux"])
    }

    @Test func aChangedInvoiceOrOrganisationMakesTheModelStale() throws {
        let store = try Samples3.store()
        _ = try Samples3.learnAndSave(store)
        // An invoice re-imported with another amount.
        let text = try String(contentsOf: try #require(Samples.invoices), encoding: .utf8)
        let edited = text.replacingOccurrences(of: "18450.00", with: "18500.00")
        #expect(edited != text)
        _ = try store.importInvoices(try InvoiceCSVReader.read(text: edited, file: "invoices.csv").map(Samples3.input), source: "edited.csv",
                                     now: Samples3.now)
        #expect(try store.dwellModel(group: "metalux", asOf: Samples3.asOf, minimumObservations: 1) == nil)

        _ = try Samples3.learnAndSave(store)
        #expect(try store.dwellModel(group: "metalux", asOf: Samples3.asOf, minimumObservations: 1) != nil)
        // The organisation imported again (a second later): its routes may have changed.
        let url = try #require(Samples.organisationFiles.first { $0.lastPathComponent == "metalux.yaml" })
        try store.save([try OrganisationReader.read(contentsOf: url)], sources: ["metalux.yaml"], now: Samples3.now.addingTimeInterval(1))
        #expect(try store.dwellModel(group: "metalux", asOf: Samples3.asOf, minimumObservations: 1) == nil)
        #expect(try store.dwellModel(group: "chu-armor", asOf: Samples3.asOf, minimumObservations: 1) != nil)
    }

    @Test func theBookIsTheSameWithAndWithoutTheStoredModel() throws {
        let store = try Samples3.store()
        _ = try Samples3.learnAndSave(store)
        for group in ["metalux", "maisonvert", "chu-armor"] {
            let a = try #require(try store.book(group: group, asOf: Samples3.asOf, minimumObservations: 1))
            let b = try #require(try store.book(group: group, asOf: Samples3.asOf, minimumObservations: 1, useStoredModel: false))
            #expect(a.model == b.model && a.positions.count == b.positions.count)
            for (p, q) in zip(a.positions, b.positions) {
                #expect(p.invoice.id == q.invoice.id && p.completion == q.completion)
                #expect(p.steps.map(\.probabilityHere) == q.steps.map(\.probabilityHere) && p.steps.map(\.law) == q.steps.map(\.law))
            }
        }
    }

    @Test func everyEventIsStreamedInTheOrderOfTheLog() throws {
        let store = try Samples3.store()
        var streamed: [InvoiceEvent] = []
        let count = try store.forEachEvent { streamed.append($0) }
        #expect(count == (try store.count(.event)) && count > 0)
        let byInvoice = try store.eventsByInvoice()
        #expect(streamed == byInvoice.keys.sorted().flatMap { byInvoice[$0] ?? [] })
        let until = try #require(ISO8601DateFormatter().date(from: "2026-11-01T00:00:00Z"))
        var early: [InvoiceEvent] = []
        let earlyCount = try store.forEachEvent(until: until) { early.append($0) }
        #expect(earlyCount == early.count && earlyCount < count && early.allSatisfy { $0.at <= until })
    }
}

/// The stored models' binary form (ModelBinary, migration v10): what every forecast reads instead of the JSON.
@Suite struct ModelBinaryTests {
    /// A model with every kind of entry: counts and a law, counts alone, a law alone, reporting shares.
    static let handMade = LearnedDwellModel(
        laws: [.init(department: "mtx-purchasing", action: .approval): DwellDistribution(mass: [0.1, 0.2, 0.3, 0.4]),
               .init(department: "mtx-ssc", action: .paymentRun): DwellDistribution(mass: [1.0 / 3, 1.0 / 3, 1.0 / 3])],
        counts: [.init(department: "mtx-purchasing", action: .approval): (completed: 31, censored: 4),
                 .init(department: "mtx-reception", action: .goodsReceipt): (completed: 2, censored: 0)],
        reporting: ["metalux|approval": 0.83, "metalux|payment-run": 1.0 / 7],
        minimumObservations: 15)

    @Test func theBinaryFormGivesBackTheModelExactlyAndSaysWhatTheJSONSays() throws {
        let store = try Samples3.store()
        var models = try Samples3.learnAndSave(store)
        models["hand-made"] = Self.handMade
        for (group, model) in models {
            let bytes = ModelBinary.encode(model)
            let back = try ModelBinary.decode(bytes, what: group)
            #expect(back == model, "\(group)")
            #expect(ModelBinary.encode(back) == bytes, "\(group): the same model, the same bytes")
        }
        // The two stored forms of each saved model read as the same model.
        let rows = try store.writer.read { db in try Row.fetchAll(db, sql: "SELECT group_id, model, model_binary FROM dwell_model") }
        #expect(rows.count == 3)
        for row in rows {
            let group: String = row[0], json: String = row[1]
            let binary = try #require(row[2] as Data?, "\(group) has no binary form")
            #expect(try ModelBinary.decode(binary, what: group) == JSONDecoder().decode(LearnedDwellModel.self, from: Data(json.utf8)), "\(group)")
        }
    }

    @Test func aDamagedBinaryModelIsAnErrorNamingItNeverAnotherModel() throws {
        let bytes = ModelBinary.encode(Self.handMade)
        func refused(_ damaged: Data, _ why: String, sourceLocation: SourceLocation = #_sourceLocation) {
            do {
                let model = try ModelBinary.decode(damaged, what: "metalux on 2026-11-27")
                Issue.record("\(why): read as a model of \(model.laws.count) laws", sourceLocation: sourceLocation)
            } catch let error as StoreError {
                #expect(error.description.contains("the stored model of metalux on 2026-11-27 does not read"), "\(why): \(error)",
                        sourceLocation: sourceLocation)
            } catch {
                Issue.record("\(why): \(error)", sourceLocation: sourceLocation)
            }
        }
        for length in 0..<bytes.count { refused(bytes.prefix(length), "cut to \(length) bytes") }
        refused(bytes + [0], "a byte left over")
        var magic = bytes
        magic[0] = UInt8(ascii: "X")
        refused(magic, "another format")
        // The last mass of the last law (a third) made 0.5: the masses no longer sum to 1.
        var law = bytes
        let half = withUnsafeBytes(of: (0.5).bitPattern.littleEndian) { Array($0) }
        law.replaceSubrange(law.count - 8 ..< law.count, with: half)
        refused(law, "a law that is not one")
        // The action "approval" (a name of 8 bytes, not the reporting key that ends with it) spelt "approvaX".
        let approval = Data([8, 0, 0, 0] + Array("approval".utf8))
        let at = try #require(bytes.firstRange(of: approval))
        var action = bytes
        action[at.upperBound - 1] = UInt8(ascii: "X")
        refused(action, "an unknown action")
    }

    @Test func modelsStoredBeforeV10GetTheirBinaryFormAndTheJSONStillReads() throws {
        let path = try AccountStoreTests.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let models = try Samples3.learnAndSave(try Samples3.store(at: path))
        // Back to a v9 database with its models: no binary column, v10 not applied.
        try Store.open(at: path).writer.write { db in
            try db.execute(sql: "ALTER TABLE dwell_model DROP COLUMN model_binary")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v10-binary-dwell-models'")
        }
        let migrated = try Store.open(at: path)
        #expect(try migrated.appliedMigrations().suffix(2) == ["v10-binary-dwell-models", "v11-open-books"])
        #expect(try migrated.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM dwell_model WHERE model_binary IS NULL") } == 0)
        for (group, model) in models {
            #expect(try migrated.dwellModel(group: group, asOf: Samples3.asOf, minimumObservations: 1) == model, "\(group), migrated")
        }
        // A row without its binary form (none is written so now) reads from the JSON.
        try migrated.writer.write { db in try db.execute(sql: "UPDATE dwell_model SET model_binary = NULL") }
        let reopened = try Store.open(at: path)
        for (group, model) in models {
            #expect(try reopened.dwellModel(group: group, asOf: Samples3.asOf, minimumObservations: 1) == model, "\(group), from JSON")
        }
    }
}
