import Foundation
import RelanceCore
import RelanceImport
import RelanceSamples
import RelanceStore
import Testing

/// The streaming event import (`Store.appendEvents(source:now:inferDepartments:progress:_:)`): events handed
/// over one at a time inside one transaction, checked and inserted as they come.
@Suite struct StreamingEventImportTests {
    /// 2026-11-27 12:00 UTC, after every sample event.
    static let now = Date(timeIntervalSince1970: 1_795_780_800)

    /// A store with the sample organisations and invoices.
    func store() throws -> Store {
        let store = try Store.inMemory()
        let graphs = try Samples.organisationFiles.map { try OrganisationReader.read(contentsOf: $0) }
        try store.save(graphs)
        let records = try InvoiceCSVReader.read(contentsOf: try #require(Samples.invoices))
        try store.importInvoices(records.map { r in
            InvoiceInput(invoice: Invoice(
                id: r.number, kind: r.kind, group: "", entity: r.entity, site: r.site, sentTo: r.sentTo, orderNumber: r.orderNumber,
                orderType: r.orderType, deliveryNote: r.deliveryNote, issueDate: r.issueDate, deliveryDate: r.deliveryDate,
                dueDate: r.dueDate ?? r.issueDate, dueDateGiven: r.dueDate != nil, amount: r.amount, method: r.method, salesRep: r.salesRep,
                credits: r.credits, discounted: r.discounted, payments: r.payments),
                givenDueDate: r.dueDate, receiptDate: r.receiptDate, place: "\(r.file):\(r.line)")
        }, source: "invoices.csv", now: Self.now)
        return store
    }

    /// `count` events on one invoice, a minute apart from 2026-10-20 08:00 UTC, each a distinct observation.
    func events(_ count: Int, invoice: String = "FA-2026-10412") -> [EventInput] {
        (0..<count).map { i in
            EventInput(event: InvoiceEvent(invoice: invoice, state: nil, at: Date(timeIntervalSince1970: 1_792_483_200 + Double(i) * 60),
                                           source: .call, note: "call \(i)"),
                       place: "big.csv:\(i + 2)")
        }
    }

    func stored(_ store: Store) throws -> [InvoiceEvent] {
        try ["FA-2026-10290", "FA-2026-10377", "FA-2026-10398", "FA-2026-10412"].flatMap { try store.events(of: $0) }
            .map { var e = $0; e.id = nil; return e }
    }

    @Test func streamingTheSampleEventsStoresTheSameRowsAsTheBatch() throws {
        let records = try EventFileReader.read(contentsOf: try #require(Samples.events))
        let inputs = records.map { EventInput(event: $0.event, place: "\($0.file):\($0.line ?? 0)") }
        let batch = try store()
        try batch.appendEvents(inputs, source: "events.csv", now: Self.now)
        let streamed = try store()
        var handled = 0
        let report = try streamed.appendEvents(source: "events.csv", now: Self.now, progress: { handled += $0 }) { appender in
            try EventFileReader.streamCSV(contentsOf: try #require(Samples.events), event: { r in
                try appender.append(EventInput(event: r.event, place: "\(r.file):\(r.line ?? 0)"))
            }, problems: { Issue.record("unexpected problems \($0)") })
        }
        #expect(report.added == 5 && report.ignored == 0)
        #expect(handled == 5, "the progress closure is told about every event")
        #expect(try stored(streamed) == (try stored(batch)))
        #expect(try stored(streamed).count == 5)
    }

    @Test func aBadEventLateInALargeStreamLeavesNothingWritten() throws {
        let store = try store()
        let before = try store.count(.event)
        var inputs = events(5_000)
        inputs.append(EventInput(event: InvoiceEvent(invoice: "FA-2026-99999", state: .received, at: Date(timeIntervalSince1970: 1_792_483_200),
                                                     source: .erp), place: "big.csv:5002"))
        inputs += events(10, invoice: "FA-2026-10398")
        do {
            try store.appendEvents(source: "big.csv", now: Self.now) { appender in
                for input in inputs { try appender.append(input) }
            }
            Issue.record("the import was accepted")
        } catch let refused as RowProblems {
            #expect(refused.problems.map { "\($0.place): \($0.field): \($0.message)" }
                    == ["big.csv:5002: invoice: unknown invoice 'FA-2026-99999' (import it first)"])
        }
        #expect(try store.count(.event) == before)
    }

    @Test func everyProblemIsReportedNotOnlyTheFirst() throws {
        let store = try store()
        var inputs = events(3)
        inputs[1].event.department = "nowhere"
        inputs[2].event.contact = "nobody"
        do {
            try store.appendEvents(inputs, source: "x.csv", now: Self.now)
            Issue.record("the import was accepted")
        } catch let refused as RowProblems {
            #expect(refused.problems.map(\.place) == ["big.csv:3", "big.csv:4"])
            #expect(refused.problems.map(\.field) == ["department", "contact"])
        }
        #expect(try store.count(.event) == 0)
    }

    @Test func duplicatesInTheStreamAndAlreadyStoredAreIgnoredAndCounted() throws {
        let store = try store()
        let first = try store.appendEvents(source: "a.csv", now: Self.now) { appender in
            for input in events(100) + events(40) { try appender.append(input) }
        }
        #expect(first.added == 100 && first.ignored == 40)
        let second = try store.appendEvents(source: "b.csv", now: Self.now) { appender in
            for input in events(120) { try appender.append(input) }
        }
        #expect(second.added == 20 && second.ignored == 100)
        #expect(try store.count(.event) == 120)
    }

    @Test func eventsWithoutADepartmentGetTheOneTheirStateShows() throws {
        let store = try store()
        // FA-2026-10412 is delivered at Vénissieux (metalux): the approval comes from its purchasing, the receipt
        // is scanned by the shared-service centre's mailroom; a dispute says nothing of who raised it.
        let at = Date(timeIntervalSince1970: 1_792_483_200)
        let inputs = [CanonicalState.approved, .received, .inDispute].enumerated().map { i, state in
            EventInput(event: InvoiceEvent(invoice: "FA-2026-10412", state: state, at: at.addingTimeInterval(Double(i) * 3_600), source: .cdar),
                       place: "x.cdar.xml")
        }
        try store.appendEvents(source: "x.cdar.xml", now: Self.now, inferDepartments: true) { appender in
            for input in inputs { try appender.append(input) }
        }
        let byState = Dictionary(try store.events(of: "FA-2026-10412").map { ($0.state, $0.department) }, uniquingKeysWith: { a, _ in a })
        #expect(byState[.approved] == .some("mtx-ven-purchasing"))
        #expect(byState[.received] == .some("mtx-ssc-mailroom"))
        #expect(byState[.inDispute] == .some(nil))
        // Without inference, the department stays empty; the identity is that of the event as received, so the
        // same events again are duplicates.
        let again = try store.appendEvents(inputs, source: "x.cdar.xml", now: Self.now)
        #expect(again.added == 0 && again.ignored == 3)
    }
}
