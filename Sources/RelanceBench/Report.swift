import Foundation
import RelanceCore

/// One measured run of a phase.
struct Measurement: Codable, Sendable {
    var phase: String
    var seconds: Double
    var peakBytes: Int
    /// What the phase processed (rows, invoices), when it is a count.
    var count: Int?
    /// The process's CPU time (user + system), when the phase is a whole Relance process (not a peer's
    /// in-script timing nor a latency).
    var cpuSeconds: Double? = nil
}

/// The machine a benchmark ran on, as the report states it.
struct MachineInfo: Codable, Sendable {
    var cores: Int
    var memoryBytes: UInt64
    var system: String
    var date: String

    static func current() -> MachineInfo {
        var u = utsname()
        uname(&u)
        func text<T>(_ field: T) -> String {
            withUnsafeBytes(of: field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        return MachineInfo(cores: ProcessInfo.processInfo.activeProcessorCount, memoryBytes: ProcessInfo.processInfo.physicalMemory,
                           system: "\(text(u.sysname)) \(text(u.release)) \(text(u.machine))",
                           date: ISO8601DateFormatter().string(from: Date()))
    }

    static func clock() -> String {
        let f = DateFormatter()
        f.dateFormat = "HH:mm:ss"
        f.timeZone = .gmt
        return f.string(from: Date())
    }
}

/// Every run, the medians per phase and the ratios against the peers.
struct BenchReport: Codable, Sendable {
    var machine: MachineInfo
    var data: String
    var asOf: String
    var runs: Int
    var measurements: [Measurement] = []
    var facts: [String: Double] = [:]

    init(machine: MachineInfo, data: String, asOf: String, runs: Int) {
        (self.machine, self.data, self.asOf, self.runs) = (machine, data, asOf, runs)
    }

    mutating func add(_ m: Measurement) { measurements.append(m) }

    /// Phases in the order they were first measured.
    var phases: [String] {
        var seen = Set<String>()
        return measurements.map(\.phase).filter { seen.insert($0).inserted }
    }

    func runs(of phase: String) -> [Measurement] { measurements.filter { $0.phase == phase } }

    /// Median seconds of a phase.
    func median(_ phase: String) -> Double? { medianOf(runs(of: phase).map(\.seconds)) }

    /// Median rate (count per second) of a phase.
    func rate(_ phase: String) -> Double? {
        medianOf(runs(of: phase).compactMap { m in m.count.map { Double($0) / m.seconds } })
    }

    /// The ratios the issue asks for, computed from the medians.
    var ratios: [(name: String, value: Double)] {
        var out: [(String, Double)] = []
        if let r = rate("import events"), let p = rate("python sqlite3 executemany") {
            out.append(("event import rate ÷ Python executemany rate (target ≥ 1)", r / p))
        }
        if let r = rate("import events"), let p = rate("python read CSV + executemany") {
            out.append(("event import rate ÷ Python read CSV + executemany rate", r / p))
        }
        if let l = median("relance learn --dwell-only"), let p = median("pm4py read CSV + performance DFG") {
            out.append(("pm4py time ÷ relance learn time (target ≥ 3)", p / l))
        }
        return out
    }

    func markdown() -> String {
        var out = "Machine: \(machine.cores) cores, \(machine.memoryBytes >> 30) GiB, \(machine.system); \(machine.date)\n"
        out += "Data: \(data), as of \(asOf); \(runs) run(s) per phase\n\n"
        out += "| phase | runs | median | min | max | per second (median) | CPU, user + system (median) | peak memory (max) |\n"
        out += "|---|---:|---:|---:|---:|---:|---:|---:|\n"
        for phase in phases {
            let rs = runs(of: phase), secs = rs.map(\.seconds)
            let isLatency = phase.hasSuffix("(ms)")
            func show(_ s: Double?) -> String {
                guard let s, s.isFinite else { return "–" }
                return isLatency ? String(format: "%.2f ms", s * 1_000) : String(format: "%.2f s", s)
            }
            let rate = isLatency ? "–" : self.rate(phase).map { grouped($0) } ?? "–"
            let peak = rs.map(\.peakBytes).max().map { String(format: "%.0f MiB", Double($0) / 1_048_576) } ?? "–"
            let cpu = medianOf(rs.compactMap(\.cpuSeconds)).map { String(format: "%.2f s", $0) } ?? "–"
            out += "| \(phase) | \(rs.count) | \(show(medianOf(secs))) | \(show(secs.min())) | \(show(secs.max())) | \(rate) | \(cpu) | \(peak) |\n"
        }
        if !ratios.isEmpty {
            out += "\n"
            for r in ratios { out += "- \(r.name): \(String(format: "%.2f", r.value))\n" }
        }
        let ours = measurements.filter { !$0.phase.hasPrefix("python") && !$0.phase.hasPrefix("pm4py") }
        if let peak = ours.map(\.peakBytes).max() {
            out += "- peak memory of any Relance phase: \(String(format: "%.0f MiB", Double(peak) / 1_048_576)) (target ≤ 2048 MiB)\n"
        }
        for (k, v) in facts.sorted(by: { $0.key < $1.key }) { out += "- \(k): \(grouped(v))\n" }
        return out
    }
}

func medianOf(_ xs: [Double]) -> Double? {
    let s = xs.filter(\.isFinite).sorted()
    guard !s.isEmpty else { return nil }
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

func grouped(_ x: Double) -> String { ProgressMeter.grouped(Int(x.rounded())) }
