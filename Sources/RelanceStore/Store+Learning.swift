import Foundation
import GRDB
import GRDBSQLite
import RelanceCore

/// What learning reads of a group: its invoices (not credit notes) issued by the as-of day, each with the
/// range of its events in `events`, in time order.
struct LearningData {
    var invoices: [DwellObserver.InvoiceFacts] = []
    /// `events[starts[i] ..< starts[i + 1]]` are the events of `invoices[i]`.
    var starts: [Int] = [0]
    var events: [DwellObserver.Event] = []
    /// Every event of the group's documents up to the cutoff, as reported (credit notes' and later invoices' too).
    var eventCount = 0
}

extension Store {
    /// One group's model, from its data read now, in one read transaction: the same model as
    /// ``learnDwellModel(graph:invoices:events:asOf:minimumObservations:concurrent:)`` learns from the
    /// group's positions (what ``book(group:asOf:minimumObservations:useStoredModel:)`` does), tallied by a
    /// ``DwellObserver`` from the columns it needs: no `Invoice` nor `InvoiceEvent` values, no positions.
    func learnDwellModel(group: String, asOf: CivilDate, minimumObservations: Int, concurrent: Bool) throws -> LearnedGroupModel? {
        let started = DispatchTime.now().uptimeNanoseconds
        typealias Read = (version: DataVersion, graph: OrgGraph, observer: DwellObserver, data: LearningData)
        let read: Read? = try writer.read { db in
            let version = try dataVersion(group: group, db)
            guard let graph = try loadGraph(group, includeArchived: false, contacts: false, db) else { return nil }
            let observer = DwellObserver(graph: graph, asOf: asOf)
            return (version, graph, observer, try Store.learningData(group: group, observer: observer, until: Store.cutoff(asOf), db))
        }
        guard let (version, graph, observer, data) = read else { return nil }
        let tally = Store.tally(data, observer: observer, concurrent: concurrent)
        let model = DwellLearner(minimumObservations: minimumObservations).learn(tally: tally, group: graph.group.id)
        return LearnedGroupModel(group: group, model: model, version: version, invoices: data.invoices.count, events: data.eventCount,
                                 seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
    }

    /// The tally of every invoice; with `concurrent`, invoices are spread over the cores and the tallies merged.
    static func tally(_ data: LearningData, observer: DwellObserver, concurrent: Bool) -> DwellTally {
        data.events.withUnsafeBufferPointer { events in
            nonisolated(unsafe) let events = events
            let observe: @Sendable (Range<Int>) -> DwellTally = { range in
                var tally = DwellObserver.Tally(observer: observer)
                for i in range {
                    let own = UnsafeBufferPointer(rebasing: events[data.starts[i]..<data.starts[i + 1]])
                    observer.observe(data.invoices[i], events: own, into: &tally)
                }
                return tally.tally()
            }
            let n = data.invoices.count
            guard concurrent, n >= 2 * 64 else { return observe(0..<n) }
            let chunks = Swift.min(ProcessInfo.processInfo.activeProcessorCount * 4, n / 64)
            let ranges = (0..<chunks).map { c in (n * c / chunks)..<(n * (c + 1) / chunks) }
            var tally = DwellTally()
            for t in ranges.concurrentMap(minimumChunk: 1, observe) { tally.merge(t) }
            return tally
        }
    }

    /// Reads a group's invoices (not credit notes) issued by the observer's as-of day, whether each is paid in
    /// full by the payments known that day, and their events up to `until`, in three queries whose rows come
    /// in invoice rowid order (no sort: see the `event_for_learning` index).
    ///
    /// Which invoices, and whether paid, are as ``invoices(group:)`` then `known(on:)` give them: a document
    /// whose issue or due date does not parse is left out, an unknown kind is an invoice, a payment whose
    /// date does not parse is left out.
    static func learningData(group: String, observer: DwellObserver, until: Date, _ db: Database) throws -> LearningData {
        let asOf = observer.asOf
        var data = LearningData()
        var rowids: [Int64] = []
        var amounts: [Int64] = []
        var circuits: [SiteOrderKey: DwellObserver.Circuit] = [:]
        try stepRows(db, sql: """
            SELECT rowid, kind, site_id, order_type, issue_date, delivery_date, due_date, amount_minor FROM invoice
            WHERE group_id = ? ORDER BY rowid
            """, arguments: [group]) { s in
            guard let issue = civilDate(s, 4), issue <= asOf, civilDate(s, 6) != nil,
                  (text(s, 1).flatMap { Invoice.Kind(rawValue: $0) } ?? .invoice) == .invoice else { return }
            let key = SiteOrderKey(site: text(s, 2) ?? "", orderType: text(s, 3))
            let circuit: DwellObserver.Circuit
            if let known = circuits[key] {
                circuit = known
            } else {
                circuit = observer.circuit(site: key.site, orderType: key.orderType)
                circuits[key] = circuit
            }
            rowids.append(sqlite3_column_int64(s, 0))
            amounts.append(sqlite3_column_int64(s, 7))
            data.invoices.append(DwellObserver.InvoiceFacts(circuit: circuit, issueDate: issue, deliveryDate: civilDate(s, 5), paid: false))
        }
        // Paid in full by the payments known on the as-of day.
        var paid = Array(repeating: Int64(0), count: rowids.count), payments = Array(repeating: 0, count: rowids.count)
        var k = 0
        try stepRows(db, sql: """
            SELECT i.rowid, p.date, p.amount_minor FROM invoice i JOIN payment p ON p.invoice_id = i.id WHERE i.group_id = ? ORDER BY i.rowid
            """, arguments: [group]) { s in
            let rowid = sqlite3_column_int64(s, 0)
            while k < rowids.count && rowids[k] < rowid { k += 1 }
            guard k < rowids.count, rowids[k] == rowid, let date = civilDate(s, 1), date <= asOf else { return }
            paid[k] += sqlite3_column_int64(s, 2)
            payments[k] += 1
        }
        for i in data.invoices.indices { data.invoices[i].paid = payments[i] > 0 && paid[i] >= amounts[i] }
        // The events, by invoice in time order (then in the order they were recorded).
        let states = ByteKeyedTable(texts: CanonicalState.allCases.enumerated().map { ($1.rawValue, Int32($0)) })
        let departments = ByteKeyedTable(texts: observer.departmentIDs.enumerated().map { ($1, Int32($0)) })
        data.starts.reserveCapacity(rowids.count + 1)
        k = 0
        try stepRows(db, sql: """
            SELECT i.rowid, e.at, e.state, e.department_id FROM invoice i JOIN event e ON e.invoice_id = i.id
            WHERE i.group_id = ? AND e.at <= ? ORDER BY i.rowid, e.at, e.id
            """, arguments: [group, Int64(until.timeIntervalSince1970)]) { s in
            data.eventCount += 1
            let rowid = sqlite3_column_int64(s, 0)
            while k < rowids.count && rowids[k] < rowid {
                k += 1
                data.starts.append(data.events.count)
            }
            guard k < rowids.count, rowids[k] == rowid else { return }
            let state = bytes(s, 2).flatMap { states[$0] }.map(Int.init) ?? -1
            let department = bytes(s, 3).flatMap { departments[$0] } ?? -1
            data.events.append(DwellObserver.Event(at: sqlite3_column_int64(s, 1), stateIndex: state, department: department))
        }
        while data.starts.count < rowids.count + 1 { data.starts.append(data.events.count) }
        return data
    }

    private struct SiteOrderKey: Hashable {
        var site: String
        var orderType: String?
    }

    /// A text column's bytes, `nil` when NULL (valid until the statement moves on).
    static func bytes(_ s: SQLiteStatement, _ column: Int32) -> UnsafeBufferPointer<UInt8>? {
        guard let p = sqlite3_column_text(s, column) else { return nil }
        return UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(s, column)))
    }

    /// A text column, `nil` when NULL.
    static func text(_ s: SQLiteStatement, _ column: Int32) -> String? {
        bytes(s, column).map { String(decoding: $0, as: UTF8.self) }
    }

    /// A `YYYY-MM-DD` column, `nil` when NULL or not a date.
    static func civilDate(_ s: SQLiteStatement, _ column: Int32) -> CivilDate? {
        bytes(s, column).flatMap { CivilDate(isoBytes: $0) }
    }
}
