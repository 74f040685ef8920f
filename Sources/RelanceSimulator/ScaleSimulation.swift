import Foundation
import RelanceCore

/// Scale mode: thousands of customer groups, each simulated on its own from a seed of its own (so on all
/// cores, in any order, with the same result), and written to the CSV files batch by batch as they come,
/// so that memory holds one batch, not the portfolio.
///
/// The model is that of ``Simulator/run(_:)``, with three differences that make it stream:
/// - invoice numbers are allocated group by group (in group order), in issue order within each group;
/// - events are shuffled within each batch of ``batchSize`` groups, not across the whole file;
/// - each group draws its laws, its invoices and its missing and duplicated events from its own generator.
extension Simulator {
    /// Groups simulated, numbered and written together (fixed, so that output does not depend on the cores).
    public static let batchSize = 64

    /// What a scale run wrote.
    public struct ScaleSummary: Sendable {
        public var truth: GroundTruth
        /// Invoices written (credit notes not included).
        public var invoices: Int
        public var creditNotes: Int
        /// Event rows written (duplicates included).
        public var events: Int
    }

    /// Simulates `graphs` (in the order given) and writes invoices.csv and events.csv rows to the files.
    /// `progress` counts invoices as they are written.
    public func runAtScale(_ graphs: [OrgGraph], invoicesTo invoiceFile: BufferedFile, eventsTo eventFile: BufferedFile,
                           progress: ProgressMeter? = nil) throws -> ScaleSummary {
        var truth = GroundTruth(seed: settings.seed, start: settings.start, asOf: settings.asOf, departments: [], episodes: [], invoicing: [],
                                payAtDueDate: settings.payAtDueDate.sorted(), invoices: 0, eventsGenerated: 0, eventsMissing: 0, eventsDuplicated: 0)
        let zones = Set(graphs.flatMap { g in g.entities.map(\.calendar.timeZone) })
        let days = DayStarts(zones: zones, settings: settings)
        let offsets = ZoneOffsets(zones: zones, from: settings.start.adding(days: -31), to: settings.asOf.adding(days: 1))
        var summary = ScaleSummary(truth: truth, invoices: 0, creditNotes: 0, events: 0)
        try invoiceFile.write(CSVRows.invoiceHeader)
        try eventFile.write(CSVRows.eventHeader)
        var nextNumber = settings.firstNumber
        var invoiceBytes: [UInt8] = []
        invoiceBytes.reserveCapacity(1 << 20)
        for batchStart in stride(from: 0, to: graphs.count, by: Simulator.batchSize) {
            let batch = Array(batchStart..<min(graphs.count, batchStart + Simulator.batchSize))
            let histories = batch.concurrentMap(minimumChunk: 1) { i in simulateGroup(graphs[i], index: i, days: days) }
            // Numbers, invoice rows and the truth, in group order.
            var numbered: [[String]] = []
            for history in histories {
                var numbers: [String] = []
                numbers.reserveCapacity(history.drafts.count)
                for draft in history.drafts {
                    var invoice = draft.invoice
                    let number = "FA-\(invoice.issueDate.year)-\(nextNumber)"
                    invoice.id = number
                    CSVRows.appendInvoice(invoice, to: &invoiceBytes)
                    if var note = draft.creditNote {
                        note.id = "AV-\(note.issueDate.year)-\(nextNumber)"
                        note.credits = number
                        CSVRows.appendInvoice(note, to: &invoiceBytes)
                        summary.creditNotes += 1
                    }
                    for var episode in draft.episodes {
                        episode.invoice = number
                        truth.episodes.append(episode)
                    }
                    numbers.append(number)
                    nextNumber += 1
                    if invoiceBytes.count >= 1 << 20 {
                        try invoiceFile.write(invoiceBytes)
                        invoiceBytes.removeAll(keepingCapacity: true)
                    }
                }
                summary.invoices += history.drafts.count
                truth.departments += history.laws
                truth.invoicing += history.delays
                truth.eventsGenerated += history.eventsGenerated
                truth.eventsMissing += history.eventsMissing
                truth.eventsDuplicated += history.eventsDuplicated
                numbered.append(numbers)
                progress?.advance(by: history.drafts.count)
            }
            try invoiceFile.write(invoiceBytes)
            invoiceBytes.removeAll(keepingCapacity: true)
            // Event rows, formatted on all cores, then shuffled across the batch.
            let numbers = numbered
            let rows = Array(histories.indices).concurrentMap(minimumChunk: 1) { k in
                EventRows(histories[k], numbers: numbers[k], offsets: offsets)
            }
            var order: [(group: Int32, row: Int32)] = []
            order.reserveCapacity(rows.reduce(0) { $0 + $1.count })
            for (g, r) in rows.enumerated() {
                for row in 0..<r.count { order.append((Int32(g), Int32(row))) }
            }
            var shuffler = SeededGenerator(seed: settings.seed ^ (0xBA7C_4000_0000_0000 &+ UInt64(batchStart)))
            for i in stride(from: order.count - 1, to: 0, by: -1) {
                order.swapAt(i, Int(shuffler.next() % UInt64(i + 1)))
            }
            var eventBytes: [UInt8] = []
            eventBytes.reserveCapacity(1 << 20)
            for (g, row) in order {
                rows[Int(g)].append(row: Int(row), to: &eventBytes)
                if eventBytes.count >= 1 << 20 {
                    try eventFile.write(eventBytes)
                    eventBytes.removeAll(keepingCapacity: true)
                }
            }
            try eventFile.write(eventBytes)
            summary.events += order.count
        }
        truth.invoices = summary.invoices + summary.creditNotes
        truth.departments.sort { $0.department < $1.department }
        truth.invoicing.sort { $0.site < $1.site }
        summary.truth = truth
        return summary
    }

