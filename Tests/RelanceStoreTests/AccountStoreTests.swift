import Foundation
import RelanceCore
import RelanceImport
import RelanceSamples
import RelanceStore
import Testing

@Suite("Accounts, sessions and concurrent writers")
struct AccountStoreTests {
    static func temporaryPath() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("relance-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("db.sqlite").path
    }

    @Test("v5-accounts is applied after the earlier migrations")
    func migration() throws {
        let store = try Store.inMemory()
        let applied = try store.appliedMigrations()
        // v6-dwell-models, v7-forecast-contexts, v8-event-learning-index, v9-invoice-paid-so-far, v10-binary-dwell-models and
        // v11-open-books follow it.
        let v5 = try #require(applied.firstIndex(of: "v5-accounts"))
        #expect(applied.dropFirst(v5 + 1) == ["v6-dwell-models", "v7-forecast-contexts", "v8-event-learning-index", "v9-invoice-paid-so-far",
                                                 "v10-binary-dwell-models", "v11-open-books"])
        #expect(applied.firstIndex(of: "v3-invoice-channel").map { $0 < v5 } == true)
    }

    @Test("Accounts: unique names, valid names, roles, sales-rep names")
    func accounts() throws {
        let store = try Store.inMemory()
        let a = try store.addAccount(name: "claire", role: .manager, passwordHash: "$2b$04$hash")
        #expect(a.salesRep == nil)
        let rep = try store.addAccount(name: "marc", role: .salesRep, passwordHash: "h")
        #expect(rep.salesRep == "marc")
        let named = try store.addAccount(name: "julien", role: .salesRep, salesRep: "Julien Perrin", passwordHash: "h")
        #expect(named.salesRep == "Julien Perrin")
        #expect(throws: AccountError.self) { try store.addAccount(name: "claire", role: .collector, passwordHash: "h") }
        #expect(throws: AccountError.self) { try store.addAccount(name: "two words", role: .collector, passwordHash: "h") }
        #expect(throws: AccountError.self) { try store.addAccount(name: "", role: .collector, passwordHash: "h") }
        #expect(try store.accounts().map(\.name) == ["claire", "julien", "marc"])
        #expect(try store.credentials(name: "claire")?.passwordHash == "$2b$04$hash")
        #expect(try store.credentials(name: "nobody") == nil)
        #expect(AccountRole.readOnly.canWrite == false && AccountRole.collector.canWrite)
    }

    @Test("Sessions are found by hash until they expire, and can be ended")
    func sessions() throws {
        let store = try Store.inMemory()
        let a = try store.addAccount(name: "claire", role: .manager, passwordHash: "h")
        let now = Date()
        try store.addSession(tokenHash: "live", account: a.id, kind: .web, csrf: "c", expiresAt: now.addingTimeInterval(60), now: now)
        try store.addSession(tokenHash: "old", account: a.id, kind: .api, csrf: nil, expiresAt: now.addingTimeInterval(-1), now: now.addingTimeInterval(-60))
        #expect(try store.session(tokenHash: "live", now: now)?.csrf == "c")
        #expect(try store.session(tokenHash: "live", now: now.addingTimeInterval(61)) == nil)
        #expect(try store.session(tokenHash: "old", now: now) == nil)
        try store.deleteSession(tokenHash: "live")
        #expect(try store.session(tokenHash: "live", now: now) == nil)
    }

    @Test("Two stores on one file (the server and the CLI) write at the same time without losing a write")
    func concurrentWriters() async throws {
        let path = try Self.temporaryPath()
        let setup = try Store.create(at: path)
        let url = try #require(Samples.organisationFiles.first { $0.lastPathComponent == "metalux.yaml" })
        try setup.save([try OrganisationReader.read(contentsOf: url)])
        let issue = try #require(CivilDate(year: 2026, month: 10, day: 1))
        try setup.importInvoices([InvoiceInput(
            invoice: Invoice(id: "FA-1", group: "", entity: "mtx-industrie", site: "mtx-ven", issueDate: issue, dueDate: issue.adding(days: 45),
                             amount: Money(minorUnits: 100_000, currency: "EUR")),
            givenDueDate: issue.adding(days: 45), receiptDate: nil, place: "test")], source: "test")
        let server = try Store.open(at: path), cli = try Store.open(at: path)
        let perWriter = 60
        let start = issue.start(in: TimeZone(identifier: "Europe/Paris") ?? .gmt)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (w, store) in [server, cli].enumerated() {
                group.addTask {
                    for k in 0..<perWriter {
                        let e = InvoiceEvent(invoice: "FA-1", state: nil, at: start.addingTimeInterval(Double(w * 10_000 + k) * 60), source: .call,
                                             note: "writer \(w) #\(k)")
                        try store.appendEvents([EventInput(event: e, place: "w\(w)")], source: "writer \(w)")
                    }
                }
            }
            try await group.waitForAll()
        }
        let stored = try setup.events(of: "FA-1")
        #expect(stored.count == 2 * perWriter)
        #expect(Set(stored.compactMap(\.note)).count == 2 * perWriter)
        #expect(try setup.count(.event) == 2 * perWriter)
    }
}
