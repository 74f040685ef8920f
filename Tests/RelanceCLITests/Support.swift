import Dispatch
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a run of the `relance` executable gave.
struct RunResult: CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String

    var description: String { "exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
}

/// Paths of the repository, found from this file (no resources needed in Package.swift).
enum Repo {
    static let testsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let root = testsFolder.deletingLastPathComponent().deletingLastPathComponent()
    static let samples = root.appendingPathComponent("samples/orgs")
    static func sample(_ id: String) -> String { samples.appendingPathComponent("\(id).yaml").path }
    /// The three samples, in the order `import org` reports them.
    static let allSamples = ["chu-armor", "maisonvert", "metalux"].map(sample)
    static func golden(_ name: String) -> URL { testsFolder.appendingPathComponent("Golden/\(name)") }
}

/// The built `relance` executable: next to the test bundle (`.build/debug/relance`).
enum Binary {
    static let url: URL? = {
        var candidates: [URL] = []
        if let arg0 = CommandLine.arguments.first {
            candidates.append(URL(fileURLWithPath: arg0).deletingLastPathComponent())
        }
        // Walk up from the bundle (macOS: …/RelancePackageTests.xctest/Contents/MacOS; Linux: the build folder).
        var dir = Bundle.main.bundleURL
        for _ in 0..<6 {
            candidates.append(dir)
            dir = dir.deletingLastPathComponent()
        }
        for bundle in Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
            candidates.append(bundle.bundleURL.deletingLastPathComponent())
        }
        return candidates.map { $0.appendingPathComponent("relance") }.first { url in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue
                && FileManager.default.isExecutableFile(atPath: url.path)
        }
    }()

    static func require(sourceLocation: SourceLocation = #_sourceLocation) throws -> URL {
        try #require(url, """
            the 'relance' executable was not found next to the test bundle (looked beside \
            \(CommandLine.arguments.first ?? "?") and above \(Bundle.main.bundleURL.path)): \
            build it with 'swift build --build-tests'
            """, sourceLocation: sourceLocation)
    }
}

/// Whether Graphviz's `dot` is on the PATH the subprocess inherits.
let dotInstalled: Bool = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/dot") }
}()

/// Collects a pipe's data on another thread, so that a full stderr cannot block the process while stdout is read.
private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ d: Data) { lock.lock(); data = d; lock.unlock() }
    func get() -> Data { lock.lock(); defer { lock.unlock() }; return data }
}

/// Runs `relance args` in `cwd`. The inherited environment loses RELANCE_DB unless `env` sets it; `env`
/// overrides the rest. The process is killed after `timeout` seconds.
func run(_ args: [String], cwd: URL, env: [String: String] = [:], timeout: Double = 120,
         sourceLocation: SourceLocation = #_sourceLocation) throws -> RunResult {
    let exe = try Binary.require(sourceLocation: sourceLocation)
    var environment = ProcessInfo.processInfo.environment
    environment["RELANCE_DB"] = nil
    for (k, v) in env { environment[k] = v }
    var process = Process()
    let out = Pipe(), err = Pipe()
    // The executable may be relinked by a concurrent build ("Text file busy"): try again for a little while.
    for attempt in 1... {
        process = Process()
        process.executableURL = exe
        process.arguments = args
        process.currentDirectoryURL = cwd
        process.environment = environment
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
            break
        } catch let error as NSError where attempt < 20 && (error.userInfo[NSUnderlyingErrorKey] as? NSError)?.code == Int(ETXTBSY) {
            Thread.sleep(forTimeInterval: 0.5)
        }
    }

    let pid = process.processIdentifier
    let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
    DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)

    let errors = Collected()
    let group = DispatchGroup()
    let errHandle = err.fileHandleForReading
    DispatchQueue.global().async(group: group) { errors.set(errHandle.readDataToEndOfFile()) }
    let output = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    watchdog.cancel()
    return RunResult(status: process.terminationStatus,
                     stdout: String(decoding: output, as: UTF8.self),
                     stderr: String(decoding: errors.get(), as: UTF8.self))
}

/// A fresh temporary folder, removed when the value goes away.
final class TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("relance-cli-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(name)) }
}

/// Compares `actual` to a golden file line by line, reporting the first difference.
func expectGolden(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let url = Repo.golden(name)
    let expected = try String(contentsOf: url, encoding: .utf8)
    guard actual != expected else { return }
    let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
    let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let n = (0..<min(a.count, e.count)).first { a[$0] != e[$0] } ?? min(a.count, e.count)
    Issue.record("""
        output differs from \(url.path) at line \(n + 1):
          expected: \(n < e.count ? String(e[n]) : "<end of file>")
          actual:   \(n < a.count ? String(a[n]) : "<end of output>")
        (\(e.count) expected lines, \(a.count) actual)
        """, sourceLocation: sourceLocation)
}
