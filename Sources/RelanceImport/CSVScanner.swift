import Foundation

/// The CSV grammar of ``CSVParser`` read straight from the file's bytes, for files of millions of rows:
/// each record's fields are handed over as byte ranges of the read buffer, without a `String` per field.
///
/// The same rules as ``CSVParser``, field for field: `,` or `;` (whichever appears more often in the header
/// line), `"` quotes (a doubled quote inside; a quote opens a quoted part only where the field so far is
/// blank), quoted fields may span lines, unquoted fields lose the white space at their ends, a blank line
/// is skipped, a UTF-8 byte-order mark is skipped, lines end with LF, CR or CRLF. Records are found whole
/// before any field is touched (a record cut by the end of a chunk is scanned again once the next chunk
/// is read), then quoted fields are unquoted in place.
struct CSVScanner {
    let file: String
    let separator: UInt8

    /// A field of the current record: where its text is in the buffer (quotes removed, white space
    /// trimmed when the text is ASCII), whether it is all ASCII, and the line it ends on.
    struct Field {
        var start: Int
        var count: Int
        var ascii: Bool
        var quoted: Bool
        var line: Int
    }

    private(set) var fields: [Field] = []
    private var line = 1
    /// A carriage return ended the last record: a line feed right after it belongs to it.
    private var crPending = false
    /// The first line where a field is not valid UTF-8, if any.
    private(set) var invalidUTF8Line: Int?

    private static let quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
    private static let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")

    /// - Parameter firstBytes: the start of the file, enough to hold the header line (the separator is chosen from it).
    init(file: String, firstBytes: UnsafeBufferPointer<UInt8>) {
        self.file = file
        let firstLine = firstBytes.prefix { $0 != CSVScanner.lf && $0 != CSVScanner.cr }
        let semicolons = firstLine.reduce(0) { $0 + ($1 == UInt8(ascii: ";") ? 1 : 0) }
        let commas = firstLine.reduce(0) { $0 + ($1 == UInt8(ascii: ",") ? 1 : 0) }
        separator = semicolons > commas ? UInt8(ascii: ";") : UInt8(ascii: ",")
        fields.reserveCapacity(32)
    }

    /// What ``next(_:from:atEnd:)`` found.
    enum Step {
        /// A record: its fields are in ``fields``; the next one starts at `next`.
        case record(line: Int, next: Int)
        /// A blank line (or the line feed of a CRLF), skipped; the next record starts at `next`.
        case blank(next: Int)
        /// The record is cut by the end of the bytes read so far: read more and scan again from the same place.
        case needMore
        /// No more records.
        case end
    }

