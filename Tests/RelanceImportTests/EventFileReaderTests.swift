import Foundation
import RelanceCore
import RelanceImport
import RelanceSamples
import Testing

/// Helpers for the event-file tests.
private enum EventFile {
    static let header = "invoice,state,at,time_zone,department,contact,source,note,amount,currency,date"

    static func csv(_ rows: String...) -> String { ([header] + rows).joined(separator: "\n") + "\n" }

    static func problems(csv text: String, file: String = "events.csv") -> [Diagnostic] {
        do {
            let records = try EventFileReader.readCSV(text: text, file: file)
            Issue.record("the read succeeded with \(records.count) records; a refusal was expected")
            return []
        } catch {
            return error.diagnostics
        }
    }

    static func problems(jsonl text: String, file: String = "events.jsonl") -> [Diagnostic] {
        do {
            let records = try EventFileReader.readJSONLines(text: text, file: file)
            Issue.record("the read succeeded with \(records.count) records; a refusal was expected")
            return []
        } catch {
            return error.diagnostics
        }
    }

    /// An instant written in ISO 8601 with its offset.
    static func instant(_ iso: String) throws -> Date {
        try #require(ISO8601DateFormatter().date(from: iso), "bad instant in the test: \(iso)")
    }
}

private func expectProblem(_ found: [Diagnostic], file: String = "events.csv", line: Int, field: String?, saying phrase: String,
                           sourceLocation: SourceLocation = #_sourceLocation) {
    let match = found.contains { $0.file == file && $0.line == line && $0.field == field && $0.message.contains(phrase) }
    #expect(match, "no diagnostic at \(file):\(line), field \(field ?? "-"), saying '\(phrase)'; found: \(found.map(\.description))",
            sourceLocation: sourceLocation)
}

@Suite struct EventFileReaderTests {
    // MARK: CSV

    @Test func theSampleEventsAreRead() throws {
        let url = try #require(Samples.events)
        let records = try EventFileReader.read(contentsOf: url)
        #expect(records.count == 5)
        #expect(records.map(\.line) == [2, 3, 4, 5, 6])
        #expect(records.allSatisfy { $0.file == "events.csv" })
        let events = records.map(\.event)
        #expect(events.map(\.state) == [.received, .goodsReceived, nil, .scheduled, .promised])
        #expect(events[2].note == "No answer; voicemail left")
        #expect(events[1].contact == "mtx-ste-fontaine" && events[1].source == .call)
        #expect(events[0].source == .erp && events[0].department == "mtx-ssc-mailroom")
        #expect(events[3].date == CivilDate(iso: "2026-12-10"))
        #expect(events[4].date == CivilDate(iso: "2026-11-27"))
        // 2026-10-26 09:12 in Paris (UTC+1 after the last Sunday of October) is 08:12 UTC.
        #expect(events[0].at == (try EventFile.instant("2026-10-26T08:12:00Z")))
        #expect(events[0].timeZone == "Europe/Paris")
    }

    @Test func aSemicolonFileWithQuotesAndABOMIsRead() throws {
        let text = "\u{FEFF}invoice;state;at;note;amount;currency\r\n"
            + "FA-1;partially-paid;2026-11-12 09:30;\"Paid 1 200,00; rest on the 25th\";1 200,00;EUR\r\n"
            + "FA-1;note;2026-11-13 10:00;\"Called twice,\nno answer\";;\r\n"
        let records = try EventFileReader.readCSV(text: text, file: "calls.csv")
        #expect(records.count == 2)
        #expect(records[0].event.amount == Money(minorUnits: 120_000, currency: "EUR"))
        #expect(records[0].event.note == "Paid 1 200,00; rest on the 25th")
        #expect(records[1].event.state == nil)
        #expect(records[1].event.note == "Called twice,\nno answer")
        #expect(records.map(\.line) == [2, 3])
    }

