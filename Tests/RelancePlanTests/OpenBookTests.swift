import Foundation
import RelanceCore
import RelanceForecast
import RelancePlan
import RelanceSimulator
import RelanceStore
import Testing

/// The open-book path (only unpaid invoices read, a dwell model and forecast context learned beforehand)
/// must give what the full book gives: the same positions, the same forecasts, the same `where`.
@Suite struct OpenBookTests {
    @Test func openBookGivesTheFullBooksOpenPositionsAndForecasts() throws {
        let (store, _, day) = try AgendaStoreICSTests.store()
        for asOf in [day, day.adding(days: -20)] {
            let full = try #require(try store.book(group: "metalux", asOf: asOf))
            let open = try #require(try store.openBook(group: "metalux", asOf: asOf, model: full.model))
            #expect(full.open.count > 5, "the fixture must have open invoices on \(asOf)")
            #expect(open.open.map(\.invoice.id) == full.open.map(\.invoice.id))
            // Fewer invoices read: the settled ones are left out.
            #expect(open.invoices.count < full.invoices.count)
            #expect(open.credited == full.credited)
            for (a, b) in zip(open.open, full.open) {
                #expect(a.pending.map(\.step.id) == b.pending.map(\.step.id), "pending steps of \(a.invoice.id)")
                #expect(a.completion?.mass == b.completion?.mass, "completion law of \(a.invoice.id)")
                #expect(a.invoice.openAmount(credited: open.credited[a.invoice.id]) == b.invoice.openAmount(credited: full.credited[b.invoice.id]))
            }
            let context = ForecastContext.learn(from: full, asOf: asOf)
            let slow = forecasts(for: full, asOf: asOf)
            let fast = try #require(routeForecasts(for: open, context: context))
            #expect(fast.map(\.invoice) == slow.map(\.invoice))
            #expect(fast.map(\.p10) == slow.map(\.p10))
            #expect(fast.map(\.p50) == slow.map(\.p50))
            #expect(fast.map(\.p90) == slow.map(\.p90))
            #expect(fast.map(\.explanation) == slow.map(\.explanation))
        }
    }

    @Test func invoiceBookGivesTheSamePositionAsTheFullBook() throws {
        let (store, _, day) = try AgendaStoreICSTests.store()
        let full = try #require(try store.book(group: "metalux", asOf: day))
        // Open and settled invoices alike.
        let sample = full.positions.filter { !$0.closed }.prefix(5) + full.positions.filter(\.closed).prefix(5)
        #expect(sample.count == 10)
        for p in sample {
            let (book, q) = try #require(try store.invoiceBook(p.invoice.id, asOf: day, model: full.model))
            #expect(q.closed == p.closed)
            #expect(q.steps.map(\.status) == p.steps.map(\.status), "steps of \(p.invoice.id)")
            #expect(q.pending.map(\.step.id) == p.pending.map(\.step.id))
            #expect(q.completion?.mass == p.completion?.mass)
            #expect(book.credited[p.invoice.id] == full.credited[p.invoice.id])
        }
        #expect(try store.invoiceBook("FA-NOPE", asOf: day, model: full.model) == nil)
        let first = try #require(full.positions.first?.invoice)
        #expect(try store.invoiceBook(first.id, asOf: first.issueDate.adding(days: -1), model: full.model) == nil)
    }

    /// The inputs of a stored-model forecast come from one read: the open book with the stored model, and
    /// the stored context; nothing while either is missing or the data has moved on since.
    @Test func storedForecastInputsAreTheOpenBookWithTheStoredModelAndContext() throws {
        let (store, _, day) = try AgendaStoreICSTests.store()
        #expect(try store.storedForecastInputs(group: "metalux", asOf: day) == nil, "nothing learned yet")
        try store.saveDwellModels(try store.learnDwellModels(asOf: day).models, asOf: day)
        #expect(try store.storedForecastInputs(group: "metalux", asOf: day) == nil, "a model but no forecast context")
        #expect(try learnForecastContexts(in: store, groups: ["metalux"], asOf: day) == 1)
        let inputs = try #require(try store.storedForecastInputs(group: "metalux", asOf: day))
        let model = try #require(try store.dwellModel(group: "metalux", asOf: day))
        let open = try #require(try store.openBook(group: "metalux", asOf: day, model: model))
        #expect(inputs.book.model == model)
        #expect(inputs.book.open.count > 5)
        #expect(inputs.book.open.map(\.invoice.id) == open.open.map(\.invoice.id))
        #expect(inputs.book.open.map { $0.completion?.mass } == open.open.map { $0.completion?.mass })
        #expect(inputs.book.learned.map(\.name) == open.learned.map(\.name))
        #expect(inputs.context == (try store.forecastContext(group: "metalux", asOf: day)))
        #expect(try store.storedForecastInputs(group: "metalux", asOf: day.adding(days: 1)) == nil, "learned for another day")
        #expect(try store.storedForecastInputs(group: "nobody", asOf: day) == nil)
        // A call's outcome is new data: the stored model and context are stale until learned again.
        let target = try #require(open.open.first).invoice.id
        try store.logOutcome(.dispute(reason: "price"), invoices: [target], day: day, contact: "mtx-ssc-ap", person: "Claire Dubois",
                             now: day.adding(days: 1).start(in: Fixture.paris))
        #expect(try store.storedForecastInputs(group: "metalux", asOf: day) == nil)
    }

