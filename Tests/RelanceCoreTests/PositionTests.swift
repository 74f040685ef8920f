import Foundation
import RelanceCore
import Testing

/// Invoices and events on ``Fixture/graph`` for the position, stuck and call-plan tests.
///
/// Invoices are delivered at `plant-ven` and take the route `standard`: the invoice goes scan → match,
/// the approval receipt (`ven-reception`) → bap (`ven-purchasing`) → match; then run (`ssc-treasury`).
/// Payment runs follow `mx-services`' calendar (the owner of the treasury): every Tuesday.
enum PositionFixture {
    static let paris = TimeZone(identifier: "Europe/Paris") ?? .gmt

    static func invoice(_ id: String = "FA-1", issue: String = "2026-10-01", delivery: String? = "2026-09-29", due: String = "2026-12-15",
                        amount: Int64 = 1_000_000, method: PaymentMethod = .transfer, site: String = "plant-ven",
                        payments: [Payment] = []) -> Invoice {
        Invoice(id: id, group: "metalux", entity: "mx-fab", site: site, orderNumber: "PO-4500", deliveryNote: "BL-77",
                issueDate: date(issue), deliveryDate: delivery.map { date($0) }, dueDate: date(due),
                amount: Money(minorUnits: amount, currency: "EUR"), method: method, payments: payments)
    }

    /// An event at `hh:mm` Paris time on `day`.
    static func event(_ state: CanonicalState?, _ day: String, at time: String = "10:00", department: String? = nil,
                      invoice: String = "FA-1", date announced: String? = nil, reason: String? = nil) -> InvoiceEvent {
        let parts = time.split(separator: ":").compactMap { Int($0) }
        let at = date(day).start(in: paris).addingTimeInterval(Double((parts.first ?? 10) * 3600 + (parts.last ?? 0) * 60))
        return InvoiceEvent(invoice: invoice, state: state, at: at, department: department, source: .call, reason: reason,
                            note: state == nil ? "a note" : nil, date: announced.map { date($0) })
    }

    static func position(_ invoice: Invoice = invoice(), _ events: [InvoiceEvent] = [], asOf: String,
                         model: any DwellModel = PriorDwellModel()) -> InvoicePosition {
        PositionEngine(graph: Fixture.graph, model: model).position(of: invoice, events: events, asOf: date(asOf))
    }

    /// The position of the default invoice.
    static func position(_ events: [InvoiceEvent], asOf: String, model: any DwellModel = PriorDwellModel()) -> InvoicePosition {
        position(invoice(), events, asOf: asOf, model: model)
    }
}

/// A model with the prior laws and a chosen reporting rate.
struct ReportingRateModel: DwellModel {
    var rate: Double
    func dwell(for step: RouteStep, department: Department?, group: String) -> (law: DwellDistribution, source: DwellSource) {
        PriorDwellModel().dwell(for: step, department: department, group: group)
    }
    func reportingRate(for step: RouteStep, department: Department?, group: String) -> Double { rate }
}

extension InvoicePosition {
    /// The step, or a recorded issue.
    func stepNamed(_ id: String, sourceLocation: SourceLocation = #_sourceLocation) -> StepPosition? {
        let s = step(id)
        if s == nil { Issue.record("no step \(id) in the position", sourceLocation: sourceLocation) }
        return s
    }

    func statusOf(_ id: String) -> StepPosition.Status? { step(id)?.status }
}

@Suite struct PositionTests {
    typealias F = PositionFixture

    // MARK: No events

    @Test func withoutEventsTheStartingStepsArePendingSinceIssueAndDelivery() throws {
        let p = F.position(asOf: "2026-10-02")
        #expect(p.route?.id == "standard")
        #expect(!p.closed && p.blocks.isEmpty)
        #expect(p.steps.map(\.step.id) == ["scan", "receipt", "bap", "match", "run"])
        let scan = try #require(p.stepNamed("scan")), receipt = try #require(p.stepNamed("receipt"))
        #expect(scan.status == .pending && scan.since == date("2026-10-01") && scan.carried == .invoice)
        #expect(receipt.status == .pending && receipt.since == date("2026-09-29") && receipt.carried == .approval)
        #expect(receipt.department?.id == "ven-reception" && scan.department?.id == "ssc-mailroom")
        #expect(p.statusOf("bap") == .waiting && p.statusOf("match") == .waiting && p.statusOf("run") == .waiting)
        #expect(p.steps.allSatisfy { $0.doneAt == nil && $0.evidence == nil && !$0.implied })
        #expect(Set(p.pending.map(\.step.id)) == ["scan", "receipt"])
        // Working days at the step so far: the receipt has been waiting since Tuesday (Tue, Wed, Thu, Fri).
        #expect(receipt.dwellDays == 3 && scan.dwellDays == 1)
        #expect(p.steps.allSatisfy { $0.lawSource == .prior })
    }