    @Test func anAmountInAnotherCurrencyUsesItsDecimals() throws {
        let records = try EventFileReader.readCSV(text: EventFile.csv("FA-1,partially-paid,2026-11-12 09:30,,,,,,1 234,JPY,"), file: "events.csv")
        #expect(records[0].event.amount == Money(minorUnits: 1_234, currency: "JPY"))
    }

    // MARK: Time zones

    @Test func anExplicitOffsetIsKeptAsTheInstant() throws {
        let records = try EventFileReader.readCSV(text: EventFile.csv(
            "FA-1,received,2026-11-12T09:30:00+01:00,,,,,,,,",
            "FA-1,approved,2026-11-12T09:30:00Z,,,,,,,,",
            "FA-1,posted,2026-11-12T09:30:00.250-05:00,,,,,,,,"), file: "events.csv")
        #expect(records[0].event.at == (try EventFile.instant("2026-11-12T08:30:00Z")))
        #expect(records[1].event.at == (try EventFile.instant("2026-11-12T09:30:00Z")))
        #expect(records[2].event.at.timeIntervalSince1970 == (try EventFile.instant("2026-11-12T14:30:00Z")).timeIntervalSince1970 + 0.25)
        // Without a time_zone column value, the zone shown is the one the time was given in.
        #expect(records[1].event.timeZone == "UTC")
        let zone = try #require(TimeZone(identifier: records[0].event.timeZone))
        #expect(zone.secondsFromGMT(for: records[0].event.at) == 3600)
        let west = try #require(TimeZone(identifier: records[2].event.timeZone))
        #expect(west.secondsFromGMT(for: records[2].event.at) == -5 * 3600)
    }

    @Test func anExplicitOffsetWinsOverTheTimeZoneColumnWhichStaysTheDisplayZone() throws {
        let records = try EventFileReader.readCSV(text: EventFile.csv("FA-1,received,2026-11-12T09:30:00+01:00,America/New_York,,,,,,,"),
                                                  file: "events.csv")
        #expect(records[0].event.at == (try EventFile.instant("2026-11-12T08:30:00Z")))
        #expect(records[0].event.timeZone == "America/New_York")
    }

    @Test func aLocalTimeIsReadInTheTimeZoneColumn() throws {
        let records = try EventFileReader.readCSV(text: EventFile.csv(
            "FA-1,received,2026-11-12 09:30,America/New_York,,,,,,,",
            "FA-1,approved,2026-11-12 09:30,,,,,,,,",
            "FA-1,posted,2026-07-01T09:30:15,Europe/Paris,,,,,,,",
            "FA-1,scheduled,2026-11-12,Asia/Tokyo,,,,,,,"), file: "events.csv")
        // New York is UTC-5 in November.
        #expect(records[0].event.at == (try EventFile.instant("2026-11-12T14:30:00Z")))
        #expect(records[0].event.timeZone == "America/New_York")
        // No zone: Paris (UTC+1 in November, UTC+2 in July).
        #expect(records[1].event.at == (try EventFile.instant("2026-11-12T08:30:00Z")))
        #expect(records[1].event.timeZone == "Europe/Paris")
        #expect(records[2].event.at == (try EventFile.instant("2026-07-01T07:30:15Z")))
        // A date alone is noon in the zone.
        #expect(records[3].event.at == (try EventFile.instant("2026-11-12T03:00:00Z")))
        #expect(records[3].event.timeZone == "Asia/Tokyo")
    }

    @Test func aDateAloneIsNoonEvenWhenTheClocksChange() throws {
        let records = try EventFileReader.readCSV(text: EventFile.csv("FA-1,received,2026-03-29,Europe/Paris,,,,,,,"), file: "events.csv")
        // Noon on 29 March 2026 in Paris (summer time from 02:00) is 10:00 UTC.
        let noon = try EventFile.instant("2026-03-29T10:00:00Z")
        #expect(records[0].event.at == noon)
    }

    // MARK: CSV malformations

    @Test func anUnknownStateIsNamed() {
        let found = EventFile.problems(csv: EventFile.csv("FA-1,received,2026-11-12 09:30,,,,,,,,", "FA-1,lost,2026-11-12 09:30,,,,,,,,"))
        expectProblem(found, line: 3, field: "state", saying: "'lost' is not a canonical state")
    }

