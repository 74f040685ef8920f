import Foundation
import RelanceCore

/// Turns a record of an events CSV into an event, from the bytes of its fields when they are ASCII (the
/// usual case), by the same rules and with the same messages as ``EventFileReader/record(line:file:zones:_:)``,
/// which reads any other record (non-ASCII text, an amount).
struct EventRowParser {
    let file: String
    private let columns: EventColumns
    private let positions: [Int?]
    private var zones = TimeZoneCache()
    /// The last zone named by a row, and its name: files name one or two zones in all.
    private var lastZoneName: [UInt8] = []
    private var lastZone: TimeZone?
    /// The name of the zone of a time given with an offset (`GMT+0200`), written here for each row.
    private var zoneText: [UInt8] = []
    private static let paris = Array("Europe/Paris".utf8)
    private static let states = CanonicalState.allCases.map { ($0, Array($0.rawValue.utf8)) }
    private static let sources = EventSource.allCases.map { ($0, Array($0.rawValue.utf8)) }

    init(file: String, header: [String]) {
        self.file = file
        let columns = EventColumns(header: header)
        self.columns = columns
        positions = EventColumn.allCases.map { columns.position($0) }
        zoneText.reserveCapacity(64)
    }

    /// Hands the record over as `fields` (ASCII rows), as `event` (any other row) or its problems.
    mutating func parse(_ r: CSVByteStream.Record, fields: (EventFields, Int) throws -> Void, event: (EventRecord) throws -> Void,
                        problems: ([Diagnostic]) throws -> Void) throws {
        func value(_ c: EventColumn) -> UnsafeBufferPointer<UInt8> {
            guard let i = positions[c.rawValue], i < r.count else { return .empty }
            return r.bytes(i)
        }
        guard r.isASCII, value(.amount).isEmpty else {
            let columns = columns
            switch EventFileReader.record(line: r.line, file: file, zones: &zones, { c in columns.position(c).flatMap { i in
                guard i < r.count else { return nil }
                let v = r.text(i)
                return v.isEmpty ? nil : v
            } }) {
            case .success(let record): try event(record)
            case .failure(let error): try problems(error.diagnostics)
            }
            return
        }
        var found: [Diagnostic] = []
        func bad(_ field: String, _ message: String) throws {
            found.append(Diagnostic(file: file, line: r.line, field: field, message: message))
            try problems(found)
        }
        func text(_ b: UnsafeBufferPointer<UInt8>) -> String { String(decoding: b, as: UTF8.self) }
        let invoice = value(.invoice)
        guard !invoice.isEmpty else { return try bad("invoice", "the invoice number is empty") }
        let stateText = value(.state)
        var state: CanonicalState?
        if !EventRowParser.equalsIgnoringCase(stateText, Array("note".utf8)) {
            guard let s = EventRowParser.states.first(where: { EventRowParser.equalsIgnoringCase(stateText, $0.1) })?.0 else {
                return try bad("state", "'\(text(stateText))' is not a canonical state (docs/states.md), nor 'note'")
            }
            state = s
        }
        let zoneField = value(.timeZone)
        guard let zone = self.zone(zoneField.isEmpty ? nil : zoneField) else {
            return try bad("time_zone", "unknown time zone '\(zoneField.isEmpty ? "Europe/Paris" : text(zoneField))'")
        }
        let atField = value(.at)
        guard !atField.isEmpty else { return try bad("at", "the time is empty") }
        guard let (at, given) = Instants.parse(bytes: EventRowParser.trimmingSpaces(atField), zone: zone) else {
            return try bad("at", "'\(text(atField))' is not a date-time (ISO 8601 such as 2026-11-12T09:30:00+01:00, or 2026-11-12 09:30) between \(Instants.years.lowerBound) and \(Instants.years.upperBound)")
        }
        var source = EventSource.erp
        let sourceField = value(.source)
        if !sourceField.isEmpty {
            guard let s = EventRowParser.sources.first(where: { EventRowParser.equalsIgnoringCase(sourceField, $0.1) })?.0 else {
                return try bad("source", "'\(text(sourceField))' is not one of: \(EventSource.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            source = s
        }
        var date: CivilDate?
        let dateField = value(.date)
        if !dateField.isEmpty {
            guard let parsed = Instants.day(text(dateField)) else { return try bad("date", "'\(text(dateField))' is not a date YYYY-MM-DD") }
            date = parsed
        }
        let note = value(.note)
        if state == .promised && date == nil { found.append(Diagnostic(file: file, line: r.line, field: "date", message: "a promise to pay needs the promised date")) }
        if state == nil && note.isEmpty { found.append(Diagnostic(file: file, line: r.line, field: "note", message: "a note (state 'note') needs its text")) }
        guard found.isEmpty else { return try problems(found) }
        func hand(_ timeZone: UnsafeBufferPointer<UInt8>) throws {
            try fields(EventFields(invoice: invoice, state: state, at: at, timeZone: timeZone, department: value(.department),
                                   contact: value(.contact), source: source, rawCode: value(.rawCode), reason: value(.reason),
                                   action: value(.action), note: note, date: date), r.line)
        }
        // An explicit offset fixes the instant; the named zone, when given, is how to show it.
        if !zoneField.isEmpty { return try hand(zoneField) }
        zoneText.removeAll(keepingCapacity: true)
        zoneText.append(contentsOf: given.name(zone).utf8)
        try zoneText.withUnsafeBufferPointer { try hand($0) }
    }

    /// The zone a row names (`nil`: Europe/Paris), looked up once per name.
    private mutating func zone(_ name: UnsafeBufferPointer<UInt8>?) -> TimeZone? {
        let bytes = name ?? UnsafeBufferPointer(start: nil, count: 0)
        if let lastZone, name == nil ? lastZoneName == EventRowParser.paris : lastZoneName.elementsEqual(bytes) { return lastZone }
        let text = name.map { String(decoding: $0, as: UTF8.self) } ?? "Europe/Paris"
        guard let zone = zones.zone(text) else { return nil }
        lastZone = zone
        lastZoneName = Array(text.utf8)
        return zone
    }

    /// Whether ASCII `bytes` are `lower` (lower-case ASCII) in any case.
    static func equalsIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ lower: [UInt8]) -> Bool {
        guard bytes.count == lower.count else { return false }
        for i in 0..<lower.count {
            let b = bytes[i]
            if (b >= 65 && b <= 90 ? b + 32 : b) != lower[i] { return false }
        }
        return true
    }

    /// ASCII text without the spaces and tabs at its ends (``Instants/trimmed(_:)`` for ASCII).
    static func trimmingSpaces(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var lo = 0, hi = bytes.count
        while lo < hi && (bytes[lo] == 0x20 || bytes[lo] == 0x09) { lo += 1 }
        while hi > lo && (bytes[hi - 1] == 0x20 || bytes[hi - 1] == 0x09) { hi -= 1 }
        return UnsafeBufferPointer(rebasing: bytes[lo..<hi])
    }
}
