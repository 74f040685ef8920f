import Foundation
import RelanceCore
import Synchronization

extension Agenda {
    /// The agenda as indented JSON with sorted keys (dates as ISO 8601): byte for byte what one `JSONEncoder`
    /// with `[.prettyPrinted, .sortedKeys]` and `.iso8601` dates writes (``jsonEncoder()``; the tests hold
    /// the two to each other). See ``writePrettyJSON(chunkSize:window:to:)``, which it collects.
    public func prettyJSON(chunkSize: Int = 1_024) throws -> Data {
        var out = Data()
        try writePrettyJSON(chunkSize: chunkSize) { out.append(contentsOf: $0) }
        return out
    }

    /// ``prettyJSON(chunkSize:)`` handed to `write` piece by piece, in order, so that the whole text is never
    /// in memory: a million open invoices make about a gigabyte of agenda. It is written by
    /// ``PrettyJSONWriter`` straight from the agenda's fields (through `Codable`, even spread over the cores,
    /// encoding was 18% of `relance agenda`'s CPU).
    ///
    /// Each list is cut into chunks of at most `chunkSize` invoices (a call, a letter or a request to a sales
    /// rep weighs one plus its invoices, any other element one; an element heavier than that is a chunk of
    /// its own), so that a chunk's text is about the same size whatever the list (about half a megabyte for
    /// the default): cut by elements, a chunk of 512 letters was 50 MB. Chunks are encoded `window` at a time
    /// on every core, and each is one piece handed to `write` (its separator from the chunk before included).
    /// While a window's pieces are written, the next window is encoded: writing a gigabyte to a file is a
    /// second or two of copying in the kernel, which left a core idle. At most two windows' text is held,
    /// in buffers used again from window to window (fresh ones for each chunk, grown by doubling, were
    /// zeroed page by page by the kernel, then copied at each growth). A piece's bytes are valid only while
    /// `write` runs: they are written into again afterwards.
    public func writePrettyJSON(chunkSize: Int = 1_024, window: Int = 16, to write: (UnsafeRawBufferPointer) throws -> Void) throws {
        let size = max(1, chunkSize), batch = max(1, window)
        let buffers = ByteBuffers()
        // Pieces encoded and not yet written, in order.
        var pending: [Result<ByteSink, any Error>] = []
        func writePending() throws {
            for part in pending { try write(try part.get().bytes) }
            for part in pending { if case .success(let sink) = part { buffers.giveBack(sink) } }
            pending.removeAll(keepingCapacity: true)
        }
        // A list's elements, chunk by chunk, at the depth of a list's elements in the agenda.
        func elements<T: Sendable>(_ items: [T], weight: (T) -> Int,
                                   _ element: @escaping @Sendable (inout PrettyJSONWriter, T) throws -> Void) throws {
            var chunks: [Range<Int>] = []
            var first = 0, load = 0
            for i in items.indices {
                let w = weight(items[i])
                if i > first, load + w > size {
                    chunks.append(first..<i)
                    first = i
                    load = 0
                }
                load += w
            }
            chunks.append(first..<items.count)
            for start in stride(from: 0, to: chunks.count, by: batch) {
                let part = Array(chunks[start..<min(chunks.count, start + batch)])
                let encoded = EncodedWindow()
                let group = DispatchGroup()
                DispatchQueue.global().async(group: group) {
                    encoded.pieces = part.concurrentMap(minimumChunk: 1) { range in
                        Result {
                            var w = PrettyJSONWriter(level: 2, into: buffers.take())
                            if range.lowerBound > 0 { w.raw(",\n") }
                            try w.elements(items[range], element)
                            return w.out
                        }
                    }
                }
                // The previous window is written while this one is encoded.
                do { try writePending() } catch {
                    group.wait()
                    throw error
                }
                group.wait()
                pending = encoded.pieces
            }
        }
        var top = PrettyJSONWriter(level: 0)
        // The top-level text so far goes out, after every piece before it.
        func flush() throws {
            try writePending()
            try write(top.out.bytes)
            top.out.removeAll()
        }
        func list<T: Sendable>(_ key: StaticString, _ items: [T], weight: (T) -> Int = { _ in 1 },
                               _ element: @escaping @Sendable (inout PrettyJSONWriter, T) throws -> Void) throws {
            top.key(key)
            guard !items.isEmpty else {
                top.raw("[\n\n  ]")
                return
            }
            top.raw("[\n")
            try flush()
            try elements(items, weight: weight, element)
            top.raw("\n  ]")
        }
        top.open("{")
        try list("bills", bills) { w, b in try w.write(b) }
        try list("calls", calls, weight: { 1 + $0.invoices.count }) { w, c in try w.write(c) }
        top.key("date")
        top.date(date)
        try list("deferred", deferred) { w, d in w.write(d) }
        try list("disputes", disputes) { w, d in try w.write(d) }
        try list("letters", letters, weight: { 1 + $0.invoices.count }) { w, l in try w.write(l) }
        if let person {
            top.key("person")
            top.string(person)
        }
        try list("salesRequests", salesRequests, weight: { 1 + $0.invoices.count }) { w, r in try w.write(r) }
        top.close("}")
        try flush()
    }

