import Foundation
@testable import RelanceImport
import Testing

/// `CSVByteStream` (the byte-level reader of large event files) against `CSVFileStream` (the `String`
/// reader, the reference): the same header, records, lines, field texts and errors, wherever the chunks end.
@Suite struct CSVScannerTests {
    /// What a reader made of a file: the header, each record with its line, or the error it threw.
    struct Reading: Equatable, CustomStringConvertible {
        var header: [String] = []
        var records: [String] = []
        var error: String?

        var description: String { "header \(header), records \(records), error \(error ?? "none")" }
    }

    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("relance-scan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    static func reference(_ url: URL, chunkSize: Int) -> Reading {
        var r = Reading()
        do {
            try CSVFileStream.read(url, chunkSize: chunkSize, header: { r.header = $0 }, record: { line, fields in
                r.records.append("\(line): \(fields)")
            })
        } catch {
            r.error = "\(error)"
        }
        return r
    }

    static func scanned(_ url: URL, chunkSize: Int) -> Reading {
        var r = Reading()
        do {
            try CSVByteStream.read(url, chunkSize: chunkSize, header: { r.header = $0 }, record: { record in
                r.records.append("\(record.line): \(record.texts)")
                // An ASCII field's bytes are its text.
                for k in 0..<record.count where record.scanner.fields[k].ascii {
                    #expect(String(decoding: record.bytes(k), as: UTF8.self) == record.text(k))
                }
            })
        } catch {
            r.error = "\(error)"
        }
        return r
    }

    func expectSame(_ bytes: [UInt8], chunkSizes: [Int] = [1, 2, 3, 5, 16, 1 << 20], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = try Self.folder().appendingPathComponent("t.csv")
        try Data(bytes).write(to: url)
        for size in chunkSizes {
            let expected = Self.reference(url, chunkSize: size)
            let found = Self.scanned(url, chunkSize: size)
            let file = "chunks of \(size) bytes, file \(String(decoding: bytes, as: UTF8.self).debugDescription)"
            if expected.error?.contains("not UTF-8") == true {
                // Both refuse the file naming the line; the records handed over before that depend on where the
                // reference checks (each field as it ends) and the scanner (each record once whole).
                #expect(found.error == expected.error, "\(file): \(found) instead of \(expected)", sourceLocation: sourceLocation)
            } else {
                #expect(found == expected, "\(file)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test(arguments: [
        "a,b,c\n1,2,3\n",
        "a;b;c\r\n1;\"x;y\";3\r\n",
        "\u{FEFF}invoice,note\nFA-1,\"Reçu, \"\"scanné\"\"\r\nle matin\"\nFA-2,Appel à 10 h – pas de réponse\n",
        "a,b\n\n  \n1,2",
        "a,b\n\"\",\"\"\n\"  \"  ,  x  \n",
        "a,b\n \"q\" ,\"q\"x\"y\n",
        "a,b\n\"a\"\"b\",\"\" \"c\"\n",
        "a,b\r1,2\r\r3,4\r",
        "a,b\n1,\"never closed\n2,3\n",
        "a,b\n1,2\n3",
        "a,b\n1,\u{A0}x\u{A0}\n\u{A0},y\n",
        "a,b\n1,\u{0B}x\u{0C}\t\n",
        "",
        "\u{FEFF}",
        "only a header",
    ])
    func theScannerReadsLikeTheReference(text: String) throws {
        try expectSame(Array(text.utf8))
    }

    @Test func invalidUTF8IsNamedWithItsLine() throws {
        try expectSame(Array("a,b\n1,2\n3,\"x\ny".utf8) + [0xE9] + Array("\"\n4,5\n".utf8))
        try expectSame(Array("a,b\n1,2\n".utf8) + [0xFF, 0x0A])
    }

    /// Random files from the characters that matter to the grammar (separators, quotes, line ends, blanks,
    /// multi-byte and invalid UTF-8), each read in chunks of several sizes.
    @Test func randomFilesReadLikeTheReference() throws {
        let pieces: [[UInt8]] = [Array("a".utf8), Array("bc".utf8), Array(",".utf8), Array(",".utf8), Array(";".utf8), Array("\"".utf8),
                                 Array("\"\"".utf8), Array("\n".utf8), Array("\n".utf8), Array("\r\n".utf8), Array("\r".utf8),
                                 Array(" ".utf8), Array("\t".utf8), Array("é".utf8), Array("\u{A0}".utf8), Array("\u{0B}".utf8), [0xC3]]
        var generator = SystemRandomNumberGenerator()
        for round in 0..<400 {
            var bytes: [UInt8] = round % 7 == 0 ? [0xEF, 0xBB, 0xBF] : []
            bytes += Array("h1,h2;h3\n".utf8)
            for _ in 0..<Int.random(in: 0..<40, using: &generator) {
                let piece = pieces[Int.random(in: 0..<pieces.count, using: &generator)]
                if piece == [0xC3] && round % 5 != 0 { continue }  // invalid UTF-8 in one file in five
                bytes += piece
            }
            try expectSame(bytes, chunkSizes: [1, 3, 1 << 20])
        }
    }
}
