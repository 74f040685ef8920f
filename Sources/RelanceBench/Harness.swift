import ArgumentParser
import Foundation

/// The scale benchmark of issue 8: every phase of a large portfolio's life, each in its own process (so
/// that each phase's peak memory is its own), several runs each, with the peers (Python's `sqlite3`
/// executemany, pm4py's performance DFG) measured in the same sitting on the same data. docs/performance.md
/// gives the commands and the figures.
struct RunBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the scale benchmark on a simulated portfolio and print the medians and ratios.",
        discussion: """
            DATA is a folder written by 'relance simulate --groups N --invoices M --out DATA': orgs/*.yaml, \
            invoices.csv, events.csv. The harness imports the organisations and invoices once into WORK/base.sqlite, \
            then, --runs times each: imports the events into a copy (Relance) and inserts the same rows with \
            executemany (Python); learns the dwell-time model (relance learn) and discovers the performance DFG \
            (pm4py) on the same events; forecasts every open invoice; builds the day's agenda; and measures \
            'relance where' latency in process. Build in release mode first:
              swift build -c release --product relance --product relance-bench
            """)

    @Option(help: ArgumentHelp("The simulated portfolio.", valueName: "dir")) var data: String
    @Option(help: ArgumentHelp("Where databases and exports go (big: keep it off /tmp if that is small).", valueName: "dir")) var work: String
    @Option(name: .customLong("as-of"), help: ArgumentHelp("The portfolio's as-of day (the simulation's --as-of).", valueName: "date"))
    var asOf: String
    @Option(help: "Runs of each phase (the figures are medians).") var runs = 3
    @Option(help: ArgumentHelp("The relance executable.", valueName: "path")) var relance = ".build/release/relance"
    @Option(help: ArgumentHelp("Python with sqlite3 (the raw insert baseline).", valueName: "path")) var python = "python3"
    @Option(name: .customLong("pm4py-python"), help: ArgumentHelp("Python with pm4py and pandas (benchmarks/setup-python.sh).", valueName: "path"))
    var pm4pyPython = ".build-bench-py/bin/python"
    @Option(help: ArgumentHelp("Phases to run, comma-separated: import, insert, learn, pm4py, forecast, agenda, where.", valueName: "list"))
    var phases = "import,insert,learn,pm4py,forecast,agenda,where"
    @Option(name: .customLong("where-samples"), help: "Invoices looked up per latency run.") var whereSamples = 2_000
    @Option(help: ArgumentHelp("Also write every run and the summary as JSON here.", valueName: "file")) var json: String?
    @Flag(name: .customLong("no-warm-up"), help: "Do not read the database once before the timed phases (first runs then start on a cold page cache).")
    var noWarmUp = false

    func validate() throws {
        guard runs >= 1 && runs <= 20 else { throw ValidationError("--runs must be between 1 and 20") }
        for f in ["invoices.csv", "events.csv"] where !FileManager.default.fileExists(atPath: "\(data)/\(f)") {
            throw ValidationError("\(data)/\(f) is missing: write the portfolio with 'relance simulate --groups N --invoices M --out \(data)'")
        }
    }

    func run() throws {
        let wanted = Set(phases.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        let fm = FileManager.default
        let workURL = URL(fileURLWithPath: work, isDirectory: true)
        try fm.createDirectory(at: workURL, withIntermediateDirectories: true)
        let base = workURL.appendingPathComponent("base.sqlite").path, full = workURL.appendingPathComponent("full.sqlite").path
        let events = "\(data)/events.csv"
        var report = BenchReport(machine: MachineInfo.current(), data: data, asOf: asOf, runs: runs)
        let eventRows = try countDataLines(events)
        report.facts["event rows in events.csv"] = Double(eventRows)

        func child(_ exe: String, _ args: [String]) throws -> ChildRun {
            let r = try Spawn.run(exe, args, scratch: workURL)
            guard r.status == 0 else {
                throw SpawnError(description: "\(([exe] + args).joined(separator: " ")) failed (exit \(r.status)):\n\(r.stderr.suffix(2_000))")
            }
            return r
        }
        func log(_ s: String) { FileHandle.standardError.write(Data("[\(MachineInfo.clock())] \(s)\n".utf8)) }

        // The base: organisations and invoices, imported once (their import is timed too).
        if wanted.contains("import") || wanted.contains("insert") || !fm.fileExists(atPath: full) {
            for f in [base, base + "-wal", base + "-shm"] { try? fm.removeItem(atPath: f) }
            let orgs = try fm.contentsOfDirectory(atPath: "\(data)/orgs").filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
                .map { "\(data)/orgs/\($0)" }
            guard !orgs.isEmpty else { throw ValidationError("\(data)/orgs holds no organisation file") }
            log("importing \(orgs.count) organisations")
            _ = try child(relance, ["init", "--db", base])
            let o = try child(relance, ["import", "org", "--db", base] + orgs)
            report.add(.init(phase: "import organisations", seconds: o.seconds, peakBytes: o.peakBytes, count: orgs.count, cpuSeconds: o.cpuSeconds))
            log("importing invoices")
            let invoiceRows = try countDataLines("\(data)/invoices.csv")
            let i = try child(relance, ["import", "invoices", "--db", base, "\(data)/invoices.csv"])
            report.add(.init(phase: "import invoices", seconds: i.seconds, peakBytes: i.peakBytes, count: invoiceRows, cpuSeconds: i.cpuSeconds))
        }
        if wanted.contains("import") || !fm.fileExists(atPath: full) {
            for run in 1...runs {
                let copy = workURL.appendingPathComponent("run.sqlite").path
                for f in [copy, copy + "-wal", copy + "-shm"] { try? fm.removeItem(atPath: f) }
                try fm.copyItem(atPath: base, toPath: copy)
                log("event import, run \(run)/\(runs)")
                let r = try child(relance, ["import", "events", "--db", copy, events])
                report.add(.init(phase: "import events", seconds: r.seconds, peakBytes: r.peakBytes, count: eventRows, cpuSeconds: r.cpuSeconds))
                for f in [full, full + "-wal", full + "-shm"] { try? fm.removeItem(atPath: f) }
                try fm.moveItem(atPath: copy, toPath: full)
            }
        }
        if wanted.contains("insert") {
            for run in 1...runs {
                log("Python executemany, run \(run)/\(runs)")
                let r = try child(python, ["benchmarks/sqlite_insert_baseline.py", base, events, "--json"])
                let j = try lastJSON(r.stdout)
                report.add(.init(phase: "python sqlite3 executemany", seconds: j["insert_seconds"] ?? r.seconds, peakBytes: r.peakBytes,
                                 count: Int(j["rows"] ?? 0)))
                report.add(.init(phase: "python read CSV + executemany", seconds: j["end_to_end_seconds"] ?? r.seconds, peakBytes: r.peakBytes,
                                 count: Int(j["rows"] ?? 0)))
            }
        }
        // The database read once from end to end before the phases that read it, so that no timed run pays for
        // the disk: on a cold page cache, a full `relance learn` of the million-invoice portfolio read 6.5 GB
        // and took 90 s against about 50 s warm, and the disk's speed varies (one cold `learn --dwell-only`
        // took 440 s, others 18 to 22 s; docs/performance.md, session 13).
        if !noWarmUp, !wanted.isDisjoint(with: ["learn", "pm4py", "forecast", "agenda", "where"]) {
            log("reading the database once (page cache)")
            let started = Date()
            var bytes = 0
            for f in [full, full + "-wal"] where fm.fileExists(atPath: f) { bytes += try readThrough(f) }
            report.facts["database bytes read before the timed phases"] = Double(bytes)
            report.facts["seconds to read them (page cache warm-up)"] = Date().timeIntervalSince(started)
        }
        if wanted.contains("learn") {
            for run in 1...runs {
                log("relance learn, run \(run)/\(runs)")
                let r = try child(relance, ["learn", "--db", full, "--as-of", asOf, "--dwell-only"])
                report.add(.init(phase: "relance learn --dwell-only", seconds: r.seconds, peakBytes: r.peakBytes, count: eventRows, cpuSeconds: r.cpuSeconds))
                let c = try child(relance, ["learn", "--db", full, "--as-of", asOf])
                report.add(.init(phase: "relance learn (dwell models, forecast contexts, packed open books)", seconds: c.seconds, peakBytes: c.peakBytes, count: nil, cpuSeconds: c.cpuSeconds))
            }
        }
        if wanted.contains("pm4py") {
            let export = workURL.appendingPathComponent("events-export.csv").path
            log("exporting events for pm4py")
            _ = try child(relance, ["export", "events", "--db", full, "--out", export])
            for run in 1...runs {
                log("pm4py, run \(run)/\(runs)")
                let r = try child(pm4pyPython, ["benchmarks/pm4py_dwell.py", export])
                let j = try lastJSON(r.stdout)
                report.add(.init(phase: "pm4py read CSV + performance DFG", seconds: j["total_s"] ?? r.seconds, peakBytes: r.peakBytes,
                                 count: Int(j["events"] ?? 0)))
                report.add(.init(phase: "pm4py process, interpreter included", seconds: r.seconds, peakBytes: r.peakBytes,
                                 count: Int(j["events"] ?? 0), cpuSeconds: r.cpuSeconds))
            }
        }
        if wanted.contains("forecast") {
            for run in 1...runs {
                log("forecast every open invoice, run \(run)/\(runs)")
                let r = try child(relance, ["forecast", "--db", full, "--as-of", asOf, "--format", "csv"])
                let n = try countDataLines(r.stdoutPath)
                report.add(.init(phase: "relance forecast (every open invoice)", seconds: r.seconds, peakBytes: r.peakBytes, count: n, cpuSeconds: r.cpuSeconds))
            }
        }
        if wanted.contains("agenda") {
            for run in 1...runs {
                log("agenda, run \(run)/\(runs)")
                let r = try child(relance, ["agenda", "--db", full, "--date", asOf, "--format", "json"])
                report.add(.init(phase: "relance agenda (forecasts included)", seconds: r.seconds, peakBytes: r.peakBytes, count: nil, cpuSeconds: r.cpuSeconds))
            }
        }
        if wanted.contains("where") {
            let me = CommandLine.arguments[0]
            for run in 1...runs {
                log("where latency, run \(run)/\(runs)")
                let r = try child(me, ["where-latency", "--db", full, "--as-of", asOf, "--samples", String(whereSamples), "--seed", String(run)])
                let j = try lastJSON(r.stdout)
                report.add(.init(phase: "where p50 (ms)", seconds: (j["p50_ms"] ?? .nan) / 1_000, peakBytes: r.peakBytes, count: Int(j["samples"] ?? 0)))
                report.add(.init(phase: "where p99 (ms)", seconds: (j["p99_ms"] ?? .nan) / 1_000, peakBytes: r.peakBytes, count: Int(j["samples"] ?? 0)))
                report.add(.init(phase: "where p50, first lookups (ms)", seconds: (j["first_pass_p50_ms"] ?? .nan) / 1_000, peakBytes: r.peakBytes,
                                 count: Int(j["samples"] ?? 0)))
                report.add(.init(phase: "where p99, first lookups (ms)", seconds: (j["first_pass_p99_ms"] ?? .nan) / 1_000, peakBytes: r.peakBytes,
                                 count: Int(j["samples"] ?? 0)))
            }
        }
        print(report.markdown(), terminator: "")
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(report).write(to: URL(fileURLWithPath: json))
        }
    }
}

