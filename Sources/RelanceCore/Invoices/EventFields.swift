import Foundation

/// One event as the bytes of its file's fields, for bulk imports that check and store millions of rows
/// without making a `String` of each field (see `relance import events`).
///
/// The text fields point into the reader's buffer: they are valid only during the call that hands the
/// value over, and must not be kept. An empty field stands for an absent value (SQL NULL), as an empty
/// cell does in a file. Every text field is valid UTF-8.
public struct EventFields {
    public var invoice: UnsafeBufferPointer<UInt8>
    public var state: CanonicalState?
    /// Seconds since 1970-01-01 UTC, with the fraction the file gave (stored rounded down, as ``InvoiceEvent/at``).
    public var at: Double
    /// The time zone the time was given in (never empty).
    public var timeZone: UnsafeBufferPointer<UInt8>
    public var department: UnsafeBufferPointer<UInt8>
    public var contact: UnsafeBufferPointer<UInt8>
    public var source: EventSource
    public var rawCode: UnsafeBufferPointer<UInt8>
    public var reason: UnsafeBufferPointer<UInt8>
    public var action: UnsafeBufferPointer<UInt8>
    public var note: UnsafeBufferPointer<UInt8>
    public var date: CivilDate?

    public init(invoice: UnsafeBufferPointer<UInt8>, state: CanonicalState?, at: Double, timeZone: UnsafeBufferPointer<UInt8>,
                department: UnsafeBufferPointer<UInt8> = .empty, contact: UnsafeBufferPointer<UInt8> = .empty, source: EventSource,
                rawCode: UnsafeBufferPointer<UInt8> = .empty, reason: UnsafeBufferPointer<UInt8> = .empty,
                action: UnsafeBufferPointer<UInt8> = .empty, note: UnsafeBufferPointer<UInt8> = .empty, date: CivilDate? = nil) {
        self.invoice = invoice
        self.state = state
        self.at = at
        self.timeZone = timeZone
        self.department = department
        self.contact = contact
        self.source = source
        self.rawCode = rawCode
        self.reason = reason
        self.action = action
        self.note = note
        self.date = date
    }

    /// The instant rounded down to the second, as stored.
    public var seconds: Int64 { Int64(at.rounded(.down)) }

    /// The event as a value (each field copied into a `String`).
    public var event: InvoiceEvent {
        func text(_ b: UnsafeBufferPointer<UInt8>) -> String? { b.isEmpty ? nil : String(decoding: b, as: UTF8.self) }
        return InvoiceEvent(invoice: String(decoding: invoice, as: UTF8.self), state: state, at: Date(timeIntervalSince1970: at),
                            timeZone: String(decoding: timeZone, as: UTF8.self), department: text(department), contact: text(contact),
                            source: source, rawCode: text(rawCode), reason: text(reason), action: text(action), note: text(note), date: date)
    }

    /// Writes ``InvoiceEvent/identityKey`` of this event into `key` (emptied first), byte for byte the same.
    public func identity(into key: inout [UInt8]) {
        key.removeAll(keepingCapacity: true)
        func field(_ b: UnsafeBufferPointer<UInt8>) { if b.isEmpty { key.append(UInt8(ascii: "-")) } else { key.append(contentsOf: b) } }
        let bar = UInt8(ascii: "|")
        key.append(contentsOf: invoice)
        key.append(bar)
        if let state { key.append(contentsOf: state.rawValue.utf8) } else { key.append(UInt8(ascii: "-")) }
        key.append(bar)
        key.append(contentsOf: String(seconds).utf8)
        key.append(bar)
        field(department)
        key.append(bar)
        key.append(contentsOf: source.rawValue.utf8)
        key.append(bar)
        field(rawCode)
        key.append(bar)
        field(contact)
        key.append(bar)
        if note.isEmpty {
            key.append(UInt8(ascii: "-"))
        } else if let cut = EventFields.asciiPrefix(note, characters: 40) {
            key.append(contentsOf: UnsafeBufferPointer(rebasing: note[..<cut]))
        } else {
            key.append(contentsOf: String(decoding: note, as: UTF8.self).prefix(40).utf8)
        }
    }

    /// Where the first `characters` characters of `text` end, when they are ASCII other than a carriage
    /// return (each byte then one `Character`); `nil` when grapheme clusters must be counted.
    static func asciiPrefix(_ text: UnsafeBufferPointer<UInt8>, characters: Int) -> Int? {
        // One more byte is looked at: a carriage return followed by a line feed is a single character.
        let end = min(text.count, characters + 1)
        for i in 0..<end where text[i] >= 0x80 || text[i] == UInt8(ascii: "\r") { return nil }
        return min(text.count, characters)
    }
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// No bytes: an absent field.
    public static var empty: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: nil, count: 0) }
}