    /// With the open books packed for the day (`relance learn`), forecasts and the agenda are those made
    /// from the rows; after an import they go back to the rows. (That the packed book is really what they
    /// read: `OpenBookBinaryTests`, where a damaged one is an error.)
    @Test func forecastsAndTheAgendaFromPackedBooksAreThoseFromTheRows() throws {
        let groups = ["metalux", "chu-armor"]
        let (store, _, day) = try AgendaStoreICSTests.store(groups)
        try store.saveDwellModels(try store.learnDwellModels(asOf: day).models, asOf: day)
        #expect(try learnForecastContexts(in: store, groups: groups, asOf: day) == 2)
        let fromRows = try booksWithForecasts(in: store, groups: groups, asOf: day, detail: .ahead)
        let agendaFromRows = try agenda(in: store, date: day)
        let packed = try store.packOpenBooks(groups: groups, asOf: day)
        #expect(packed.books == 2 && packed.invoices == fromRows.reduce(0) { $0 + $1.book.invoices.count })
        let fromPacked = try booksWithForecasts(in: store, groups: groups, asOf: day, detail: .ahead)
        #expect(fromPacked.allSatisfy { $0.fromStoredModel })
        for (a, b) in zip(fromPacked, fromRows) {
            #expect(a.book.invoices == b.book.invoices)
            #expect(a.book.events == b.book.events)
            #expect(a.book.credited == b.book.credited)
            #expect(a.book.open.map { $0.steps.map(\.status) } == b.book.open.map { $0.steps.map(\.status) })
            #expect(a.book.open.map { $0.completion?.mass } == b.book.open.map { $0.completion?.mass })
            #expect(a.forecasts.map(\.invoice) == b.forecasts.map(\.invoice))
            #expect(a.forecasts.map(\.distribution.mass) == b.forecasts.map(\.distribution.mass))
            #expect(a.forecasts.map(\.explanation) == b.forecasts.map(\.explanation))
        }
        #expect(fromRows.flatMap(\.forecasts).count > 10)
        let agendaFromPacked = try agenda(in: store, date: day)
        #expect(!agendaFromPacked.calls.isEmpty)
        #expect(agendaFromPacked == agendaFromRows)
        // New data: the packed books are stale and the rows are read again.
        let target = try #require(fromRows.first?.book.open.first).invoice.id
        try store.logOutcome(.dispute(reason: "price"), invoices: [target], day: day, contact: "mtx-ssc-ap", person: "Claire Dubois",
                             now: day.adding(days: 1).start(in: Fixture.paris))
        try store.saveDwellModels(try store.learnDwellModels(asOf: day).models, asOf: day)
        #expect(try learnForecastContexts(in: store, groups: groups, asOf: day) == 2)
        let after = try #require(try store.storedForecastInputs(group: "metalux", asOf: day))
        #expect(after.book.events[target]?.last?.state == .inDispute)
    }