    /// The encoder whose output ``prettyJSON(chunkSize:)`` writes: the reference the tests compare with.
    public static func jsonEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}

/// JSON as `JSONEncoder` writes it with `[.prettyPrinted, .sortedKeys]` and `.iso8601` dates, written value
/// by value: two spaces of indentation per level, `"key" : value`, an empty list or object as its brackets
/// around a blank line, `/` escaped as `\/`, a control character as `\n`, `\t`… or `\u00XX`, other text as
/// is, a number as its shortest round-trip form without a trailing `.0`, a date as `2026-11-27T08:00:00Z`
/// (whole seconds, UTC). Keys are written in the order the caller gives: each `write` below gives its type's
/// keys in byte order, what `.sortedKeys` does (debug builds check it); an optional that is `nil` is left
/// out, as synthesised `Codable` does.
struct PrettyJSONWriter {
    /// The text written so far.
    let out: ByteSink
    /// Depth of the value being written (0: the top-level value).
    private var level: Int
    /// Whether the open container at each depth has a member yet: bit n for the n-th container opened by this
    /// writer (a bit set rather than an array of flags, checked for sharing and room at every key).
    private var filled: UInt64 = 0
    /// How many containers this writer has open.
    private var depth = 0
    #if DEBUG
    private var lastKey: [String] = []
    #endif

    init(level: Int) {
        self.init(level: level, into: ByteSink())
    }

    /// A writer appending to `out` from its start (a buffer used again, its room kept).
    init(level: Int, into out: ByteSink) {
        self.level = level
        self.out = out
        out.removeAll()
    }

    /// The text written so far, as an array (for tests).
    var bytes: [UInt8] { Array(out.bytes) }

    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    private mutating func newline(indent: Int) {
        out.append(UInt8(ascii: "\n"))
        spaces(2 * indent)
    }

    /// Blanks of indentation, appended as runs from a static text (byte by byte, each append checked capacity
    /// and uniqueness; from a static array, each run retained it).
    private mutating func spaces(_ count: Int) {
        var left = count
        while left > 0 {
            let n = min(left, 64)
            PrettyJSONWriter.blanks.withUTF8Buffer { out.append(contentsOf: UnsafeBufferPointer(rebasing: $0[0..<n])) }
            left -= n
        }
    }

    private static let blanks: StaticString = "                                                                "

    mutating func open(_ bracket: StaticString) {
        raw(bracket)
        level += 1
        precondition(depth < 63, "JSON nested deeper than 63 containers")
        depth += 1
        filled &= ~(1 << UInt64(depth))
        #if DEBUG
        lastKey.append("")
        #endif
    }

