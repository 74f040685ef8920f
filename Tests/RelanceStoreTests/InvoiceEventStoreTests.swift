import Foundation
import RelanceCore
import RelanceImport
import RelanceSamples
import RelanceStore
import Testing

/// A store holding the sample organisations, and ways to turn file records into store inputs as the
/// import commands do.
enum Book {
    /// 2026-11-27 12:00 UTC: "now" for every import, after every sample event.
    static let now = Date(timeIntervalSince1970: 1_795_780_800)

    static func graph(_ name: String) throws -> OrgGraph {
        let url = try #require(Samples.organisationFiles.first { $0.lastPathComponent == "\(name).yaml" })
        return try OrganisationReader.read(contentsOf: url)
    }

    /// A store with the three sample organisations.
    static func store() throws -> Store {
        let store = try Store.inMemory()
        try store.save(try ["metalux", "maisonvert", "chu-armor"].map(graph))
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

    static func sampleInvoiceText() throws -> String {
        try String(contentsOf: try #require(Samples.invoices), encoding: .utf8)
    }

    static func invoices(_ text: String) throws -> [InvoiceInput] {
        try InvoiceCSVReader.read(text: text, file: "invoices.csv").map(input)
    }

    static func sampleInvoices() throws -> [InvoiceInput] { try invoices(try sampleInvoiceText()) }

    static func events(_ text: String, file: String = "events.csv") throws -> [EventInput] {
        try EventFileReader.readCSV(text: text, file: file).map { r in
            EventInput(event: r.event, place: "\(r.file):\(r.line ?? 0)")
        }
    }

    static func sampleEvents() throws -> [EventInput] {
        try EventFileReader.read(contentsOf: try #require(Samples.events)).map { r in
            EventInput(event: r.event, place: "\(r.file):\(r.line ?? 0)")
        }
    }

    static let eventHeader = "invoice,state,at,time_zone,department,contact,source,note,date"

    /// The row counts of every table, to check that a refused import wrote nothing.
    static func counts(_ store: Store) throws -> [StoredTable: Int] {
        var result: [StoredTable: Int] = [:]
        for t in StoredTable.allCases { result[t] = try store.count(t) }
        return result
    }

    /// An event at a UTC instant.
    static func event(_ invoice: String, _ state: CanonicalState?, _ iso: String, department: String? = nil, contact: String? = nil,
                      note: String? = nil, source: EventSource = .call) throws -> InvoiceEvent {
        let at = try #require(ISO8601DateFormatter().date(from: iso), "bad instant \(iso)")
        return InvoiceEvent(invoice: invoice, state: state, at: at, department: department, contact: contact, source: source, note: note)
    }
}

/// The message of a refused store import, or "" (with an issue recorded) when it was not refused.
private func refusal(_ body: () throws -> Any) -> String {
    do {
        _ = try body()
        Issue.record("the import was accepted; a refusal was expected")
        return ""
    } catch let problems as RowProblems {
        return problems.description
    } catch {
        Issue.record("unexpected error \(error)")
        return String(describing: error)
    }
}

private func civil(_ iso: String) throws -> CivilDate { try #require(CivilDate(iso: iso), "bad date literal \(iso)") }

@Suite struct InvoiceEventStoreTests {
    // MARK: Invoices

    @Test func importingTheSampleInvoicesTwiceChangesNothing() throws {
        let store = try Book.store()
        let inputs = try Book.sampleInvoices()
        let first = try store.importInvoices(inputs, source: "invoices.csv", now: Book.now)
        #expect(first.added == 7 && first.updated == 0 && first.unchanged == 0)
        #expect(try store.count(.invoice) == 7)
        #expect(try store.count(.payment) == 1)
        let counts = try Book.counts(store)
        let before = try store.invoices()
        let second = try store.importInvoices(try Book.sampleInvoices(), source: "invoices.csv", now: Book.now.addingTimeInterval(3600))
        #expect(second.unchanged == 7 && second.added == 0 && second.updated == 0)
        #expect(try store.count(.invoiceChange) == 0)
        #expect(try Book.counts(store) == counts)
        #expect(try store.invoices() == before)
    }

    @Test func storedInvoicesLoadBackWithTheirGroupPaymentsAndCreditNotes() throws {
        let store = try Book.store()
        try store.importInvoices(try Book.sampleInvoices(), source: "invoices.csv", now: Book.now)
        #expect(try store.invoices(group: "metalux").map(\.id) == ["AV-2026-00051", "FA-2026-10290", "FA-2026-10398", "FA-2026-10412", "FA-2026-10455"])
        #expect(try store.invoices(group: "maisonvert").map(\.id) == ["FA-2026-10503"])
        let paid = try #require(try store.invoice("FA-2026-10290"))
        #expect(paid.group == "metalux")
        #expect(paid.payments.map(\.amount.minorUnits) == [987_000])
        #expect(paid.balance.minorUnits == 0)
        let credit = try #require(try store.invoice("AV-2026-00051"))
        #expect(credit.kind == .creditNote && credit.credits == "FA-2026-10455" && credit.amount.minorUnits == -78_204)
        let creditDue = try civil("2026-11-20")
        #expect(credit.dueDateGiven && credit.dueDate == creditDue)
        #expect(try store.group(ofInvoice: "FA-2026-10377") == "chu-armor")
        #expect(try store.invoice("FA-0000") == nil)
    }

    @Test func aMissingDueDateIsComputedFromTheTerms() throws {
        let store = try Book.store()
        try store.importInvoices(try Book.sampleInvoices(), source: "invoices.csv", now: Book.now)
        // Issued 2026-10-19, 45 days end of month (end of October, then 45 days): 2026-12-15.
        let inv = try #require(try store.invoice("FA-2026-10412"))
        #expect(inv.dueDate == (try civil("2026-12-15")))
        #expect(!inv.dueDateGiven)
    }

    @Test func aChangedRowUpdatesTheInvoiceAndRecordsEachChangedField() throws {
        let store = try Book.store()
        let text = try Book.sampleInvoiceText()
        try store.importInvoices(try Book.invoices(text), source: "invoices.csv", now: Book.now)
        let edited = text
            .replacingOccurrences(of: "PO-4500123987,,BL-2026-7712,2026-10-19,2026-10-16,,18450.00", with: "PO-4500123999,,BL-2026-7712,2026-10-19,2026-10-16,2026-12-31,18500.00")
            .replacingOccurrences(of: "2026-11-10=9870.00", with: "2026-11-10=4870.00;2026-11-25=5000.00")
        #expect(edited != text)
        let report = try store.importInvoices(try Book.invoices(edited), source: "invoices-v2.csv", now: Book.now.addingTimeInterval(60))
        #expect(report.updated == 2 && report.unchanged == 5 && report.added == 0)
        let changes = try store.changes(of: "FA-2026-10412")
        #expect(Set(changes.map(\.field)) == ["order_number", "due_date", "due_date_given", "amount_minor"])
        let amount = try #require(changes.first { $0.field == "amount_minor" })
        #expect(amount.old == "1845000" && amount.new == "1850000")
        let order = try #require(changes.first { $0.field == "order_number" })
        #expect(order.old?.contains("PO-4500123987") == true && order.new?.contains("PO-4500123999") == true)
        let due = try #require(changes.first { $0.field == "due_date" })
        #expect(due.old?.contains("2026-12-15") == true && due.new?.contains("2026-12-31") == true)
        let payments = try store.changes(of: "FA-2026-10290")
        #expect(payments.map(\.field) == ["payments"])
        #expect(payments.first?.new == "2026-11-10=487000;2026-11-25=500000")
        #expect(try store.changes(of: "FA-2026-10398").isEmpty)
        let inv = try #require(try store.invoice("FA-2026-10412"))
        let newDue = try civil("2026-12-31")
        #expect(inv.amount.minorUnits == 1_850_000 && inv.orderNumber == "PO-4500123999" && inv.dueDate == newDue && inv.dueDateGiven)
        #expect(try store.invoice("FA-2026-10290")?.payments.count == 2)
        #expect(try store.count(.payment) == 2)
    }

    @Test func anUnknownEntityRefusesTheWholeBatch() throws {
        let store = try Book.store()
        var inputs = try Book.sampleInvoices()
        inputs[3].invoice.entity = "mtx-nowhere"
        let counts = try Book.counts(store)
        let message = refusal { try store.importInvoices(inputs, source: "invoices.csv", now: Book.now) }
        #expect(message.contains("invoices.csv:5: entity: unknown legal entity 'mtx-nowhere'"), "\(message)")
        #expect(try Book.counts(store) == counts)
    }

    @Test func anUnknownSiteRefusesTheWholeBatch() throws {
        let store = try Book.store()
        var inputs = try Book.sampleInvoices()
        inputs[0].invoice.site = "mtx-lyon"
        let message = refusal { try store.importInvoices(inputs, source: "invoices.csv", now: Book.now) }
        #expect(message.contains("invoices.csv:2: site: unknown site 'mtx-lyon' in customer metalux"), "\(message)")
        #expect(try store.count(.invoice) == 0 && store.count(.payment) == 0)
    }

    @Test func aSiteOfAnotherGroupRefusesTheWholeBatch() throws {
        let store = try Book.store()
        try store.importInvoices(try Book.sampleInvoices(), source: "invoices.csv", now: Book.now)
        let counts = try Book.counts(store)
        let before = try store.invoices()
        // Métalux's entity, delivered at a Maison Vert store; and an otherwise valid new invoice.
        let text = try Book.sampleInvoiceText()
            .replacingOccurrences(of: "FA-2026-10290,invoice,,mtx-industrie,mtx-ven", with: "FA-2026-10290,invoice,,mtx-industrie,mv-rennes")
            .replacingOccurrences(of: "FA-2026-10412,", with: "FA-2026-20412,")
        let message = refusal { try store.importInvoices(try Book.invoices(text), source: "invoices.csv", now: Book.now) }
        #expect(message.contains("invoices.csv:2: site: unknown site 'mv-rennes' in customer metalux"), "\(message)")
        #expect(try Book.counts(store) == counts)
        #expect(try store.invoices() == before)
        #expect(try store.invoice("FA-2026-20412") == nil)
    }

    @Test func aCreditNoteForAnUnknownInvoiceRefusesTheWholeBatch() throws {
        let store = try Book.store()
        var inputs = try Book.sampleInvoices()
        let i = try #require(inputs.firstIndex { $0.invoice.kind == .creditNote })
        inputs[i].invoice.credits = "FA-2026-99999"
        let message = refusal { try store.importInvoices(inputs, source: "invoices.csv", now: Book.now) }
        #expect(message.contains("invoices.csv:7: credits: credit note for unknown invoice 'FA-2026-99999'"), "\(message)")
        #expect(try store.count(.invoice) == 0)
        // A credit note for an invoice stored earlier (not in the batch) is fine.
        try store.importInvoices(try Book.sampleInvoices().filter { $0.invoice.kind == .invoice }, source: "a.csv", now: Book.now)
        let credit = try Book.sampleInvoices().filter { $0.invoice.kind == .creditNote }
        #expect(try store.importInvoices(credit, source: "b.csv", now: Book.now).added == 1)
    }

    @Test func everyProblemOfTheBatchIsReported() throws {
        let store = try Book.store()
        var inputs = try Book.sampleInvoices()
        inputs[0].invoice.entity = "nobody"
        inputs[1].invoice.site = "nowhere"
        let message = refusal { try store.importInvoices(inputs, source: "invoices.csv", now: Book.now) }
        #expect(message.contains("2 problems") && message.contains("invoices.csv:2") && message.contains("invoices.csv:3"), "\(message)")
    }

    // MARK: Events

    /// A store with the sample invoices.
    func storeWithInvoices() throws -> Store {
        let store = try Book.store()
        try store.importInvoices(try Book.sampleInvoices(), source: "invoices.csv", now: Book.now)
        return store
    }

    @Test func theSampleEventsAreStoredOnceEvenWhenImportedTwice() throws {
        let store = try storeWithInvoices()
        let first = try store.appendEvents(try Book.sampleEvents(), source: "events.csv", now: Book.now)
        #expect(first.added == 5 && first.ignored == 0)
        let second = try store.appendEvents(try Book.sampleEvents(), source: "events.csv", now: Book.now)
        #expect(second.added == 0 && second.ignored == 5)
        #expect(try store.count(.event) == 5)
        let events = try store.events(of: "FA-2026-10398")
        #expect(events.map(\.state) == [.received, .goodsReceived, nil])
        #expect(events.allSatisfy { $0.id != nil })
        #expect(events[1].contact == "mtx-ste-fontaine" && events[1].source == .call && events[1].timeZone == "Europe/Paris")
        #expect(try store.events(of: "FA-2026-10412").first?.date == (try civil("2026-12-10")))
    }

    @Test func duplicatesWithinABatchAreIgnoredAndCounted() throws {
        let store = try storeWithInvoices()
        let e = try Book.event("FA-2026-10412", .received, "2026-10-21T08:00:00Z", department: "mtx-ssc-mailroom")
        let other = try Book.event("FA-2026-10412", .received, "2026-10-21T08:00:01Z", department: "mtx-ssc-mailroom")
        let report = try store.appendEvents([EventInput(event: e, place: "a:2"), EventInput(event: e, place: "a:3"), EventInput(event: other, place: "a:4")],
                                            source: "a", now: Book.now)
        #expect(report.added == 2 && report.ignored == 1)
        #expect(try store.count(.event) == 2)
        // The same observation again, in another file, is ignored too.
        let again = try store.appendEvents([EventInput(event: e, place: "b:2")], source: "b", now: Book.now)
        #expect(again.added == 0 && again.ignored == 1)
        #expect(try store.count(.event) == 2)
    }

    @Test func outOfOrderEventsAreReturnedInTimeOrder() throws {
        let store = try storeWithInvoices()
        let events = try [
            Book.event("FA-2026-10412", .scheduled, "2026-11-24T14:30:00Z", department: "mtx-ssc-ap"),
            Book.event("FA-2026-10412", .received, "2026-10-21T08:00:00Z", department: "mtx-ssc-mailroom"),
            Book.event("FA-2026-10412", .approved, "2026-11-02T10:00:00Z", department: "mtx-ven-purchasing"),
            Book.event("FA-2026-10412", .goodsReceived, "2026-10-20T15:00:00Z", department: "mtx-ven-reception"),
        ]
        try store.appendEvents(events.enumerated().map { EventInput(event: $1, place: "x:\($0 + 2)") }, source: "x", now: Book.now)
        let stored = try store.events(of: "FA-2026-10412")
        #expect(stored.map(\.state) == [.goodsReceived, .received, .approved, .scheduled])
        #expect(stored.map(\.at) == events.map(\.at).sorted())
        let byInvoice = try store.eventsByInvoice(group: "metalux")
        #expect(byInvoice["FA-2026-10412"]?.map(\.state) == [.goodsReceived, .received, .approved, .scheduled])
        // Up to a moment: only what happened by then.
        let until = try #require(ISO8601DateFormatter().date(from: "2026-11-01T00:00:00Z"))
        #expect(try store.events(of: "FA-2026-10412", until: until).count == 2)
    }

    @Test func anEventForAnUnknownInvoiceRefusesTheBatch() throws {
        let store = try storeWithInvoices()
        let text = "\(Book.eventHeader)\nFA-2026-10412,received,2026-10-21 09:00,,mtx-ssc-mailroom,,,,\nFA-2026-00000,received,2026-10-21 09:00,,,,,,\n"
        let message = refusal { try store.appendEvents(try Book.events(text), source: "events.csv", now: Book.now) }
        #expect(message.contains("events.csv:3: invoice: unknown invoice 'FA-2026-00000'"), "\(message)")
        #expect(try store.count(.event) == 0)
    }

    @Test func anEventAtAnUnknownDepartmentRefusesTheBatch() throws {
        let store = try storeWithInvoices()
        // A department of another customer is unknown to this one.
        let text = "\(Book.eventHeader)\nFA-2026-10412,received,2026-10-21 09:00,,mtx-ssc-mailroom,,,,\nFA-2026-10412,approved,2026-10-29 09:00,,sgc-depense,,,,\n"
        let message = refusal { try store.appendEvents(try Book.events(text), source: "events.csv", now: Book.now) }
        #expect(message.contains("events.csv:3: department: unknown department 'sgc-depense' in customer metalux"), "\(message)")
        #expect(try store.count(.event) == 0)
    }

    @Test func anEventWithAnUnknownContactRefusesTheBatch() throws {
        let store = try storeWithInvoices()
        let text = "\(Book.eventHeader)\nFA-2026-10412,received,2026-10-21 09:00,,mtx-ssc-mailroom,mtx-ssc-nobody,,,\n"
        let message = refusal { try store.appendEvents(try Book.events(text), source: "events.csv", now: Book.now) }
        #expect(message.contains("events.csv:2: contact: unknown contact 'mtx-ssc-nobody' in customer metalux"), "\(message)")
        #expect(try store.count(.event) == 0)
    }

    @Test func anEventInTheFutureRefusesTheBatch() throws {
        let store = try storeWithInvoices()
        // "now" is 2026-11-27 12:00 UTC; a day of slack is allowed for time zones.
        let ok = "\(Book.eventHeader)\nFA-2026-10412,received,2026-11-28 10:00,,,,,,\n"
        #expect(try store.appendEvents(try Book.events(ok), source: "ok.csv", now: Book.now).added == 1)
        let text = "\(Book.eventHeader)\nFA-2026-10412,approved,2026-11-20 09:00,,,,,,\nFA-2026-10412,scheduled,2026-11-30 09:00,,,,,,\n"
        let message = refusal { try store.appendEvents(try Book.events(text), source: "events.csv", now: Book.now) }
        #expect(message.contains("events.csv:3: at:") && message.contains("is in the future"), "\(message)")
        #expect(try store.count(.event) == 1)
    }

    @Test func anEventMoreThanAYearBeforeTheInvoiceRefusesTheBatch() throws {
        let store = try storeWithInvoices()
        // FA-2026-10412 was issued on 2026-10-19.
        let text = "\(Book.eventHeader)\nFA-2026-10412,received,2025-10-19 09:00,,,,,,\nFA-2026-10412,received,2025-10-10 09:00,,,,,,\n"
        let message = refusal { try store.appendEvents(try Book.events(text), source: "events.csv", now: Book.now) }
        #expect(message.contains("events.csv:3: at: 2025-10-10 is more than a year before the invoice date 2026-10-19"), "\(message)")
        #expect(!message.contains("events.csv:2"), "\(message)")
        #expect(try store.count(.event) == 0)
    }

    @Test func learnedContactsAreStoredOnce() throws {
        let store = try storeWithInvoices()
        let a = try Book.event("FA-2026-10503", .received, "2026-11-12T09:00:00Z", source: .peppol)
        let b = try Book.event("FA-2026-10503", .approved, "2026-11-16T09:00:00Z", source: .peppol)
        let inputs = [
            EventInput(event: a, place: "a.xml", contactName: "Jeanne Roche", contactPhone: "+33299000000"),
            EventInput(event: b, place: "b.xml", contactName: "Jeanne Roche", contactEmail: "jeanne.roche@maisonvert.example"),
        ]
        try store.appendEvents(inputs, source: "peppol", now: Book.now)
        let learned = try store.learnedContacts(group: "maisonvert")
        #expect(learned.count == 1)
        #expect(learned.first?.name == "Jeanne Roche")
        #expect(learned.first?.phone == "+33299000000" && learned.first?.email == "jeanne.roche@maisonvert.example")
        #expect(try store.learnedContacts(group: "metalux").isEmpty)
        // The same messages again: nothing new.
        let again = try store.appendEvents(inputs, source: "peppol", now: Book.now)
        #expect(again.added == 0 && again.ignored == 2)
        #expect(try store.count(.learnedContact) == 1)
    }

    @Test func theReportCountsEachLearnedContactOnce() throws {
        let store = try storeWithInvoices()
        let a = try Book.event("FA-2026-10503", .received, "2026-11-12T09:00:00Z", source: .peppol)
        let b = try Book.event("FA-2026-10503", .approved, "2026-11-16T09:00:00Z", source: .peppol)
        let inputs = [EventInput(event: a, place: "a.xml", contactName: "Jeanne Roche"), EventInput(event: b, place: "b.xml", contactName: "Jeanne Roche")]
        let first = try store.appendEvents(inputs, source: "peppol", now: Book.now)
        let second = try store.appendEvents(inputs, source: "peppol", now: Book.now)
        #expect(first.learnedContacts == 1, "first import reports \(first.learnedContacts)")
        #expect(second.learnedContacts == 0, "a repeated import reports \(second.learnedContacts)")
    }

    // MARK: Organisations and history

    @Test func removingADepartmentThatEventsReferToNeedsArchiving() throws {
        let store = try storeWithInvoices()
        try store.appendEvents(try Book.sampleEvents(), source: "events.csv", now: Book.now)
        var g = try Book.graph("metalux")
        // events.csv has a goods receipt at Saint-Étienne's reception, by its contact.
        g.departments.removeAll { $0.id == "mtx-ste-reception" }
        g.contacts.removeAll { $0.department == "mtx-ste-reception" }
        let counts = try Book.counts(store)
        #expect {
            try store.save([g], sources: ["metalux.yaml"])
        } throws: { error in
            guard case StoreError.removalRefused(let refs) = error else { return false }
            return Set(refs.map(\.id)) == ["mtx-ste-reception", "mtx-ste-fontaine"] && refs.allSatisfy { $0.count == 1 && $0.what == "events" }
        }
        #expect(try Book.counts(store) == counts)
        #expect(try store.graph("metalux")?.department("mtx-ste-reception") != nil)

        let report = try #require(try store.save([g], sources: ["metalux.yaml"], archiveRemoved: true).first)
        #expect(report.archived == 2 && report.removed == 0)
        let live = try #require(try store.graph("metalux"))
        #expect(live.department("mtx-ste-reception") == nil && live.contact("mtx-ste-fontaine") == nil)
        let history = try #require(try store.graph("metalux", includeArchived: true))
        #expect(history.department("mtx-ste-reception") != nil && history.contact("mtx-ste-fontaine") != nil)
        // The events still name it.
        #expect(try store.events(of: "FA-2026-10398").contains { $0.department == "mtx-ste-reception" })
        #expect(try store.count(.department) == counts[.department])
    }

    @Test func removingADepartmentNoEventRefersToDeletesIt() throws {
        let store = try storeWithInvoices()
        try store.appendEvents(try Book.sampleEvents(), source: "events.csv", now: Book.now)
        var g = try Book.graph("metalux")
        g.departments.removeAll { $0.id == "mtx-dun-purchasing" }
        g.contacts.removeAll { $0.department == "mtx-dun-purchasing" }
        let report = try #require(try store.save([g]).first)
        #expect(report.removed == 2 && report.archived == 0)
        #expect(try store.graph("metalux", includeArchived: true)?.department("mtx-dun-purchasing") == nil)
    }
}