    @Test(arguments: ["2026-11-31 09:30", "2026-11-12 25:00", "2026-11-12 09:61", "12 Nov 2026", "2206-11-12 09:30",
                      "2206-11-12T09:30:00Z", "1999-12-31", "2026-11-12T9h30"])
    func aBadTimeIsNamed(_ at: String) {
        let found = EventFile.problems(csv: EventFile.csv("FA-1,received,\(at),,,,,,,,"))
        expectProblem(found, line: 2, field: "at", saying: "'\(at)' is not a date-time")
    }

    @Test func anEmptyTimeIsNamed() {
        expectProblem(EventFile.problems(csv: EventFile.csv("FA-1,received,,,,,,,,,")), line: 2, field: "at", saying: "the time is empty")
    }

    @Test func anUnknownTimeZoneIsNamed() {
        expectProblem(EventFile.problems(csv: EventFile.csv("FA-1,received,2026-11-12 09:30,Europe/Nantes,,,,,,,")), line: 2, field: "time_zone",
                      saying: "unknown time zone 'Europe/Nantes'")
    }

    @Test func aNoteRowNeedsItsNote() {
        let found = EventFile.problems(csv: EventFile.csv("FA-1,note,2026-11-12 09:30,,,,call,,,,"))
        expectProblem(found, line: 2, field: "note", saying: "a note (state 'note') needs its text")
    }

    @Test func aPromiseNeedsItsDate() {
        let found = EventFile.problems(csv: EventFile.csv("FA-1,promised,2026-11-12 09:30,,,,call,They will pay,,,"))
        expectProblem(found, line: 2, field: "date", saying: "a promise to pay needs the promised date")
    }

    @Test func anUnknownSourceIsNamed() {
        expectProblem(EventFile.problems(csv: EventFile.csv("FA-1,received,2026-11-12 09:30,,,,fax,,,,")), line: 2, field: "source",
                      saying: "'fax' is not one of")
    }

    @Test func aBadAmountOrDateIsNamed() {
        let found = EventFile.problems(csv: EventFile.csv("FA-1,partially-paid,2026-11-12 09:30,,,,,,12.3456,EUR,",
                                                          "FA-1,promised,2026-11-12 09:30,,,,,,,,2026-11-31"))
        expectProblem(found, line: 2, field: "amount", saying: "'12.3456' is not an amount")
        expectProblem(found, line: 3, field: "date", saying: "'2026-11-31' is not a date")
    }

    @Test func anEmptyInvoiceIsNamed() {
        expectProblem(EventFile.problems(csv: EventFile.csv(",received,2026-11-12 09:30,,,,,,,,")), line: 2, field: "invoice",
                      saying: "the invoice number is empty")
    }

    @Test func headerProblemsAreNamed() {
        let missing = EventFile.problems(csv: "invoice,at\nFA-1,2026-11-12 09:30\n")
        expectProblem(missing, line: 1, field: "state", saying: "missing column 'state'")
        let unknown = EventFile.problems(csv: "invoice,state,at,weather\nFA-1,received,2026-11-12 09:30,rain\n")
        expectProblem(unknown, line: 1, field: "weather", saying: "unknown column 'weather'")
        let twice = EventFile.problems(csv: "invoice,state,at,state\nFA-1,received,2026-11-12 09:30,approved\n")
        expectProblem(twice, line: 1, field: "state", saying: "column 'state' appears twice")
    }

    @Test func aRowWithTheWrongNumberOfFieldsIsNamedWithItsLine() {
        let found = EventFile.problems(csv: "invoice,state,at\nFA-1,received,2026-11-12 09:30\nFA-1,approved\n")
        #expect(found.count == 1)
        #expect(found.first?.line == 3)
        #expect(found.first?.message.contains("2 fields where the header has 3") == true)
    }