    mutating func close(_ bracket: StaticString) {
        level -= 1
        if filled & (1 << UInt64(depth)) == 0 { out.append(UInt8(ascii: "\n")) }
        depth -= 1
        #if DEBUG
        lastKey.removeLast()
        #endif
        newline(indent: level)
        raw(bracket)
    }

    /// The separator and indentation before a member of the open container.
    private mutating func member() {
        let bit: UInt64 = 1 << UInt64(depth)
        if filled & bit != 0 { out.append(UInt8(ascii: ",")) } else { filled |= bit }
        newline(indent: level)
    }

    /// An object's key (an identifier: nothing to escape), after which its value is written.
    mutating func key(_ name: StaticString) {
        #if DEBUG
        let text = name.description
        assert(lastKey.last.map { Array($0.utf8).lexicographicallyPrecedes(Array(text.utf8)) } ?? true, "key \(text) out of order")
        lastKey[lastKey.count - 1] = text
        #endif
        member()
        out.append(UInt8(ascii: "\""))
        // (A static text's bytes copied at once: through a `String`'s UTF-8 view they were appended one by one.)
        raw(name)
        raw("\" : ")
    }

    /// Elements of a list whose `[` and `]` someone else writes, each at this writer's level, separated as
    /// in a list (a chunk of a longer list).
    /// (Both walk the items by index and hand each over in place: iterating copied every element out, each
    /// agenda invoice's half-dozen texts retained and released.)
    mutating func elements<C: Collection>(_ items: C, _ write: (inout PrettyJSONWriter, C.Element) throws -> Void) rethrows {
        var first = true
        for i in items.indices {
            if !first { out.append(UInt8(ascii: ",")); out.append(UInt8(ascii: "\n")) }
            first = false
            spaces(2 * level)
            try write(&self, items[i])
        }
    }

    mutating func array<C: Collection>(_ items: C, _ write: (inout PrettyJSONWriter, C.Element) throws -> Void) rethrows {
        open("[")
        for i in items.indices {
            member()
            try write(&self, items[i])
        }
        close("]")
    }

