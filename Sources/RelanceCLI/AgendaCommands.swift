import ArgumentParser
import Foundation
import RelanceCore
import RelanceForecast
import RelancePlan
import RelanceRender
import RelanceStore

/// `--date D`: the day of the agenda, the letters or the logged outcome (default today).
struct DayOption: ParsableArguments {
    @Option(name: .customLong("date"), help: ArgumentHelp("The day (YYYY-MM-DD); default today.", valueName: "date"))
    var text: String?

    func date() throws -> CivilDate { try day(text, option: "--date") }
}

enum AgendaFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, ics
}

struct AgendaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agenda",
        abstract: "The day's follow-up work: calls in the contacts' hours, letters, sales reps, bill deadlines, disputes.",
        discussion: """
            Built from the positions, the forecasts, the follow-up policy ('relance policy') and the follow-up \
            log ('relance log', 'relance letters'). Calls are grouped by contact, one call covering every open \
            invoice the contact can act on, never more often than the per-contact limit, and ordered by the \
            cash they are expected to bring forward per minute of effort. docs/agenda.md explains every rule.

            Examples:
              relance agenda --date 2026-11-27
              relance agenda --date 2026-11-27 --for "Claire Dubois"
              relance agenda --date 2026-11-27 --format ics --output calls.ics
            """)

    @OptionGroup var db: DatabaseOptions
    @OptionGroup var day: DayOption
    @Option(name: .customLong("for"), help: ArgumentHelp("Only the customers this person is responsible for (and requests to this sales rep).", valueName: "person"))
    var person: String?
    @Option(help: "Only this customer.") var customer: String?
    @Option(help: "text, json or ics (the calls as an iCalendar file).") var format: AgendaFormat = .text
    @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file")) var output: String?

    func run() throws {
        let store = try db.open()
        let date = try day.date()
        let a = try agenda(in: store, date: date, for: person, customer: customer)
        // Not freed item by item once written (a million open invoices' agenda: about a second on one core).
        defer { keepUntilExit(a) }
        switch format {
        case .text: try emit(AgendaText.render(a), to: output)
        case .json:
            // Written as it is made: a million open invoices make about a gigabyte of JSON.
            try emitStreaming(to: output) { write in
                try a.writePrettyJSON(to: write)
                try [UInt8(ascii: "\n")].withUnsafeBytes { try write($0) }
            }
        case .ics: try emit(AgendaICS.render(a, stamp: Date()), to: output)
        }
    }
}

