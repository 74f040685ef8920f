import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One run of a child process: its wall time, its CPU time and its own peak memory (both from `wait4`'s
/// resource usage, so each phase is measured apart from the other phases) and its output.
///
/// The harness must stay small for the peak to be the child's own: on Linux a child started by
/// `posix_spawn` (which shares the harness's memory until it runs the program) starts its peak from the
/// harness's resident size. So its output stays in a file (`stdoutPath`; a million open invoices' agenda is
/// a gigabyte): read it with ``stdout`` only when it is small.
struct ChildRun: Sendable {
    var status: Int32
    var seconds: Double
    /// CPU time of the child, user and system, on all its threads: the work done, apart from how well the
    /// cores were kept busy.
    var cpuSeconds: Double
    /// Peak resident set size of the child, in bytes.
    var peakBytes: Int
    /// Where the child's standard output is, until the next child overwrites it.
    var stdoutPath: String
    var stderr: String

    /// The standard output as text: for small outputs (the peers' JSON summaries).
    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
}

struct SpawnError: Error, CustomStringConvertible {
    var description: String
}

enum Spawn {
    /// Runs `executable` (a path, or a name looked up in PATH) with `arguments`, waits for it, and measures it.
    /// Standard output and error go to files in `scratch` and are read back. `RELANCE_PROGRESS=0` keeps
    /// progress lines out of the measurements.
    static func run(_ executable: String, _ arguments: [String], scratch: URL, extraEnvironment: [String: String] = [:]) throws -> ChildRun {
        let out = scratch.appendingPathComponent("child.stdout").path, err = scratch.appendingPathComponent("child.stderr").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var environment = ProcessInfo.processInfo.environment
        environment["RELANCE_PROGRESS"] = "0"
        for (k, v) in extraEnvironment { environment[k] = v }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let start = ContinuousClock.now
        let spawned = posix_spawnp(&pid, executable, &actions, nil, argv, envp)
        guard spawned == 0 else { throw SpawnError(description: "cannot start \(executable): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) == -1 {
            guard errno == EINTR else { throw SpawnError(description: "waiting for \(executable): \(String(cString: strerror(errno)))") }
        }
        let elapsed = ContinuousClock.now - start
        let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        #if os(Linux)
        let peak = Int(usage.ru_maxrss) * 1_024  // kibibytes on Linux
        #else
        let peak = Int(usage.ru_maxrss)  // bytes on macOS
        #endif
        let cpu = [usage.ru_utime, usage.ru_stime].reduce(0.0) { $0 + Double($1.tv_sec) + Double($1.tv_usec) / 1e6 }
        let text = { (path: String) in (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        return ChildRun(status: exit, seconds: seconds, cpuSeconds: cpu, peakBytes: peak, stdoutPath: out, stderr: text(err))
    }
}