    /// Scans the record starting at `start` in `buffer` (`atEnd` when the file ends with these bytes).
    mutating func next(_ buffer: UnsafeMutableBufferPointer<UInt8>, from start: Int, atEnd: Bool) throws(ImportError) -> Step {
        var i = start
        let n = buffer.count
        if crPending {
            if i == n { return atEnd ? .end : .needMore }
            crPending = false
            // The line feed of a CRLF: skipped on its own, so that scanning again from after it stays right.
            if buffer[i] == CSVScanner.lf { return .blank(next: i + 1) }
        }
        if i == n && atEnd { return .end }
        let sep = separator, quote = CSVScanner.quote, lf = CSVScanner.lf, cr = CSVScanner.cr
        fields.removeAll(keepingCapacity: true)
        var fieldStart = i
        var quoted = false, inQuotes = false, quotePending = false
        /// Whether the field built so far is only spaces and tabs (a quote then opens a quoted part).
        var blank = true
        var lines = 0
        var terminator: UInt8 = 0
        while i < n {
            let c = buffer[i]
            i += 1
            if quotePending {
                quotePending = false
                if c == quote { blank = false; continue }
                inQuotes = false
            }
            if inQuotes {
                if c == quote {
                    quotePending = true
                } else {
                    if c == lf { lines += 1 }
                    if c != CSVScanner.space && c != CSVScanner.tab { blank = false }
                }
            } else if c == sep {
                fields.append(Field(start: fieldStart, count: i - 1 - fieldStart, ascii: true, quoted: quoted, line: line + lines))
                fieldStart = i
                quoted = false
                blank = true
            } else if c == lf || c == cr {
                terminator = c
                break
            } else if c == quote && blank {
                inQuotes = true
                quoted = true
            } else if c != CSVScanner.space && c != CSVScanner.tab {
                blank = false
            }
        }
        var end = i
        if terminator == 0 {
            guard atEnd else { return .needMore }
            if inQuotes && !quotePending {
                // As the reference reader: a field that ended before is checked first (it would have been refused then).
                for k in fields.indices where !CSVScanner.finish(&fields[k], buffer) && invalidUTF8Line == nil { invalidUTF8Line = fields[k].line }
                if let bad = invalidUTF8Line { throw ImportError([Diagnostic(file: file, line: bad, message: "the file is not UTF-8 text")]) }
                throw ImportError([Diagnostic(file: file, line: line, message: "a quoted field is not closed")])
            }
            end = n
            fields.append(Field(start: fieldStart, count: n - fieldStart, ascii: true, quoted: quoted, line: line + lines))
        } else {
            fields.append(Field(start: fieldStart, count: i - 1 - fieldStart, ascii: true, quoted: quoted, line: line + lines))
        }
        let recordLine = line
        line += lines
        if terminator != 0 {
            line += 1
            crPending = terminator == cr
        }
        for k in fields.indices {
            let valid = CSVScanner.finish(&fields[k], buffer)
            if !valid && invalidUTF8Line == nil { invalidUTF8Line = fields[k].line }
        }
        if fields.count == 1 && fields[0].count == 0 || fields.count == 1 && !fields[0].ascii && text(0, buffer).isEmpty {
            return .blank(next: end)
        }
        return .record(line: recordLine, next: end)
    }

    /// Unquotes a quoted field in place, trims an unquoted ASCII one; `false` when it is not valid UTF-8.
    private static func finish(_ field: inout Field, _ buffer: UnsafeMutableBufferPointer<UInt8>) -> Bool {
        if field.quoted { field.count = CSVScanner.unquote(buffer, field.start, field.count) }
        var ascii = true
        for k in field.start..<field.start + field.count where buffer[k] >= 0x80 { ascii = false; break }
        field.ascii = ascii
        if ascii {
            if !field.quoted {
                // Unicode white space other than line breaks, in ASCII: tab, vertical tab, form feed, space.
                func blank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0B || b == 0x0C }
                while field.count > 0 && blank(buffer[field.start]) { field.start += 1; field.count -= 1 }
                while field.count > 0 && blank(buffer[field.start + field.count - 1]) { field.count -= 1 }
            }
            return true
        }
        return String(validating: UnsafeBufferPointer(rebasing: buffer[field.start..<field.start + field.count]), as: UTF8.self) != nil
    }

    /// The bytes of a quoted field (from its first byte to the separator) as ``CSVParser`` builds it, written
    /// from `start` on; returns their count. Never writes past the byte being read, so it works in place.
    static func unquote(_ buffer: UnsafeMutableBufferPointer<UInt8>, _ start: Int, _ count: Int) -> Int {
        var out = start
        var inQuotes = false, quotePending = false, blank = true
        func write(_ c: UInt8) {
            buffer[out] = c
            out += 1
            if c != space && c != tab { blank = false }
        }
        for r in start..<start + count {
            let c = buffer[r]
            if quotePending {
                quotePending = false
                if c == quote { write(c); continue }
                inQuotes = false
            }
            if inQuotes {
                if c == quote { quotePending = true } else { write(c) }
            } else if c == quote && blank {
                inQuotes = true
                out = start
                blank = true
            } else {
                write(c)
            }
        }
        return out - start
    }

    /// The bytes of field `k` of the current record (trimmed when ASCII; see ``text(_:_:)`` otherwise).
    func bytes(_ k: Int, _ buffer: UnsafeMutableBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        let f = fields[k]
        return UnsafeBufferPointer(rebasing: buffer[f.start..<f.start + f.count])
    }

    /// Field `k` of the current record as ``CSVParser`` gives it (invalid UTF-8 repaired, unquoted fields trimmed).
    func text(_ k: Int, _ buffer: UnsafeMutableBufferPointer<UInt8>) -> String {
        let f = fields[k]
        let text = String(decoding: bytes(k, buffer), as: UTF8.self)
        return f.quoted || f.ascii ? text : CSVTable.trimmed(text)
    }
}

