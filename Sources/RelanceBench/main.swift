import ArgumentParser

/// `relance-bench`: the scale benchmark harness (issue 8), kept out of `swift test`. Build and run it in release mode.
struct RelanceBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relance-bench",
        abstract: "Scale benchmarks of Relance against the raw limits and the peer tools (docs/performance.md).",
        subcommands: [RunBenchmark.self, WhereLatency.self],
        defaultSubcommand: RunBenchmark.self)
}

RelanceBench.main()
