import Foundation
import Testing

/// `relance agenda`, `policy`, `log`, `letters`, `report cost` on a small simulated Métalux database.
@Suite struct AgendaCommandTests {
    let tmp: TemporaryFolder

    init() throws { tmp = try TemporaryFolder() }

    func relance(_ args: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> RunResult {
        try run(args, cwd: tmp.url, sourceLocation: sourceLocation)
    }

    /// Métalux with four months of simulated history up to 2026-09-29.
    func database(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try run(["simulate", "--org", Repo.sample("metalux"), "--from", "2026-06-01", "--as-of", "2026-09-29", "--seed", "23",
                         "--rate", "4", "--out", "sim", "--db", "relance.sqlite"], cwd: tmp.url, sourceLocation: sourceLocation)
        try #require(r.status == 0, "\(r)", sourceLocation: sourceLocation)
    }

    /// The number of rows `relance report cost` and the log see, through the agenda's JSON.
    func agendaJSON(_ date: String) throws -> [String: Any] {
        let r = try relance("agenda", "--date", date, "--format", "json")
        try #require(r.status == 0, "\(r)")
        return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    }

    @Test func theAgendaListsCallsLettersAndTheirInvoices() throws {
        try database()
        let r = try relance("agenda", "--date", "2026-09-29")
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.hasPrefix("Agenda for 2026-09-29: "))
        #expect(r.stdout.contains("Calls, most cash brought forward per minute first"))
        #expect(r.stdout.contains("ask: "))
        let json = try agendaJSON("2026-09-29")
        let calls = try #require(json["calls"] as? [[String: Any]])
        #expect(!calls.isEmpty)
        let scores = calls.compactMap { $0["score"] as? Double }
        #expect(scores == scores.sorted(by: >), "calls ordered by cash brought forward per minute")
        // Someone else's agenda is empty; Métalux's responsible person sees Métalux.
        let other = try relance("agenda", "--date", "2026-09-29", "--for", "Nobody Else")
        #expect(other.stdout.hasPrefix("Agenda for 2026-09-29 (Nobody Else): 0 calls, 0 letters"))
        let mine = try relance("agenda", "--date", "2026-09-29", "--for", "Claire Dubois")
        #expect(mine.stdout.contains("Groupe Métalux"))
    }

    /// `relance learn` packs the open books of the day; the forecast and the agenda of that day read them and
    /// say what they said from the rows; an import later, they read the rows again.
    @Test func learningPacksTheOpenBooksAndTheOutputsStayTheSame() throws {
        try database()
        let day = "2026-09-29"
        let forecast = try relance("forecast", "--as-of", day, "--format", "csv")
        let agenda = try relance("agenda", "--date", day, "--format", "json")
        try #require(forecast.status == 0 && agenda.status == 0, "\(forecast) \(agenda)")
        #expect(forecast.stdout.split(separator: "\n").count > 10, "open invoices to forecast")
        let learn = try relance("learn", "--as-of", day)
        #expect(learn.status == 0, "\(learn)")
        #expect(learn.stdout.contains(/Packed 1 open book \(\d+ invoices? and credit notes, [0-9.]+ MiB\) in [0-9.]+ s/), "\(learn)")
        let listed = try relance("learn", "--list")
        #expect(listed.stdout.contains(/Packed open books[^\n]*\ncustomer +as_of +current +invoices +KiB\nmetalux +2026-09-29 +yes +\d+ +\d+\n/), "\(listed)")
        #expect(try relance("forecast", "--as-of", day, "--format", "csv").stdout == forecast.stdout)
        #expect(try relance("agenda", "--date", day, "--format", "json").stdout == agenda.stdout)
        // A call logged: new data, the rows again, and the promise shows in the forecast.
        let invoice = try #require(forecast.stdout.split(separator: "\n").dropFirst().first?.split(separator: ",").first).description
        let log = try relance("log", invoice, "--outcome", "promise", "--on", "2026-10-20", "--date", day)
        #expect(log.status == 0, "\(log)")
        let after = try relance("forecast", "--as-of", day, "--format", "csv")
        #expect(after.status == 0 && after.stdout != forecast.stdout, "\(after)")
        #expect(after.stdout.contains("promised for 2026-10-20"), "\(after)")
        #expect(try relance("learn", "--list").stdout.contains(/\nmetalux +2026-09-29 +no +\d+ +\d+\n/), "the packed book is stale")
    }

    @Test func theICSExportIsWrittenToAFile() throws {
        try database()
        let r = try relance("agenda", "--date", "2026-09-29", "--format", "ics", "--output", "calls.ics")
        #expect(r.status == 0, "\(r)")
        let ics = try String(contentsOfFile: tmp.path("calls.ics"), encoding: .utf8)
        #expect(ics.hasPrefix("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"))
        #expect(ics.hasSuffix("END:VCALENDAR\r\n"))
        #expect(ics.contains("BEGIN:VEVENT\r\n"))
    }

