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

/// Streams what `body` writes to `path`, or to standard output when `path` is nil or `-`, without holding it
/// all: a file is written beside `path` and moved over it at the end, so that a failure leaves `path` as it
/// was (as `emit(_:to:)` does).
func emitStreaming(to path: String?, _ body: (_ write: (UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
    /// The error of the last system call, naming what was being written.
    func failure(_ name: String) -> UserError { UserError("cannot write \(name): \(String(cString: strerror(errno)))") }
    func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, name: String) throws {
        guard let base = buffer.baseAddress else { return }
        var done = 0
        while done < buffer.count {
            let n = Foundation.write(fd, base + done, buffer.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw failure(name)
            }
            done += n
        }
    }
    guard let path, path != "-" else {
        try body { try writeAll(STDOUT_FILENO, $0, name: "standard output") }
        return
    }
    let url = URL(fileURLWithPath: path)
    let partial = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())").path
    let fd = open(partial, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { throw failure(path) }
    var isOpen = true
    do {
        try body { try writeAll(fd, $0, name: path) }
        isOpen = false
        guard close(fd) == 0 else { throw failure(path) }
        guard rename(partial, path) == 0 else { throw failure(path) }
    } catch {
        if isOpen { close(fd) }
        unlink(partial)
        throw error
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

/// Keeps `value` alive until the process ends, so that it is never freed: for what a command holds when it
/// has written its output and returns, just before the process exits. The system takes the whole memory
/// back at once at exit; freed value by value, a million open invoices' rows or agenda items (each a dozen
/// texts and arrays) took half a second to a second on one core after the last byte was written.
/// Only for commands run as their own process (the tests run the tool as one), never in a long-lived one.
func keepUntilExit<T>(_ value: T) {
    _ = Unmanaged.passRetained(KeptUntilExit(value))
}

private final class KeptUntilExit<T> {
    let value: T
    init(_ value: T) { self.value = value }
}
