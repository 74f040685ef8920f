import ArgumentParser
import Foundation
import RelanceServer
import RelanceStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `relance user`: the accounts of the web workspace.
struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Accounts of the web workspace (relance serve): add them, list them.",
        discussion: """
            Roles: manager (everything), collector (reads everything, records call outcomes), sales-rep (only the \
            invoices that carry its sales-rep name), read-only (reads everything, changes nothing). Passwords are \
            read from standard input or typed at a prompt, never given as an argument, and stored as bcrypt hashes.

            Examples:
              relance user add claire --role manager
              printf '%s\\n' "$PASSWORD" | relance user add marc --role sales-rep --sales-rep "Marc Petit"
              relance user list
            """,
        subcommands: [Add.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an account; the password comes from standard input or a prompt.")

        @OptionGroup var db: DatabaseOptions
        @Argument(help: "The name to sign in with (letters, digits, '.', '-', '_', '@').") var name: String
        @Option(help: "manager, collector, sales-rep or read-only.") var role: AccountRole
        @Option(name: .customLong("sales-rep"), help: "For a sales rep: the sales-rep name on its invoices (default: the account name).")
        var salesRep: String?
        @Option(help: .hidden) var bcryptCost: UInt8 = 12

        func validate() throws {
            guard Account.isValidName(name) else {
                throw ValidationError("'\(name)' is not a valid account name: use 1 to 64 letters, digits, '.', '-', '_' or '@'")
            }
            if salesRep != nil && role != .salesRep { throw ValidationError("--sales-rep only goes with --role sales-rep") }
            guard (4...31).contains(bcryptCost) else { throw ValidationError("--bcrypt-cost must be between 4 and 31") }
        }

        func run() throws {
            let store = try db.open()
            let password = try readPassword()
            if let problem = PasswordHasher.problem(with: password) { throw UserError(problem) }
            do {
                let account = try store.addAccount(name: name, role: role, salesRep: salesRep,
                                                   passwordHash: PasswordHasher(cost: bcryptCost).hash(password))
                print("Added \(account.name) (\(account.role.rawValue)\(account.salesRep.map { ", sees the invoices of sales rep \($0)" } ?? "")).")
            } catch let e as AccountError {
                throw UserError(e.description)
            }
        }

        /// At a terminal: typed twice without echo. Otherwise: the first line of standard input.
        func readPassword() throws -> String {
            guard isatty(STDIN_FILENO) == 1 else {
                guard let line = readLine(strippingNewline: true) else { throw UserError("no password on standard input") }
                return line
            }
            let first = try prompt("Password for \(name): ")
            let second = try prompt("Again: ")
            guard first == second else { throw UserError("the two passwords differ; nothing was added") }
            return first
        }

        func prompt(_ text: String) throws -> String {
            FileHandle.standardError.write(Data(text.utf8))
            var saved = termios()
            tcgetattr(STDIN_FILENO, &saved)
            var silent = saved
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSANOW, &silent)
            defer {
                tcsetattr(STDIN_FILENO, TCSANOW, &saved)
                FileHandle.standardError.write(Data("\n".utf8))
            }
            guard let line = readLine(strippingNewline: true) else { throw UserError("no password typed") }
            return line
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the accounts (never their passwords).")
        @OptionGroup var db: DatabaseOptions

        func run() throws {
            let accounts = try db.open().accounts()
            if accounts.isEmpty {
                print("No account yet: add one with 'relance user add NAME --role manager'.")
                return
            }
            let rows = accounts.map { [$0.name, $0.role.rawValue, $0.salesRep ?? "", $0.createdAt] }
            print(table(["name", "role", "sales_rep", "created"], rows), terminator: "")
        }
    }
}

extension AccountRole: ExpressibleByArgument {}

/// A plain text table (the same layout as the other commands').
private func table(_ header: [String], _ rows: [[String]]) -> String {
    var widths = header.map(\.count)
    for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }.joined(separator: "  ")
            .replacing(/\s+$/, with: "")
    }
    return ([line(header)] + rows.map(line)).joined(separator: "\n") + "\n"
}
