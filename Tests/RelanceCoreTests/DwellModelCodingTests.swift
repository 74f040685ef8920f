import Foundation
import RelanceCore
import Testing

/// The stored form of learned dwell models (`relance learn`): a JSON round trip must give back the same
/// model, law by law and bit by bit, or stored models would give other positions than learned ones.
@Suite struct DwellModelCodingTests {
    static func model() throws -> LearnedDwellModel {
        // Odd fractions (1/7, 1/3…) whose decimal forms are long: a rounding on the way would show.
        let approval = try #require(DwellDistribution.kaplanMeier(completed: [1, 2, 2, 3, 5, 8, 13, 13, 21], censored: [4, 30, 200]))
        let receipt = try #require(DwellDistribution.kaplanMeier(completed: [0, 1, 1, 2, 7, 3, 3], censored: []))
        let key = { (d: String, a: StepAction) in LearnedDwellModel.Key(department: d, action: a) }
        return LearnedDwellModel(
            laws: [key("mtx-hq-purchasing", .approval): approval, key("mtx-dun-reception", .goodsReceipt): receipt],
            counts: [key("mtx-hq-purchasing", .approval): (9, 3), key("mtx-dun-reception", .goodsReceipt): (7, 0), key("mtx-ssc-ap", .matching): (2, 1)],
            reporting: ["metalux|approval": 10.0 / 13, "metalux|matching": 1.0 / 3], minimumObservations: 7)
    }

    static func encode(_ m: LearnedDwellModel) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(m)
    }

    @Test func aModelSurvivesAJSONRoundTripExactly() throws {
        let m = try Self.model()
        let back = try JSONDecoder().decode(LearnedDwellModel.self, from: try Self.encode(m))
        #expect(back == m)
        for (key, law) in m.laws {
            let decoded = try #require(back.laws[key])
            #expect(decoded.mass.map(\.bitPattern) == law.mass.map(\.bitPattern), "\(key.department) \(key.action)")
        }
        #expect(back.counts[LearnedDwellModel.Key(department: "mtx-ssc-ap", action: .matching)]?.censored == 1)
        #expect(back.laws[LearnedDwellModel.Key(department: "mtx-ssc-ap", action: .matching)] == nil)
        #expect(back.reporting["metalux|approval"]?.bitPattern == (10.0 / 13).bitPattern)
        #expect(back.minimumObservations == 7)
        // Encoding is stable: the same bytes twice.
        #expect(try Self.encode(back) == Self.encode(m))
    }

    @Test func theJSONNamesDepartmentsAndActions() throws {
        let text = String(decoding: try Self.encode(try Self.model()), as: UTF8.self)
        #expect(text.contains(#""action":"approval""#) && text.contains(#""department":"mtx-hq-purchasing""#))
        #expect(text.contains(#""minimumObservations":7"#))
        // Sorted by department, then action.
        let order = ["mtx-dun-reception", "mtx-hq-purchasing", "mtx-ssc-ap"].compactMap { text.range(of: $0)?.lowerBound }
        #expect(order.count == 3 && order == order.sorted())
    }

    @Test func equalityNoticesAChange() throws {
        let m = try Self.model()
        var other = m
        other.counts[LearnedDwellModel.Key(department: "mtx-ssc-ap", action: .matching)] = (2, 2)
        #expect(other != m)
        other = m
        other.laws[LearnedDwellModel.Key(department: "mtx-ssc-ap", action: .matching)] = .point(3)
        #expect(other != m)
        other = m
        other.reporting["metalux|approval"] = 0.5
        #expect(other != m)
    }

    @Test(arguments: [
        #"{"minimumObservations":1,"reporting":{},"steps":[{"department":"d","action":"approval","law":[]}]}"#,
        #"{"minimumObservations":1,"reporting":{},"steps":[{"department":"d","action":"approval","law":[0.5,0.6]}]}"#,
        #"{"minimumObservations":1,"reporting":{},"steps":[{"department":"d","action":"approval","law":[1.5,-0.5]}]}"#,
        #"{"minimumObservations":1,"reporting":{},"steps":[{"department":"d","action":"teleport","completed":1}]}"#,
        #"{"minimumObservations":1,"reporting":{},"steps":[{"department":"d","action":"approval","completed":1},{"department":"d","action":"approval","completed":2}]}"#,
    ])
    func aDamagedModelIsRefused(json: String) {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(LearnedDwellModel.self, from: Data(json.utf8)) }
    }

    @Test func anObservedPositionTeachesWhatAFullPositionTeaches() throws {
        // The learner's input without laws (what `relance learn` computes) gives the same observations as the
        // full position, on the fixture's invoices and events.
        let (graph, invoices, events, asOf) = try LearningFixture.make()
        let engine = PositionEngine(graph: graph)
        let full = invoices.map { engine.position(of: $0, events: events[$0.id] ?? [], asOf: asOf) }
        let observed = invoices.map { engine.observedPosition(of: $0, events: events[$0.id] ?? [], asOf: asOf) }
        let learner = DwellLearner(minimumObservations: 2)
        #expect(learner.datedObservations(positions: full) == learner.datedObservations(positions: observed))
        #expect(!learner.datedObservations(positions: full).isEmpty)
        #expect(learner.learn(positions: full, group: graph.group.id) == learner.learn(positions: observed, group: graph.group.id))
        for (f, o) in zip(full, observed) {
            #expect(f.closed == o.closed && f.blocks.count == o.blocks.count)
            #expect(f.steps.map(\.status) == o.steps.map(\.status) && f.steps.map(\.dwellDays) == o.steps.map(\.dwellDays))
            #expect(f.steps.map(\.since) == o.steps.map(\.since) && f.steps.map(\.doneAt) == o.steps.map(\.doneAt))
        }
    }
}

