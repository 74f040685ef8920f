import Foundation
import RelanceCore
import RelancePlan
import RelanceSimulator
import RelanceStore
import Testing

/// Python with the `icalendar` package: $RELANCE_PYTHON, else the repository's `.build-py/bin/python`
/// (`.ci/run` creates it). The ICS test fails, rather than skips, without it.
enum Python {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var interpreter: String? {
        if let p = ProcessInfo.processInfo.environment["RELANCE_PYTHON"], !p.isEmpty { return p }
        let venv = root.appendingPathComponent(".build-py/bin/python").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : nil
    }

    static func run(_ script: String, input: URL) throws -> (status: Int32, out: String) {
        let python = try #require(interpreter, """
            no Python with icalendar: run 'python3 -m venv .build-py && .build-py/bin/pip install icalendar' \
            in the repository (as .ci/run does), or set RELANCE_PYTHON
            """)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-c", script, input.path]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

@Suite struct AgendaStoreICSTests {
    /// Métalux with four months of simulated history, stored as `relance simulate --db` would.
    /// Sample customers (metalux alone by default) simulated from June to 2026-09-29 and stored.
    static func store(_ customers: [String] = ["metalux"], seed: UInt64 = 23) throws -> (Store, DrivenPortfolio, CivilDate) {
        let graphs = try customers.map(Fixture.graph)
        let day = try Fixture.day("2026-09-29")
        var settings = SimulationSettings(start: try Fixture.day("2026-06-01"), asOf: day, seed: seed)
        settings.invoicesPerSiteMonth = 2
        let sim = Simulator(settings: settings).run(graphs)
        let store = try Store.inMemory()
        try store.save(graphs)
        let now = day.adding(days: 1).start(in: Fixture.paris)
        try store.importInvoices(sim.invoices.enumerated().map { i, inv in
            InvoiceInput(invoice: inv, givenDueDate: inv.dueDate, receiptDate: nil, place: "simulated invoice \(i + 1)")
        }, source: "simulator", now: now)
        try store.appendEvents(sim.events.enumerated().map { i, e in EventInput(event: e, place: "simulated event \(i + 1)") }, source: "simulator", now: now)
        return (store, DrivenPortfolio(graphs: graphs, simulation: sim), day)
    }

    @Test func aLoggedOutcomeChangesTheNextDaysAgenda() throws {
        let (store, _, day) = try AgendaStoreICSTests.store()
        let next = day.adding(days: 1)
        let before = try agenda(in: store, date: next)
        // An open invoice not in dispute, due later: a dispute logged today puts it on tomorrow's fast track.
        let candidates = try #require(try store.book(group: "metalux", asOf: day)).open.filter { p in !p.blocks.contains { $0.state == .inDispute } }
        let target = try #require(candidates.first).invoice.id
        #expect(!before.disputes.contains { $0.invoice.invoice == target })
        let now = next.adding(days: 1).start(in: Fixture.paris)
        let (record, events) = try store.logOutcome(.dispute(reason: "price"), invoices: [target], day: day, contact: "mtx-ssc-ap", person: "Claire Dubois", now: now)
        #expect(record.id != nil && events.count == 1 && events.first?.state == .inDispute)
        let after = try agenda(in: store, date: next)
        let dispute = try #require(after.disputes.first { $0.invoice.invoice == target })
        #expect(dispute.since == day)
        #expect(dispute.reason == "price")
        #expect(dispute.owner == "Claire Dubois")
        #expect(dispute.target == day.adding(days: FollowUpPolicy().disputeTargetDays))
        // The call is in the log: the contact it went to is not called again tomorrow.
        #expect(try store.followUps(group: "metalux").contains { $0.kind == .call && $0.contact == "mtx-ssc-ap" && $0.invoices == [target] })
        #expect(!after.calls.contains { $0.contactKey == "mtx-ssc-ap" })
    }

    @Test func badLogsWriteNothing() throws {
        let (store, _, day) = try AgendaStoreICSTests.store()
        let now = day.adding(days: 1).start(in: Fixture.paris)
        let some = try #require(try store.book(group: "metalux", asOf: day)?.open.first).invoice
        let eventsBefore = try store.count(.event)
        #expect(throws: FollowUpError.self) { try store.logOutcome(.noAnswer, invoices: [some.id, "FA-NOPE"], day: day, now: now) }
        #expect(throws: FollowUpError.self) { try store.logOutcome(.noAnswer, invoices: [some.id], day: some.issueDate.adding(days: -1), now: now) }
        #expect(throws: FollowUpError.self) { try store.logOutcome(.noAnswer, invoices: [some.id], day: day.adding(days: 5), now: now) }
        #expect(try store.count(.event) == eventsBefore)
        #expect(try store.followUps().isEmpty)
    }

    @Test func theICalendarExportIsReadByPythonsIcalendar() throws {
        let (store, _, day) = try AgendaStoreICSTests.store()
        let a = try agenda(in: store, date: day)
        let placed = a.calls.filter { $0.slot != nil }
        #expect(!placed.isEmpty)
        let ics = AgendaICS.render(a, stamp: day.start(in: Fixture.paris))
        // Every line fits in 75 octets and ends with CRLF.
        for line in ics.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 75, "\(line)") }
        #expect(!ics.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("relance-agenda-\(UUID().uuidString).ics")
        try ics.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let script = """
            import sys, icalendar
            cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
            events = cal.walk('VEVENT')
            for e in events:
                assert e.get('UID') and e.get('DTSTAMP') and e.get('DTSTART') and e.get('DTEND'), e
                assert e.decoded('DTEND') > e.decoded('DTSTART')
                assert e.decoded('DTSTART').tzinfo is not None
            print(len(events))
            print(events[0].get('SUMMARY'))
            print(events[0].get('DESCRIPTION'))
            """
        let (status, out) = try Python.run(script, input: file)
        #expect(status == 0, "\(out)")
        let lines = out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == String(placed.count))
        // Unfolded and unescaped, the text reads as written.
        let call = try #require(placed.first)
        #expect(lines.count > 2 && lines[1] == "Call \(call.name) (\(call.customer)): \(call.invoices.count) invoice\(call.invoices.count == 1 ? "" : "s")")
        #expect(out.contains(call.invoices[0].question))
    }

    @Test func foldingNeverSplitsACharacterAndEscapingIsReversible() {
        let text = String(repeating: "Bon à payer; réception, «facture» — ", count: 5)
        let folded = AgendaICS.fold("DESCRIPTION:" + AgendaICS.escape(text + "\nsecond line"))
        for line in folded.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 75)
        }
        let unfolded = folded.replacingOccurrences(of: "\r\n ", with: "")
        #expect(unfolded == "DESCRIPTION:" + AgendaICS.escape(text + "\nsecond line"))
        #expect(AgendaICS.escape("a;b,c\\d\ne") == "a\\;b\\,c\\\\d\\ne")
    }
}
