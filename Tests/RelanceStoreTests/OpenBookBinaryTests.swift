import Foundation
import GRDB
import RelanceCore
@testable import RelanceStore
import Testing

/// Each customer's open book packed for a day (OpenBookBinary, migration v11): what forecasts and the agenda
/// of that day read instead of the rows of every open invoice. It must give back exactly what the rows give,
/// and only while the data has not changed.
@Suite struct OpenBookBinaryTests {
    static let day = CivilDate(dayNumber: 20_784)  // 2026-11-27

    /// Every optional field present and absent, payments, a credit note, events with and without ids,
    /// amounts, dates and states, texts shared and not.
    static let invoices = [
        Invoice(id: "FA-1", group: "metalux", entity: "mtx-sa", site: "mtx-lyon", sentTo: "mtx-ssc", orderNumber: "PO-1", orderType: "stock",
                deliveryNote: "BL-1", issueDate: day.adding(days: -40), deliveryDate: day.adding(days: -42), dueDate: day.adding(days: 5),
                dueDateGiven: true, amount: Money(minorUnits: 1_234_56, currency: "EUR"), method: .lcr, salesRep: "Anne", credits: nil,
                discounted: true, payments: [Payment(date: day.adding(days: -3), amount: Money(minorUnits: 100_00, currency: "EUR"), reference: "VIR 1"),
                                             Payment(date: day.adding(days: -1), amount: Money(minorUnits: 1, currency: "EUR"))],
                channel: "e-invoicing"),
        Invoice(id: "FA-2", group: "metalux", entity: "mtx-sa", site: "mtx-lyon", issueDate: day.adding(days: -10), dueDate: day.adding(days: 50),
                dueDateGiven: false, amount: Money(minorUnits: -7, currency: "USD")),
        Invoice(id: "AV-1", kind: .creditNote, group: "metalux", entity: "mtx-sa", site: "mtx-lyon", issueDate: day.adding(days: -2),
                dueDate: day.adding(days: -2), amount: Money(minorUnits: 50_00, currency: "EUR"), credits: "FA-1"),
    ]

    static let events: [String: [InvoiceEvent]] = [
        "FA-1": [
            InvoiceEvent(id: 7, invoice: "FA-1", state: .received, at: Date(timeIntervalSince1970: 1_793_000_000), timeZone: "Europe/Paris",
                         department: "mtx-reception", contact: "mtx-c1", source: .cdar, rawCode: "202", reason: "CMD_ERR", action: "NIN",
                         note: "reçu, à vérifier", amount: Money(minorUnits: 99, currency: "EUR"), date: day.adding(days: 3)),
            InvoiceEvent(id: nil, invoice: "FA-1", state: nil, at: Date(timeIntervalSince1970: 1_793_000_000.5), timeZone: "America/New_York",
                         source: .call),
            InvoiceEvent(id: 9, invoice: "FA-1", state: .approved, at: Date(timeIntervalSince1970: 1_793_500_000), department: "mtx-purchasing",
                         source: .erp, date: day.adding(days: 10)),
        ],
    ]

    @Test func aPackedBookGivesBackItsInvoicesAndEventsExactly() throws {
        let bytes = OpenBookBinary.encode(invoices: Self.invoices, events: Self.events)
        let back = try OpenBookBinary.decode(bytes, what: "metalux on 2026-11-27")
        #expect(back.invoices == Self.invoices)
        #expect(back.events == Self.events)
        #expect(OpenBookBinary.encode(invoices: back.invoices, events: back.events) == bytes, "the same book, the same bytes")
        // Each text once: "metalux" appears in three invoices, "EUR" in invoices, payments and events.
        #expect(bytes.ranges(of: Data("metalux".utf8)).count == 1)
        #expect(bytes.ranges(of: Data("EUR".utf8)).count == 1)
        let empty = try OpenBookBinary.decode(OpenBookBinary.encode(invoices: [], events: [:]), what: "nobody")
        #expect(empty.invoices.isEmpty && empty.events.isEmpty)
    }