    @Test func everyRowProblemIsReportedAtOnce() {
        let found = EventFile.problems(csv: EventFile.csv(
            "FA-1,lost,2026-11-12 09:30,,,,,,,,",
            "FA-1,received,2026-11-12 09:30,,,,,,,,",
            "FA-1,received,yesterday,,,,,,,,",
            "FA-1,note,2026-11-12 09:30,,,,,,,,"))
        #expect(found.compactMap(\.line) == [2, 4, 5])
    }

    // MARK: JSON Lines

    @Test func jsonLinesAreReadWithTheSameFields() throws {
        let text = """
            {"invoice": "FA-1", "state": "partially-paid", "at": "2026-11-12T09:30:00+01:00", "amount": 1200.5, "currency": "EUR"}

            {"invoice": "FA-1", "state": "promised", "at": "2026-11-13 10:00", "time-zone": "Europe/Paris", "date": "2026-11-27", "department": null}
            {"invoice": 10412, "State": "paid", "at": "2026-11-30", "amount": 18450}
            """
        let records = try EventFileReader.readJSONLines(text: text, file: "portal.jsonl")
        #expect(records.map(\.line) == [1, 3, 4])
        #expect(records[0].event.amount == Money(minorUnits: 120_050, currency: "EUR"))
        #expect(records[0].event.at == (try EventFile.instant("2026-11-12T08:30:00Z")))
        #expect(records[1].event.date == CivilDate(iso: "2026-11-27"))
        #expect(records[1].event.department == nil)
        #expect(records[2].event.invoice == "10412")
        #expect(records[2].event.state == .paid)
        #expect(records[2].event.amount == Money(minorUnits: 1_845_000, currency: "EUR"))
        #expect(records.allSatisfy { $0.file == "portal.jsonl" })
    }

    /// A JSON number has no thousands separator: 12.345 is twelve and a bit, which EUR cannot hold.
    @Test func aJSONNumberWithMoreDecimalsThanTheCurrencyIsRefused() {
        let text = #"{"invoice": "FA-1", "state": "partially-paid", "at": "2026-11-12 09:30", "amount": 12.345}"#
        expectProblem(EventFile.problems(jsonl: text), file: "events.jsonl", line: 1, field: "amount", saying: "'12.345' is not an amount")
        let large = #"{"invoice": "FA-1", "state": "partially-paid", "at": "2026-11-12 09:30", "amount": 1234.567}"#
        withKnownIssue("a JSON number's decimal point is taken for a thousands separator when four or more digits precede it (1234.567 → 1,234,567.00 EUR)") {
            let records = try EventFileReader.readJSONLines(text: large, file: "events.jsonl")
            #expect(records.isEmpty, "read as \(records.map { String(describing: $0.event.amount) })")
        }
    }

    @Test func trailingTextAfterAnOffsetIsRefused() {
        let text = EventFile.csv("FA-1,received,2026-11-12T09:30:00+01:00junk,,,,,,,,")
        withKnownIssue("Instants.parse accepts what ISO8601DateFormatter accepts, trailing text included (then shows it in UTC)") {
            let records = try EventFileReader.readCSV(text: text, file: "events.csv")
            #expect(records.isEmpty, "read as \(records.map { ($0.event.at, $0.event.timeZone) })")
        }
    }

    @Test func anOffsetWithoutAColonIsShownInItsOwnZone() throws {
        let records = try EventFileReader.readCSV(text: EventFile.csv("FA-1,received,2026-11-12T09:30:00+0100,,,,,,,,"), file: "events.csv")
        #expect(records[0].event.at == (try EventFile.instant("2026-11-12T08:30:00Z")))
        let zone = try #require(TimeZone(identifier: records[0].event.timeZone))
        #expect(zone.secondsFromGMT(for: records[0].event.at) == 3600, "zone \(records[0].event.timeZone)")
    }

    @Test func anUnknownJSONFieldIsNamed() {
        let text = """
            {"invoice": "FA-1", "state": "received", "at": "2026-11-12 09:30"}
            {"invoice": "FA-1", "state": "approved", "at": "2026-11-12 09:30", "colour": "blue"}
            """
        expectProblem(EventFile.problems(jsonl: text), file: "events.jsonl", line: 2, field: "colour", saying: "unknown field 'colour'")
    }