    /// The invoices per delivery site and month that give about `invoices` invoices over the period: each site
    /// gets `rate × months × a log-normal factor` (mean e^(0.3²/2)), less those delivered too late to be
    /// issued by the as-of date (about 4 days' worth: the mean invoicing delay).
    public static func rate(forInvoices invoices: Int, graphs: [OrgGraph], settings: SimulationSettings) -> Double {
        let sites = graphs.reduce(0) { $0 + $1.sites.filter(\.receivesDeliveries).count }
        let days = Double(settings.start.days(to: settings.asOf))
        guard sites > 0, days > 8 else { return settings.invoicesPerSiteMonth }
        let issuedInTime = 1 - 4 / days
        return Double(invoices) / (Double(sites) * days / 30.4 * exp(0.3 * 0.3 / 2) * issuedInTime)
    }

    /// A seed of its own for each group, from the run's seed.
    static func groupSeed(_ seed: UInt64, index: Int) -> UInt64 { seed ^ (UInt64(index + 1) &* 0x9E37_79B9_7F4A_7C15) }

    /// One group's history: its laws, then its invoices in issue order with the events that reach us
    /// (missing ones dropped, duplicates added) and its episodes (announced only if the blocking event arrived).
    func simulateGroup(_ graph: OrgGraph, index: Int, days: DayStarts) -> GroupHistory {
        var rng = SeededGenerator(seed: Simulator.groupSeed(settings.seed, index: index))
        var laws: [String: GroundTruth.DepartmentLaw] = [:]
        var delays: [String: GroundTruth.SiteInvoicing] = [:]
        drawLaws(graph, laws: &laws, delays: &delays, rng: &rng)
        var drafts = simulateInvoices(GroupPlan(graph), laws: laws, delays: delays, days: days, rng: &rng)
        drafts.sort(by: InvoiceDraft.issueOrder)
        var history = GroupHistory(laws: laws.values.sorted { $0.department < $1.department },
                                   delays: delays.values.sorted { $0.site < $1.site }, drafts: [])
        let missing = settings.missingEventRateByGroup[graph.group.id] ?? settings.missingEventRate
        for k in drafts.indices {
            var kept: [InvoiceEvent] = []
            kept.reserveCapacity(drafts[k].events.count + 1)
            var announcedAt = Set<String>()
            for e in drafts[k].events {
                history.eventsGenerated += 1
                if !Simulator.isOurOwnRecord(e) && rng.chance(missing) {
                    history.eventsMissing += 1
                    continue
                }
                kept.append(e)
                if e.state?.isBlocking == true { announcedAt.insert(e.department ?? "") }
                if rng.chance(settings.duplicateRate) {
                    kept.append(e)
                    history.eventsDuplicated += 1
                }
            }
            drafts[k].events = kept
            for i in drafts[k].episodes.indices {
                drafts[k].episodes[i].announced = announcedAt.contains(drafts[k].episodes[i].department)
            }
        }
        history.drafts = drafts
        return history
    }
}

/// One group of a scale run, before numbering.
struct GroupHistory: Sendable {
    var laws: [GroundTruth.DepartmentLaw]
    var delays: [GroundTruth.SiteInvoicing]
    var drafts: [InvoiceDraft]
    var eventsGenerated = 0
    var eventsMissing = 0
    var eventsDuplicated = 0
}

/// The events.csv rows of one group, formatted into one buffer, to be shuffled with the batch's.
struct EventRows: Sendable {
    private var bytes: [UInt8] = []
    /// `ends[k]` = end of row k in `bytes`.
    private var ends: [Int] = []

    init(_ history: GroupHistory, numbers: [String], offsets: ZoneOffsets) {
        for (draft, number) in zip(history.drafts, numbers) {
            for e in draft.events {
                CSVRows.appendEvent(e, invoice: number, offsets: offsets, to: &bytes)
                ends.append(bytes.count)
            }
        }
    }

    var count: Int { ends.count }

    func append(row k: Int, to out: inout [UInt8]) {
        let start = k == 0 ? 0 : ends[k - 1]
        out.append(contentsOf: bytes[start..<ends[k]])
    }
}
