import Foundation
import Synchronization

/// Progress of a long job (an import, a simulation): a count against an optional total, with the rate and
/// the time left. It computes and throttles the lines; where they go is the caller's choice (the command-line
/// tool writes them to a terminal and stays quiet when the output is not one).
///
/// Safe to advance from several threads. `advance` is cheap (one lock, one clock read every 1,024 calls),
/// so it can be called once per row.
public final class ProgressMeter: Sendable {
    /// What is counted ("events", "invoices").
    public let unit: String
    public let total: Int?
    private let sink: @Sendable (String) -> Void
    private let interval: Duration
    private let start: ContinuousClock.Instant
    private let state: Mutex<State>

    private struct State {
        var count = 0
        var lastReport: ContinuousClock.Instant
        var sinceCheck = 0
        var reported = false
    }

    /// - Parameters:
    ///   - interval: the shortest time between two lines.
    ///   - sink: receives each line (without a line end).
    public init(unit: String, total: Int? = nil, interval: Duration = .milliseconds(250), sink: @escaping @Sendable (String) -> Void) {
        self.unit = unit
        self.total = total
        self.sink = sink
        self.interval = interval
        let now = ContinuousClock.now
        start = now
        state = Mutex(State(lastReport: now))
    }

    /// Counts `n` more; reports when the interval has passed.
    public func advance(by n: Int = 1) {
        let line: String? = state.withLock { s in
            s.count += n
            s.sinceCheck += n
            guard s.sinceCheck >= 1_024 else { return nil }
            s.sinceCheck = 0
            let now = ContinuousClock.now
            guard now - s.lastReport >= interval else { return nil }
            s.lastReport = now
            s.reported = true
            return ProgressMeter.line(count: s.count, total: total, unit: unit, elapsed: now - start)
        }
        if let line { sink(line) }
    }

    /// The count so far.
    public var count: Int { state.withLock { $0.count } }

    /// Reports the final line (only if a line was reported before: short jobs stay silent).
    public func finish() {
        let line: String? = state.withLock { s in
            guard s.reported else { return nil }
            return ProgressMeter.line(count: s.count, total: total, unit: unit, elapsed: ContinuousClock.now - start, done: true)
        }
        if let line { sink(line) }
    }

    /// "412,000 / 1,000,000 events  41%  52,310/s  11 s left" (or "… done in 19 s").
    public static func line(count: Int, total: Int?, unit: String, elapsed: Duration, done: Bool = false) -> String {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = seconds > 0 ? Double(count) / seconds : 0
        var text = grouped(count)
        if let total, total > 0 {
            text += " / \(grouped(total)) \(unit)  \(min(100, count * 100 / total))%"
        } else {
            text += " \(unit)"
        }
        text += "  \(grouped(Int(rate.rounded())))/s"
        if done {
            text += "  done in \(duration(seconds))"
        } else if let total, rate > 0, count < total {
            text += "  \(duration(Double(total - count) / rate)) left"
        }
        return text
    }

    /// `1234567` as "1,234,567".
    public static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded(.up))
        if s < 60 { return "\(s) s" }
        if s < 3_600 { return "\(s / 60) min \(s % 60) s" }
        return "\(s / 3_600) h \(s % 3_600 / 60) min"
    }
}
