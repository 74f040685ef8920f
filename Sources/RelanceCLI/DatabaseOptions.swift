import ArgumentParser
import Foundation
import RelanceStore

/// `--db PATH`, shared by every command that reads or writes data.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("db"), help: ArgumentHelp(
        "The database file.", discussion: "Defaults to $\(Store.environmentVariable), else ./\(Store.defaultFileName).", valueName: "path"))
    var path: String?

    var resolvedPath: String {
        path ?? ProcessInfo.processInfo.environment[Store.environmentVariable].flatMap { $0.isEmpty ? nil : $0 } ?? Store.defaultFileName
    }

    /// Opens the existing database (an error that says how to create one if there is none).
    func open() throws -> Store { try Store.open(at: resolvedPath) }
}

/// Output formats of commands that draw or list.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, csv, dot, mermaid, svg
}

/// Writes bytes to `path`, or to standard output when `path` is nil or `-` (large outputs: no `String` copy).
func emit(_ data: Data, to path: String?) throws {
    if let path, path != "-" {
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    } else {
        FileHandle.standardOutput.write(data)
    }
}

/// Writes `text` to `path`, or to standard output when `path` is nil or `-`.
func emit(_ text: String, to path: String?) throws {
    if let path, path != "-" {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    } else {
        print(text, terminator: "")
    }
}