/// Data lines of a CSV file (lines after the header), counted on bytes. Quoted fields with line breaks
/// would be over-counted; the simulator writes none.
func countDataLines(_ path: String) throws -> Int {
    guard let handle = FileHandle(forReadingAtPath: path) else { throw SpawnError(description: "cannot read \(path)") }
    defer { try? handle.close() }
    var lines = 0
    while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
        lines += chunk.reduce(0) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
    }
    return max(0, lines - 1)
}

/// The numbers of the last line of `text` that is a JSON object (how the peer scripts report).
func lastJSON(_ text: String) throws -> [String: Double] {
    for line in text.split(separator: "\n").reversed() where line.hasPrefix("{") {
        if let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] {
            return object.compactMapValues { ($0 as? NSNumber)?.doubleValue }
        }
    }
    throw SpawnError(description: "no JSON summary line in the output:\n\(text.suffix(1_000))")
}

/// Reads a file from start to end in large blocks (what puts it in the page cache), and returns its size.
func readThrough(_ path: String) throws -> Int {
    guard let handle = FileHandle(forReadingAtPath: path) else { throw ValidationError("cannot read \(path)") }
    defer { try? handle.close() }
    var total = 0
    while let block = try handle.read(upToCount: 8 << 20), !block.isEmpty { total += block.count }
    return total
}
