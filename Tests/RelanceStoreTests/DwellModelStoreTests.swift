import Foundation
import RelanceCore
import RelanceImport
import RelanceSamples
import RelanceStore
import Testing

/// The sample customers, invoices and events in a store, with models learned from them (at least one
/// completed observation per law, so that there are laws to store).
private enum Samples3 {
    /// 2026-11-27 12:00 UTC: "now" for every import, after every sample event.
    static let now = Date(timeIntervalSince1970: 1_795_780_800)
    static let asOf = CivilDate(dayNumber: 20_784)  // 2026-11-27

    static func store() throws -> Store {
        let store = try Store.inMemory()
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
        #expect(try store.appliedMigrations().suffix(4) == ["v6-dwell-models", "v7-forecast-contexts", "v8-event-learning-index", "v9-invoice-paid-so-far"])
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
