import ArgumentParser
import Foundation
import RelanceStore

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the database, or bring an existing one's schema up to date.",
        discussion: "Example: relance init --db relance.sqlite"
    )

    @OptionGroup var db: DatabaseOptions

    func run() throws {
        let path = db.resolvedPath
        let existed = FileManager.default.fileExists(atPath: path)
        let store = try Store.create(at: path)
        let migrations = try store.appliedMigrations()
        print(existed ? "Database \(path) is up to date" : "Created \(path)", terminator: "")
        print(" (schema: \(migrations.joined(separator: ", ")))")
    }
}
