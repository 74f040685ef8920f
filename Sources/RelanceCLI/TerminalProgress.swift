import Foundation
import RelanceCore

/// Progress lines for long commands: on a terminal (standard error), one line rewritten in place; nothing
/// when standard error is not a terminal (a pipe, a file, CI), so logs and scripts stay clean.
enum TerminalProgress {
    /// Whether progress is shown: standard error is a terminal and `RELANCE_PROGRESS` is not `0`.
    static var enabled: Bool {
        ProcessInfo.processInfo.environment["RELANCE_PROGRESS"] != "0" && isatty(STDERR_FILENO) == 1
    }

    /// The shortest time between two lines: `RELANCE_PROGRESS_MS` milliseconds when it is a whole number
    /// (0 shows a line every 1,024 rows, whatever the machine's speed), else a quarter of a second.
    static var interval: Duration {
        guard let text = ProcessInfo.processInfo.environment["RELANCE_PROGRESS_MS"], let ms = Int(text), ms >= 0 else {
            return .milliseconds(250)
        }
        return .milliseconds(ms)
    }

    /// A meter that writes to the terminal, or `nil` when progress is not shown.
    static func meter(_ unit: String, total: Int? = nil) -> ProgressMeter? {
        guard enabled else { return nil }
        return ProgressMeter(unit: unit, total: total, interval: interval) { line in
            FileHandle.standardError.write(Data("\r\u{1B}[2K\(line)".utf8))
        }
    }

    /// Ends the meter's line (its final figures stay on screen).
    static func finish(_ meter: ProgressMeter?) {
        guard let meter else { return }
        meter.finish()
        if meter.count > 0 { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
    }
}
