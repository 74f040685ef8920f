// swift-tools-version:6.2
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Relance",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "relance", targets: ["relance"]),
        .executable(name: "relance-bench", targets: ["RelanceBench"]),
        .library(name: "RelanceCore", targets: ["RelanceCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.0.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
    ],
    targets: [
        // Domain: organisation graph, terms, calendars. No I/O, no database, no file format.
        .target(name: "RelanceCore", swiftSettings: strict),
        // Readers: organisation YAML (and later invoices, events, CDAR, Peppol, Chorus Pro).
        .target(
            name: "RelanceImport",
            dependencies: ["RelanceCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        // SQLite through GRDB: schema, migrations, organisation storage. All SQL lives here.
        .target(
            name: "RelanceStore",
            dependencies: ["RelanceCore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        // Seeded, reproducible invoice and event histories with their ground truth.
        .target(name: "RelanceSimulator", dependencies: ["RelanceCore"], swiftSettings: strict),
        // Payment-date forecasts: from positions and dwell laws, or from payment history; backtests.
        .target(name: "RelanceForecast", dependencies: ["RelanceCore"], swiftSettings: strict),
        // Follow-up over a customer's book: forecasts for its open invoices, its stuck approvals (and the agenda).
        .target(
            name: "RelancePlan",
            dependencies: ["RelanceCore", "RelanceStore", "RelanceForecast", .product(name: "Mustache", package: "swift-mustache")],
            resources: [.copy("Templates")],
            swiftSettings: strict
        ),
        // Portfolio insights: KPIs, bottlenecks, customer structures, our own invoicing. Pure computations.
        .target(name: "RelanceInsights", dependencies: ["RelanceCore"], swiftSettings: strict),
        // Text trees, DOT, Mermaid, JSON, SVG (through Graphviz), SVG charts.
        .target(name: "RelanceRender", dependencies: ["RelanceCore"], swiftSettings: strict),
        // The bundled samples, shipped with the program so that `relance demo` works from any folder.
        .target(
            name: "RelanceSamples",
            path: "samples",
            exclude: ["README.md"],
            sources: ["Samples.swift"],
            resources: [.copy("orgs"), .copy("messages"), .copy("invoices.csv"), .copy("events.csv")],
            swiftSettings: strict
        ),
        // The commands, as a library so that tests can drive them.
        .target(
            name: "RelanceCLI",
            dependencies: [
                "RelanceCore", "RelanceImport", "RelanceStore", "RelanceRender", "RelanceSamples", "RelanceSimulator", "RelanceForecast", "RelancePlan",
                "RelanceInsights", "RelanceServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // The web workspace: pages (Mustache), the JSON API, accounts, sessions, CSRF.
        .target(
            name: "RelanceServer",
            dependencies: [
                "RelanceCore", "RelanceStore", "RelanceRender", "RelanceForecast", "RelancePlan", "RelanceInsights",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            resources: [.copy("Templates")],
            swiftSettings: strict
        ),
        .executableTarget(name: "relance", dependencies: ["RelanceCLI"], swiftSettings: strict),
        // The scale benchmark harness (docs/performance.md), run in release mode, never by `swift test`.
        .executableTarget(
            name: "RelanceBench",
            dependencies: [
                "RelanceCore", "RelanceStore", "RelancePlan", "RelanceRender",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),

        .testTarget(name: "RelanceCoreTests", dependencies: ["RelanceCore"], swiftSettings: strict),
        .testTarget(name: "RelanceImportTests", dependencies: ["RelanceImport", "RelanceSamples"], swiftSettings: strict),
        .testTarget(name: "RelanceStoreTests", dependencies: ["RelanceStore", "RelanceImport", "RelanceSamples"], swiftSettings: strict),
        .testTarget(name: "RelanceRenderTests", dependencies: ["RelanceRender", "RelanceImport", "RelanceSamples"], swiftSettings: strict),
        .testTarget(name: "RelanceSimulatorTests", dependencies: ["RelanceSimulator", "RelanceStore", "RelanceImport", "RelanceSamples"], swiftSettings: strict),
        .testTarget(name: "RelanceForecastTests", dependencies: ["RelanceForecast", "RelanceSimulator"], swiftSettings: strict),
        .testTarget(
            name: "RelanceInsightsTests",
            dependencies: ["RelanceInsights", "RelanceSimulator", "RelanceStore", "RelanceImport", "RelanceSamples"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "RelancePlanTests",
            dependencies: ["RelancePlan", "RelanceSimulator", "RelanceImport", "RelanceSamples", "RelanceStore"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "RelanceServerTests",
            dependencies: [
                "RelanceServer", "RelanceStore", "RelanceCore", "RelanceImport", "RelanceSamples", "RelanceRender", "RelancePlan",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "RelanceCLITests", dependencies: ["RelanceCLI", "relance"], exclude: ["Golden"], swiftSettings: strict),
    ]
)
