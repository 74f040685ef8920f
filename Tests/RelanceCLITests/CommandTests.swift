import Foundation
import Testing

/// The `relance` executable, run as a user would: a fresh folder per test, no RELANCE_DB unless set.
@Suite struct CommandTests {
    let tmp: TemporaryFolder

    init() throws { tmp = try TemporaryFolder() }

    /// `relance args` in the test's folder.
    func relance(_ args: String..., env: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation) throws -> RunResult {
        try run(args, cwd: tmp.url, env: env, sourceLocation: sourceLocation)
    }

    /// A database in the test's folder with the given samples imported.
    func database(with samples: [String] = Repo.allSamples, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let i = try run(["init"], cwd: tmp.url, sourceLocation: sourceLocation)
        #expect(i.status == 0, "\(i)", sourceLocation: sourceLocation)
        if !samples.isEmpty {
            let r = try run(["import", "org"] + samples, cwd: tmp.url, sourceLocation: sourceLocation)
            try #require(r.status == 0, "\(r)", sourceLocation: sourceLocation)
        }
    }

    // MARK: init

    @Test func initCreatesTheDatabaseThenFindsItUpToDate() throws {
        #expect(!tmp.exists("relance.sqlite"))
        let first = try relance("init")
        #expect(first.status == 0, "\(first)")
        #expect(first.stdout.wholeMatch(of: /Created relance\.sqlite \(schema: v1-organisation(, [\w.-]+)*\)\n/) != nil, "\(first)")
        #expect(first.stderr.isEmpty, "\(first)")
        #expect(tmp.exists("relance.sqlite"))

        let again = try relance("init")
        #expect(again.status == 0, "\(again)")
        #expect(again.stdout.wholeMatch(of: /Database relance\.sqlite is up to date \(schema: v1-organisation(, [\w.-]+)*\)\n/) != nil,
                "\(again)")
    }

    @Test func initKeepsWhatTheDatabaseHolds() throws {
        try database(with: [Repo.sample("metalux")])
        #expect(try relance("init").status == 0)
        let map = try relance("map", "metalux")
        #expect(map.status == 0, "re-running init lost the data: \(map)")
    }

    // MARK: a missing database

    @Test(arguments: [["map", "metalux"], ["check"], ["import", "org", "SAMPLE"]])
    func commandsOnAMissingDatabaseSayHowToCreateOne(_ command: [String]) throws {
        let args = command.map { $0 == "SAMPLE" ? Repo.sample("metalux") : $0 } + ["--db", "nope.sqlite"]
        let r = try run(args, cwd: tmp.url)
        #expect(r.status != 0, "\(r)")
        #expect(r.stderr.contains("no Relance database at nope.sqlite"), "\(r)")
        #expect(r.stderr.contains("relance init --db nope.sqlite"), "\(r)")
        #expect(r.stdout.isEmpty, "\(r)")
        #expect(!tmp.exists("nope.sqlite"), "a read command created the database")
    }

    // MARK: import org

    @Test func importingTheSamplesReportsOneLinePerNewCustomer() throws {
        try database(with: [])
        let r = try run(["import", "org"] + Repo.allSamples, cwd: tmp.url)
        #expect(r.status == 0, "\(r)")
        #expect(r.stderr.isEmpty, "\(r)")
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        try #require(lines.count == 4 && lines[3].isEmpty, "expected three lines: \(r.stdout)")
        #expect(lines[0].hasPrefix("chu-armor: new customer CHU d'Armor: 2 entities, 5 sites, 8 departments, 12 contacts, 1 route ("))
        #expect(lines[1].hasPrefix("maisonvert: new customer Maison Vert: 1 entity, 41 sites, "))
        #expect(lines[2].hasPrefix("metalux: new customer Groupe Métalux: 2 entities, 5 sites, 9 departments, 11 contacts, 3 routes ("))
        for line in lines.dropLast() {
            #expect(line.contains(/\(\d+ added\)/), "a first import only adds: \(line)")
        }
        // Metalux has two warnings (see Golden/check.txt), and says where to read them.
        #expect(lines[2].hasSuffix("; 2 warnings: relance check metalux"))
        #expect(!lines[0].contains("warning"))
    }

    @Test func importingTheSameFilesAgainChangesNothing() throws {
        try database()
        let r = try run(["import", "org"] + Repo.allSamples, cwd: tmp.url)
        #expect(r.status == 0, "\(r)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 3, "\(r)")
        for (line, id) in zip(lines, ["chu-armor", "maisonvert", "metalux"]) {
            #expect(line.hasPrefix("\(id): "))
            let counts = try #require(line.firstMatch(of: /\(([^)]*)\)/), "no counts in: \(line)").1
            #expect(counts.wholeMatch(of: /\d+ unchanged/) != nil, "a second import reports changes: \(line)")
            #expect(!line.contains("added"))
            #expect(!line.contains("new customer"))
        }
        // The line still calls an untouched customer "updated".
        for line in lines { #expect(!line.contains("updated"), "\(line)") }
    }

    @Test func importingAnEditedFileUpdatesInPlace() throws {
        try database(with: [Repo.sample("metalux")])
        let edited = try String(contentsOfFile: Repo.sample("metalux"), encoding: .utf8)
            .replacingOccurrences(of: "name: Trésorerie\n", with: "name: Trésorerie groupe\n")
        try edited.write(toFile: tmp.path("metalux.yaml"), atomically: true, encoding: .utf8)
        let r = try relance("import", "org", "metalux.yaml")
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains(/^metalux: updated Groupe Métalux: .*\(1 updated, \d+ unchanged\)/), "\(r)")
        let map = try relance("map", "metalux")
        #expect(map.stdout.contains("Trésorerie groupe (mtx-ssc-treasury)"))
    }

    /// The metalux sample with one digit of Vénissieux's SIRET changed, and the line it is on.
    func writeBadMetalux() throws -> (name: String, line: Int) {
        let text = try String(contentsOfFile: Repo.sample("metalux"), encoding: .utf8)
        #expect(text.components(separatedBy: "\"41233001100047\"").count == 2, "the sample changed: update this test")
        let bad = text.replacingOccurrences(of: "\"41233001100047\"", with: "\"41233001100048\"")
        try bad.write(toFile: tmp.path("metalux-bad.yaml"), atomically: true, encoding: .utf8)
        let line = try #require(bad.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("41233001100048") }) + 1
        return ("metalux-bad.yaml", line)
    }

    @Test func aMalformedFileIsRefusedWithFileLineAndField() throws {
        try database(with: [])
        let bad = try writeBadMetalux()
        let r = try relance("import", "org", bad.name)
        #expect(r.status != 0, "\(r)")
        #expect(r.stdout.isEmpty, "\(r)")
        #expect(r.stderr.contains("nothing was written"), "\(r)")
        #expect(r.stderr.contains("\(bad.name):\(bad.line):"), "file and line \(bad.line) expected: \(r)")
        #expect(r.stderr.contains("entities[0].sites[1].siret"), "field expected: \(r)")
        #expect(r.stderr.contains("41233001100048"), "\(r)")

        let check = try relance("check")
        #expect(check.status == 0, "\(check)")
        #expect(check.stdout == "No customer in the database: import one with 'relance import org FILE'.\n", "\(check)")
    }

    @Test func aGoodFileAndABadFileTogetherSaveNothing() throws {
        try database(with: [Repo.sample("chu-armor")])
        let bad = try writeBadMetalux()
        let r = try run(["import", "org", Repo.sample("maisonvert"), bad.name], cwd: tmp.url)
        #expect(r.status != 0, "\(r)")
        #expect(r.stderr.contains(bad.name), "\(r)")
        #expect(!r.stderr.contains("maisonvert.yaml"), "the good file is blamed: \(r)")
        #expect(!r.stdout.contains("maisonvert"), "\(r)")

        let check = try relance("check")
        #expect(check.status == 0, "\(check)")
        #expect(check.stdout.hasPrefix("CHU d'Armor (chu-armor): "), "the previous state is gone: \(check)")
        #expect(!check.stdout.contains("Maison Vert"), "the good file of a refused import was saved: \(check)")
        #expect(!check.stdout.contains("Métalux"))
        let map = try relance("map", "maisonvert")
        #expect(map.status != 0, "\(map)")
    }

    @Test func twoFilesForOneCustomerAreRefused() throws {
        try database(with: [])
        try FileManager.default.copyItem(atPath: Repo.sample("metalux"), toPath: tmp.path("copy.yaml"))
        let r = try run(["import", "org", Repo.sample("metalux"), "copy.yaml"], cwd: tmp.url)
        #expect(r.status != 0, "\(r)")
        #expect(r.stderr.contains("copy.yaml"), "\(r)")
        #expect(r.stderr.contains("metalux"), "\(r)")
        #expect(try relance("check").stdout.hasPrefix("No customer in the database"))
    }

    @Test func aMissingFileIsRefused() throws {
        try database(with: [])
        let r = try relance("import", "org", "does-not-exist.yaml")
        #expect(r.status != 0, "\(r)")
        #expect(r.stderr.contains("does-not-exist.yaml"), "\(r)")
    }

    // MARK: map

    @Test func mapPrintsTheTreeOfGoldenFile() throws {
        try database()
        let r = try relance("map", "metalux")
        #expect(r.status == 0, "\(r)")
        #expect(r.stderr.isEmpty, "\(r)")
        try expectGolden(r.stdout, "map-metalux.txt")
    }

    @Test func mapFindsACustomerByEntityOrSIREN() throws {
        try database()
        let golden = try String(contentsOf: Repo.golden("map-metalux.txt"), encoding: .utf8)
        for name in ["mtx-services", "412330011"] {
            let r = try relance("map", name)
            #expect(r.status == 0, "\(name): \(r)")
            #expect(r.stdout == golden, "map \(name) is not metalux's map")
        }
    }

    @Test func mapOfAnUnknownCustomerListsTheKnownOnes() throws {
        try database()
        let r = try relance("map", "unknown-customer")
        #expect(r.status != 0, "\(r)")
        #expect(r.stdout.isEmpty, "\(r)")
        #expect(r.stderr.contains("no customer matches 'unknown-customer'"), "\(r)")
        #expect(r.stderr.contains("chu-armor, maisonvert, metalux"), "known customers expected: \(r)")
    }

    @Test func mapOfAnUnknownCustomerInAnEmptyDatabaseSaysHowToImport() throws {
        try database(with: [])
        let r = try relance("map", "metalux")
        #expect(r.status != 0, "\(r)")
        #expect(r.stderr.contains("relance import org"), "\(r)")
    }

    @Test func mapWritesDOT() throws {
        try database()
        let r = try relance("map", "metalux", "--format", "dot")
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.hasPrefix("digraph \"metalux\" {\n"))
        #expect(r.stdout.hasSuffix("}\n"))
        #expect(r.stdout.contains("\"mtx-ven-reception\" -> \"mtx-ven-purchasing\" [label=\"approval: mtx-plants\""))
        for id in ["mtx-hq-purchasing", "mtx-ssc-mailroom", "mtx-ssc-ap", "mtx-ssc-treasury", "mtx-ste-reception"] {
            #expect(r.stdout.contains("\"\(id)\" [label="), "\(id) is not declared")
        }
        #expect(r.stdout.components(separatedBy: " -> ").count - 1 == 11)
    }

    @Test func mapWritesMermaid() throws {
        try database()
        let r = try relance("map", "metalux", "--format", "mermaid")
        #expect(r.status == 0, "\(r)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.first == "flowchart LR")
        let t = lines.map { $0.drop { $0 == " " } }
        #expect(t.filter { $0.hasPrefix("subgraph ") }.count == 7, "2 entities and 5 sites")
        #expect(t.filter { $0 == "end" }.count == 7)
        #expect(t.filter { $0.hasPrefix("linkStyle ") }.count == 11)
        #expect(r.stdout.contains("-.->|\"approval: mtx-plants\"|"))
    }

    @Test func mapWritesJSON() throws {
        try database()
        let r = try relance("map", "metalux", "--format", "json")
        #expect(r.status == 0, "\(r)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect((doc["group"] as? [String: Any])?["id"] as? String == "metalux")
        #expect((doc["sites"] as? [Any])?.count == 5)
        #expect((doc["departments"] as? [Any])?.count == 9)
        #expect((doc["contacts"] as? [Any])?.count == 11)
        let routes = try #require(doc["routes"] as? [[String: Any]])
        #expect(routes.map { $0["id"] as? String } == ["mtx-plants", "mtx-saint-etienne", "mtx-capex"])
        #expect(routes.allSatisfy { ($0["paths"] as? [[String]])?.isEmpty == false })
    }

    @Test func mapWritesToAFileWithOutput() throws {
        try database()
        let r = try relance("map", "metalux", "--format", "dot", "--output", "org.dot")
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.isEmpty, "\(r)")
        let written = try String(contentsOfFile: tmp.path("org.dot"), encoding: .utf8)
        #expect(written.hasPrefix("digraph \"metalux\" {"))
    }

    @Test(.enabled(if: dotInstalled, "Graphviz's dot is not on the PATH"))
    func mapWritesSVGThroughGraphviz() throws {
        try database()
        let r = try relance("map", "metalux", "--format", "svg", "--output", "f.svg")
        #expect(r.status == 0, "\(r)")
        let svg = try String(contentsOfFile: tmp.path("f.svg"), encoding: .utf8)
        #expect(svg.hasPrefix("<?xml") || svg.contains("<svg"))
        #expect(svg.contains("</svg>"))
        #expect(svg.contains("Groupe Métalux"))
        #expect(svg.components(separatedBy: "class=\"node\"").count - 1 == 9)
    }

    @Test func mapToSVGWithoutGraphvizSaysHowToInstallIt() throws {
        try database()
        let r = try relance("map", "metalux", "--format", "svg", "--output", "f.svg", env: ["PATH": tmp.url.path])
        #expect(r.status != 0, "\(r)")
        #expect(r.stderr.contains("Graphviz is not installed"), "\(r)")
        #expect(r.stderr.contains("--format dot"), "\(r)")
        #expect(!tmp.exists("f.svg"))
    }

    @Test func mapRefusesCSV() throws {
        try database()
        let r = try relance("map", "metalux", "--format", "csv")
        #expect(r.status != 0, "\(r)")
        #expect(r.stdout.isEmpty, "\(r)")
        #expect(r.stderr.contains("relance map does not write csv: use text, dot, mermaid, svg or json"), "\(r)")
    }

    @Test func mapRefusesAnUnknownFormat() throws {
        try database()
        let r = try relance("map", "metalux", "--format", "pdf")
        #expect(r.status != 0, "\(r)")
        #expect(r.stderr.contains("pdf"), "\(r)")
    }

    // MARK: check

    @Test func checkOfAllCustomersMatchesTheGoldenFile() throws {
        try database()
        let r = try relance("check")
        #expect(r.status == 0, "\(r)")
        try expectGolden(r.stdout, "check.txt")
    }

    @Test func checkOfOneCustomer() throws {
        try database()
        let r = try relance("check", "metalux")
        #expect(r.status == 0, "\(r)")
        let golden = try String(contentsOf: Repo.golden("check.txt"), encoding: .utf8)
        #expect(r.stdout.hasPrefix("Groupe Métalux (metalux): 2 warnings, 0 notices\n"), "\(r)")
        #expect(golden.contains(r.stdout), "check metalux is not metalux's part of check")
        #expect(!r.stdout.contains("Maison Vert"))
    }

    @Test func checkWritesJSONAndCSV() throws {
        try database()
        let json = try relance("check", "--format", "json")
        #expect(json.status == 0, "\(json)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: String]])
        #expect(rows.count == 6, "2 warnings for metalux and 4 for maisonvert")
        #expect(rows.filter { $0["customer"] == "metalux" }.map { $0["code"] } == ["no-phone", "single-approver"])
        let csv = try relance("check", "--format", "csv")
        #expect(csv.status == 0, "\(csv)")
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.first == "customer,severity,code,subject,message,advice")
        #expect(lines.count == 7)
        let refused = try relance("check", "--format", "dot")
        #expect(refused.status != 0, "\(refused)")
    }

    // MARK: --db and RELANCE_DB

    @Test func relanceDBNamesTheDatabase() throws {
        let r = try relance("init", env: ["RELANCE_DB": "from-env.sqlite"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.hasPrefix("Created from-env.sqlite "), "\(r)")
        #expect(tmp.exists("from-env.sqlite"))
        #expect(!tmp.exists("relance.sqlite"))
        // Other commands read it too.
        let i = try run(["import", "org", Repo.sample("metalux")], cwd: tmp.url, env: ["RELANCE_DB": "from-env.sqlite"])
        #expect(i.status == 0, "\(i)")
        #expect(try relance("map", "metalux", env: ["RELANCE_DB": "from-env.sqlite"]).status == 0)
        #expect(try relance("map", "metalux").status != 0, "without the variable, ./relance.sqlite is used")
    }

    @Test func dbWinsOverRelanceDB() throws {
        let r = try relance("init", "--db", "from-flag.sqlite", env: ["RELANCE_DB": "from-env.sqlite"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.hasPrefix("Created from-flag.sqlite "), "\(r)")
        #expect(tmp.exists("from-flag.sqlite"))
        #expect(!tmp.exists("from-env.sqlite"))
    }

    @Test func anEmptyRelanceDBMeansTheDefault() throws {
        let r = try relance("init", env: ["RELANCE_DB": ""])
        #expect(r.status == 0, "\(r)")
        #expect(tmp.exists("relance.sqlite"))
    }

    @Test func inheritedRelanceDBIsNotUsedByTheseTests() throws {
        // The helper removes RELANCE_DB; without it, init must create ./relance.sqlite in the test's folder.
        let r = try relance("init")
        #expect(r.stdout.hasPrefix("Created relance.sqlite "), "\(r)")
    }

    // MARK: demo

    @Test func demoBuildsADatabaseAndWalksThroughTheSamples() throws {
        let r = try relance("demo")
        #expect(r.status == 0, "\(r)")
        #expect(r.stderr.isEmpty, "\(r)")
        #expect(tmp.exists("relance-demo.sqlite"))
        #expect(r.stdout.contains("relance stuck --db relance-demo.sqlite --as-of 2026-11-27"), "stuck not suggested")
        for header in ["\n== 1. ", "\n== 2. ", "\n== 3. ", "\n== 4. ", "\n== 5. ", "\n== 6. ", "\n== 7. ", "\n== 8. "] {
            #expect(r.stdout.contains(header), "no section \(header.dropFirst()): \(r.stdout)")
        }
        for id in ["chu-armor", "maisonvert", "metalux"] {
            #expect(r.stdout.contains("  \(id): new customer"), "\(id) not imported by the demo")
        }
        // Section 2 is metalux's map, as `relance map metalux` prints it.
        let golden = try String(contentsOf: Repo.golden("map-metalux.txt"), encoding: .utf8)
        #expect(r.stdout.contains(golden), "section 2 is not the map of metalux")

        let map = try relance("map", "metalux", "--db", "relance-demo.sqlite")
        #expect(map.status == 0, "\(map)")
        #expect(map.stdout == golden)
    }

    @Test func demoReplacesAnEarlierDemoDatabase() throws {
        #expect(try relance("demo").status == 0)
        let again = try relance("demo")
        #expect(again.status == 0, "\(again)")
        #expect(again.stdout.contains("  metalux: new customer"), "the second demo did not start afresh: \(again.stdout)")
    }

    // MARK: help

    @Test(arguments: [["init"], ["import", "org"], ["map"], ["check"], ["demo"]])
    func helpOfEachCommandHasAnExample(_ command: [String]) throws {
        let r = try run(command + ["--help"], cwd: tmp.url)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("Example"), "\(command.joined(separator: " ")) --help has no example: \(r.stdout)")
        #expect(r.stdout.contains("USAGE: relance \(command.joined(separator: " "))"), "\(r.stdout)")
    }

    @Test func helpOfTheImportGroupHasAnExample() throws {
        let r = try relance("import", "--help")
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("org"), "the subcommand is listed")
        #expect(r.stdout.contains("Example"))
    }

    @Test func rootHelpListsTheCommands() throws {
        let r = try relance("--help")
        #expect(r.status == 0, "\(r)")
        for c in ["init", "import", "map", "check", "demo"] {
            #expect(r.stdout.contains("  \(c) "), "\(c) is not listed")
        }
        #expect(r.stdout.contains("relance demo"))
    }
}
