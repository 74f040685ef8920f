import Foundation
import Testing

/// `relance import events` as a user runs it: streamed, one transaction, quiet when not on a terminal.
@Suite struct ImportEventsCommandTests {
    let tmp: TemporaryFolder

    init() throws { tmp = try TemporaryFolder() }

    func relance(_ args: String..., env: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation) throws -> RunResult {
        try run(args, cwd: tmp.url, env: env, sourceLocation: sourceLocation)
    }

    /// A database with the sample organisations and invoices.
    func database() throws {
        try #require(try relance("init").status == 0)
        try #require(try run(["import", "org"] + Repo.allSamples, cwd: tmp.url).status == 0)
        let invoices = try relance("import", "invoices", Repo.root.appendingPathComponent("samples/invoices.csv").path)
        try #require(invoices.status == 0, "\(invoices)")
    }

    /// `count` distinct call notes on FA-2026-10412, one a minute from 2026-10-21 08:00 Paris.
    func rows(_ count: Int) -> [String] {
        (0..<count).map { i in "FA-2026-10412,note,2026-10-21T\(10 + i / 3_600 % 10):\(two(i / 60 % 60)):\(two(i % 60))+02:00,,,call,call \(i)" }
    }

    func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    func write(_ name: String, _ rows: [String]) throws -> String {
        let text = (["invoice,state,at,department,contact,source,note"] + rows).joined(separator: "\n") + "\n"
        try Data(text.utf8).write(to: tmp.url.appendingPathComponent(name))
        return tmp.path(name)
    }

    @Test func aBadRowLateInALargeFileRefusesEverythingAndNamesFileLineAndField() throws {
        try database()
        var rows = rows(20_000)
        rows[19_000] = "FA-2026-10412,note,2026-10-21T25:00:00+02:00,,,call,late"
        rows[19_500] = "FA-2026-99999,received,2026-10-21T10:00:00+02:00,,,erp,"
        let file = try write("big.csv", rows)
        let refused = try relance("import", "events", file)
        #expect(refused.status != 0, "\(refused)")
        #expect(refused.stderr.contains("big.csv:19002: at: '2026-10-21T25:00:00+02:00' is not a date-time"), "\(refused)")
        #expect(refused.stderr.contains("big.csv:19502: invoice: unknown invoice 'FA-2026-99999'"), "\(refused)")
        #expect(refused.stderr.contains("nothing was written"), "\(refused)")
        // Nothing was written: the good rows all come in afterwards.
        let good = try write("good.csv", Array(rows[..<19_000]))
        let imported = try relance("import", "events", good)
        #expect(imported.status == 0, "\(imported)")
        #expect(imported.stdout == "events: 19000 added, 0 duplicates ignored\n", "\(imported)")
    }

    @Test func duplicatesInTheFileAndInTheDatabaseAreCountedAsIgnored() throws {
        try database()
        let first = try relance("import", "events", try write("a.csv", rows(300) + rows(100)))
        #expect(first.stdout == "events: 300 added, 100 duplicates ignored\n", "\(first)")
        let second = try relance("import", "events", try write("b.csv", rows(350)))
        #expect(second.stdout == "events: 50 added, 300 duplicates ignored\n", "\(second)")
    }

    @Test func progressStaysQuietWhenTheOutputIsNotATerminal() throws {
        try database()
        let r = try relance("import", "events", try write("c.csv", rows(5_000)))
        #expect(r.status == 0, "\(r)")
        #expect(r.stderr.isEmpty, "\(r)")
        #expect(r.stdout == "events: 5000 added, 0 duplicates ignored\n", "\(r)")
    }

    /// On a terminal (a pseudo-terminal from util-linux's `script`), the progress line shows the count, the
    /// estimated total, the rate and the time left, on standard error.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "util-linux's script is not installed"))
    func progressIsShownOnATerminal() throws {
        try database()
        let file = try write("t.csv", rows(30_000))
        let exe = try Binary.require()
        let script = Process()
        script.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        script.arguments = ["-qec", "'\(exe.path)' import events '\(file)'", "/dev/null"]
        script.currentDirectoryURL = tmp.url
        var environment = ProcessInfo.processInfo.environment
        environment["RELANCE_DB"] = nil
        environment["RELANCE_PROGRESS"] = nil
        // A line every 1,024 rows: 30,000 rows can be imported within the default quarter of a second between
        // lines (they were, once the code got faster), and the test must not depend on the machine's speed.
        environment["RELANCE_PROGRESS_MS"] = "0"
        script.environment = environment
        let out = Pipe()
        script.standardOutput = out
        script.standardInput = FileHandle.nullDevice
        try script.run()
        let terminal = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        script.waitUntilExit()
        #expect(script.terminationStatus == 0, "\(terminal)")
        #expect(terminal.contains("events: 30000 added, 0 duplicates ignored"), "\(terminal)")
        // "12,288 / 29,9xx events  41%  9,120/s  2 s left", rewritten in place.
        #expect(terminal.contains(" events  ") && terminal.contains("/s") && terminal.contains("\r"), "\(terminal)")
    }

