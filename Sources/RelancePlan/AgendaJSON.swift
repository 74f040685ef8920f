import Foundation
import RelanceCore

extension Agenda {
    /// The agenda as indented JSON with sorted keys (dates as ISO 8601): exactly what one `JSONEncoder` with
    /// `[.prettyPrinted, .sortedKeys]` and `.iso8601` dates writes, but with the lists encoded in chunks on
    /// every core. A portfolio's agenda is over 100 MB of JSON, and one encoder took a quarter of the
    /// command's time on one core.
    ///
    /// The agenda is first encoded with its lists empty (its layout, its other fields); each non-empty list
    /// then replaces its `[ ]`, its chunks encoded as arrays on their own and indented one level deeper.
    /// JSON strings escape their line breaks, so every line break in the text is the encoder's.
    public func prettyJSON(chunkSize: Int = 512) throws -> Data {
        let encoder = Agenda.jsonEncoder()
        var skeleton = self
        skeleton.calls = []
        skeleton.letters = []
        skeleton.salesRequests = []
        skeleton.bills = []
        skeleton.disputes = []
        skeleton.deferred = []
        let text = String(decoding: try encoder.encode(skeleton), as: UTF8.self)

        // Every list's chunks, encoded and indented concurrently.
        struct Chunk: Sendable {
            var key: String
            var encode: @Sendable () throws -> Data
        }
        var chunks: [Chunk] = []
        func add<T: Encodable & Sendable>(_ key: String, _ items: [T]) {
            let size = max(1, chunkSize)
            for start in stride(from: 0, to: items.count, by: size) {
                let slice = Array(items[start..<min(items.count, start + size)])
                chunks.append(Chunk(key: key) { Agenda.indentedElements(of: try Agenda.jsonEncoder().encode(slice)) })
            }
        }
        add("bills", bills)
        add("calls", calls)
        add("deferred", deferred)
        add("disputes", disputes)
        add("letters", letters)
        add("salesRequests", salesRequests)
        let encoded: [Result<Data, any Error>] = chunks.concurrentMap(minimumChunk: 1) { chunk in Result { try chunk.encode() } }
        var bodies: [String: [Data]] = [:]
        for (chunk, result) in zip(chunks, encoded) { bodies[chunk.key, default: []].append(try result.get()) }

        // The skeleton's text, each non-empty list's `[ ]` replaced by its elements, in one pass into one buffer.
        var out = Data()
        out.reserveCapacity(text.utf8.count + bodies.values.reduce(0) { $0 + $1.reduce(0) { $0 + $1.count + 2 } })
        var rest = text[...]
        let lists = try bodies.keys.map { key -> (Range<String.Index>, String) in
            guard let range = text.range(of: "\"\(key)\" : [\n\n  ]") else { throw AgendaJSONError.layout(key) }
            return (range, key)
        }.sorted { $0.0.lowerBound < $1.0.lowerBound }
        for (range, key) in lists {
            out.append(contentsOf: text[rest.startIndex..<range.lowerBound].utf8)
            out.append(contentsOf: "\"\(key)\" : [\n".utf8)
            for (i, part) in (bodies[key] ?? []).enumerated() {
                if i > 0 { out.append(contentsOf: ",\n".utf8) }
                out.append(part)
            }
            out.append(contentsOf: "\n  ]".utf8)
            rest = text[range.upperBound...]
        }
        out.append(contentsOf: rest.utf8)
        return out
    }

    /// The encoder the agenda's JSON is written with.
    public static func jsonEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    /// The elements of an encoded top-level array (`[`, the elements, `]`, one per line), each line indented
    /// two spaces more: at the depth of a list inside the agenda object.
    static func indentedElements(of array: Data) -> Data {
        array.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Data in
            let bytes = raw.bindMemory(to: UInt8.self)
            let newline = UInt8(ascii: "\n"), space = UInt8(ascii: " ")
            // Between the first line break (after `[`) and the last one (before `]`).
            guard let first = bytes.firstIndex(of: newline), let last = bytes.lastIndex(of: newline), first < last else { return Data() }
            var out: [UInt8] = []
            out.reserveCapacity(array.count + array.count / 8)
            var lineStart = first + 1
            while lineStart <= last {
                var end = lineStart
                while end < last && bytes[end] != newline { end += 1 }
                if lineStart > first + 1 { out.append(newline) }
                // The encoder leaves the blank line of an empty list unindented.
                if end > lineStart {
                    out.append(space)
                    out.append(space)
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[lineStart..<end]))
                lineStart = end + 1
            }
            return Data(out)
        }
    }
}

/// The skeleton's text did not have the expected layout (a change of the encoder's format).
enum AgendaJSONError: Error, CustomStringConvertible {
    case layout(String)

    var description: String {
        switch self { case .layout(let key): return "the agenda's JSON layout is not the expected one (list \(key))" }
    }
}
