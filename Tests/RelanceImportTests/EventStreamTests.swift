import Foundation
import RelanceCore
import RelanceImport
import RelanceSamples
import Testing

/// `EventFileReader.streamCSV`: the events CSV read in chunks gives the same events, problems and lines as
/// the whole-file reader, wherever the chunks end.
@Suite struct EventStreamTests {
    /// Quotes (a doubled quote, a separator and a line break inside), CRLF line ends, a byte-order mark,
    /// multi-byte characters, an empty line.
    static let tricky = "\u{FEFF}invoice;state;at;time_zone;department;note\r\n"
        + "FA-1;received;2026-10-21 09:00;Europe/Paris;d-1;\"Reçu; \"\"scanné\"\"\r\nle matin\"\r\n"
        + "\r\n"
        + "FA-2;note;2026-10-22T10:00:00+02:00;;;Appel à 10 h – pas de réponse\r\n"
        + "FA-3;approved;2026-10-23 11:30;;d-2;\n"

    func write(_ text: String, name: String = "events.csv") throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("relance-stream-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    func streamed(_ url: URL, chunkSize: Int) throws -> (events: [EventRecord], problems: [Diagnostic]) {
        var events: [EventRecord] = [], problems: [Diagnostic] = []
        try EventFileReader.streamCSV(contentsOf: url, chunkSize: chunkSize, event: { events.append($0) }, problems: { problems += $0 })
        return (events, problems)
    }

    @Test(arguments: [1, 2, 3, 7, 64, 1 << 20])
    func chunksOfAnySizeGiveTheSameEventsAsTheWholeFile(chunkSize: Int) throws {
        let url = try write(Self.tricky)
        let whole = try EventFileReader.read(contentsOf: url)
        let (events, problems) = try streamed(url, chunkSize: chunkSize)
        #expect(problems.isEmpty)
        #expect(events == whole)
        #expect(events.map(\.line) == [2, 5, 6])
        #expect(events.first?.event.note == "Reçu; \"scanné\"\r\nle matin")
        #expect(events.map(\.event.invoice) == ["FA-1", "FA-2", "FA-3"])
    }

    @Test func theSampleEventsStreamAsTheyRead() throws {
        let url = try #require(Samples.events)
        let (events, problems) = try streamed(url, chunkSize: 5)
        #expect(problems.isEmpty)
        #expect(events == (try EventFileReader.read(contentsOf: url)))
        #expect(events.count == 5)
    }

    @Test func rowProblemsAreHandedOverWithFileLineAndFieldAndReadingGoesOn() throws {
        var rows = (0..<3_000).map { "FA-1,received,2026-10-21 09:\(String(format: "%02d", $0 % 60)),,,," }
        rows[2_500] = "FA-1,received,2026-13-45 09:00,,,,"
        rows[2_900] = "FA-1,arrived,2026-10-21 09:00,,,,"
        let url = try write((["invoice,state,at,time_zone,department,contact,note"] + rows).joined(separator: "\n") + "\n", name: "big.csv")
        let (events, problems) = try streamed(url, chunkSize: 4_096)
        #expect(events.count == 2_998)
        #expect(problems.map(\.description) == [
            "big.csv:2502: at: '2026-13-45 09:00' is not a date-time (ISO 8601 such as 2026-11-12T09:30:00+01:00, or 2026-11-12 09:30) between 2000 and 2100",
            "big.csv:2902: state: 'arrived' is not a canonical state (docs/states.md), nor 'note'",
        ])
    }

    @Test func aRowWithTheWrongNumberOfFieldsStopsTheFileWithItsLine() throws {
        let url = try write("invoice,state,at\nFA-1,received,2026-10-21 09:00\nFA-1,received\n", name: "short.csv")
        let error = #expect(throws: ImportError.self) { _ = try streamed(url, chunkSize: 3) }
        #expect(error?.diagnostics.map(\.description) == ["short.csv:3: 2 fields where the header has 3"])
    }

    @Test func aBadHeaderIsRefusedBeforeAnyRow() throws {
        let url = try write("invoice,stat,at\nFA-1,received,2026-10-21 09:00\n", name: "h.csv")
        var events = 0
        let error = #expect(throws: ImportError.self) {
            try EventFileReader.streamCSV(contentsOf: url, event: { _ in events += 1 }, problems: { _ in })
        }
        let text = error?.diagnostics.map(\.description).joined(separator: "\n") ?? ""
        #expect(text.contains("h.csv:1: state: missing column 'state'") && text.contains("unknown column 'stat'"), "\(text)")
        #expect(events == 0)
    }

    @Test func aFileThatIsNotUTF8IsNamed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("relance-stream-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent("latin1.csv")
        try (Data("invoice,state,at,note\nFA-1,note,2026-10-21 09:00,".utf8) + Data([0xE9, 0x0A])).write(to: url)
        let error = #expect(throws: ImportError.self) { _ = try streamed(url, chunkSize: 1 << 20) }
        #expect(error?.diagnostics.map(\.description) == ["latin1.csv:2: the file is not UTF-8 text"])
    }

    @Test func anUnclosedQuoteIsNamedWithTheLineItStartsOn() throws {
        let url = try write("invoice,state,at,note\nFA-1,note,2026-10-21 09:00,\"never closed\nstill open\n", name: "q.csv")
        let error = #expect(throws: ImportError.self) { _ = try streamed(url, chunkSize: 2) }
        #expect(error?.diagnostics.map(\.description) == ["q.csv:2: a quoted field is not closed"])
    }
}