/// Sixty invoices on ``Fixture/graph`` with pseudo-random (seeded) step dates: some paid, some still at
/// purchasing or in dispute, some with silent steps: enough for the learner to see completed and
/// censored times at several departments.
enum LearningFixture {
    static func make() throws -> (graph: OrgGraph, invoices: [Invoice], events: [String: [InvoiceEvent]], asOf: CivilDate) {
        var seed: UInt64 = 0x5EED
        func next(_ n: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(n))
        }
        let asOf = date("2026-11-27")
        var invoices: [Invoice] = [], events: [String: [InvoiceEvent]] = [:]
        for i in 0..<60 {
            let id = "FA-\(1000 + i)"
            let issue = date("2026-06-01").adding(days: 2 * i)
            var day = issue
            var list: [InvoiceEvent] = []
            func add(_ state: CanonicalState, _ department: String, after days: Int, note: String? = nil) {
                day = day.adding(days: days)
                guard day <= asOf.adding(days: 3) else { return }
                list.append(InvoiceEvent(invoice: id, state: state, at: day.start(in: PositionFixture.paris).addingTimeInterval(36_000 + Double(i * 60)),
                                         department: department, source: .erp, note: note))
            }
            add(.received, "ssc-mailroom", after: 1 + next(3))
            if next(5) > 0 { add(.goodsReceived, "ven-reception", after: next(6)) }
            if i % 9 == 4 { add(.inDispute, "ven-purchasing", after: 2) }
            if next(4) > 0 { add(.approved, "ven-purchasing", after: 1 + next(12)) }
            if i < 45 { add(.posted, "ssc-ap", after: 1 + next(5)) }
            var payments: [Payment] = []
            if i < 35 {
                add(.paymentSent, "ssc-treasury", after: 2 + next(6))
                if day <= asOf { payments = [Payment(date: day, amount: Money(minorUnits: 120_000, currency: "EUR"))] }
            }
            invoices.append(Invoice(id: id, group: "metalux", entity: "mx-fab", site: "plant-ven", orderNumber: "PO-\(i)", issueDate: issue,
                                    deliveryDate: issue.adding(days: -2), dueDate: issue.adding(days: 60),
                                    amount: Money(minorUnits: 120_000, currency: "EUR"), payments: payments))
            events[id] = list
        }
        return (Fixture.graph, invoices, events, asOf)
    }
}
