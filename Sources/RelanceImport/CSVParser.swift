import Foundation

/// The CSV grammar of ``CSVTable``, fed bytes in pieces of any size so that a large file is read in chunks.
///
/// RFC 4180: fields separated by `,` or `;` (whichever appears more often in the header line), quoted
/// with `"` (a doubled quote inside), quoted fields may span lines; a UTF-8 byte-order mark is skipped.
/// Each record is handed over with the line it starts on; the fields array is reused from record to record.
struct CSVParser {
    let file: String
    let separator: UInt8
    private var field: [UInt8] = []
    private var fields: [String] = []
    private var line = 1
    private var recordLine = 1
    private var inQuotes = false
    private var wasQuoted = false
    /// A quote seen inside quotes: the end of the quoted part, or the first of a doubled quote.
    private var quotePending = false
    /// A carriage return ended the last record: a line feed right after it belongs to it.
    private var crPending = false
    private var atStart = true
    /// The first line where a field is not valid UTF-8, if any.
    private(set) var invalidUTF8Line: Int?

    private static let quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")

    /// - Parameter firstBytes: the start of the file, enough to hold the header line (the separator is
    ///   chosen from it).
    init(file: String, firstBytes: ArraySlice<UInt8>) {
        self.file = file
        let firstLine = firstBytes.prefix { $0 != CSVParser.lf && $0 != CSVParser.cr }
        let semicolons = firstLine.reduce(0) { $0 + ($1 == UInt8(ascii: ";") ? 1 : 0) }
        let commas = firstLine.reduce(0) { $0 + ($1 == UInt8(ascii: ",") ? 1 : 0) }
        separator = semicolons > commas ? UInt8(ascii: ";") : UInt8(ascii: ",")
        field.reserveCapacity(64)
    }

    /// Parses the next bytes of the file, calling `record` with each complete record (its first line and fields).
    mutating func consume(_ bytes: UnsafeBufferPointer<UInt8>, _ record: (Int, [String]) throws -> Void) rethrows {
        var i = 0
        let n = bytes.count
        if atStart {
            atStart = false
            if n >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
        }
        while i < n {
            let c = bytes[i]
            i += 1
            if crPending {
                crPending = false
                if c == CSVParser.lf { continue }
            }
            if quotePending {
                quotePending = false
                if c == CSVParser.quote { field.append(c); continue }
                inQuotes = false
            }
            if inQuotes {
                if c == CSVParser.quote {
                    quotePending = true
                } else {
                    if c == CSVParser.lf { line += 1 }
                    field.append(c)
                }
            } else if c == CSVParser.quote && field.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                inQuotes = true
                wasQuoted = true
                field.removeAll(keepingCapacity: true)
            } else if c == separator {
                endField()
            } else if c == CSVParser.lf || c == CSVParser.cr {
                try endRecord(record)
                crPending = c == CSVParser.cr
                line += 1
                recordLine = line
            } else {
                field.append(c)
            }
        }
    }

    /// Ends the file: the last record (when the file does not end with a line break), or an error when a
    /// quoted field is still open.
    mutating func finish(_ record: (Int, [String]) throws -> Void) throws(ImportError) {
        if quotePending { quotePending = false; inQuotes = false }
        if inQuotes { throw ImportError([Diagnostic(file: file, line: recordLine, message: "a quoted field is not closed")]) }
        if !field.isEmpty || !fields.isEmpty {
            do { try endRecord(record) } catch let error as ImportError { throw error } catch {
                throw ImportError([Diagnostic(file: file, line: recordLine, message: "\(error)")])
            }
        }
    }

    private mutating func endField() {
        let text: String
        if field.allSatisfy({ $0 < 0x80 }) {
            text = String(decoding: field, as: UTF8.self)  // ASCII, the usual case: valid UTF-8 without checking further
        } else if let valid = String(validating: field, as: UTF8.self) {
            text = valid
        } else {
            if invalidUTF8Line == nil { invalidUTF8Line = line }
            text = String(decoding: field, as: UTF8.self)
        }
        fields.append(wasQuoted ? text : CSVTable.trimmed(text))
        field.removeAll(keepingCapacity: true)
        wasQuoted = false
    }

    private mutating func endRecord(_ record: (Int, [String]) throws -> Void) rethrows {
        endField()
        if !(fields.count == 1 && fields[0].isEmpty) { try record(recordLine, fields) }
        fields.removeAll(keepingCapacity: true)
    }
}

/// A CSV file read in chunks of 1 MiB: memory stays bounded whatever the file's size.
public enum CSVFileStream {
    public static let chunkSize = 1 << 20

    /// Calls `header` with the header record (names normalised), then `record` with every other record
    /// and its first line; `bytesRead` with the size of each chunk read.
    static func read(_ url: URL, chunkSize: Int = chunkSize, bytesRead: (Int) -> Void = { _ in },
                     header: ([String]) throws -> Void, record: (Int, [String]) throws -> Void) throws {
        let name = url.lastPathComponent
        guard let handle = try? FileHandle(forReadingFrom: url) else {
            throw ImportError([Diagnostic(file: url.path, message: "cannot read the file")])
        }
        defer { try? handle.close() }
        var parser: CSVParser?
        var sawHeader = false
        func each(_ line: Int, _ fields: [String]) throws {
            if sawHeader { try record(line, fields) } else { sawHeader = true; try header(fields.map(CSVTable.normalise)) }
        }
        // The bytes read before the header line is whole: the separator is chosen from that line.
        var start = Data()
        func feed(_ bytes: Data) throws {
            try bytes.withUnsafeBytes { raw in try parser?.consume(raw.bindMemory(to: UInt8.self), each) }
            if let line = parser?.invalidUTF8Line {
                throw ImportError([Diagnostic(file: name, line: line, message: "the file is not UTF-8 text")])
            }
        }
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: max(1, chunkSize)) ?? Data() } catch {
                throw ImportError([Diagnostic(file: url.path, message: "cannot read the file")])
            }
            if chunk.isEmpty { break }
            bytesRead(chunk.count)
            if parser == nil {
                start.append(chunk)
                guard start.contains(UInt8(ascii: "\n")) || start.contains(UInt8(ascii: "\r")) || start.count >= 64 * 1024 else { continue }
                parser = CSVParser(file: name, firstBytes: ArraySlice(start.prefix(64 * 1024)))
                try feed(start)
                start = Data()
            } else {
                try feed(chunk)
            }
        }
        if parser == nil, !start.isEmpty {
            parser = CSVParser(file: name, firstBytes: ArraySlice(start.prefix(64 * 1024)))
            try feed(start)
        }
        guard var parser else { throw ImportError([Diagnostic(file: name, message: "the file is empty (a header line is needed)")]) }
        try parser.finish(each)
        if let line = parser.invalidUTF8Line { throw ImportError([Diagnostic(file: name, line: line, message: "the file is not UTF-8 text")]) }
        if !sawHeader { throw ImportError([Diagnostic(file: name, message: "the file is empty (a header line is needed)")]) }
    }
}