    /// The JSON is streamed as it is written; to a file, it is written beside it and moved over it at the end.
    @Test func theJSONWrittenToAFileIsWhatStandardOutputGets() throws {
        try database()
        let out = try relance("agenda", "--date", "2026-09-29", "--format", "json")
        try #require(out.status == 0, "\(out)")
        try Data("old".utf8).write(to: tmp.url.appendingPathComponent("agenda.json"))
        let r = try relance("agenda", "--date", "2026-09-29", "--format", "json", "--output", "agenda.json")
        #expect(r.status == 0 && r.stdout.isEmpty, "\(r)")
        #expect(try String(contentsOfFile: tmp.path("agenda.json"), encoding: .utf8) == out.stdout)
        #expect(out.stdout.hasSuffix("}\n"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: tmp.url.path).filter { $0.contains("partial") }
        #expect(leftovers.isEmpty, "no partial file left: \(leftovers)")
        // A folder that does not exist: an error naming the file, nothing written.
        let bad = try relance("agenda", "--date", "2026-09-29", "--format", "json", "--output", "missing/agenda.json")
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("missing/agenda.json"), "\(bad)")
        #expect(!FileManager.default.fileExists(atPath: tmp.path("missing")))
    }

    @Test func aLoggedPromiseBecomesAnEventAndTheCallCountsForTheLimit() throws {
        try database()
        let json = try agendaJSON("2026-09-29")
        let call = try #require((json["calls"] as? [[String: Any]])?.first)
        let key = try #require(call["contactKey"] as? String)
        let invoice = try #require((call["invoices"] as? [[String: Any]])?.first?["invoice"] as? String)
        let r = try relance("log", invoice, "--outcome", "promise", "--on", "2026-10-09", "--contact", key, "--date", "2026-09-29", "--by", "Claire Dubois")
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("promise 2026-10-09 → 1 event (promised)"))
        let w = try relance("where", invoice, "--as-of", "2026-09-30")
        #expect(w.stdout.contains("promised"), "\(w)")
        // The next day, that contact is not called again (per-contact limit).
        let next = try agendaJSON("2026-09-30")
        let keys = (next["calls"] as? [[String: Any]])?.compactMap { $0["contactKey"] as? String } ?? []
        #expect(!keys.contains(key))
        let cost = try relance("report", "cost", "--from", "2026-09-01", "--to", "2026-09-30")
        #expect(cost.status == 0, "\(cost)")
        #expect(cost.stdout.contains("Groupe Métalux"))
    }

    @Test(arguments: [
        (["FA-NOPE", "--outcome", "no-answer", "--date", "2026-09-29"], "unknown invoice 'FA-NOPE'"),
        (["INVOICE", "--outcome", "no-answer", "--date", "2030-01-01"], "is in the future"),
        (["INVOICE", "--outcome", "no-answer", "--date", "2020-01-01"], "is before the date of invoice"),
        (["INVOICE", "--outcome", "sunny"], "unknown outcome 'sunny'"),
        (["INVOICE", "--outcome", "promise"], "needs a date"),
        (["INVOICE", "--outcome", "dispute"], "needs the dispute's reason"),
        (["INVOICE", "--outcome", "no-answer", "--date", "29/09/2026"], "--date '29/09/2026' is not a date"),
    ])
    func badLogsAreRefusedAndWriteNothing(args: [String], message: String) throws {
        try database()
        let json = try agendaJSON("2026-09-29")
        let invoice = try #require(((json["letters"] as? [[String: Any]])?.first?["invoices"] as? [[String: Any]])?.first?["invoice"] as? String)
        let before = try relance("report", "cost", "--from", "2020-01-01", "--to", "2030-01-01")
        let r = try run(["log"] + args.map { $0 == "INVOICE" ? invoice : $0 }, cwd: tmp.url)
        #expect(r.status != 0)
        #expect(r.stderr.contains(message), "\(r)")
        let after = try relance("report", "cost", "--from", "2020-01-01", "--to", "2030-01-01")
        #expect(after.stdout == before.stdout)
        #expect(after.stdout.contains("nothing in the follow-up log"))
    }

    @Test func policyShowsSourcesAndRefusesBadValues() throws {
        try database()
        let set = try relance("policy", "--customer", "metalux", "--set", "language=en", "--set", "min-days-between-calls=5")
        #expect(set.status == 0, "\(set)")
        let show = try relance("policy", "--customer", "metalux")
        let lines = show.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("language ") && $0.contains(" en ") && $0.contains("customer") })
        #expect(lines.contains { $0.hasPrefix("responsible ") && $0.contains("Claire Dubois") && $0.contains("organisation file") })
        #expect(lines.contains { $0.hasPrefix("letter-every-days ") && $0.contains(" 14 ") && $0.contains("default") })
        let bad = try relance("policy", "--set", "ecb-rate=lots")
        #expect(bad.status != 0 && bad.stderr.contains("ecb-rate: 'lots' is not a rate"), "\(bad)")
        let unknown = try relance("policy", "--set", "calls-per-hour=3")
        #expect(unknown.status != 0 && unknown.stderr.contains("unknown setting 'calls-per-hour'"), "\(unknown)")
    }

    @Test func lettersAreWrittenAndLoggedSoTheyAreNotDueAgainTheNextDay() throws {
        try database()
        let r = try relance("letters", "--date", "2026-09-29", "--out", "letters", "--language", "en")
        #expect(r.status == 0, "\(r)")
        let files = try FileManager.default.contentsOfDirectory(atPath: tmp.path("letters")).filter { $0.hasSuffix("-en.txt") }
        #expect(!files.isEmpty)
        let body = try String(contentsOfFile: tmp.path("letters/\(try #require(files.first))"), encoding: .utf8)
        #expect(body.contains("Dear Sir or Madam"))
        let next = try agendaJSON("2026-09-30")
        let today = try agendaJSON("2026-09-29")
        let lettersToday = (today["letters"] as? [[String: Any]])?.count ?? 0
        #expect(lettersToday == 0, "the day's letters are logged as sent")
    }
}