/// A CSV file read in chunks through ``CSVScanner``: records are handed over as byte ranges of the read
/// buffer, which holds one chunk (1 MiB) and the record it cut, so memory stays bounded whatever the file's size.
enum CSVByteStream {
    /// A record of the file: its line and fields, valid only during the call that hands it over.
    struct Record {
        let line: Int
        let scanner: CSVScanner
        let buffer: UnsafeMutableBufferPointer<UInt8>

        var count: Int { scanner.fields.count }
        /// Whether every field is ASCII (then ``bytes(_:)`` is each field's text).
        var isASCII: Bool { scanner.fields.allSatisfy(\.ascii) }
        func bytes(_ k: Int) -> UnsafeBufferPointer<UInt8> { scanner.bytes(k, buffer) }
        func text(_ k: Int) -> String { scanner.text(k, buffer) }
        var texts: [String] { (0..<count).map(text) }
    }

    /// Calls `header` with the header record (names normalised), then `record` with every other record;
    /// `bytesRead` with the size of each chunk read.
    static func read(_ url: URL, chunkSize: Int = CSVFileStream.chunkSize, bytesRead: (Int) -> Void = { _ in },
                     header: ([String]) throws -> Void, record: (Record) throws -> Void) throws {
        let name = url.lastPathComponent
        guard let handle = try? FileHandle(forReadingFrom: url) else {
            throw ImportError([Diagnostic(file: url.path, message: "cannot read the file")])
        }
        defer { try? handle.close() }
        let chunk = max(1, chunkSize)
        var capacity = max(chunk * 2, 4_096)
        var storage = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { storage.deallocate() }
        var filled = 0, position = 0
        var atEnd = false
        var scanner: CSVScanner?
        var sawHeader = false
        while true {
            if !atEnd {
                // Keep the record the last chunk cut, at the start of the buffer, and read the next chunk after it.
                if position > 0 {
                    storage.update(from: storage + position, count: filled - position)
                    filled -= position
                    position = 0
                }
                if filled + chunk > capacity {
                    capacity = max(capacity * 2, filled + chunk)
                    let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
                    bigger.update(from: storage, count: filled)
                    storage.deallocate()
                    storage = bigger
                }
                let data: Data
                do { data = try handle.read(upToCount: chunk) ?? Data() } catch {
                    throw ImportError([Diagnostic(file: url.path, message: "cannot read the file")])
                }
                if data.isEmpty {
                    atEnd = true
                } else {
                    bytesRead(data.count)
                    data.copyBytes(to: storage + filled, count: data.count)
                    filled += data.count
                }
            }
            let buffer = UnsafeMutableBufferPointer(start: storage, count: filled)
            if scanner == nil {
                // The separator is chosen from the header line: wait for it to be whole (or 64 KiB).
                let head = UnsafeBufferPointer(rebasing: buffer[..<min(filled, 64 * 1024)])
                guard atEnd || head.contains(UInt8(ascii: "\n")) || head.contains(UInt8(ascii: "\r")) || filled >= 64 * 1024 else { continue }
                if filled == 0 { break }
                scanner = CSVScanner(file: name, firstBytes: head)
                if filled >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { position = 3 }
            }
            // Scanned out of the optional, so that its fields array is not shared (and copied) while records are read.
            guard var s = scanner else { break }
            scanner = nil
            scanning: while true {
                switch try s.next(buffer, from: position, atEnd: atEnd) {
                case .record(let line, let next):
                    position = next
                    if sawHeader {
                        try record(Record(line: line, scanner: s, buffer: buffer))
                    } else {
                        sawHeader = true
                        try header(Record(line: line, scanner: s, buffer: buffer).texts.map(CSVTable.normalise))
                    }
                case .blank(let next): position = next
                case .needMore, .end: break scanning
                }
            }
            scanner = s
            if let line = s.invalidUTF8Line { throw ImportError([Diagnostic(file: name, line: line, message: "the file is not UTF-8 text")]) }
            if atEnd { break }
        }
        if !sawHeader { throw ImportError([Diagnostic(file: name, message: "the file is empty (a header line is needed)")]) }
    }
}