    mutating func string(_ text: String) {
        out.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            // Runs of bytes that need no escape are appended at once.
            var start = 0
            for i in 0..<utf8.count {
                let b = utf8[i]
                guard b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b == UInt8(ascii: "/") else { continue }
                if start < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<i])) }
                escape(b)
                start = i + 1
            }
            if start < utf8.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...])) }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// A byte of a string as `JSONEncoder` escapes it.
    private mutating func escape(_ b: UInt8) {
        switch b {
        case UInt8(ascii: "\""): raw("\\\"")
        case UInt8(ascii: "\\"): raw("\\\\")
        case UInt8(ascii: "/"): raw("\\/")
        case 0x08: raw("\\b")
        case 0x0C: raw("\\f")
        case UInt8(ascii: "\n"): raw("\\n")
        case UInt8(ascii: "\r"): raw("\\r")
        case UInt8(ascii: "\t"): raw("\\t")
        case 0..<0x20:
            let hex = Array("0123456789abcdef".utf8)
            raw("\\u00")
            out.append(hex[Int(b >> 4)])
            out.append(hex[Int(b & 0xF)])
        default: out.append(b)
        }
    }

    mutating func int<I: BinaryInteger>(_ value: I) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        decimal(UInt64(value.magnitude), width: 1)
    }

    /// A number as `JSONEncoder` writes a `Double`; a value that is not finite is an error, as there.
    mutating func double(_ value: Double) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "\(value) is not a JSON number"))
        }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        text.withUTF8 { out.append(contentsOf: $0) }
    }

    mutating func bool(_ value: Bool) {
        if value { raw("true") } else { raw("false") }
    }

    mutating func date(_ day: CivilDate) {
        guard day.year >= 0 else { return string(day.description) }
        out.append(UInt8(ascii: "\""))
        dayText(day)
        out.append(UInt8(ascii: "\""))
    }

    /// An instant as `.iso8601` writes it: UTC, whole seconds (the fraction dropped).
    mutating func instant(_ date: Date) {
        let seconds = Int((date.timeIntervalSince1970).rounded(.down))
        let (days, time) = seconds.quotientAndRemainder(dividingBy: 86_400)
        let (dayNumber, second) = time < 0 ? (days - 1, time + 86_400) : (days, time)
        let day = CivilDate(dayNumber: dayNumber)
        guard day.year >= 0 else { return string(date.formatted(.iso8601)) }
        out.append(UInt8(ascii: "\""))
        dayText(day)
        out.append(UInt8(ascii: "T"))
        digits(second / 3_600, 2)
        out.append(UInt8(ascii: ":"))
        digits(second / 60 % 60, 2)
        out.append(UInt8(ascii: ":"))
        digits(second % 60, 2)
        raw("Z\"")
    }

    /// `YYYY-MM-DD`, as `CivilDate.description` writes it (a year of more than four digits in full).
    private mutating func dayText(_ day: CivilDate) {
        let (y, m, d) = day.civil
        digits(y, 4)
        out.append(UInt8(ascii: "-"))
        digits(m, 2)
        out.append(UInt8(ascii: "-"))
        digits(d, 2)
    }

    /// `value` in decimal, zero-padded to `width` digits (a date's fields: the calendar keeps years in
    /// 1...9999).
    private mutating func digits(_ value: Int, _ width: Int) {
        decimal(UInt64(max(value, 0)), width: width)
    }

    /// `value`'s decimal digits, at least `width` of them (zeros in front).
    private mutating func decimal(_ value: UInt64, width: Int) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { d in
            var v = value, count = 0
            repeat {
                d[count] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
                count += 1
            } while v > 0 || count < width
            for i in stride(from: count - 1, through: 0, by: -1) { out.append(d[i]) }
        }
    }
}

/// Each agenda type's fields, keys in byte order (what `.sortedKeys` sorts by).
extension PrettyJSONWriter {
    mutating func write(_ m: Money) {
        open("{")
        key("currency"); string(m.currency)
        key("minorUnits"); int(m.minorUnits)
        close("}")
    }

    mutating func write(_ i: AgendaInvoice) throws {
        open("{")
        key("daysLate"); int(i.daysLate)
        key("dueDate"); date(i.dueDate)
        key("euroDays"); try double(i.euroDays)
        if let p50 = i.forecastP50 { key("forecastP50"); date(p50) }
        key("group"); string(i.group)
        key("invoice"); string(i.invoice)
        key("issueDate"); date(i.issueDate)
        key("openAmount"); write(i.openAmount)
        if let p = i.probabilityByDue { key("probabilityByDue"); try double(p) }
        key("question"); string(i.question)
        key("reason"); string(i.reason)
        close("}")
    }

    mutating func invoices(_ list: [AgendaInvoice]) throws {
        key("invoices")
        // Read in place through the array's buffer: by subscript, through `array`'s closure, each invoice was
        // copied out first, its half-dozen texts retained and released (2.7% of the agenda's samples).
        open("[")
        try list.withUnsafeBufferPointer { buffer in
            for i in buffer.indices {
                member()
                try write(buffer[i])
            }
        }
        close("]")
    }

    mutating func write(_ c: AgendaCall) throws {
        open("{")
        key("contactKey"); string(c.contactKey)
        key("customer"); string(c.customer)
        if let email = c.email { key("email"); string(email) }
        key("group"); string(c.group)
        try invoices(c.invoices)
        key("minutes"); int(c.minutes)
        key("name"); string(c.name)
        if let phone = c.phone { key("phone"); string(phone) }
        key("role"); string(c.role)
        key("score"); try double(c.score)
        if let slot = c.slot { key("slot"); instant(slot) }
        key("timeZone"); string(c.timeZone)
        key("workingHours"); string(c.workingHours)
        close("}")
    }

