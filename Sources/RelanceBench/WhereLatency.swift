import ArgumentParser
import Foundation
import RelanceCore
import RelancePlan
import RelanceRender
import RelanceStore

/// `relance where`'s latency, in process: the same lookup and rendering the command does, for invoices
/// drawn at random (seeded) from the open book, in two passes (first lookups, then warm). Prints one JSON line.
struct WhereLatency: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "where-latency",
        abstract: "Measure the latency of 'relance where' on random open invoices, in process.")

    @Option(help: ArgumentHelp("The database.", valueName: "path")) var db: String
    @Option(name: .customLong("as-of"), help: ArgumentHelp("The day.", valueName: "date")) var asOf: String
    @Option(help: "Invoices to look up.") var samples = 2_000
    @Option(help: "Random seed for the choice of invoices.") var seed: UInt64 = 1

    func run() throws {
        guard let day = CivilDate(iso: asOf) else { throw ValidationError("--as-of '\(asOf)' is not a date YYYY-MM-DD") }
        let store = try Store.open(at: db)
        let ids = try store.openInvoiceIDs(asOf: day)
        guard !ids.isEmpty else { throw ValidationError("no open invoice on \(asOf) in \(db)") }
        var rng = SplitMix64(seed: seed)
        let picks = (0..<samples).map { _ in ids[Int(rng.next() % UInt64(ids.count))] }
        var bytes = 0
        // Two passes over the same invoices: the first meets most customers for the first time in this process
        // (their organisation, stored model and working-day tables are loaded then: what a one-shot
        // `relance where` pays); the second is what a long-lived process (the server) pays once they are loaded.
        func pass() throws -> [Double] {
            var latencies: [Double] = []
            latencies.reserveCapacity(picks.count)
            for id in picks {
                let start = ContinuousClock.now
                let (book, p) = try position(of: id, in: store, asOf: day)
                bytes += PositionRenderer.whereText(p, graph: book.graph, credited: book.credited[id]).utf8.count
                let d = ContinuousClock.now - start
                latencies.append(Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) / 1e15)
            }
            return latencies.sorted()
        }
        let cold = try pass(), warm = try pass()
        func pct(_ xs: [Double], _ q: Double) -> Double { xs[min(xs.count - 1, max(0, Int((q * Double(xs.count)).rounded(.up)) - 1))] }
        print(String(format: #"{"samples": %d, "open_invoices": %d, "p50_ms": %.4f, "p90_ms": %.4f, "p99_ms": %.4f, "max_ms": %.4f, "first_pass_p50_ms": %.4f, "first_pass_p99_ms": %.4f, "bytes": %d}"#,
                     warm.count, ids.count, pct(warm, 0.5), pct(warm, 0.9), pct(warm, 0.99), warm.last ?? 0, pct(cold, 0.5), pct(cold, 0.99), bytes))
    }
}

/// A small seeded generator (SplitMix64), so the harness needs no simulator.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