/// The agenda as text.
enum AgendaText {
    static func render(_ a: Agenda, limit: Int? = nil) -> String {
        var out = "Agenda for \(a.date)" + (a.person.map { " (\($0))" } ?? "") + ": " + [
            plural(a.calls.count, "call"), plural(a.letters.count, "letter"), plural(a.salesRequests.count, "request to sales reps", "requests to sales reps"),
            plural(a.bills.count, "bill deadline"), plural(a.disputes.filter(\.due).count, "dispute due", "disputes due"),
        ].joined(separator: ", ") + "\n"
        func cut<T>(_ xs: [T]) -> ArraySlice<T> { limit.map { xs.prefix($0) } ?? xs[...] }
        func more(_ n: Int) { if let limit, n > limit { out += "  … and \(n - limit) more\n" } }
        if !a.calls.isEmpty {
            out += "\nCalls, most cash brought forward per minute first\n"
            for c in cut(a.calls) {
                let zone = TimeZone(identifier: c.timeZone) ?? .gmt
                let time = c.slot.map { s -> String in
                    var cal = Calendar(identifier: .gregorian)
                    cal.timeZone = zone
                    let h = cal.component(.hour, from: s), m = cal.component(.minute, from: s)
                    return String(format: "%02d:%02d", h, m)
                } ?? "--:--"
                out += "  \(time)  \(c.name) (\(c.customer)), \(c.role)" + (c.phone.map { ", \($0)" } ?? "")
                    + String(format: " — %d min, %.0f €·days/min", c.minutes, c.score) + (c.slot == nil ? " — not reachable today" : "") + "\n"
                for i in c.invoices { out += invoiceLine(i, indent: "         ") }
                if let q = c.invoices.first?.question { out += "         ask: \(q)\n" }
            }
            more(a.calls.count)
        }
        if !a.letters.isEmpty {
            out += "\nLetters to send (relance letters --date \(a.date) --out DIR)\n"
            for l in cut(a.letters) {
                let ids = l.invoices.map(\.invoice)
                let shown = ids.count > 6 ? ids.prefix(5).joined(separator: ", ") + ", … (\(ids.count) invoices)" : ids.joined(separator: ", ")
                out += "  \(l.level.rawValue) to \(l.entityName) (\(l.customer)), \(l.language): \(shown)\n"
            }
            more(a.letters.count)
        }
        if !a.salesRequests.isEmpty {
            out += "\nRequests to sales reps\n"
            for r in cut(a.salesRequests) {
                let items = r.invoices.map { "\($0.invoice) \($0.reason)" }
                out += "  \(r.salesRep) (\(r.customer)): \(r.visit ? "visit to collect the payment" : "call your contact") — "
                    + (items.count > 4 ? items.prefix(3).joined(separator: "; ") + "; … (\(items.count) invoices)" : items.joined(separator: "; ")) + "\n"
            }
            more(a.salesRequests.count)
        }
        if !a.bills.isEmpty {
            out += "\nBills of exchange: accepted bill not back\n"
            for b in cut(a.bills) {
                out += "  \(b.invoice.invoice) \(b.method.uppercased())\(b.discounted ? " to discount" : ""), \(b.invoice.openAmount): at the bank by \(b.deadline)"
                    + (b.daysLeft >= 0 ? " (\(plural(b.daysLeft, "day")) left)" : " (missed by \(plural(-b.daysLeft, "day")))") + "\n"
            }
            more(a.bills.count)
        }
        if !a.disputes.isEmpty {
            out += "\nDisputes (fast track)\n"
            for d in cut(a.disputes) {
                out += "  \(d.due ? "DUE " : "    ")\(d.invoice.invoice) \(d.invoice.openAmount), since \(d.since)" + (d.reason.map { " (\($0))" } ?? "")
                    + ", owner \(d.owner ?? "nobody: set one with relance policy --set dispute-owner=NAME"), target \(d.target)\n"
            }
            more(a.disputes.count)
        }
        if !a.deferred.isEmpty {
            out += "\nNot called today (per-contact limit)\n"
            for d in cut(a.deferred) {
                out += "  \(d.name) (\(d.group)), called on \(d.lastCall): \(d.invoices.joined(separator: ", "))\n"
            }
            more(a.deferred.count)
        }
        return out
    }

    static func invoiceLine(_ i: AgendaInvoice, indent: String) -> String {
        let late = i.daysLate > 0 ? "\(i.daysLate) days late" : i.daysLate == 0 ? "due today" : "due in \(-i.daysLate) days"
        let forecast = i.forecastP50.map { ", forecast \($0)" + (i.probabilityByDue.map { String(format: " (%.0f%% by due)", $0 * 100) } ?? "") } ?? ""
        return "\(indent)\(i.invoice) \(i.openAmount), due \(i.dueDate) (\(late)\(forecast)): \(i.reason)\n"
    }
}

struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Show or change the follow-up policy of the portfolio or of one customer.",
        discussion: """
            A customer's setting overrides the portfolio's, which overrides the default. The person responsible \
            defaults to the organisation file's 'responsible'.

            Examples:
              relance policy
              relance policy --set ecb-rate=2.15 --set min-days-between-calls=5
              relance policy --customer metalux --set responsible="Claire Dubois" --set language=en
              relance policy --customer metalux --unset language
            """)

    @OptionGroup var db: DatabaseOptions
    @Option(help: "Show or change this customer's overrides (default: the portfolio).") var customer: String?
    @Option(name: .customLong("set"), help: ArgumentHelp("Set a value (repeatable).", valueName: "name=value")) var settings: [String] = []
    @Option(name: .customLong("unset"), help: ArgumentHelp("Remove a setting, back to the level above (repeatable).", valueName: "name")) var unset: [String] = []

    func run() throws {
        let store = try db.open()
        let group = try customer.map { try store.resolveCustomer($0) }
        var changes: [String: String] = [:]
        for s in settings {
            guard let eq = s.firstIndex(of: "=") else { throw ValidationError("--set '\(s)': write NAME=VALUE") }
            let name = String(s[..<eq]).trimmingCharacters(in: .whitespaces), value = String(s[s.index(after: eq)...])
            guard let key = PolicyKey(rawValue: name) else {
                throw ValidationError("--set: unknown setting '\(name)'; settings: \(PolicyKey.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            var probe = FollowUpPolicy()
            do { try key.set(value, in: &probe) } catch { throw ValidationError("--set \(error.description)") }
            changes[name] = value.trimmingCharacters(in: .whitespaces)
        }
        for name in unset where PolicyKey(rawValue: name) == nil {
            throw ValidationError("--unset: unknown setting '\(name)'")
        }
        if !changes.isEmpty || !unset.isEmpty {
            try store.updatePolicy(scope: group ?? Store.portfolioScope, set: changes, unset: unset) { _ in }
            print("Policy of \(group ?? "the portfolio") updated: " + (changes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } + unset.map { "\($0) unset" })
                .joined(separator: ", "))
        }
        let stored = try store.policySettings()
        let portfolio = stored[Store.portfolioScope] ?? [:], own = group.flatMap { stored[$0] } ?? [:]
        let fileResponsible = try group.flatMap { g in try store.groups().first { $0.id == g }?.responsible }
        let policy: FollowUpPolicy
        do { policy = try FollowUpPolicy.effective(portfolio: portfolio, customer: own, fileResponsible: fileResponsible) } catch {
            throw UserError(error.description)
        }
        print("Follow-up policy of \(group ?? "the portfolio")" + (group == nil ? " (customers may override it: relance policy --customer ID)" : ""))
        let rows = PolicyKey.allCases.map { k -> [String] in
            let source = own[k.rawValue] != nil ? "customer" : portfolio[k.rawValue] != nil ? "portfolio"
                : (k == .responsible && fileResponsible != nil ? "organisation file" : "default")
            return [k.rawValue, k.value(in: policy).isEmpty ? "-" : k.value(in: policy), source, k.help]
        }
        print(PositionRenderer.table(["setting", "value", "from", "meaning"], rows), terminator: "")
        print("Late-payment interest: ECB \(policy.ecbRatePercent)% + \(policy.penaltyPoints) points = \(policy.lateInterestPercent)% a year; "
              + "indemnity \(policy.recoveryIndemnity) per late invoice.")
    }
}

struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Record the outcome of a call or a visit: it becomes events that move positions, forecasts and the next agenda.",
        discussion: """
            Outcomes: \(FollowUpOutcome.names.joined(separator: ", ")).
            payment-run and promise take --on DATE; dispute takes --reason; wrong-contact takes --right.

            Examples:
              relance log FA-2026-10398 --outcome approval-given --contact mtx-ven-moreau --date 2026-11-27
              relance log FA-2026-10398 FA-2026-10402 --outcome promise --on 2026-12-04
              relance log FA-2026-10455 --outcome dispute --reason "price difference on line 3"
              relance log FA-2026-10503 --outcome wrong-contact --right "Paul Martin, accounts payable"
            """)

    @OptionGroup var db: DatabaseOptions
    @OptionGroup var day: DayOption
    @Argument(help: "The invoices the call was about.") var invoices: [String]
    @Option(help: "What came of it.") var outcome: String
    @Option(help: ArgumentHelp("The date of the payment run or of the promise.", valueName: "date")) var on: String?
    @Option(help: "The dispute's reason.") var reason: String?
    @Option(help: "Who is the right person (wrong-contact).") var right: String?
    @Option(help: "Whom you spoke to: a contact or department id, or a name.") var contact: String?
    @Option(name: .customLong("by"), help: ArgumentHelp("Who made the call.", valueName: "person")) var person: String?
    @Option(help: "call or visit.") var kind: String = "call"
    @Option(help: "A note.") var note: String?

    func run() throws {
        guard !invoices.isEmpty else { throw ValidationError("name the invoices the call was about") }
        let parsed: FollowUpOutcome
        switch FollowUpOutcome.parse(outcome, argument: on ?? reason ?? right) {
        case .success(let o): parsed = o
        case .failure(let e): throw ValidationError("--outcome: \(e.description)")
        }
        guard let k = FollowUpKind(rawValue: kind), k == .call || k == .visit else { throw ValidationError("--kind '\(kind)' is not call or visit") }
        let date = try day.date()
        let store = try db.open()
        // The forecast at the time of the call, kept for the cost report.
        var p50: [String: CivilDate] = [:]
        if let first = invoices.first, let g = try store.group(ofInvoice: first), let book = try store.book(group: g, asOf: date) {
            for f in forecasts(for: book, asOf: date) where invoices.contains(f.invoice) { p50[f.invoice] = f.p50 }
        }
        let (record, events) = try store.logOutcome(parsed, invoices: invoices, day: date, kind: k, contact: contact, person: person, note: note,
                                                    forecastP50: p50)
        let states = Set(events.compactMap { $0.state?.rawValue }).sorted()
        print("Logged \(k.rawValue) #\(record.id ?? 0) on \(date) about \(invoices.joined(separator: ", ")): \(parsed.summary)"
              + " → \(plural(events.count, "event"))" + (states.isEmpty ? " (a note: positions do not move)" : " (\(states.joined(separator: ", ")))"))
    }
}