    @Test(arguments: [#"[1, 2]"#, #""received""#, #"{"invoice": "FA-1", "state": "#, "not json at all"])
    func aLineThatIsNotAJSONObjectIsNamed(_ line: String) {
        let text = #"{"invoice": "FA-1", "state": "received", "at": "2026-11-12 09:30"}"# + "\n" + line + "\n"
        expectProblem(EventFile.problems(jsonl: text), file: "events.jsonl", line: 2, field: nil, saying: "not a JSON object")
    }

    @Test func aNestedJSONValueIsRefused() {
        let text = #"{"invoice": "FA-1", "state": "received", "at": "2026-11-12 09:30", "note": {"text": "hi"}}"#
        expectProblem(EventFile.problems(jsonl: text), file: "events.jsonl", line: 1, field: "note", saying: "expected text or a number")
    }

    @Test func jsonLinesRowsAreCheckedLikeCSVRows() {
        let text = """
            {"invoice": "FA-1", "state": "note", "at": "2026-11-12 09:30"}
            {"invoice": "FA-1", "state": "promised", "at": "2026-11-12 09:30"}
            {"invoice": "FA-1", "state": "received", "at": "2206-11-12 09:30"}
            """
        let found = EventFile.problems(jsonl: text)
        expectProblem(found, file: "events.jsonl", line: 1, field: "note", saying: "needs its text")
        expectProblem(found, file: "events.jsonl", line: 2, field: "date", saying: "needs the promised date")
        expectProblem(found, file: "events.jsonl", line: 3, field: "at", saying: "is not a date-time")
    }

    @Test func jsonLinesWithCRLFLineEndingsAreRead() throws {
        let text = #"{"invoice": "FA-1", "state": "received", "at": "2026-11-12 09:30"}"# + "\r\n"
            + #"{"invoice": "FA-1", "state": "approved", "at": "2026-11-13 09:30"}"# + "\r\n"
        let records = try EventFileReader.readJSONLines(text: text, file: "events.jsonl")
        #expect(records.map(\.line) == [1, 2])
    }

    @Test func jsonLinesWithAByteOrderMarkAreRead() throws {
        let text = "\u{FEFF}" + #"{"invoice": "FA-1", "state": "received", "at": "2026-11-12 09:30"}"# + "\n"
        let records = try EventFileReader.readJSONLines(text: text, file: "events.jsonl")
        #expect(records.map(\.event.state) == [.received])
    }

    // MARK: Files, by extension

    @Test func theExtensionChoosesTheFormat() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("relance-events-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let jsonl = dir.appendingPathComponent("portal.jsonl"), ndjson = dir.appendingPathComponent("portal.NDJSON")
        let csv = dir.appendingPathComponent("calls.csv")
        let line = #"{"invoice": "FA-1", "state": "received", "at": "2026-11-12 09:30"}"# + "\n"
        try line.write(to: jsonl, atomically: true, encoding: .utf8)
        try line.write(to: ndjson, atomically: true, encoding: .utf8)
        try "invoice,state,at\nFA-1,received,2026-11-12 09:30\n".write(to: csv, atomically: true, encoding: .utf8)
        #expect(try EventFileReader.read(contentsOf: jsonl).map(\.event.state) == [.received])
        #expect(try EventFileReader.read(contentsOf: ndjson).first?.file == "portal.NDJSON")
        #expect(try EventFileReader.read(contentsOf: csv).first?.line == 2)
        // A JSON Lines file named .csv is read as CSV, and refused there.
        try line.write(to: csv, atomically: true, encoding: .utf8)
        #expect(throws: ImportError.self) { try EventFileReader.read(contentsOf: csv) }
    }

    @Test func aMissingFileIsAnImportError() {
        #expect(throws: ImportError.self) {
            try EventFileReader.read(contentsOf: URL(fileURLWithPath: "/nonexistent/relance/events.csv"))
        }
    }
}
