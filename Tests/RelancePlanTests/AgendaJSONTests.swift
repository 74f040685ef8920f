import Foundation
import RelanceCore
import RelanceStore
@testable import RelancePlan
import Testing

/// The agenda's JSON, written in chunks on every core, must be byte for byte what one encoder writes.
@Suite struct AgendaJSONTests {
    @Test func chunkedJSONIsWhatOneEncoderWrites() throws {
        let (store, _, day) = try AgendaStoreICSTests.store()
        let a = try agenda(in: store, date: day)
        #expect(a.calls.count >= 2 && a.letters.count >= 2, "the fixture's agenda must have lists to cut in several chunks")
        let whole = try Agenda.jsonEncoder().encode(a)
        for size in [1, 2, 3, 1_000] {
            #expect(try a.prettyJSON(chunkSize: size) == whole, "chunks of \(size)")
        }
        // Every list empty, a person named: the skeleton alone.
        var none = a
        none.calls = []
        none.letters = []
        none.salesRequests = []
        none.bills = []
        none.disputes = []
        none.deferred = []
        none.person = "Claire \"CD\" Dubois\n"
        #expect(try none.prettyJSON(chunkSize: 2) == Agenda.jsonEncoder().encode(none))
        // One list only, with a text that looks like JSON layout.
        var one = none
        one.deferred = [.init(group: "g", contactKey: "\"calls\" : [\n\n  ]", name: "n", lastCall: day, invoices: ["A", "B"]),
                        .init(group: "h", contactKey: "k", name: "nested empty list", lastCall: day, invoices: [])]
        for size in [1, 2] { #expect(try one.prettyJSON(chunkSize: size) == Agenda.jsonEncoder().encode(one)) }
    }

    /// What `relance agenda --format json` streams: the pieces, in order, are the whole text, whatever the
    /// chunks and the window of chunks written at once; a chunk is one piece.
    @Test func streamedPiecesMakeTheWholeText() throws {
        let (store, _, day) = try AgendaStoreICSTests.store()
        let a = try agenda(in: store, date: day)
        let whole = try Agenda.jsonEncoder().encode(a)
        let lists = [a.calls.count, a.letters.count, a.salesRequests.count, a.bills.count, a.disputes.count, a.deferred.count]
        let elements = lists.reduce(0, +), filled = lists.filter { $0 > 0 }.count
        for (size, window) in [(1, 1), (1, 2), (2, 1), (3, 5), (1_000, 64)] {
            var pieces: [[UInt8]] = []
            try a.writePrettyJSON(chunkSize: size, window: window) { pieces.append(Array($0)) }
            #expect(Data(pieces.joined()) == whole, "chunks of \(size), window \(window)")
            if size == 1 {
                // Chunks weighing at most one invoice: each element is a chunk of its own, so a piece (its
                // separator from the element before included); before each list that has elements, the text
                // since the last list; then the text after the last list.
                #expect(pieces.count == elements + filled + 1, "one piece per element, window \(window)")
            }
        }
        // A chunk weighs at most `chunkSize` invoices, unless it is one element heavier than that: the letters
        // (each weighing one plus its invoices) are cut into pieces that each hold as many as that allows. The
        // limit is half the letters' weight (at least the heaviest letter's), so that there are several pieces.
        var letters = a
        letters.calls = []; letters.salesRequests = []; letters.bills = []; letters.disputes = []; letters.deferred = []
        let weights = letters.letters.map { 1 + $0.invoices.count }
        let limit = max(weights.max() ?? 1, (weights.reduce(0, +) + 1) / 2)
        var expected = 0, load = 0
        for w in weights {
            if load > 0, load + w > limit { expected += 1; load = 0 }
            load += w
        }
        expected += 1
        var pieces: [[UInt8]] = []
        try letters.writePrettyJSON(chunkSize: limit, window: 2) { pieces.append(Array($0)) }
        #expect(try Data(pieces.joined()) == Agenda.jsonEncoder().encode(letters))
        #expect(expected >= 2, "the fixture's letters must weigh more than one chunk")
        #expect(pieces.count == expected + 2, "the letters in \(expected) chunks of at most \(limit) invoices, weights \(weights)")
    }
}

/// The JSON writer against the encoder on values chosen to catch every rule: escapes, text beyond ASCII,
/// numbers with and without fractions or exponents, optionals left out, instants with fractions of a second.
@Suite struct AgendaJSONWriterTests {
    static func invoice(_ n: Int, text: String, euroDays: Double, p: Double?, p50: CivilDate?) -> AgendaInvoice {
        AgendaInvoice(invoice: "FA/\(n)", group: "g\u{e9}", issueDate: CivilDate(dayNumber: 20_000 + n), dueDate: CivilDate(dayNumber: 20_030 + n),
                      openAmount: Money(minorUnits: n % 2 == 0 ? Int64(n) * 12_345 : -Int64.max, currency: "EUR"), daysLate: n - 3,
                      reason: text, question: text + "?", forecastP50: p50, probabilityByDue: p, euroDays: euroDays)
    }