    @Test func aDamagedPackedBookIsAnErrorNamingItNeverAnotherBook() throws {
        let bytes = OpenBookBinary.encode(invoices: Self.invoices, events: Self.events)
        func refused(_ damaged: Data, _ why: String, saying reason: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
            do {
                let book = try OpenBookBinary.decode(damaged, what: "metalux on 2026-11-27")
                Issue.record("\(why): read as a book of \(book.invoices.count) invoices", sourceLocation: sourceLocation)
            } catch let error as StoreError {
                #expect(error.description.contains("the open book of metalux on 2026-11-27 does not read"), "\(why): \(error)",
                        sourceLocation: sourceLocation)
                if let reason { #expect(error.description.contains(reason), "\(why): \(error)", sourceLocation: sourceLocation) }
            } catch {
                Issue.record("\(why): \(error)", sourceLocation: sourceLocation)
            }
        }
        for length in 0..<bytes.count { refused(bytes.prefix(length), "cut to \(length) bytes") }
        refused(bytes + [0], "a byte left over", saying: "1 bytes left over")
        var magic = bytes
        magic[3] = UInt8(ascii: "9")
        refused(magic, "another format", saying: "does not start with ROB1")
        // The state "approved" spelt "approveX": a text, but no state.
        let approved = Data([8, 0, 0, 0] + Array("approved".utf8))
        let at = try #require(bytes.firstRange(of: approved))
        var state = bytes
        state[at.upperBound - 1] = UInt8(ascii: "X")
        refused(state, "an unknown state", saying: "unknown state 'approveX'")
        // "reçu": the second byte of "ç" made 0xFF, not UTF-8.
        let received = Data("reçu".utf8)
        let text = try #require(bytes.firstRange(of: received))
        var utf8 = bytes
        utf8[text.lowerBound + 3] = 0xFF
        refused(utf8, "a text that is not UTF-8", saying: "a text that is not UTF-8")
        // The first invoice's number (the text after the table) pointing past the table.
        let texts = Int(bytes[4]) | Int(bytes[5]) << 8
        var offset = 8
        for _ in 0..<texts { offset += 4 + (Int(bytes[offset]) | Int(bytes[offset + 1]) << 8) }
        var index = bytes
        index.replaceSubrange(offset + 4 ..< offset + 8, with: [200, 0, 0, 0])
        refused(index, "a text out of the table", saying: "text 200 of \(texts)")
    }

    /// `packOpenBooks` keeps, for each customer, the rows the open book reads on the day, and they are
    /// read back only on that day and while nothing was imported since.
    @Test func packedBooksAreTheOpenBooksRowsWhileTheDataHasNotChanged() throws {
        let store = try Samples3.store()
        let groups = ["metalux", "maisonvert", "chu-armor"]
        var openInvoices = 0, eventLists = 0
        for asOf in [Self.day, Self.day.adding(days: -30)] {
            let packed = try store.packOpenBooks(groups: groups + ["nobody"], asOf: asOf, chunk: 2)
            #expect(packed.books == 3, "the unknown group is skipped")
            for group in groups {
                let (rows, version, blob) = try store.writer.read { db in
                    (try store.openInvoiceRows(group: group, asOf: asOf, db), try store.dataVersion(group: group, db),
                     try store.packedOpenBook(group: group, asOf: asOf, current: try store.dataVersion(group: group, db), db))
                }
                let book = try OpenBookBinary.decode(try #require(blob, "\(group) on \(asOf)"), what: group)
                #expect(book.invoices == rows.invoices, "\(group) on \(asOf)")
                #expect(book.events == rows.events, "\(group) on \(asOf)")
                openInvoices += rows.invoices.count
                eventLists += rows.events.count
                // Another day's book, or another version of the data, is not this one.
                var moved = version
                moved.events += 1
                let (otherDay, otherData) = try store.writer.read { db in
                    (try store.packedOpenBook(group: group, asOf: asOf.adding(days: 1), current: version, db),
                     try store.packedOpenBook(group: group, asOf: asOf, current: moved, db))
                }
                #expect(otherDay == nil && otherData == nil)
            }
            // One book per customer: packing another day replaced it.
            #expect(try store.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM open_book") } == 3)
        }
        #expect(openInvoices >= 10 && eventLists >= 4, "the samples must have open invoices with events to compare (the simulated portfolio of OpenBookTests has many more): \(openInvoices), \(eventLists)")
        // What a forecast of the day reads is the packed book: damaged, it is an error naming it, not another
        // book and not a silent return to the rows.
        _ = try Samples3.learnAndSave(store, asOf: Self.day.adding(days: -30))
        try store.saveForecastContexts(groups.map { ($0, Data("{}".utf8)) }, asOf: Self.day.adding(days: -30))
        let inputs = try #require(try store.storedForecastInputs(group: "metalux", asOf: Self.day.adding(days: -30), minimumObservations: 1))
        #expect(!inputs.book.open.isEmpty)
        try store.writer.write { db in try db.execute(sql: "UPDATE open_book SET rows = substr(rows, 1, 100) WHERE group_id = 'metalux'") }
        #expect {
            _ = try store.storedForecastInputs(group: "metalux", asOf: Self.day.adding(days: -30), minimumObservations: 1)
        } throws: { "\($0)".contains("the open book of metalux on 2026-10-28 does not read") }
        // A book over the size allowed is not kept, and the one packed before for that customer goes too.
        let small = try store.packOpenBooks(groups: groups, asOf: Self.day, maximumBytes: 1)
        #expect(small.books == 0 && small.tooLarge == groups)
        #expect(try store.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM open_book") } == 0)
        let all = try store.packOpenBooks(groups: groups, asOf: Self.day.adding(days: -30))
        #expect(all.books == 3 && all.tooLarge.isEmpty)
        // An import moves the data on: the packed books are stale until packed again.
        _ = try store.logOutcome(.promiseToPay(Self.day.adding(days: 9)), invoices: ["FA-2026-10398"], day: Self.day, now: Samples3.now)
        let stale = try store.writer.read { db in
            try store.packedOpenBook(group: "metalux", asOf: Self.day.adding(days: -30), current: try store.dataVersion(group: "metalux", db), db)
        }
        #expect(stale == nil)
    }
}
