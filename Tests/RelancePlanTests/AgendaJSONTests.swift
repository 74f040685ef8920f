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