    @Test(arguments: ["2026-10-01", "2026-10-02", "2026-10-06", "2026-10-09", "2026-10-20", "2026-11-30"])
    func probabilitiesAreProbabilities(asOf: String) {
        let p = F.position(asOf: asOf)
        for s in p.steps {
            #expect((0...1).contains(s.probabilityHere) && (0...1).contains(s.probabilityDone), "\(s.step.id) on \(asOf)")
            if s.status == .waiting { #expect(s.probabilityDone < 1, "\(s.step.id) on \(asOf)") }
        }
    }

    /// The fixture's group with one linear route: scan → bap → match → run.
    static var linearGraph: OrgGraph {
        var g = Fixture.graph
        g.routes = [Route(id: "linear", steps: [
            RouteStep(id: "scan", action: .invoiceReceipt, department: .fixed("ssc-mailroom")),
            RouteStep(id: "bap", action: .approval, department: .fixed("ven-purchasing"), after: ["scan"]),
            RouteStep(id: "match", action: .matching, department: .fixed("ssc-ap"), after: ["bap"]),
            RouteStep(id: "run", action: .paymentRun, department: .fixed("ssc-treasury"), after: ["match"]),
        ])]
        return g
    }

    /// Where silence says nothing (no completion is ever reported), the invoice is at exactly one step of a
    /// linear route, or paid: Σ P(here) = 1 − P(run done).
    @Test(arguments: ["2026-10-01", "2026-10-02", "2026-10-06", "2026-10-09", "2026-10-20", "2026-11-30"])
    func onALinearRouteTheInvoiceIsSomewhere(asOf: String) throws {
        let p = PositionEngine(graph: Self.linearGraph, model: ReportingRateModel(rate: 0)).position(of: F.invoice(), events: [], asOf: date(asOf))
        #expect(p.steps.map(\.step.id) == ["scan", "bap", "match", "run"])
        let total = p.steps.map(\.probabilityHere).reduce(0, +)
        let paid = try #require(p.stepNamed("run")).probabilityDone
        #expect(abs(total + paid - 1) < 1e-6, "Σ P(here) = \(total), P(run done) = \(paid) on \(asOf)")
    }

    /// With the prior model (half of the completions reported), silence lowers the chance that the pending
    /// step is done; the steps after it should see the same lower chance of having started.
    @Test(arguments: ["2026-10-02", "2026-10-06"])
    func silenceAtThePendingStepIsPassedOnToTheStepsAfterIt(asOf: String) throws {
        let p = PositionEngine(graph: Self.linearGraph).position(of: F.invoice(), events: [], asOf: date(asOf))
        let scan = try #require(p.stepNamed("scan")), bap = try #require(p.stepNamed("bap"))
        let total = p.steps.map(\.probabilityHere).reduce(0, +) + (p.step("run")?.probabilityDone ?? 0)
        withKnownIssue("PositionEngine: a waiting step's P(started) uses its predecessor's unconditioned finishing law, not the silence-adjusted P(done) of the pending predecessor") {
            #expect(bap.probabilityHere <= scan.probabilityDone + 1e-9, "P(at bap) = \(bap.probabilityHere) but P(scan done) = \(scan.probabilityDone)")
            #expect(abs(total - 1) < 0.05, "Σ P(here) + P(paid) = \(total) on \(asOf)")
        }
    }

    /// On the fixture's route the invoice and its approval join at matching. Each path from a starting step
    /// to payment should hold its branch once: early on, before anything could be paid.
    @Test(arguments: ["2026-10-02", "2026-10-06", "2026-10-09"])
    func eachBranchPathIsSomewhere(asOf: String) throws {
        let p = F.position(asOf: asOf)
        let route = try #require(p.route)
        #expect(route.paths().count == 2)
        withKnownIssue("PositionEngine: silence is not passed on to later steps, and a branch done and waiting at a join for the other branch is counted at no step") {
            for path in route.paths() {
                let total = path.compactMap { p.step($0)?.probabilityHere }.reduce(0, +)
                #expect(abs(total - 1) < 0.1, "path \(path.joined(separator: " → ")) sums to \(total) on \(asOf)")
            }
        }
    }

    @Test func theMostLikelyPlaceOfTheInvoiceIsTheScanEarlyOn() {
        let p = F.position(asOf: "2026-10-02")
        #expect(p.likelyPlace(of: .invoice)?.step.id == "scan")
        let approval = p.likelyPlace(of: .approval)?.step.id
        withKnownIssue("PositionEngine: with nothing heard, the approval is placed at the approval step rather than at the pending goods receipt (P(here) 0.58 vs 0.57), for the reason above") {
            #expect(approval == "receipt")
        }
    }

    @Test(arguments: ["2026-10-02", "2026-10-07", "2026-10-12", "2026-10-20", "2026-11-05"])
    func laterStepsAreLessLikelyDoneThanEarlierOnes(asOf: String) throws {
        let p = F.position(asOf: asOf)
        let receipt = try #require(p.stepNamed("receipt")), bap = try #require(p.stepNamed("bap")), match = try #require(p.stepNamed("match"))
        let run = try #require(p.stepNamed("run"))
        #expect(bap.probabilityDone <= receipt.probabilityDone + 1e-9)
        #expect(match.probabilityDone <= bap.probabilityDone + 1e-9)
        #expect(run.probabilityDone <= match.probabilityDone + 1e-9)
    }

    // MARK: What events prove

    @Test func anApprovalAtPurchasingDatesTheApprovalAndImpliesTheGoodsReceipt() throws {
        let approved = F.event(.approved, "2026-10-08", department: "ven-purchasing")
        let p = F.position([approved], asOf: "2026-10-09")
        let bap = try #require(p.stepNamed("bap")), receipt = try #require(p.stepNamed("receipt"))
        #expect(bap.status == .done && bap.doneAt == date("2026-10-08") && !bap.implied)
        #expect(bap.evidence?.state == .approved)
        #expect(receipt.status == .done && receipt.implied && receipt.doneAt == nil && receipt.evidence == nil)
        #expect(bap.probabilityHere == 0 && receipt.probabilityHere == 0 && receipt.probabilityDone == 1)
        // The invoice branch is untouched; match now waits only for the scan.
        #expect(p.statusOf("scan") == .pending)
        #expect(p.statusOf("match") == .waiting)
    }

    @Test func anApprovalThatSaysNothingOfTheDepartmentStillDatesTheApprovalStep() throws {
        let p = F.position([F.event(.approved, "2026-10-08")], asOf: "2026-10-09")
        #expect(p.step("bap")?.doneAt == date("2026-10-08"))
        #expect(p.step("receipt")?.implied == true)
    }

    @Test func bothBranchesDoneMakeTheJoinPendingSinceTheLaterOne() throws {
        let events = [F.event(.received, "2026-10-05", department: "ssc-mailroom"), F.event(.approved, "2026-10-08", department: "ven-purchasing")]
        let p = F.position(events, asOf: "2026-10-09")
        let match = try #require(p.stepNamed("match"))
        #expect(match.status == .pending)
        #expect(match.since == date("2026-10-08"))
        #expect(p.step("scan")?.doneAt == date("2026-10-05"))
        #expect(p.likelyPlace(of: .both)?.step.id == "match")
    }

    @Test func aScheduledEventDatesNothingBeforeThePaymentRunButImpliesIt() throws {
        let scheduled = F.event(.scheduled, "2026-10-15", department: "ssc-ap", date: "2026-10-20")
        let p = F.position([scheduled], asOf: "2026-10-16")
        for id in ["scan", "receipt", "bap", "match"] {
            let s = try #require(p.stepNamed(id))
            #expect(s.status == .done && s.implied && s.doneAt == nil, "\(id)")
        }
        let run = try #require(p.stepNamed("run"))
        #expect(run.status == .pending)
        #expect(p.scheduledRun == date("2026-10-20"))
        #expect(!p.closed)
        // The run it announced is next Tuesday: not done by the 16th, surely done by the 21st.
        #expect(run.probabilityDone < 0.5)
        let later = F.position([scheduled], asOf: "2026-10-21")
        #expect(later.step("run")?.probabilityDone ?? 0 > 0.5 || later.step("run")?.status == .done)
    }

    @Test func aPaymentSentClosesNothingButMarksEveryStepDone() throws {
        let p = F.position([F.event(.paymentSent, "2026-10-20")], asOf: "2026-10-21")
        #expect(p.steps.allSatisfy { $0.status == .done })
        #expect(p.step("run")?.doneAt == date("2026-10-20"))
        #expect(p.pending.isEmpty)
        #expect(!p.closed)
    }

    @Test func aRouteValidationRefusesShowsNoStepsButEventsStillCloseAndBlock() throws {
        // 65 steps: more than positions follow (validation refuses such a route at import).
        var g = Fixture.graph
        g.addPlant("plant-long", siret: nil)
        g.routes.append(Route(id: "long", appliesTo: RouteRule(sites: ["plant-long"]), steps: (0..<65).map { i in
            RouteStep(id: "s\(i)", action: i == 64 ? .paymentRun : .approval, department: .fixed(i == 64 ? "ssc-treasury" : "ven-purchasing"),
                      after: i == 0 ? [] : ["s\(i - 1)"])
        }))
        let engine = PositionEngine(graph: g)
        let invoice = F.invoice(site: "plant-long")
        let disputed = engine.position(of: invoice, events: [F.event(.inDispute, "2026-10-05", department: "ven-purchasing")], asOf: date("2026-10-06"))
        #expect(disputed.route?.id == "long")
        #expect(disputed.steps.isEmpty && disputed.completion == nil)
        #expect(disputed.blocks.map(\.state) == [.inDispute] && disputed.blocks.first?.stepID == nil)
        let paid = engine.position(of: invoice, events: [F.event(.paid, "2026-10-05")], asOf: date("2026-10-06"))
        #expect(paid.closed && paid.blocks.isEmpty)
        // With 64 steps the route is followed: an approval at purchasing dates its last approval step (s62),
        // implies those before it, and leaves the payment run pending.
        g.editRoute("long") { $0.steps = Array($0.steps.suffix(64)).enumerated().map { i, s in
            var s = s
            s.id = "s\(i)"
            s.after = i == 0 ? [] : ["s\(i - 1)"]
            return s
        } }
        let followed = PositionEngine(graph: g).position(of: invoice, events: [F.event(.approved, "2026-10-05", department: "ven-purchasing")],
                                                         asOf: date("2026-10-06"))
        #expect(followed.steps.count == 64)
        #expect(followed.step("s62")?.doneAt == date("2026-10-05"))
        #expect(followed.step("s0")?.status == .done && followed.step("s0")?.implied == true)
        #expect(followed.pending.map(\.step.id) == ["s63"])
        #expect(followed.completion != nil)
    }

    @Test func twoRoutesWithOneIdAreEachFollowedOnTheirOwnSteps() throws {
        var g = Fixture.graph
        g.addPlant("plant-a", siret: nil)
        g.addPlant("plant-b", siret: nil)
        g.routes.append(Route(id: "twin", appliesTo: RouteRule(sites: ["plant-a"]), steps: [
            RouteStep(id: "scan", action: .invoiceReceipt, department: .fixed("ssc-mailroom")),
            RouteStep(id: "run", action: .paymentRun, department: .fixed("ssc-treasury"), after: ["scan"]),
        ]))
        g.routes.append(Route(id: "twin", appliesTo: RouteRule(sites: ["plant-b"]), steps: [
            RouteStep(id: "approve", action: .approval, department: .fixed("ven-purchasing")),
            RouteStep(id: "match", action: .matching, department: .fixed("ssc-ap"), after: ["approve"]),
            RouteStep(id: "run", action: .paymentRun, department: .fixed("ssc-treasury"), after: ["match"]),
        ]))
        let engine = PositionEngine(graph: g)
        let approved = [F.event(.approved, "2026-10-05", department: "ven-purchasing")]
        let a = engine.position(of: F.invoice(site: "plant-a"), events: approved, asOf: date("2026-10-06"))
        let b = engine.position(of: F.invoice(site: "plant-b"), events: approved, asOf: date("2026-10-06"))
        #expect(a.steps.map(\.step.id) == ["scan", "run"])
        #expect(b.steps.map(\.step.id) == ["approve", "match", "run"])
        #expect(b.step("approve")?.doneAt == date("2026-10-05") && b.pending.map(\.step.id) == ["match"])
    }

    @Test func eventsOutOfOrderGiveTheSamePositionAsInOrder() throws {
        let events = [
            F.event(.received, "2026-10-05", department: "ssc-mailroom"),
            F.event(.goodsReceived, "2026-10-06", department: "ven-reception"),
            F.event(.inDispute, "2026-10-07", department: "ven-purchasing", reason: "QTE_ERR"),
            F.event(nil, "2026-10-08"),
            F.event(.resolved, "2026-10-12", department: "ven-purchasing"),
            F.event(.approved, "2026-10-13", department: "ven-purchasing"),
        ]
        let inOrder = F.position(events, asOf: "2026-10-14")
        for shuffled in [Array(events.reversed()), [events[3], events[5], events[0], events[2], events[4], events[1]]] {
            let p = F.position(shuffled, asOf: "2026-10-14")
            #expect(p.events == inOrder.events)
            #expect(p.blocks.count == inOrder.blocks.count)
            for (a, b) in zip(p.steps, inOrder.steps) {
                #expect(a.status == b.status && a.doneAt == b.doneAt && a.implied == b.implied && a.since == b.since, "\(a.step.id)")
                #expect(a.probabilityHere == b.probabilityHere && a.probabilityDone == b.probabilityDone, "\(a.step.id)")
            }
        }
    }

    @Test func eventsAfterTheAsOfDateAreIgnored() {
        let events = [F.event(.received, "2026-10-05", department: "ssc-mailroom"), F.event(.approved, "2026-10-08", at: "00:30", department: "ven-purchasing")]
        let p = F.position(events, asOf: "2026-10-07")
        #expect(p.events.count == 1)
        #expect(p.statusOf("bap") != .done)
        #expect(F.position(events, asOf: "2026-10-08").statusOf("bap") == .done)
    }

    // MARK: Blocks

    @Test func aDisputeBlocksUntilResolved() throws {
        let dispute = F.event(.inDispute, "2026-10-07", department: "ven-purchasing", reason: "PU_ERR")
        let blocked = F.position([dispute], asOf: "2026-10-09")
        let block = try #require(blocked.blocks.first)
        #expect(blocked.blocks.count == 1)
        #expect(block.state == .inDispute && block.since == date("2026-10-07") && block.stepID == "bap" && block.department == "ven-purchasing")
        // A dispute proves the invoice was received.
        #expect(blocked.step("scan")?.status == .done)
        // A promise or a note does not lift it; a resolution does, and so does an approval.
        #expect(F.position([dispute, F.event(.promised, "2026-10-08", date: "2026-10-30"), F.event(nil, "2026-10-08")], asOf: "2026-10-09").blocks.count == 1)
        #expect(F.position([dispute, F.event(.resolved, "2026-10-08", department: "ven-purchasing")], asOf: "2026-10-09").blocks.isEmpty)
        #expect(F.position([dispute, F.event(.approved, "2026-10-08", department: "ven-purchasing")], asOf: "2026-10-09").blocks.isEmpty)
        // A resolution before the dispute lifts nothing.
        #expect(F.position([F.event(.resolved, "2026-10-06"), dispute], asOf: "2026-10-09").blocks.count == 1)
    }

    @Test func aRefusalIsLiftedOnlyByACreditNoteOrACancellation() {
        let refused = F.event(.refused, "2026-10-07", department: "ssc-ap", reason: "NON_CONFORME")
        for lifting in [CanonicalState.resolved, .approved, .completed, .posted, .scheduled] {
            let p = F.position([refused, F.event(lifting, "2026-10-08")], asOf: "2026-10-09")
            #expect(p.blocks.map(\.state) == [.refused], "\(lifting) lifted a refusal")
        }
        for closing in [CanonicalState.credited, .cancelled] {
            let p = F.position([refused, F.event(closing, "2026-10-08")], asOf: "2026-10-09")
            #expect(p.blocks.isEmpty, "\(closing) did not lift the refusal")
            #expect(p.closed)
        }
    }

    @Test func liftsFollowTheStateRules() {
        #expect(CanonicalState.resolved.lifts(.inDispute))
        #expect(CanonicalState.completed.lifts(.suspended))
        #expect(CanonicalState.paid.lifts(.blocked) && CanonicalState.posted.lifts(.inDispute))
        #expect(CanonicalState.deposited.lifts(.rejected))
        #expect(!CanonicalState.deposited.lifts(.inDispute))
        #expect(!CanonicalState.promised.lifts(.blocked))
        #expect(!CanonicalState.issued.lifts(.rejected))
        #expect(!CanonicalState.inDispute.lifts(.suspended))
        #expect(!CanonicalState.approved.lifts(.refused))
        #expect(CanonicalState.credited.lifts(.refused) && CanonicalState.cancelled.lifts(.refused))
        #expect(!CanonicalState.approved.lifts(.approved))  // not a block
        #expect(CanonicalState.allCases.filter(\.isBlocking) == [.rejected, .suspended, .blocked, .inDispute, .refused])
        #expect(CanonicalState.allCases.filter(\.closesInvoice) == [.paid, .credited, .cancelled])
    }

    @Test func completesListsWhatEachStateProves() {
        #expect(CanonicalState.approved.completes.actions == [.goodsReceipt, .serviceFait, .approval])
        #expect(CanonicalState.inDispute.completes.actions == [.platformRouting, .invoiceReceipt])
        #expect(CanonicalState.scheduled.completes.beforePaymentRun && !CanonicalState.scheduled.completes.all)
        #expect(CanonicalState.paid.completes.all)
        #expect(CanonicalState.promised.completes.actions.isEmpty && !CanonicalState.promised.completes.beforePaymentRun)
        #expect(CanonicalState.madeAvailable.label == "made available")
    }

    @Test func aBlockWithoutDepartmentSitsAtTheMostAdvancedDecidingStep() throws {
        let events = [F.event(.approved, "2026-10-06", department: "ven-purchasing"), F.event(.received, "2026-10-06", department: "ssc-mailroom"),
                      F.event(.suspended, "2026-10-08", reason: "JUSTIF_ABS")]
        let p = F.position(events, asOf: "2026-10-09")
        let block = try #require(p.blocks.first)
        #expect(block.stepID == "match" && block.department == "ssc-ap")
    }

    // MARK: Closed invoices

    @Test func aPaidInvoiceIsClosed() {
        let paid = F.invoice(payments: [Payment(date: date("2026-10-30"), amount: Money(minorUnits: 600_000, currency: "EUR")),
                                        Payment(date: date("2026-11-03"), amount: Money(minorUnits: 400_000, currency: "EUR"))])
        let p = F.position(paid, [], asOf: "2026-11-05")
        #expect(p.closed)
        #expect(p.steps.allSatisfy { $0.status == .done && $0.probabilityHere == 0 })
        #expect(p.pending.isEmpty && p.blocks.isEmpty)
        // Before the last payment it is still open; a partial payment closes nothing.
        let closedBeforeTheLastPayment = F.position(paid, [], asOf: "2026-11-02").closed
        #expect(!closedBeforeTheLastPayment)
        #expect(!F.position(paid, [], asOf: "2026-10-29").closed)
        let partly = F.invoice(payments: [Payment(date: date("2026-10-30"), amount: Money(minorUnits: 600_000, currency: "EUR"))])
        #expect(!F.position(partly, [], asOf: "2026-11-05").closed)
        // A paid event closes it too, and lifts a dispute.
        let q = F.position([F.event(.inDispute, "2026-10-07"), F.event(.paid, "2026-10-20")], asOf: "2026-10-21")
        #expect(q.closed && q.blocks.isEmpty)
    }

    // MARK: Department hint

    @Test func receivedAtALaterStepsDepartmentMarksTheEarlierStepsDone() throws {
        // Received at accounts payable: the invoice is at matching, so the approval is done (date unknown).
        let p = F.position([F.event(.received, "2026-10-12", department: "ssc-ap")], asOf: "2026-10-13")
        let match = try #require(p.stepNamed("match"))
        #expect(match.status == .pending)
        for id in ["receipt", "bap"] {
            let s = try #require(p.stepNamed(id))
            #expect(s.status == .done && s.implied && s.doneAt == nil, "\(id)")
        }
        #expect(p.step("scan")?.status == .done)
        #expect(p.statusOf("run") == .waiting)
        // The same state at the mailroom says nothing about the approval.
        let q = F.position([F.event(.received, "2026-10-12", department: "ssc-mailroom")], asOf: "2026-10-13")
        #expect(q.statusOf("bap") == .waiting && q.statusOf("receipt") == .pending)
    }

    // MARK: Silence as evidence

    @Test func silenceWeighsMoreWhenCompletionsAreUsuallyReported() throws {
        // Issued on 2026-10-01, nothing heard by 2026-10-16: eleven working days at the scan (usual: 2).
        let often = F.position(asOf: "2026-10-16", model: ReportingRateModel(rate: 0.9))
        let rarely = F.position(asOf: "2026-10-16", model: ReportingRateModel(rate: 0.1))
        let stillOften = 1 - (try #require(often.stepNamed("scan"))).probabilityDone
        let stillRarely = 1 - (try #require(rarely.stepNamed("scan"))).probabilityDone
        #expect(stillOften > stillRarely, "P(still at scan): \(stillOften) with rate 0.9, \(stillRarely) with rate 0.1")
        // Both are below what the law alone says is left to do after that long, and above it with no reporting at all.
        let law = try #require(often.stepNamed("scan")).law
        let dwell = try #require(often.stepNamed("scan")?.dwellDays)
        let lawAlone = 1 - law.cdf(dwell)
        #expect(stillOften >= lawAlone && stillRarely >= lawAlone)
        let never = F.position(asOf: "2026-10-16", model: ReportingRateModel(rate: 0))
        #expect(abs((1 - (never.step("scan")?.probabilityDone ?? 0)) - lawAlone) < 1e-9)
    }

    // MARK: Likely department

    @Test func theLikelyDepartmentOfAStateIsThatOfTheOnlyStepItProves() {
        let g = Fixture.graph
        let inv = F.invoice()
        #expect(g.likelyDepartment(of: .approved, for: inv) == "ven-purchasing")
        #expect(g.likelyDepartment(of: .goodsReceived, for: inv) == "ven-reception")
        #expect(g.likelyDepartment(of: .received, for: inv) == "ssc-mailroom")
        #expect(g.likelyDepartment(of: .posted, for: inv) == "ssc-ap")
        #expect(g.likelyDepartment(of: .scheduled, for: inv) == "ssc-treasury")
        #expect(g.likelyDepartment(of: .paymentSent, for: inv) == "ssc-treasury")
        #expect(g.likelyDepartment(of: .inDispute, for: inv) == nil)
        #expect(g.likelyDepartment(of: .completed, for: inv) == nil)
        #expect(g.likelyDepartment(of: .promised, for: inv) == nil)
        // Corbas has no approval step: the goods receipt is the most advanced step an approval proves there.
        #expect(g.likelyDepartment(of: .approved, for: F.invoice(site: "plant-cor")) == "cor-reception")
    }

    @Test func anInvoiceWithoutARouteHasNoSteps() {
        var g = Fixture.graph
        g.routes = []
        let p = PositionEngine(graph: g).position(of: F.invoice(), events: [F.event(.approved, "2026-10-08")], asOf: date("2026-10-09"))
        #expect(p.route == nil && p.steps.isEmpty && p.pending.isEmpty)
    }

    @Test func identityKeysTellDuplicatesApart() {
        let a = F.event(.received, "2026-10-05", department: "ssc-mailroom")
        var b = a
        b.at = a.at.addingTimeInterval(0.4)  // same second
        #expect(a.identityKey == b.identityKey)
        b.at = a.at.addingTimeInterval(1)
        #expect(a.identityKey != b.identityKey)
        var c = a
        c.department = "ssc-ap"
        #expect(a.identityKey != c.identityKey)
        var d = a
        d.id = 42
        d.timeZone = "UTC"
        #expect(a.identityKey == d.identityKey)
        #expect(a.day(in: F.paris) == date("2026-10-05"))
    }
}