struct LettersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "letters",
        abstract: "Write the day's letters (and requests to sales reps) from the templates, and log them as sent.",
        discussion: """
            One file per customer entity and level: a written reminder, an overdue reminder with the late-payment \
            mentions (interest at the ECB rate + 10 points, the €40 indemnity, computed per invoice), a formal \
            notice, the injunction-to-pay file. Language from the policy (fr or en) unless --language says.

            Example: relance letters --date 2026-11-27 --out letters/
            """)

    @OptionGroup var db: DatabaseOptions
    @OptionGroup var day: DayOption
    @Option(help: ArgumentHelp("The folder to write to (created if needed).", valueName: "dir")) var out: String
    @Option(name: .customLong("for"), help: ArgumentHelp("Only this person's customers.", valueName: "person")) var person: String?
    @Option(help: "Only this customer.") var customer: String?
    @Option(help: "fr or en (default: each customer's policy).") var language: String?
    @Option(help: "Who signs the letters.") var sender = "Service crédit clients"
    @Flag(help: "Write the files but do not log the letters as sent.") var noRecord = false

    func run() throws {
        if let language, !LetterRenderer.languages.contains(language) { throw ValidationError("--language '\(language)' is not fr or en") }
        let store = try db.open()
        let date = try day.date()
        let a = try agenda(in: store, date: date, for: person, customer: customer)
        let policies = try followUpPolicies(in: store)
        var files: [(String, String)] = []
        for var l in a.letters {
            if let language { l.language = language }
            let r = try LetterRenderer.render(l, date: date, policy: policies[l.group] ?? FollowUpPolicy(), sender: sender)
            files.append((r.fileName, r.body))
        }
        for r in a.salesRequests {
            let body = "To: \(r.salesRep)\nSubject: \(r.customer): \(r.visit ? "please visit to collect the payment" : "please call your contact")\n\n"
                + r.invoices.map { "- \($0.invoice) \($0.openAmount), due \($0.dueDate): \($0.reason)" }.joined(separator: "\n") + "\n"
            let name = "\(date)-\(r.group)-sales-rep-\(r.salesRep.replacingOccurrences(of: " ", with: "-")).txt"
            files.append((name, body))
        }
        let dir = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, body) in files { try body.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        if !noRecord {
            try store.recordFollowUps(a.letters.map { $0.record(on: date, person: person) } + a.salesRequests.map { $0.record(on: date) })
        }
        print("\(plural(a.letters.count, "letter")) and \(plural(a.salesRequests.count, "request to sales reps", "requests to sales reps")) written to \(out)"
              + (noRecord ? " (not logged)" : ", logged as sent on \(date)"))
        for (name, _) in files { print("  \(name)") }
    }
}
