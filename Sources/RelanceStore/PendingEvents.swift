import Foundation
import RelanceCore

/// Checked events waiting to be inserted, kept compact (their texts in one byte array), and handed to the
/// insert sorted by invoice number, then second, then arrival.
///
/// Why sorted: a file lists events in time order, so consecutive rows belong to invoices all over the
/// event table's indexes (the unique identity, which starts with the invoice number, and invoice + time),
/// and each insert then reads and dirties index pages far from the last one. In invoice order, the rows
/// of a batch walk each index once from start to end, and most pages are met while still in the cache.
/// Nothing a reader sees changes: events are always read by invoice, time and id, and the rows of one
/// invoice and one second keep their order in the file, so of two rows with the same identity the first
/// in the file is still the one stored and the other the one ignored.
struct PendingEvents {
    /// Text in `bytes`; `count < 0` for NULL.
    struct Span {
        var start: Int32
        var count: Int32
        static let null = Span(start: 0, count: -1)
    }

    struct Row {
        var invoice, timeZone, department, contact, rawCode, reason, action, note, currency: Span
        /// The identity given with the event, or NULL: worked out from the fields when inserted.
        var identity: Span
        var at: Double
        var amount: Int64
        /// The day number of the event's date, or `Int32.min`.
        var date: Int32
        /// Indexes into `PendingEvents.states` (-1: no state) and `PendingEvents.sources`.
        var state: Int8
        var source: UInt8
        var hasAmount: Bool
        /// The department was inferred: the identity is that of the event without it.
        var departmentInferred: Bool
    }

    static let states = CanonicalState.allCases
    static let sources = EventSource.allCases
    private static let stateIndex = Dictionary(uniqueKeysWithValues: states.enumerated().map { ($1, Int8($0)) })
    private static let sourceIndex = Dictionary(uniqueKeysWithValues: sources.enumerated().map { ($1, UInt8($0)) })

    /// A batch is inserted when it has this many rows or bytes of text: at most about 100 MiB in all.
    static let rowLimit = 1 << 19
    static let byteLimit = 48 << 20

    private(set) var rows: [Row] = []
    private(set) var bytes: [UInt8] = []

    var isEmpty: Bool { rows.isEmpty }
    var isFull: Bool { rows.count >= PendingEvents.rowLimit || bytes.count >= PendingEvents.byteLimit }

    mutating func removeAll() {
        rows.removeAll(keepingCapacity: true)
        bytes.removeAll(keepingCapacity: true)
    }

    /// Keeps `text` (NULL when `nil`).
    mutating func span(_ text: UnsafeBufferPointer<UInt8>?) -> Span {
        guard let text else { return .null }
        let start = Int32(bytes.count)
        bytes.append(contentsOf: text)
        return Span(start: start, count: Int32(text.count))
    }

    /// Keeps `text` (NULL when empty: an absent field).
    mutating func field(_ text: UnsafeBufferPointer<UInt8>) -> Span { span(text.isEmpty ? nil : text) }

    mutating func span(_ text: String?) -> Span {
        guard var text else { return .null }
        return text.withUTF8 { span($0) }
    }

    /// An event read from the bytes of its fields; `department` is the department to store.
    mutating func append(_ e: EventFields, department: UnsafeBufferPointer<UInt8>, inferred: Bool) {
        let invoice = span(e.invoice), timeZone = span(e.timeZone)
        let row = Row(invoice: invoice, timeZone: timeZone, department: field(department), contact: field(e.contact),
                      rawCode: field(e.rawCode), reason: field(e.reason), action: field(e.action), note: field(e.note), currency: .null,
                      identity: .null, at: e.at, amount: 0, date: e.date.map { Int32(clamping: $0.dayNumber) } ?? Int32.min,
                      state: e.state.flatMap { PendingEvents.stateIndex[$0] } ?? -1, source: PendingEvents.sourceIndex[e.source] ?? 0,
                      hasAmount: false, departmentInferred: inferred)
        rows.append(row)
    }

    /// An event given as a value, with its identity.
    mutating func append(_ e: InvoiceEvent, identity: String) {
        let invoice = span(e.invoice), timeZone = span(e.timeZone)
        let row = Row(invoice: invoice, timeZone: timeZone, department: span(e.department), contact: span(e.contact),
                      rawCode: span(e.rawCode), reason: span(e.reason), action: span(e.action), note: span(e.note),
                      currency: span(e.amount?.currency), identity: span(identity), at: e.at.timeIntervalSince1970,
                      amount: e.amount?.minorUnits ?? 0, date: e.date.map { Int32(clamping: $0.dayNumber) } ?? Int32.min,
                      state: e.state.flatMap { PendingEvents.stateIndex[$0] } ?? -1, source: PendingEvents.sourceIndex[e.source] ?? 0,
                      hasAmount: e.amount != nil, departmentInferred: false)
        rows.append(row)
    }

    /// The rows' positions in insertion order: by invoice number (bytes, as SQLite compares text), then
    /// second, then arrival.
    func order() -> [Int32] {
        struct Key {
            var head: UInt64, tail: UInt64
            var second: Int64
            var row: Int32
            var long: Bool
        }
        return bytes.withUnsafeBufferPointer { all in
            func word(_ s: Span, _ from: Int) -> UInt64 {
                var w: UInt64 = 0
                for k in from..<from + 8 {
                    w <<= 8
                    if k < Int(s.count) { w |= UInt64(all[Int(s.start) + k]) }
                }
                return w
            }
            var keys = rows.indices.map { i in
                let s = rows[i].invoice
                return Key(head: word(s, 0), tail: word(s, 8), second: Int64(rows[i].at.rounded(.down)), row: Int32(i), long: s.count > 16)
            }
            /// Invoice numbers beyond their first 16 bytes, and lengths (a prefix sorts first).
            func rest(_ a: Int32, _ b: Int32) -> Int {
                let x = rows[Int(a)].invoice, y = rows[Int(b)].invoice
                let n = Int(min(x.count, y.count))
                if n > 16, let base = all.baseAddress {
                    let c = memcmp(base + Int(x.start) + 16, base + Int(y.start) + 16, n - 16)
                    if c != 0 { return Int(c) }
                }
                return Int(x.count) - Int(y.count)
            }
            keys.sort { a, b in
                if a.head != b.head { return a.head < b.head }
                if a.tail != b.tail { return a.tail < b.tail }
                if a.long || b.long {
                    let c = rest(a.row, b.row)
                    if c != 0 { return c < 0 }
                } else if rows[Int(a.row)].invoice.count != rows[Int(b.row)].invoice.count {
                    return rows[Int(a.row)].invoice.count < rows[Int(b.row)].invoice.count
                }
                if a.second != b.second { return a.second < b.second }
                return a.row < b.row
            }
            return keys.map(\.row)
        }
    }
}