    /// Quoted fields (a separator, doubled quotes and a line break inside), UTF-8 text, CRLF line ends and a
    /// byte-order mark: the rows read from bytes are the events the JSON Lines reader makes of the same values
    /// (the second import finds every one a duplicate), and the export gives the texts back.
    @Test func quotedUTF8AndCRLFRowsAreTheSameEventsAsJSONLines() throws {
        try database()
        let rows = [
            ["FA-2026-10412", "note", "2026-10-21T10:00:00+02:00", "", "", "call", "Reçu, \"scanné\"\r\nle matin"],
            ["FA-2026-10412", "received", "2026-10-21 11:00", "mtx-ssc-mailroom", "", "erp", "Appel à 10 h – pas de réponse"],
            ["FA-2026-10412", "note", "2026-10-21T12:00:00Z", "", "", "call", "call back, ask for \"Mme Durand\""],
            ["FA-2026-10398", "Received", "2026-10-26 09:12", "", "", "ERP", "plain"],
        ]
        func csvField(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r\n" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        let csv = "\u{FEFF}invoice,state,at,department,contact,source,note\r\n" + rows.map { $0.map(csvField).joined(separator: ",") + "\r\n" }.joined()
        try Data(csv.utf8).write(to: tmp.url.appendingPathComponent("tricky.csv"))
        let names = ["invoice", "state", "at", "department", "contact", "source", "note"]
        let jsonl = try rows.map { row in
            let object = Dictionary(uniqueKeysWithValues: zip(names, row).filter { !$0.1.isEmpty })
            return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        }.joined(separator: "\n") + "\n"
        try Data(jsonl.utf8).write(to: tmp.url.appendingPathComponent("tricky.jsonl"))
        let first = try relance("import", "events", tmp.path("tricky.csv"))
        #expect(first.stdout == "events: 4 added, 0 duplicates ignored\n", "\(first)")
        let again = try relance("import", "events", tmp.path("tricky.jsonl"))
        #expect(again.stdout == "events: 0 added, 4 duplicates ignored\n", "\(again)")
        let export = try relance("export", "events", "--out", "-")
        #expect(export.stdout.contains("\"Reçu, \"\"scanné\"\"\r\nle matin\""), "\(export)")
        #expect(export.stdout.contains("Appel à 10 h – pas de réponse") && export.stdout.contains("\"call back, ask for \"\"Mme Durand\"\"\""))
        #expect(export.stdout.contains("FA-2026-10398,received,2026-10-26T08:12:00Z,Europe/Paris,mtx-ssc-mailroom,,erp"), "inferred: \(export)")
    }

    @Test func aBadDateAfterAMultiLineQuotedRowNamesItsLineAndField() throws {
        try database()
        let csv = "invoice,state,at,note\r\nFA-2026-10412,note,2026-10-21 10:00,\"Reçu\r\nle matin\"\r\nFA-2026-10412,note,2026-10-32 10:00,à rappeler\r\n"
        try Data(csv.utf8).write(to: tmp.url.appendingPathComponent("late.csv"))
        let r = try relance("import", "events", tmp.path("late.csv"))
        #expect(r.status != 0, "\(r)")
        #expect(r.stderr.contains("late.csv:4: at: '2026-10-32 10:00' is not a date-time"), "\(r)")
        #expect(r.stderr.contains("nothing was written"), "\(r)")
    }

    @Test func cdarEventsWithoutADepartmentGetTheInferredOne() throws {
        try database()
        let r = try relance("import", "cdar", Repo.root.appendingPathComponent("samples/messages/metalux-FA-2026-10412.cdar.xml").path)
        #expect(r.status == 0, "\(r)")
        let place = try relance("where", "FA-2026-10412", "--as-of", "2026-11-27")
        #expect(place.status == 0, "\(place)")
        // The CDAR 204 and 205 name no department: the route's only invoice-receipt step and the approver.
        #expect(place.stdout.contains("in-processing at mtx-ssc-mailroom"), "\(place)")
        #expect(place.stdout.contains("approved at mtx-ven-purchasing"), "\(place)")
    }
}
