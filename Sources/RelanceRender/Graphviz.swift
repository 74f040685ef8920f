import Foundation

/// Runs Graphviz's `dot` to turn DOT into SVG.
public enum Graphviz {
    public enum Failure: Error, CustomStringConvertible {
        case notInstalled
        case failed(status: Int32, message: String)

        public var description: String {
            switch self {
            case .notInstalled:
                return "Graphviz is not installed (no 'dot' on the PATH): install it with 'apt-get install graphviz' "
                    + "(Debian, Ubuntu) or 'brew install graphviz' (macOS), or use --format dot and render elsewhere"
            case .failed(let status, let message):
                return "Graphviz 'dot' failed (exit \(status)): \(message)"
            }
        }
    }

    /// The `dot` executable on the PATH, if any.
    public static func executable() -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent("dot") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Lays out `dot` source with `dot -Tsvg` and returns the SVG.
    public static func svg(fromDOT source: String) throws -> String {
        guard let exe = executable() else { throw Failure.notInstalled }
        let process = Process()
        process.executableURL = exe
        process.arguments = ["-Tsvg"]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Write on another thread: dot may fill its output pipe before it has read all its input.
        let data = Data(source.utf8)
        let writer = Thread {
            input.fileHandleForWriting.write(data)
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let svg = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure.failed(status: process.terminationStatus, message: String(decoding: err, as: UTF8.self))
        }
        return String(decoding: svg, as: UTF8.self)
    }
}