    mutating func write(_ l: AgendaLetter) throws {
        open("{")
        if let address = l.address { key("address"); string(address) }
        key("customer"); string(l.customer)
        key("entity"); string(l.entity)
        key("entityName"); string(l.entityName)
        key("group"); string(l.group)
        try invoices(l.invoices)
        key("language"); string(l.language)
        key("level"); string(l.level.rawValue)
        key("score"); try double(l.score)
        close("}")
    }

    mutating func write(_ r: AgendaSalesRequest) throws {
        open("{")
        key("customer"); string(r.customer)
        key("group"); string(r.group)
        try invoices(r.invoices)
        key("reason"); string(r.reason)
        key("salesRep"); string(r.salesRep)
        key("score"); try double(r.score)
        key("visit"); bool(r.visit)
        close("}")
    }

    mutating func write(_ b: AgendaBillDeadline) throws {
        open("{")
        key("daysLeft"); int(b.daysLeft)
        key("deadline"); date(b.deadline)
        key("discounted"); bool(b.discounted)
        key("group"); string(b.group)
        key("invoice"); try write(b.invoice)
        key("method"); string(b.method)
        close("}")
    }

    mutating func write(_ d: AgendaDispute) throws {
        open("{")
        key("due"); bool(d.due)
        key("group"); string(d.group)
        key("invoice"); try write(d.invoice)
        if let owner = d.owner { key("owner"); string(owner) }
        if let reason = d.reason { key("reason"); string(reason) }
        key("since"); date(d.since)
        key("target"); date(d.target)
        close("}")
    }

    mutating func write(_ d: Agenda.Deferred) {
        open("{")
        key("contactKey"); string(d.contactKey)
        key("group"); string(d.group)
        key("invoices"); array(d.invoices) { w, id in w.string(id) }
        key("lastCall"); date(d.lastCall)
        key("name"); string(d.name)
        close("}")
    }
}

/// Byte buffers lent to the chunks of a JSON text and given back once written, so that their memory is
/// used again rather than allocated, zeroed and grown for each chunk.
final class ByteBuffers: Sendable {
    private let free = Mutex<[ByteSink]>([])

    /// A buffer given back before (emptied, its room kept), or a new one.
    func take() -> ByteSink {
        free.withLock { $0.popLast() } ?? ByteSink()
    }

    func giveBack(_ sink: ByteSink) {
        free.withLock { $0.append(sink) }
    }
}

/// Bytes appended one piece at a time without the checks an array makes at every append (that it is not
/// shared, then that it has room: a dozen instructions for each byte of a gigabyte of agenda); the room
/// doubles when full. Owned by one writer at a time (handed from the core that fills it to the one that
/// writes it out, never shared).
final class ByteSink: @unchecked Sendable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 1 << 16) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// The bytes written, valid until the next change.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    func removeAll() { count = 0 }

    @inline(__always) func append(_ byte: UInt8) {
        if count == capacity { grow(to: count + 1) }
        base[count] = byte
        count += 1
    }

    @inline(__always) func append(contentsOf piece: UnsafeBufferPointer<UInt8>) {
        guard let source = piece.baseAddress else { return }
        if count + piece.count > capacity { grow(to: count + piece.count) }
        (base + count).update(from: source, count: piece.count)
        count += piece.count
    }

    private func grow(to needed: Int) {
        var room = capacity * 2
        while room < needed { room *= 2 }
        let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: room)
        larger.initialize(from: base, count: count)
        base.deallocate()
        base = larger
        capacity = room
    }
}

/// One window's pieces, set by the task that encodes them and read after it is done (the dispatch group's
/// wait orders the two).
private final class EncodedWindow: @unchecked Sendable {
    var pieces: [Result<ByteSink, any Error>] = []
}