    @Test func theWriterWritesWhatTheEncoderWrites() throws {
        let texts = ["plain", "quote \" backslash \\ slash / done", "lines\nand\ttabs\r\u{8}\u{c}", "control \u{1} \u{1f} \u{7f}",
                     "accents \u{e9}\u{e8} \u{2028} emoji \u{1F600}", "", "{\"calls\" : [\n\n  ]}"]
        let numbers: [Double] = [0, -0.0, 1, 1.5, 100, 0.1, 1e-7, 1e-5, 0.0001, 1e15, 1e16, 2e17, 1.2345678901234567e21, 5e-324,
                                 1.7976931348623157e308, -3.25, 3282907.3200000003, 4_500_000_000_000_000]
        var invoices: [AgendaInvoice] = []
        for (n, x) in numbers.enumerated() {
            let text = texts[n % texts.count]
            invoices.append(Self.invoice(n, text: text, euroDays: x, p: n % 3 == 0 ? nil : x, p50: n % 4 == 0 ? nil : CivilDate(dayNumber: 20_100 + n)))
        }
        let day = CivilDate(dayNumber: 20_784)
        let slots: [Date?] = [nil, Date(timeIntervalSince1970: 1_795_770_000), Date(timeIntervalSince1970: 1_795_770_000.75),
                              Date(timeIntervalSince1970: -86_399.5), Date(timeIntervalSince1970: 0)]
        let calls = slots.enumerated().map { n, slot in
            AgendaCall(group: "g", customer: texts[n % texts.count], contactKey: "k\(n)", name: "N/\(n)", role: texts[(n + 1) % texts.count],
                       phone: n % 2 == 0 ? nil : "+33 1 23", email: n % 3 == 0 ? nil : "a/b@example.org", timeZone: "Europe/Paris",
                       workingHours: "mon-fri 09:00-12:00", slot: slot, minutes: n * 5 - 7,
                       invoices: n == 0 ? [] : Array(invoices.prefix(n * 3)), score: numbers[n * 2])
        }
        let letters = [AgendaLetter(group: "g", customer: "c", entity: "e", entityName: "E \"SA\"", address: nil, level: .reminder, language: "fr",
                                    invoices: invoices, score: 0.5),
                       AgendaLetter(group: "g", customer: "c", entity: "e2", entityName: "E2", address: "1 rue\n75001 Paris", level: .formalNotice,
                                    language: "en", invoices: [], score: 1e16)]
        let requests = [AgendaSalesRequest(group: "g", customer: "c", salesRep: "Marc/Paul", visit: true, reason: texts[2], invoices: invoices, score: 2),
                        AgendaSalesRequest(group: "g", customer: "c", salesRep: "", visit: false, reason: "", invoices: [], score: -0.0)]
        let bills = invoices.prefix(3).enumerated().map { n, i in
            AgendaBillDeadline(group: "g", invoice: i, method: "lcr", discounted: n == 1, deadline: day.adding(days: n), daysLeft: -n)
        }
        let disputes = invoices.prefix(3).enumerated().map { n, i in
            AgendaDispute(group: "g", invoice: i, owner: n == 0 ? nil : "Julie", since: day, reason: n == 1 ? nil : "QTE_ERR",
                          target: day.adding(days: 10), due: n == 2)
        }
        let deferred = [Agenda.Deferred(group: "g", contactKey: "k", name: "n", lastCall: day, invoices: ["A", "B/C"]),
                        Agenda.Deferred(group: "h", contactKey: "k2", name: "", lastCall: day, invoices: [])]
        var agenda = Agenda(date: day, person: nil, calls: calls, letters: letters, salesRequests: requests, bills: bills, disputes: disputes,
                            deferred: deferred)
        for person in [nil, "Claire \"CD\" / Dubois\n"] {
            agenda.person = person
            let reference = try Agenda.jsonEncoder().encode(agenda)
            for size in [1, 2, 1_000] {
                let written = try agenda.prettyJSON(chunkSize: size)
                #expect(written == reference, "chunks of \(size), person \(person ?? "none"): first difference at byte \(zip(written, reference).prefix { $0 == $1 }.count)")
            }
        }
        // A number JSON cannot hold is an error, as it is for the encoder.
        agenda.letters[0].score = .nan
        #expect(throws: (any Error).self) { try Agenda.jsonEncoder().encode(agenda) }
        #expect(throws: EncodingError.self) { try agenda.prettyJSON() }
    }
}

/// The store's agenda, planned customer by customer on the workers that read their books, is the agenda
/// built from every customer's inputs at once.
@Suite struct AgendaAssemblyTests {
    @Test func theStoresAgendaIsTheAgendaOfItsCustomers() throws {
        let (store, _, day) = try AgendaStoreICSTests.store(["metalux", "maisonvert", "chu-armor"], seed: 29)
        let groups = try store.groups().map(\.id)
        #expect(groups.count == 3)
        let whole = Agenda.build(try agendaCustomers(in: store, groups: groups, date: day), date: day)
        let parts = try agenda(in: store, date: day)
        #expect(!parts.calls.isEmpty)
        #expect(parts == whole)
        // For each person, only the customers they are responsible for: one each, so their calls and letters
        // make up everyone's.
        var calls = 0, letters = 0
        for person in ["Claire Dubois", "Julie Marchal", "Thomas Le Gall"] {
            let mine = try agenda(in: store, date: day, for: person)
            #expect(mine == Agenda.build(try agendaCustomers(in: store, groups: groups, date: day), date: day, for: person))
            calls += mine.calls.count
            letters += mine.letters.count
        }
        #expect(calls == parts.calls.count && letters == parts.letters.count)
        #expect(try agenda(in: store, date: day, for: "Nobody Here").calls.isEmpty)
    }
}