    /// A position worked out `.ahead` is the full position but for the waiting steps' probabilities, left at
    /// 0; the forecasts and the agenda made from such positions are the full ones.
    @Test func positionsAheadAreFullPositionsButForTheWaitingStepsOdds() throws {
        let (store, _, day) = try AgendaStoreICSTests.store(["metalux", "chu-armor"])
        var waitingWithOdds = 0, pendingCompared = 0
        for group in ["metalux", "chu-armor"] {
            for asOf in [day, day.adding(days: -20), day.adding(days: -45)] {
                let book = try #require(try store.book(group: group, asOf: asOf))
                let engine = PositionEngine(graph: book.graph, model: book.model)
                for invoice in book.invoices where invoice.kind == .invoice {
                    let events = book.events[invoice.id] ?? []
                    let full = engine.position(of: invoice, events: events, asOf: asOf)
                    let ahead = engine.position(of: invoice, events: events, asOf: asOf, detail: .ahead)
                    let id = "\(invoice.id) on \(asOf)"
                    #expect(ahead.closed == full.closed, "\(id)")
                    #expect(ahead.completion?.mass == full.completion?.mass, "completion law of \(id)")
                    #expect(ahead.blocks.map(\.stepID) == full.blocks.map(\.stepID), "\(id)")
                    #expect(ahead.steps.count == full.steps.count, "\(id)")
                    for (a, f) in zip(ahead.steps, full.steps) {
                        #expect(a.step.id == f.step.id && a.status == f.status && a.doneAt == f.doneAt && a.since == f.since
                                && a.dwellDays == f.dwellDays && a.implied == f.implied, "\(f.step.id) of \(id)")
                        #expect(a.law == f.law && a.lawSource == f.lawSource, "law of \(f.step.id) of \(id)")
                        if f.status == .waiting {
                            #expect(a.probabilityDone == 0 && a.probabilityHere == 0, "\(f.step.id) of \(id)")
                            if f.probabilityDone > 0 || f.probabilityHere > 0 { waitingWithOdds += 1 }
                        } else {
                            #expect(a.probabilityDone == f.probabilityDone && a.probabilityHere == f.probabilityHere, "\(f.step.id) of \(id)")
                            if f.status == .pending { pendingCompared += 1 }
                        }
                    }
                }
            }
        }
        // Otherwise the comparison would say nothing.
        #expect(waitingWithOdds > 20)
        #expect(pendingCompared > 20)
        // From the stored model: the same forecasts with either detail.
        try store.saveDwellModels(try store.learnDwellModels(asOf: day).models, asOf: day)
        #expect(try learnForecastContexts(in: store, groups: ["metalux", "chu-armor"], asOf: day) == 2)
        let full = try booksWithForecasts(in: store, groups: ["metalux", "chu-armor"], asOf: day)
        let ahead = try booksWithForecasts(in: store, groups: ["metalux", "chu-armor"], asOf: day, detail: .ahead)
        #expect(full.allSatisfy(\.fromStoredModel) && ahead.allSatisfy(\.fromStoredModel))
        #expect(ahead.flatMap(\.forecasts).map(\.invoice) == full.flatMap(\.forecasts).map(\.invoice))
        #expect(ahead.flatMap(\.forecasts).map(\.distribution.mass) == full.flatMap(\.forecasts).map(\.distribution.mass))
        #expect(ahead.flatMap(\.forecasts).map(\.distribution.start) == full.flatMap(\.forecasts).map(\.distribution.start))
        #expect(ahead.flatMap(\.forecasts).map(\.explanation) == full.flatMap(\.forecasts).map(\.explanation))
        #expect(full.flatMap(\.forecasts).count > 10)
    }

    /// A forecaster that keeps the receipt days of the payment runs ahead gives, invoice by invoice, the
    /// forecasts of one that looks each day up, whatever the habit, over several days and customers.
    @Test func aForecasterRememberingReceiptsForecastsWhatAFreshOneDoes() throws {
        let (store, _, day) = try AgendaStoreICSTests.store(["metalux", "chu-armor"])
        let shared = RouteForecaster(remembersReceipts: true)
        var compared = 0, awaitingDue = 0
        for group in ["metalux", "chu-armor"] {
            for asOf in [day, day.adding(days: -20), day.adding(days: -45)] {
                let book = try #require(try store.book(group: group, asOf: asOf))
                let learned = ForecastContext.learn(from: book, asOf: asOf).habit
                var habits = [learned, PaymentHabit(), PaymentHabit(paysAtDueDate: true, leadDays: 5, bankLagDays: 2, bankLagObservations: 9)]
                habits.append(PaymentHabit(paysAtDueDate: false, bankLagDays: 3, bankLagObservations: 20))
                for p in book.open {
                    for habit in habits {
                        let fresh = RouteForecaster().forecast(p, habit: habit)
                        let kept = shared.forecast(p, habit: habit)
                        #expect(kept?.distribution.start == fresh?.distribution.start, "\(p.invoice.id) on \(asOf)")
                        #expect(kept?.distribution.mass == fresh?.distribution.mass, "\(p.invoice.id) on \(asOf)")
                        #expect(kept?.explanation == fresh?.explanation)
                        if fresh != nil { compared += 1 }
                        if habit.paysAtDueDate, let f = fresh, f.p50 > f.dueDate { awaitingDue += 1 }
                    }
                }
            }
        }
        #expect(compared > 100)
        #expect(awaitingDue > 10)
    }

    @Test func contextRoundTripsThroughJSON() throws {
        let (store, _, day) = try AgendaStoreICSTests.store()
        let full = try #require(try store.book(group: "metalux", asOf: day))
        let context = ForecastContext.learn(from: full, asOf: day)
        #expect(context.habit.settledCount > 0)
        let back = try JSONDecoder().decode(ForecastContext.self, from: JSONEncoder().encode(context))
        #expect(back == context)
    }
}
