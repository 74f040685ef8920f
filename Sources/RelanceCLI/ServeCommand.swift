import ArgumentParser
import Foundation
import RelanceServer
import RelanceStore
import RelanceCore
import Synchronization

/// `relance serve`: the web workspace on the same database.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the web workspace (pages and JSON API) on the same database.",
        discussion: """
            Binds 127.0.0.1 unless --host says otherwise. Everyone signs in: add accounts first with \
            'relance user add NAME --role ROLE'. The command-line tool can keep writing to the database while the \
            server runs. docs/server.md describes the pages, the API (/openapi.json) and the security model.

            Example: relance serve --db relance.sqlite --port 8080
            """)

    @OptionGroup var db: DatabaseOptions
    @Option(help: "The address to listen on.") var host: String = "127.0.0.1"
    @Option(help: "The port to listen on (0: any free port).") var port: Int = 8080
    @Option(name: .customLong("as-of"), help: ArgumentHelp("Show positions as of this day (YYYY-MM-DD); default: today, every day.", valueName: "date"))
    var asOf: String?

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port \(port) is not a port number (0 to 65535)") }
        guard !host.isEmpty, host.allSatisfy({ $0.isLetter || $0.isNumber || ".:-".contains($0) }) else {
            throw ValidationError("--host '\(host)' is not a host name or address")
        }
    }

    func run() throws {
        let date = try AsOfOption(text: asOf).dateIfGiven()
        let store = try db.open()
        guard try !store.accounts().isEmpty else {
            throw UserError("no account can sign in yet: add one with 'relance user add NAME --role manager --db \(db.resolvedPath)' "
                            + "(the password is read from standard input), then start the server again")
        }
        if !["127.0.0.1", "localhost", "::1"].contains(host) {
            FileHandle.standardError.write(Data("warning: listening on \(host): other machines can reach the sign-in page; put TLS in front of it\n".utf8))
        }
        let workspace = Workspace(store: store, asOf: date)
        let failure = Mutex<(any Error)?>(nil)
        let done = DispatchSemaphore(value: 0)
        let host = host, port = port, path = db.resolvedPath
        Task {
            do {
                try await WorkspaceServer.run(workspace: workspace, host: host, port: port) { bound in
                    let line = "Relance is serving \(path) at http://\(host.contains(":") ? "[\(host)]" : host):\(bound)/ (Ctrl-C to stop)\n"
                    FileHandle.standardOutput.write(Data(line.utf8))
                }
            } catch {
                failure.withLock { $0 = error }
            }
            done.signal()
        }
        done.wait()
        if let error = failure.withLock({ $0 }) { throw UserError("the server stopped: \(error)") }
    }
}

extension AsOfOption {
    init(text: String?) {
        self.init()
        self.text = text
    }

    /// The date given, or `nil` (then the server follows the calendar).
    func dateIfGiven() throws -> CivilDate? { text == nil ? nil : try date() }
}
